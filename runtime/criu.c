/* brig — runtime/criu.c: `brig checkpoint` and `brig restore`, runc's
 * commands with runc's flags, through CRIU's command line; here
 * checkpoint and what both share, restore in criu_restore.c, what CRIU
 * may read and write besides the container in criu_conf.c.
 *
 * Why the command line and not `criu swrk` (CRIU's RPC, runc's): each
 * option brig passes has a command-line form, a reader can paste the
 * command into a shell, and brig needs no protobuf code.  The RPC's
 * notifications brig gets as CRIU's action script (the hooks).
 *
 * checkpoint: `criu dump` (or `pre-dump`) of the container's init and
 * everything under it, frozen through the container's cgroup freezer;
 * its bind mounts are CRIU "external" mounts, keyed by their destination,
 * and so are namespaces it joined by path.  Unless --leave-running or
 * --pre-dump, the processes are gone afterwards and the container is
 * deleted, as runc does. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/proc.h"
#include "base/strv.h"
#include "cgroups/cgroups.h"
#include "namespaces/namespaces.h"
#include "spec/service.h"
#include "criu.h"


/* ---- the command line of criu ------------------------------------------------ */

void criu_add(struct criu_args *a, const char *s)
{
	brig_strv_append(&a->v, &a->n, s);
}

void criu_addf(struct criu_args *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	criu_add(a, s);
	free(s);
}

/* A network namespace joined by path (external to CRIU)? */
static bool netns_joined(const struct spec_config *c)
{
	const struct spec_namespace *ns = spec_find_ns(c, SPEC_NS_NETWORK);

	return ns && ns->path && ns->path[0];
}

/* What dump and restore share: directories, log, and runc's flags. */
void criu_common_args(struct criu_args *a, const struct criu_opts *o, const struct spec_config *c,
			const char *log, int conf_fd)
{
	criu_add(a, "-D");
	criu_add(a, o->image_path);
	if (o->work_path) {
		criu_add(a, "-W");
		criu_add(a, o->work_path);
	}
	criu_add(a, "-o");
	criu_add(a, log);
	criu_add(a, "-v4");
	if (o->tcp_established)
		criu_add(a, "--tcp-established");
	if (o->ext_unix_sk)
		criu_add(a, "--ext-unix-sk");
	if (o->shell_job)
		criu_add(a, "--shell-job");
	if (o->file_locks)
		criu_add(a, "--file-locks");
	if (o->auto_dedup)
		criu_add(a, "--auto-dedup");
	if (o->lazy_pages)
		criu_add(a, "--lazy-pages");
	criu_addf(a, "--manage-cgroups=%s", o->manage_cgroups_mode ? o->manage_cgroups_mode : "soft");
	const char *conf = criu_conf_annotation(c);
	if (conf_fd >= 0) {
		criu_add(a, "--config");
		criu_addf(a, "/proc/self/fd/%d", CRIU_CONF_FD);
	} else if (!conf) {
		criu_add(a, "--config");
		criu_add(a, "/etc/criu/runc.conf"); /* the host's, as runc */
	}
	/* As runc: the network namespace's devices, addresses and rules are
	 * not the runtime's to save (runc: "Runc doesn't manage network
	 * devices and their configuration"); a restored container gets a
	 * new, empty one (dumping it took a third of a dump, with ip and
	 * iptables-save).  Not for one joined by path, which CRIU leaves
	 * alone as external anyway: there criu 3.17 with --empty-ns locks it
	 * twice (dump, restore) and unlocks it once, and its traffic stays
	 * dropped (runc passes it always). */
	if (!netns_joined(c)) {
		criu_add(a, "--empty-ns");
		criu_add(a, "net");
	}
}

/* CRIU's key for a namespace joined by path: the same at dump and
 * restore. */
const char *criu_ext_ns_key(enum spec_ns_type t)
{
	return t == SPEC_NS_NETWORK ? "extRootNetNS" : "extRootPidNS";
}

/* ---- running criu ------------------------------------------------------------ */

