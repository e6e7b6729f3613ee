/* brig — security/apparmor.c: process.apparmorProfile.
 *
 * aa_is_enabled() looks at /sys and securityfs, which the container's
 * root may not show once pivot_root is done.  The answer is therefore
 * computed once and cached: call sec_apparmor_enabled() in the runtime
 * before the root changes (e.g. while validating the config) and the
 * child inherits the cached answer across fork.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <stdbool.h>

#include "config.h"
#include "security/security.h"

#if HAVE_APPARMOR
#include <sys/apparmor.h>
#endif

#define AA_PATH "process.apparmorProfile"

bool sec_apparmor_enabled(void)
{
#if HAVE_APPARMOR
	static int cached = -1;
	if (cached < 0)
		cached = aa_is_enabled() == 1;
	return cached == 1;
#else
	return false;
#endif
}

int sec_apparmor_apply(const char *profile, brig_error_t **err)
{
	if (!profile || !*profile)
		return 0;
#if HAVE_APPARMOR
	if (!sec_apparmor_enabled())
		return brig_err(err, 0, AA_PATH ": AppArmor is not enabled on this host, cannot apply profile \"%s\"",
				profile);
	if (aa_change_onexec(profile) < 0)
		return brig_err(err, errno, AA_PATH ": apply profile \"%s\" on exec", profile);
	return 0;
#else
	return brig_err(err, 0, AA_PATH ": AppArmor is not enabled on this host (brig was built without libapparmor), cannot apply profile \"%s\"",
			profile);
#endif
}

int sec_apparmor_open(const char *profile, brig_error_t **err)
{
	int fd;

	if (!profile || !*profile)
		return -1;
	if (!sec_apparmor_enabled())
		return brig_err(err, 0, AA_PATH ": AppArmor is not enabled on this host, cannot apply profile \"%s\"",
				profile);
	/* what libapparmor's aa_change_onexec writes, the stacking
	 * kernel's file first */
	fd = open("/proc/thread-self/attr/apparmor/exec", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		fd = open("/proc/thread-self/attr/exec", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return brig_err(err, errno, AA_PATH ": open /proc/thread-self/attr/exec");
	return fd;
}

int sec_apparmor_apply_fd(int fd, const char *profile, brig_error_t **err)
{
	char buf[4096];
	int n = snprintf(buf, sizeof(buf), "exec %s", profile);

	if (n < 0 || (size_t)n >= sizeof(buf))
		return brig_err(err, ENAMETOOLONG, AA_PATH ": \"%s\"", profile);
	if (write(fd, buf, (size_t)n) != n)
		return brig_err(err, errno, AA_PATH ": apply profile \"%s\" on exec", profile);
	return 0;
}

bool sec_apparmor_compiled(void)
{
	return HAVE_APPARMOR;
}
