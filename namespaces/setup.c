/* brig — namespaces/setup.c: the init's own namespace set-up
 * (user, time, uts), sysctl, and joining a running container (exec). */
#include "namespaces.h"
#include "base/netif.h"
#include "base/io.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/fsuid.h>
#include <sys/ioctl.h>
#include <net/if.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static int write_proc(pid_t pid, const char *file, const char *text,
		      brig_error_t **err)
{
	char path[64];
	int fd;

	/* pid 0: ourselves (getpid() is 1 in a new pid namespace while /proc
	 * is still the host's) */
	if (pid == 0)
		snprintf(path, sizeof(path), "/proc/self/%s", file);
	else
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return brig_err(err, errno, "open %s", path);
	if (brig_write_all(fd, text, strlen(text)) < 0) {
		int e = errno;
		close(fd);
		return brig_err(err, e, "write %s", path);
	}
	close(fd);
	return 0;
}

static int set_time_offsets(const struct spec_linux *l, brig_error_t **err)
{
	char buf[128];
	int n = 0;

	if (unshare(CLONE_NEWTIME) < 0)
		return brig_err(err, errno, "unshare time namespace");
	if (l->time_monotonic.set)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "monotonic %lld %u\n",
			      (long long)l->time_monotonic.secs, l->time_monotonic.nanosecs);
	if (l->time_boottime.set)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "boottime %lld %u\n",
			      (long long)l->time_boottime.secs, l->time_boottime.nanosecs);
	/* one write per line: the kernel takes one offset per write */
	for (char *line = buf, *nl; n > 0 && (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		if (write_proc(0, "timens_offsets", line, err) < 0)
			return brig_err_prefix(err, "linux.timeOffsets");
	}
	return 0;
}

int ns_unshare(const struct spec_config *c, brig_error_t **err)
{
	int late = ns_new_flags(c) &
		   (CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP);

	/* A new IPC namespace's mqueue belongs to who makes it: in a user
	 * namespace its root (the fsuid; the group stays ours), as runc
	 * makes it after becoming that root. */
	bool ns_root = (late & CLONE_NEWIPC) && spec_find_ns(c, SPEC_NS_USER);
	int fsuid = ns_root ? setfsuid(0) : -1;
	int r = late ? unshare(late) : 0;
	int e = errno;

	if (ns_root)
		setfsuid((uid_t)fsuid);
	if (r < 0)
		return brig_err(err, e, "unshare the container's namespaces");
	return 0;
}

int ns_setup_child(const struct spec_config *c, brig_error_t **err)
{
	int flags = ns_new_flags(c);
	const struct spec_namespace *user = spec_find_ns(c, SPEC_NS_USER);

	if (user) {
		/* root of the (new or joined) user namespace */
		if (setresgid(0, 0, 0) < 0)
			return brig_err(err, errno, "setresgid 0 in the user namespace");
		if (setresuid(0, 0, 0) < 0)
			return brig_err(err, errno, "setresuid 0 in the user namespace");
	}
	if ((flags & CLONE_NEWTIME) && set_time_offsets(c->linux, err) < 0)
		return -1;
	if ((flags & CLONE_NEWNET) && brig_loopback_up(err) < 0)
		return -1;
	if (c->hostname && c->hostname[0] &&
	    sethostname(c->hostname, strlen(c->hostname)) < 0)
		return brig_err(err, errno, "sethostname %s", c->hostname);
	if (c->domainname && c->domainname[0] &&
	    setdomainname(c->domainname, strlen(c->domainname)) < 0)
		return brig_err(err, errno, "setdomainname %s", c->domainname);
	return 0;
}

static bool has_own_ns(const struct spec_config *c, enum spec_ns_type t)
{
	const struct spec_namespace *ns = spec_find_ns(c, t);
	return ns != NULL; /* new, or joined: either way not the host's */
}