int criu_child_main(void *arg)
{
	const struct criu_child *c = arg;
	brig_error_t *e = NULL;

	if (c->conf_fd >= 0 && c->conf_fd != CRIU_CONF_FD && dup2(c->conf_fd, CRIU_CONF_FD) < 0)
		return 126;

	if (c->sp) {
		cg_spawn_child_close(c->sp);
		if (cg_spawn_join(c->sp, &e) < 0) {
			fprintf(stderr, "brig: restore: %s\n", e->msg);
			return 126;
		}
	}
	if (c->root_dir) {
		/* the rootfs as CRIU's root: a mount point whose parent is not
		 * overmounted; ours alone, gone when CRIU is */
		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 ||
		    mount(c->rootfs, c->root_dir, NULL, MS_BIND | MS_REC, NULL) < 0) {
			fprintf(stderr, "brig: restore: bind %s for criu: %s\n", c->rootfs,
				strerror(errno));
			return 126;
		}
		/* CRIU makes the restored root a bind of this one and does not
		 * bring back its read-only flag: root.readonly is made here,
		 * before anything of the container runs */
		struct statvfs sv;
		if (c->root_ro &&
		    (statvfs(c->root_dir, &sv) < 0 ||
		     mount(NULL, c->root_dir, NULL,
			   MS_REMOUNT | MS_BIND | MS_RDONLY | (sv.f_flag & ST_NOSUID ? MS_NOSUID : 0) |
				   (sv.f_flag & ST_NODEV ? MS_NODEV : 0) |
				   (sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0),
			   NULL) < 0)) {
			fprintf(stderr, "brig: restore: %s read-only for criu: %s\n", c->rootfs,
				strerror(errno));
			return 126;
		}
	}
	/* CRIU forks the restored processes from itself and does not bring
	 * back their no_new_privs: theirs is CRIU's, as they inherit it */
	if (c->nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		fprintf(stderr, "brig: restore: no_new_privs: %s\n", strerror(errno));
		return 126;
	}
	execvp(CRIU, c->argv);
	fprintf(stderr, "brig: %s: %s\n", CRIU, strerror(errno));
	return errno == ENOENT ? 127 : 126;
}

/* What went wrong, from CRIU's log: the last error before its summary
 * ("Dumping FAILED.", a helper's "exited, status=1"), without timestamp
 * and source location; first: the first error instead (a failed kernel
 * probe comes first and says most). */
static char *log_error(const char *log, bool first)
{
	cleanup_free char *text = brig_read_file(log, NULL);
	char *found = NULL, *save = NULL;

	for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
		char *msg = strstr(l, "Error (");
		if (!msg || strstr(l, "FAILED") || strstr(l, "exited, status="))
			continue;
		char *after = strstr(msg, "): ");
		free(found);
		found = xstrdup(after ? after + 3 : msg);
		/* CRIU logs the container's paths as they are: no escape
		 * sequence or carriage return of theirs on our terminal */
		for (unsigned char *p = (unsigned char *)found; *p; p++)
			if (*p < 0x20 || *p == 0x7f)
				*p = '?';
		if (first)
			break;
	}
	return found;
}

/* Wait for criu; its failure as one line naming its first error and its
 * log. */
int criu_wait(pid_t pid, const char *what, const char *log, brig_error_t **err)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return brig_err(err, errno, "%s: wait for criu", what);
	int code = brig_wait_code(status);
	if (code == 0)
		return 0;
	if (code == 127)
		return brig_err(err, 0, "%s: needs CRIU (Debian's package criu): no %s in PATH",
				what, CRIU);
	cleanup_free char *text = brig_read_file(log, NULL);
	bool no_kernel = text && strstr(text, "Could not initialize kernel features detection");
	cleanup_free char *why = log_error(log, no_kernel);
	if (no_kernel)
		return brig_err(err, 0, "%s: CRIU cannot run on this host (criu check fails too): "
				"%s (log: %s)", what, why ? why : "kernel features", log);
	return brig_err(err, 0, "%s: criu failed: %s (log: %s)", what,
			why ? why : "no error in its log", log);
}

/* Checked again once made: one made by another since the parser looked. */
int criu_make_dir(const char *path, const char *flag, brig_error_t **err)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return brig_err(err, errno, "%s %s", flag, path);
	return cli_own_dir(path, flag, err);
}

/* CRIU's log: in the work directory, else the images'. */
char *criu_log_path(const struct criu_opts *o, const char *name)
{
	return xasprintf("%s/%s", o->work_path ? o->work_path : o->image_path, name);
}

/* ---- checkpoint ------------------------------------------------------------------ */

static int external_ns_dump(struct criu_args *a, const struct spec_config *c, enum spec_ns_type t,
			    brig_error_t **err)
{
	const struct spec_namespace *ns = spec_find_ns(c, t);
	struct stat sb;

	if (!ns || !ns->path || !ns->path[0])
		return 0;
	if (stat(ns->path, &sb) < 0)
		return brig_err(err, errno, "checkpoint: namespace %s", ns->path);
	criu_add(a, "--external");
	criu_addf(a, "%s[%llu]:%s", t == SPEC_NS_NETWORK ? "net" : "pid",
	     (unsigned long long)sb.st_ino, criu_ext_ns_key(t));
	return 0;
}

