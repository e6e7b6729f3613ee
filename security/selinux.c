/* brig — security/selinux.c: process.selinuxLabel and linux.mountLabel.
 *
 * brig does not link libselinux.  As runc does on a host without SELinux,
 * the labels are accepted and ignored; sec_selinux_enabled() tells the
 * runtime which case it is in, so that it can say so. */
#include <sys/statfs.h>
#include <linux/magic.h>

#include "security/security.h"

#ifndef SELINUX_MAGIC
#define SELINUX_MAGIC 0xf97cff8c
#endif

bool sec_selinux_enabled(void)
{
	struct statfs sfs;
	return statfs("/sys/fs/selinux", &sfs) == 0 && sfs.f_type == SELINUX_MAGIC;
}