int ns_validate_uts(const struct spec_config *c, brig_error_t **err)
{
	/* runc refuses it: without a UTS namespace of its own the container
	 * would rename the host */
	if (has_own_ns(c, SPEC_NS_UTS))
		return 0;
	if (c->hostname && c->hostname[0])
		return brig_err(err, 0, "config.json: hostname: needs a uts namespace "
				"(linux.namespaces): it would rename the host");
	if (c->domainname && c->domainname[0])
		return brig_err(err, 0, "config.json: domainname: needs a uts namespace "
				"(linux.namespaces): it would rename the host's domain");
	return 0;
}

int ns_validate_sysctl(const struct spec_config *c, brig_error_t **err)
{
	static const char *const ipc_keys[] = {
		"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
		"kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
	};
	if (!c->linux)
		return 0;
	for (size_t i = 0; i < c->linux->sysctl.n; i++) {
		const char *k = c->linux->sysctl.v[i].key;
		enum spec_ns_type need = SPEC_NS_COUNT;

		for (size_t j = 0; j < ARRAY_SIZE(ipc_keys); j++)
			if (strcmp(k, ipc_keys[j]) == 0)
				need = SPEC_NS_IPC;
		if (strncmp(k, "fs.mqueue.", 10) == 0)
			need = SPEC_NS_IPC;
		else if (strncmp(k, "net.", 4) == 0)
			need = SPEC_NS_NETWORK;
		else if (strcmp(k, "kernel.hostname") == 0 || strcmp(k, "kernel.domainname") == 0)
			need = SPEC_NS_UTS;
		if (need == SPEC_NS_COUNT)
			return brig_err(err, 0, "config.json: linux.sysctl[\"%s\"]: not in a namespace of "
					"the container's own; it would change the host", k);
		if (!has_own_ns(c, need))
			return brig_err(err, 0, "config.json: linux.sysctl[\"%s\"]: needs a %s namespace",
					k, spec_ns_name(need));
	}
	return 0;
}

int ns_apply_sysctl(const struct spec_config *c, brig_error_t **err)
{
	if (!c->linux)
		return 0;
	for (size_t i = 0; i < c->linux->sysctl.n; i++) {
		const struct spec_kv *kv = &c->linux->sysctl.v[i];
		cleanup_free char *path = NULL;
		cleanup_close int fd = -1;

		if (strstr(kv->key, "..") || kv->key[0] == '/' || kv->key[0] == '.')
			return brig_err(err, 0, "linux.sysctl: invalid key \"%s\"", kv->key);
		path = xasprintf("/proc/sys/%s", kv->key);
		for (char *p = path + strlen("/proc/sys/"); *p; p++)
			if (*p == '.')
				*p = '/';
		fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0 || brig_write_all(fd, kv->value, strlen(kv->value)) < 0)
			return brig_err(err, errno, "linux.sysctl: write %s=%s", kv->key, kv->value);
	}
	return 0;
}

int ns_join_process(pid_t pid, const struct spec_config *c, brig_error_t **err)
{
	static const struct { const char *name; int flag; } order[] = {
		{"user", CLONE_NEWUSER}, {"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS},
		{"net", CLONE_NEWNET},   {"pid", CLONE_NEWPID}, {"cgroup", CLONE_NEWCGROUP},
		{"time", CLONE_NEWTIME}, {"mnt", CLONE_NEWNS},
	};
	int fds[ARRAY_SIZE(order)];
	int ret = 0;
	(void)c;

	/* open everything first: after joining the mount namespace /proc/<pid>
	 * may no longer be reachable */
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		char path[64], self[64], a[64] = "", b[64] = "";
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, order[i].name);
		snprintf(self, sizeof(self), "/proc/self/ns/%s", order[i].name);
		fds[i] = -1;
		/* skip namespaces the container shares with us */
		if (readlink(path, a, sizeof(a) - 1) > 0 &&
		    readlink(self, b, sizeof(b) - 1) > 0 && strcmp(a, b) == 0)
			continue;
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0 && errno != ENOENT) {
			ret = brig_err(err, errno, "open %s", path);
			goto out;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		if (fds[i] < 0)
			continue;
		if (setns(fds[i], order[i].flag) < 0) {
			ret = brig_err(err, errno, "join the container's %s namespace",
				       order[i].name);
			goto out;
		}
	}
out:
	for (size_t i = 0; i < ARRAY_SIZE(order); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return ret;
}