/* Unix 98 pty slaves: majors 136 to 143 (Linux's devices.txt) */
#define PTS_MAJOR_FIRST 136
#define PTS_MAJOR_LAST 143

/* The init's terminal, if its fd I is one: a pty slave whose master is
 * outside (with the console socket's receiver).  CRIU's key for it as an
 * external tty, the same at dump and restore, in key (empty if not). */
static void tty_key(pid_t pid, int i, char key[64])
{
	char link[64];
	struct stat sb;

	key[0] = '\0';
	snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)pid, i);
	if (stat(link, &sb) == 0 && S_ISCHR(sb.st_mode) && major(sb.st_rdev) >= PTS_MAJOR_FIRST &&
	    major(sb.st_rdev) <= PTS_MAJOR_LAST)
		snprintf(key, 64, "tty[%llx:%llx]", (unsigned long long)sb.st_rdev,
			 (unsigned long long)sb.st_dev);
}

/* stdio.json beside the images: what the init's 0, 1 and 2 are.  A pipe
 * to a reader outside (a shim's, a log monitor's) is dumped without its
 * other end; restore hands CRIU the caller's in its place, as runc's
 * descriptors.json does.  A terminal is saved as its CRIU key: restore
 * gives CRIU a new one in its place, its master to --console-socket. */
static int save_stdio(struct container *ct, const struct criu_opts *o, brig_error_t **err)
{
	char targets[3][128];
	const char *fds[3];

	for (int i = 0; i < 3; i++) {
		char link[64];
		tty_key(ct->state->pid, i, targets[i]);
		if (!targets[i][0]) {
			snprintf(link, sizeof(link), "/proc/%d/fd/%d", (int)ct->state->pid, i);
			ssize_t n = readlink(link, targets[i], sizeof(targets[i]) - 1);
			targets[i][n > 0 ? n : 0] = '\0';
		}
		fds[i] = targets[i];
	}
	cleanup_free char *json = spec_stdio_to_json(fds);
	cleanup_free char *path = xasprintf("%s/stdio.json", o->image_path);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	int r = fd < 0 || brig_write_all(fd, json, strlen(json)) < 0 ? -1 : 0;
	if (fd >= 0)
		close(fd);
	return r < 0 ? brig_err(err, errno, "checkpoint: write %s", path) : 0;
}

/* Is a pty bound on the container's /dev/console (terminal.c)? */
static bool console_bound(pid_t pid)
{
	cleanup_free char *path = xasprintf("/proc/%d/mountinfo", (int)pid);
	cleanup_free char *text = brig_read_file(path, NULL);
	char *save = NULL;

	for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT ... */
		char mp[64];
		if (sscanf(l, "%*s %*s %*s %*s %63s", mp) == 1 && strcmp(mp, "/dev/console") == 0)
			return true;
	}
	return false;
}

