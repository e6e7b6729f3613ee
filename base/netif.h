/* brig — base/netif.h: the one network-interface step two modules need. */
#ifndef BRIG_BASE_NETIF_H
#define BRIG_BASE_NETIF_H

#include "base/error.h"

/* Bring up the loopback of the calling thread's network namespace (a new
 * one's is down; anything talking to 127.0.0.1 needs it, and runc brings
 * it up). */
int brig_loopback_up(brig_error_t **err);

#endif
