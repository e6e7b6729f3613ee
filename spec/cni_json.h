/* brig — spec/ private: published ports as network.json and
 * service.json write them ("ports": [{"hostIP", "hostPort",
 * "containerPort", "protocol"}]). */
#ifndef BRIG_SPEC_CNI_JSON_H
#define BRIG_SPEC_CNI_JSON_H

#include "cni.h"
#include "gen.h"
#include "json.h"

void cni_gen_ports(yajl_gen g, const struct spec_cni_port *p, size_t n);
/* obj's "ports" (absent: none). */
int cni_parse_ports(struct jctx *c, yajl_val obj, struct spec_cni_port **p, size_t *n);

#endif