static int dump_args(struct criu_args *a, struct container *ct, const struct spec_config *c,
		     const struct criu_opts *o, const char *log, int conf_fd, brig_error_t **err)
{
	criu_add(a, CRIU);
	criu_add(a, o->pre_dump ? "pre-dump" : "dump");
	criu_add(a, "-t");
	criu_addf(a, "%d", (int)ct->state->pid);
	criu_common_args(a, o, c, log, conf_fd);
	if (o->leave_running && !o->pre_dump)
		criu_add(a, "--leave-running");
	if (o->parent_path) {
		criu_add(a, "--prev-images-dir");
		criu_add(a, o->parent_path);
	}
	if (o->parent_path || o->pre_dump)
		criu_add(a, "--track-mem");
	if (o->page_server) {
		const char *colon = strrchr(o->page_server, ':'); /* checked by the parser */
		/* with --lazy-pages CRIU serves the pages itself, there (the
		 * restoring side's `criu lazy-pages` connects); else it sends
		 * them to a page server there */
		if (!o->lazy_pages)
			criu_add(a, "--page-server");
		criu_add(a, "--address");
		criu_addf(a, "%.*s", (int)(colon - o->page_server), o->page_server);
		criu_add(a, "--port");
		criu_add(a, colon + 1);
	}
	if (o->status_fd >= 0) {
		criu_add(a, "--status-fd");
		criu_addf(a, "%d", o->status_fd);
	}
	if (ct->state->cgroup_path) {
		struct cg_manager *cg = cg_load(BRIG_CGROUP_ROOT, ct->state->cgroup_path, NULL);
		const char *dir = cg ? cg_freezer_dir(cg) : NULL;
		if (dir) {
			criu_add(a, "--freeze-cgroup");
			criu_add(a, dir);
		}
		cg_free(cg);
	}
	if (o->pre_dump)
		return 0; /* memory only */
	/* the terminal (its master is not ours to dump): one, as runc
	 * allows, on the init's stdio */
	char keys[3][64];
	bool tty = false;
	for (int i = 0; i < 3; i++) {
		tty_key(ct->state->pid, i, keys[i]);
		bool seen = false;
		for (int k = 0; k < i; k++)
			seen = seen || strcmp(keys[k], keys[i]) == 0;
		if (keys[i][0] && !seen) {
			criu_add(a, "--external");
			criu_add(a, keys[i]);
			tty = true;
		}
	}
	/* /dev/console, the pty bound there (terminal.c), goes with it:
	 * restore binds the new one (CRIU cannot bind a pty whose master
	 * it does not have) */
	if (tty && console_bound(ct->state->pid)) {
		criu_add(a, "--external");
		criu_add(a, "mnt[/dev/console]:" CRIU_CONSOLE_KEY);
	}
	for (size_t i = 0; i < c->n_mounts; i++) {
		if (!spec_mount_is_bind(&c->mounts[i]))
			continue;
		criu_add(a, "--external");
		criu_addf(a, "mnt[%s]:%s", c->mounts[i].destination, c->mounts[i].destination);
	}
	return external_ns_dump(a, c, SPEC_NS_NETWORK, err) < 0 ||
			       external_ns_dump(a, c, SPEC_NS_PID, err) < 0
		       ? -1
		       : 0;
}

struct spec_config *criu_saved_config(struct container *ct, brig_error_t **err)
{
	size_t len = 0;
	cleanup_free char *text = brig_read_file(ct->state->config_path, &len);

	if (!text)
		return brig_err(err, errno, "read %s", ct->state->config_path), NULL;
	return spec_parse_config(text, len, "config.json", err);
}

int criu_checkpoint(const struct brig_globals *g, const char *id, const struct criu_opts *o,
		    brig_error_t **err)
{
	struct container *ct = container_open(g, id, true, err);
	struct spec_config *c = NULL;
	struct criu_args a = {0};
	cleanup_free char *log = NULL;
	cleanup_close int conf_fd = -1;
	int r = -1;

	if (!ct)
		return -1;
	enum spec_status st = container_status(ct);
	if (st != SPEC_STATUS_RUNNING && st != SPEC_STATUS_PAUSED) {
		brig_err(err, 0, "cannot checkpoint container \"%s\": it is %s, not running", id,
			 spec_status_name(st));
		goto out;
	}
	c = criu_saved_config(ct, err);
	if (!c || criu_conf_open(c, ct->state->bundle, &conf_fd, err) < 0 ||
	    criu_dir_check(c, ct->state->bundle, o->image_path, "--image-path", err) < 0 ||
	    criu_dir_check(c, ct->state->bundle, o->work_path, "--work-path", err) < 0 ||
	    criu_dir_check(c, ct->state->bundle, o->parent_dir, "--parent-path", err) < 0 ||
	    criu_make_dir(o->image_path, "--image-path", err) < 0 ||
	    (o->work_path && criu_make_dir(o->work_path, "--work-path", err) < 0))
		goto out;
	log = criu_log_path(o, o->pre_dump ? "pre-dump.log" : "dump.log");
	if (dump_args(&a, ct, c, o, log, conf_fd, err) < 0 ||
	    (!o->pre_dump && save_stdio(ct, o, err) < 0))
		goto out;
	struct criu_child child = {.argv = a.v, .conf_fd = conf_fd};
	fflush(NULL);
	pid_t pid = ns_exec_spawn(-1, criu_child_main, &child, err);
	if (pid < 0 || criu_wait(pid, "checkpoint", log, err) < 0)
		goto out;
	r = 0;
	/* the processes are gone with the dump: so is the container (runc) */
	if (!o->leave_running && !o->pre_dump)
		r = container_destroy(ct, true, err);
out:
	brig_strv_free(a.v);
	spec_free(c);
	container_free(ct);
	return r;
}
