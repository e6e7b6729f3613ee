/* brig — namespaces/idmap.c: the user namespace's uid_map/gid_map,
 * written by the parent while the child waits.
 *
 * Root (or a writer with CAP_SETUID/CAP_SETGID) writes /proc/<pid>/uid_map
 * and gid_map itself.  Without that privilege the kernel only takes a map of one id,
 * the writer's own (and for gid_map only once setgroups is "deny"); any
 * other map -- subordinate ranges from /etc/subuid and /etc/subgid -- goes
 * through the setuid helpers newuidmap and newgidmap, as runc does.  With
 * newgidmap setgroups stays allowed, so process.user.additionalGids work. */
#include "namespaces.h"
#include "base/io.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

char *ns_format_id_map(const struct spec_idmap *m, size_t n)
{
	size_t cap = n * 36 + 1, len = 0;
	char *s = xmalloc(cap);
	s[0] = '\0';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%u %u %u\n",
					m[i].container_id, m[i].host_id, m[i].size);
	return s;
}

bool ns_id_map_is_own(const struct spec_idmap *m, size_t n, uint32_t own)
{
	return n == 1 && m[0].host_id == own && m[0].size == 1;
}

static bool has_cap(int cap)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capget, &h, d) < 0)
		return false;
	return d[cap / 32].effective & (1u << (cap % 32));
}

static int write_map_file(pid_t pid, const char *file, const char *text,
			  brig_error_t **err)
{
	char path[64];
	cleanup_close int fd = -1;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return brig_err(err, errno, "open %s", path);
	if (brig_write_all(fd, text, strlen(text)) < 0)
		return brig_err(err, errno, "write %s", path);
	return 0;
}

/* The full path of tool in $PATH, or NULL. Caller frees. */
static char *find_in_path(const char *tool)
{
	const char *path = getenv("PATH");
	cleanup_free char *dirs = xstrdup(path ? path : DEFAULT_PATH);
	char *save = NULL;

	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", *d ? d : ".", tool);
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	return NULL;
}

/* First line of what the helper said, without the trailing newline. */
static void first_line(char *s)
{
	char *nl = strchr(s, '\n');
	if (nl)
		*nl = '\0';
}

/* Run `tool PID ID HOSTID SIZE ...`; its own error text on failure. */
static int run_helper(const char *tool, pid_t pid, const struct spec_idmap *m,
		      size_t n, brig_error_t **err)
{
	cleanup_free char *exe = find_in_path(tool);
	cleanup_free char **argv = NULL;
	char buf[1024];
	size_t len = 0;
	int pfd[2], status = 0, ret = -1;
	pid_t h;

	if (!exe)
		return brig_err(err, 0, "%s not found in PATH (package uidmap); it is needed to "
				"map more than your own id without root", tool);
	argv = xcalloc(3 * n + 3, sizeof(*argv));
	argv[0] = (char *)tool;
	argv[1] = xasprintf("%d", (int)pid);
	for (size_t i = 0; i < n; i++) {
		argv[2 + 3 * i] = xasprintf("%u", m[i].container_id);
		argv[3 + 3 * i] = xasprintf("%u", m[i].host_id);
		argv[4 + 3 * i] = xasprintf("%u", m[i].size);
	}
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		brig_err(err, errno, "pipe");
		goto out;
	}
	h = fork();
	if (h < 0) {
		brig_err(err, errno, "fork %s", tool);
		close(pfd[0]);
		close(pfd[1]);
		goto out;
	}
	if (h == 0) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null >= 0)
			dup2(null, 0);
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		execv(exe, argv);
		dprintf(2, "exec %s: %s\n", exe, strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		ssize_t r = read(pfd[0], buf + len, sizeof(buf) - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		if (len == sizeof(buf) - 1) {
			char sink[256]; /* drain the rest so the helper never blocks */
			while (read(pfd[0], sink, sizeof(sink)) > 0)
				;
			break;
		}
	}
	buf[len] = '\0';
	close(pfd[0]);
	while (waitpid(h, &status, 0) < 0) {
		if (errno != EINTR) {
			brig_err(err, errno, "wait for %s", tool);
			goto out;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		size_t tl = strlen(tool);
		first_line(buf);
		if (!buf[0])
			brig_err(err, 0, "%s failed (%s %d)", tool,
				 WIFEXITED(status) ? "exit status" : "signal",
				 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		else if (strncmp(buf, tool, tl) == 0 && buf[tl] == ':')
			brig_err(err, 0, "%s", buf);
		else
			brig_err(err, 0, "%s: %s", tool, buf);
		goto out;
	}
	ret = 0;
out:
	for (size_t i = 1; argv[i]; i++)
		free(argv[i]);
	return ret;
}

/* One of the two maps: written directly or by the setuid helper. */
static int write_id_map(pid_t pid, const char *file, const char *helper,
			const struct spec_idmap *m, size_t n, bool direct,
			const char *json_path, brig_error_t **err)
{
	if (n == 0)
		return 0;
	cleanup_free char *text = ns_format_id_map(m, n);
	if ((direct ? write_map_file(pid, file, text, err)
		    : run_helper(helper, pid, m, n, err)) < 0)
		return brig_err_prefix(err, "%s", json_path);
	return 0;
}

int ns_write_id_maps(pid_t pid, const struct spec_linux *l, bool rootless,
		     brig_error_t **err)
{
	bool uid_direct = !rootless || has_cap(CAP_SETUID) ||
		ns_id_map_is_own(l->uid_mappings, l->n_uid_mappings, geteuid());
	bool gid_priv = !rootless || has_cap(CAP_SETGID);
	bool gid_direct = gid_priv || !l->n_gid_mappings ||
		ns_id_map_is_own(l->gid_mappings, l->n_gid_mappings, getegid());

	/* an unprivileged gid_map needs setgroups denied first; newgidmap
	 * decides for itself (allowed for subordinate ranges) */
	if (gid_direct && !gid_priv &&
	    write_map_file(pid, "setgroups", "deny", err) < 0)
		return -1;
	if (write_id_map(pid, "uid_map", "newuidmap", l->uid_mappings, l->n_uid_mappings,
			 uid_direct, "linux.uidMappings", err) < 0)
		return -1;
	return write_id_map(pid, "gid_map", "newgidmap", l->gid_mappings, l->n_gid_mappings,
			    gid_direct, "linux.gidMappings", err);
}
