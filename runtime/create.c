/* brig — runtime/create.c: the parent's side of `create`.
 *
 *   load config -> state dir (locked) -> cgroup -> clone init in its
 *   namespaces -> id maps -> GO -> (init asks for prestart/createRuntime
 *   hooks) -> READY -> pid file, state "created".
 *
 * Any failure kills the init and removes the cgroup and the state
 * directory: a failed create leaves nothing behind. */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroups/cgroups.h"
#include "namespaces/namespaces.h"
#include "security/security.h"

static char *abs_path(const char *base, const char *p)
{
	if (p[0] == '/')
		return xstrdup(p);
	return xasprintf("%s/%s", base, p);
}

static void warn_cb(const char *msg)
{
	brig_warn("%s", msg);
}

/* SELinux labels: accepted; brig does not apply them (no libselinux), so
 * on a host without SELinux they are ignored as runc ignores them, and on
 * one with SELinux the user is warned. */
static void check_selinux_labels(const struct spec_config *c)
{
	const char *pl = c->process->selinux_label;
	const char *ml = c->linux ? c->linux->mount_label : NULL;
	bool on;

	if (!(pl && pl[0]) && !(ml && ml[0]))
		return;
	on = sec_selinux_enabled();
	if (pl && pl[0]) {
		if (on)
			brig_warn("process.selinuxLabel \"%s\" is not applied: brig has no SELinux support", pl);
		else
			brig_debug("process.selinuxLabel \"%s\" ignored: SELinux is not enabled on this host", pl);
	}
	if (ml && ml[0]) {
		if (on)
			brig_warn("linux.mountLabel \"%s\" is not applied: brig has no SELinux support", ml);
		else
			brig_debug("linux.mountLabel \"%s\" ignored: SELinux is not enabled on this host", ml);
	}
}

/* Checks that need no process: the earlier a mistake is found, the less
 * there is to undo. */
static int validate_config(const struct spec_config *c, const char *rootfs,
			   bool systemd, brig_error_t **err)
{
	struct stat sb;

	/* first: a config with a bad path is refused before any warning */
	if (cg_check_path(c->linux ? c->linux->cgroups_path : NULL, systemd, err) < 0)
		return brig_err_prefix(err, "config.json");
	if (!c->process)
		return brig_err(err, 0, "config.json: process: missing required property (create needs a process)");
	if (c->process->args.n == 0 || !c->process->args.v[0][0])
		return brig_err(err, 0, "config.json: process.args: must not be empty");
	if (!c->process->cwd || c->process->cwd[0] != '/')
		return brig_err(err, 0, "config.json: process.cwd: must be an absolute path");
	if (stat(rootfs, &sb) < 0)
		return brig_err(err, errno, "config.json: root.path: %s", rootfs);
	if (!S_ISDIR(sb.st_mode))
		return brig_err(err, 0, "config.json: root.path: %s is not a directory", rootfs);
	if (c->process->capabilities &&
	    sec_caps_validate(c->process->capabilities, "config.json: process.capabilities",
			      warn_cb, err) < 0)
		return -1;
	if (c->process->apparmor_profile && c->process->apparmor_profile[0] &&
	    !sec_apparmor_enabled())
		return brig_err(err, 0, "config.json: process.apparmorProfile: AppArmor is not "
				"enabled on this host, cannot apply profile \"%s\"",
				c->process->apparmor_profile);
	if (ns_validate_sysctl(c, err) < 0 || ns_validate_uts(c, err) < 0)
		return -1;
	check_selinux_labels(c);
	return 0;
}

static char *state_for_hooks(struct container *ct, enum spec_status status, pid_t pid)
{
	enum spec_status saved = ct->state->status;
	pid_t saved_pid = ct->state->pid;
	ct->state->status = status;
	ct->state->pid = pid;
	char *json = spec_state_to_json(ct->state, false);
	ct->state->status = saved;
	ct->state->pid = saved_pid;
	return json;
}

/* exec.fifo, opened read-write and filled to the brim: the init's write
 * of one more byte blocks until `start` has read the fill, and is its wait
 * for `start` (container_start).  Opened here, the init needs no way back
 * to the state directory, nor a /proc in the container to reopen an O_PATH
 * descriptor.  (runc keeps the fifo's O_PATH fd in its init.) */
static int open_exec_fifo(struct container *ct, brig_error_t **err)
{
	char fill[4096];
	int fd = openat(ct->dir_fd, "exec.fifo", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return brig_err(err, errno, "open %s/exec.fifo", ct->dir);
	(void)fcntl(fd, F_SETPIPE_SZ, (int)sizeof(fill)); /* one page, not 16 */
	memset(fill, 'f', sizeof(fill));
	for (;;) {
		ssize_t n = write(fd, fill, sizeof(fill));
		if (n >= 0 || errno == EINTR)
			continue;
		if (errno == EAGAIN)
			break;
		int e = errno;
		close(fd);
		return brig_err(err, e, "fill %s/exec.fifo", ct->dir);
	}
	if (fcntl(fd, F_SETFL, 0) < 0) {
		int e = errno;
		close(fd);
		return brig_err(err, e, "fill %s/exec.fifo", ct->dir);
	}
	return fd;
}

/* Talk to the init until it is ready or fails.  Only what the init sent
 * counts (SO_PASSCRED): in a pid namespace joined late, the process it
 * forks there at the end (*init, once it names it) is where a hostile
 * neighbour could take the channel from. */
static int drive_init(struct container *ct, const struct spec_config *c, int sock,
		      pid_t helper, pid_t *init, bool late, bool at_once,
		      const struct create_opts *o, int *pty_master, brig_error_t **err)
{
	pid_t pid = helper;

	for (;;) {
		cleanup_free char *data = NULL;
		int fd = -1;
		pid_t from = 0;
		int t = chan_recv_from(sock, &data, &fd, &from);

		/* the init died with our message unread: its own may still be
		 * queued behind the reset; else say how it died */
		if (t < 0 && errno == ECONNRESET && (t = chan_recv_from(sock, &data, &fd, &from)) < 0)
			t = 0;
		if (t > 0 && from != helper) {
			brig_debug("create: dropped a message (type %d) from pid %d", t, (int)from);
			if (fd >= 0)
				close(fd);
			continue;
		}
		switch (t) {
		case CHAN_PID: {
			char *end;
			long v = data ? strtol(data, &end, 10) : 0;
			/* only from an init that forks into a pid namespace
			 * joined late, and only a child of ours */
			if (!late || *init != helper || v <= 0 || *end || v == helper ||
			    !is_own_child((pid_t)v))
				return brig_err(err, EPROTO, "the init's pid");
			*init = (pid_t)v;
			ct->state->pid = *init;
			ct->state->start_time = proc_start_time(*init);
			if (container_save(ct, err) < 0)
				return -1;
			break;
		}
		case CHAN_HOOKS: {
			cleanup_free char *st = state_for_hooks(ct, SPEC_STATUS_CREATING, pid);
			if (hooks_run(&c->hooks.prestart, "prestart", st, err) < 0 ||
			    hooks_run(&c->hooks.create_runtime, "createRuntime", st, err) < 0)
				return -1;
			if (chan_send(sock, CHAN_GO, NULL, -1) < 0)
				return brig_err(err, errno, "container init went away");
			break;
		}
		case CHAN_PTY:
			if (fd < 0)
				return brig_err(err, EPROTO, "terminal from the container init");
			if (terminal_hand_over(o->console_socket, fd, pty_master, err) < 0)
				return -1;
			break;
		case CHAN_SECCOMP: {
			/* the init loaded a filter with SCMP_ACT_NOTIFY */
			if (fd < 0)
				return brig_err(err, EPROTO, "seccomp notify fd from the container init");
			cleanup_free char *st = state_for_hooks(ct, SPEC_STATUS_CREATING, pid);
			int r = seccomp_listener_send(c->linux->seccomp, st, *init, fd, err);
			close(fd);
			if (r < 0)
				return -1;
			if (chan_send(sock, CHAN_GO, NULL, -1) < 0)
				return brig_err(err, errno, "container init went away");
			break;
		}
		case CHAN_READY: {
			if (data && data[0])
				brig_debug("%s", data);
			if (at_once)
				return 0; /* its GO is start_at_once's */
			/* the startContainer hooks see the state of a created
			 * container */
			cleanup_free char *st = state_for_hooks(ct, SPEC_STATUS_CREATED, *init);
			if (chan_send(sock, CHAN_GO, st, -1) < 0)
				return brig_err(err, errno, "container init went away");
			if (*init != helper) /* it has gone: ours to reap */
				while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
					;
			return 0;
		}
		case CHAN_ERROR:
			return chan_error(data, "container init failed", err);
		case 0: {
			int status = 0;
			if (waitpid(pid, &status, 0) == pid && WIFSIGNALED(status))
				return brig_err(err, 0, "container init was killed by signal %d during set-up",
						WTERMSIG(status));
			return brig_err(err, 0, "container init exited during set-up (status %d)",
					WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		}
		default:
			if (fd >= 0)
				close(fd);
			return brig_err(err, errno ? errno : EPROTO, "read from container init");
		}
	}
}

/* Rootless (not root, and brig may not make the cgroup: cgroup v1 or
 * hybrid, or a v2 tree not delegated to us): run without a cgroup as runc
 * does, unless the config asks for limits, which only a cgroup can give:
 * then say so instead of silently ignoring them.
 * 0 = go on without a cgroup (and *err cleared). */
static int rootless_skip_cgroup(struct cg_manager *cg, const struct spec_resources *r,
				brig_error_t **err)
{
	int code = *err ? (*err)->code : 0;
	cleanup_free char *why = NULL;

	if (!brig_rootless() || (code != EACCES && code != EPERM && code != EROFS))
		return -1;
	if (cg_rootless_fallback(cg, r, &why, err) < 0)
		return brig_err_prefix(err, "config.json");
	brig_debug("rootless: no cgroup (%s)", why);
	return 0;
}

/* config.json of the bundle (or jail run's text) read and parsed; *bundle
 * resolved, *text kept for the copy in the state directory. */
static struct spec_config *load_config(const struct create_opts *o, char **bundle,
				       char **text, size_t *text_len, brig_error_t **err)
{
	struct spec_config *c;

	*bundle = realpath(o->bundle ? o->bundle : ".", NULL);
	if (!*bundle)
		return brig_err(err, errno, "bundle %s", o->bundle ? o->bundle : "."), NULL;
	if (o->config_json) {
		*text = xstrdup(o->config_json);
		*text_len = strlen(*text);
	} else {
		cleanup_free char *path = xasprintf("%s/config.json", *bundle);
		*text = brig_read_file(path, text_len);
		if (!*text)
			return brig_err(err, errno, "config.json: open %s", path), NULL;
	}
	c = spec_parse_config_deferred(*text, *text_len, "config.json", err);
	if (c && (!c->root || !c->root->path)) {
		brig_err(err, 0, "config.json: root.path: missing required property");
		spec_free(c);
		return NULL;
	}
	return c;
}

/* What the command line adds to the process: socket activation's
 * LISTEN_FDS; a terminal needs somewhere to go. */
static int prepare_process(struct spec_config *c, const struct create_opts *o,
			   brig_error_t **err)
{
	if (o->listen_fds > 0) {
		char kv[32];
		snprintf(kv, sizeof(kv), "LISTEN_FDS=%d", o->listen_fds);
		process_setenv(&c->process->env, kv);
		process_setenv(&c->process->env, "LISTEN_PID=1");
	}
	if (o->detach && c->process->terminal && !o->console_socket)
		return brig_err(err, 0, "cannot allocate a terminal for a detached container "
				"without --console-socket");
	return 0;
}

/* The socketpair to the init; ours (sv[0]) learns the sender's pid. */
static int open_channel(int sv[2], brig_error_t **err)
{
	int on = 1;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return brig_err(err, errno, "socketpair");
	if (setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) < 0)
		return brig_err(err, errno, "SO_PASSCRED");
	return 0;
}

/* A pid namespace of the config's (path) that the init enters last, and a
 * process in it. */
static int open_late_pidns(const char *path, int *fd, pid_t *peer, brig_error_t **err)
{
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return brig_err(err, errno, "config.json: linux.namespaces: open pid namespace %s", path);
	*peer = ns_pid_in(path, *fd);
	if (*peer <= 0)
		return brig_err(err, 0, "config.json: linux.namespaces: pid namespace %s has no process", path);
	return 0;
}

/* The init is in its cgroup: its id maps, its oom_score_adj, its pid on
 * record, then GO with the state for the hooks. */
static int release_init(struct container *ct, const struct spec_config *c, pid_t pid,
			bool new_userns, int sock, brig_error_t **err)
{
	if (new_userns && ns_write_id_maps(pid, c->linux, brig_rootless(), err) < 0)
		return -1;
	/* from here, outside any user namespace of the container (runc does
	 * the same): its init may not lower it from inside one */
	if (write_oom_score_adj(c->process, pid, err) < 0)
		return -1;
	ct->state->pid = pid;
	ct->state->start_time = proc_start_time(pid);
	/* still "creating", now with the pid delete --force must kill */
	if (container_save(ct, err) < 0)
		return -1;
	fault_point("clone");
	/* A closed peer means the init has failed already: its error is
	 * waiting in the socket for drive_init.  Any other failure (a state
	 * too large for one message) would leave the init waiting for ever. */
	cleanup_free char *st = state_for_hooks(ct, SPEC_STATUS_CREATING, pid);
	if (chan_send(sock, CHAN_GO, st, -1) < 0 && errno != EPIPE && errno != ECONNRESET)
		return brig_err(err, errno, "start container init");
	return 0;
}

/* The init waits for start: the pid file, and "created" on record. */
static int mark_created(struct container *ct, const struct create_opts *o, pid_t pid,
			brig_error_t **err)
{
	fault_point("ready");
	if (o->pid_file && write_pid_file(o->pid_file, pid, &o->pid_dir, err) < 0)
		return -1;
	ct->state->status = SPEC_STATUS_CREATED;
	return container_save(ct, err);
}

/* run, started at once (create_opts.start_now): no stub, no exec.fifo, no
 * "created" in between.  Where the stub's wait has a use, it is kept:
 * startContainer hooks (run in the container, by the stub, after the
 * wait), a seccomp agent (the stub hands over the notify fd) and a pid
 * namespace joined late (the stub forks into it). */
static bool can_start_at_once(const struct spec_config *c)
{
	const struct spec_seccomp *s = c->linux ? c->linux->seccomp : NULL;

	return c->hooks.start_container.n == 0 && ns_late_pid_path(c) == NULL &&
	       !(s && s->listener_path && s->listener_path[0]);
}

/* A mount namespace given by a path: the init is in it from its birth. */
static bool mountns_joined(const struct spec_config *c)
{
	const struct spec_namespace *m = spec_find_ns(c, SPEC_NS_MOUNT);

	return m && m->path && m->path[0];
}

/* What create has made so far, undone in reverse by create_undo when a
 * later step fails. */
struct create_job {
	const struct brig_globals *g;
	const char *id;
	const struct create_opts *o;
	char *bundle;
	char *rootfs;
	struct spec_config *c;
	struct container *ct;
	struct cg_manager *cg;
	bool cg_created;
	bool net_attached; /* netsetup_create began: its record is to undo */
	bool at_once;      /* run: started as soon as set up (start_at_once) */
	struct cg_spawn spawn_cg;
	struct sec_seccomp_cache *seccomp_cache;
	int sv[2];      /* the channel: ours, the init's */
	int pidns_fd;   /* a pid namespace the init enters last, or -1 */
	pid_t pid;      /* the process spawned (the helper, for a late pid ns) */
	pid_t init;     /* the container's init once known */
	int pty_master;
};

/* Step 1: the config read and checked, the state directory written
 * ("creating"), the seccomp cache opened. */
static int create_state(struct create_job *j, brig_error_t **err)
{
	cleanup_free char *text = NULL; /* config.json as read */
	size_t text_len = 0;

	if (container_validate_id(j->id, err) < 0)
		return -1;
	j->c = load_config(j->o, &j->bundle, &text, &text_len, err);
	if (!j->c)
		return -1;
	j->rootfs = abs_path(j->bundle, j->c->root->path);
	if (validate_config(j->c, j->rootfs, j->g->systemd_cgroup, err) < 0)
		return -1;
	j->at_once = j->o->start_now && !j->o->restore && can_start_at_once(j->c);
	if (j->c->linux && j->c->linux->seccomp) {
		/* The filter itself the init prepares (init_seccomp), with the
		 * compiled filters kept in <root>/.seccomp-cache (hidden from
		 * list: ids starting with '.' are not listed), opened and
		 * checked here, on the host: by then the init may be in a mount
		 * namespace it joined, or a user namespace without its maps. */
		const struct spec_seccomp *s = j->c->linux->seccomp;
		cleanup_free char *dir = xasprintf("%s/.seccomp-cache", j->g->root);

		j->seccomp_cache = sec_seccomp_cache_open(dir);
		if (s->listener_metadata && s->listener_metadata[0] &&
		    (!s->listener_path || !s->listener_path[0]))
			return brig_err(err, 0, "config.json: linux.seccomp.listenerMetadata: must not be set without listenerPath");
	}
	if (prepare_process(j->c, j->o, err) < 0)
		return -1;
	j->ct = container_new_state(j->g, j->id, j->c, j->bundle, j->rootfs, j->o, err);
	if (!j->ct || container_write_state(j->ct, text, text_len, !j->at_once, err) < 0)
		return -1;
	return 0;
}

/* Step 2: the container's cgroups made and limited (or, rootless where the
 * host gives none, none). */
static int create_cgroups(struct create_job *j, brig_error_t **err)
{
	const struct spec_resources *res = j->c->linux ? j->c->linux->resources : NULL;

	const char *path = j->c->linux ? j->c->linux->cgroups_path : NULL;

	j->cg = j->g->systemd_cgroup
		? cg_new_systemd(BRIG_CGROUP_ROOT, path, j->id, &j->c->annotations, err)
		: cg_new(BRIG_CGROUP_ROOT, path, j->id, err);
	if (!j->cg)
		return -1;
	/* recorded before the cgroup exists: delete --force of a create
	 * killed from here on finds it */
	j->ct->state->cgroup_path = xstrdup(cg_path(j->cg));
	j->ct->state->use_systemd = j->g->systemd_cgroup;
	if (container_save(j->ct, err) < 0)
		return -1;
	/* what brig makes from here on, the init included, is charged to the
	 * container's memory cgroup where the host allows (see cg_create) */
	if (cg_create(j->cg, res, err) < 0) {
		if (rootless_skip_cgroup(j->cg, res, err) < 0)
			return -1;
		cg_free(j->cg);
		j->cg = NULL;
		free(j->ct->state->cgroup_path);
		j->ct->state->cgroup_path = NULL;
		if (container_save(j->ct, err) < 0)
			return -1;
	} else {
		j->cg_created = true;
	}
	fault_point("cgroup");
	if (j->cg && cg_apply(j->cg, res, err) < 0)
		return -1;
	return 0;
}

/* The unit's start failed while the init was setting up: had the init
 * failed first (systemd then finds no pid to take), its own error is the
 * one to give. */
static int init_failed_first(int sock, pid_t init, brig_error_t **err)
{
	struct pollfd p = {.fd = sock, .events = POLLIN};
	cleanup_free char *data = NULL;
	pid_t from = 0;
	brig_error_t *e = NULL;

	if (poll(&p, 1, 0) != 1 || !(p.revents & POLLIN) ||
	    chan_recv_from(sock, &data, NULL, &from) != CHAN_ERROR || from != init)
		return -1;
	chan_error(data, "container init failed", &e);
	brig_err_free(err);
	*err = e;
	return -1;
}

/* Step 3: the init spawned into its namespaces and cgroups, given its
 * maps and GO, and driven until it waits on exec.fifo. */
static int spawn_init(struct create_job *j, brig_error_t **err)
{
	const struct spec_namespace *userns = spec_find_ns(j->c, SPEC_NS_USER);
	const char *late_pid = ns_late_pid_path(j->c);
	pid_t pidns_peer = 0;
	int rc;

	if (open_channel(j->sv, err) < 0)
		return -1;
	if (late_pid && open_late_pidns(late_pid, &j->pidns_fd, &pidns_peer, err) < 0)
		return -1;
	struct init_ctx ictx = {
		.config = j->c,
		.bundle = j->bundle,
		.rootfs = j->rootfs,
		.sock = j->sv[1],
		.parent_sock = j->sv[0],
		.state_dir_fd = -1,
		.fifo_fd = -1,
		.pidns_fd = j->pidns_fd,
		.pidns_peer = pidns_peer,
		.lock_fd = j->ct->dir_fd,
		.id = j->id,
		.no_pivot = j->o->no_pivot,
		.no_new_keyring = j->o->no_new_keyring,
		.new_userns = userns && !userns->path,
		.any_userns = userns != NULL,
		.cgroup_by_parent = userns != NULL || mountns_joined(j->c),
		.preserve_fds = j->o->listen_fds + j->o->preserve_fds,
		.at_once = j->at_once,
		.seccomp_cache = j->seccomp_cache,
		.cgroup = &j->spawn_cg,
	};
	if (!j->at_once) {
		ictx.fifo_fd = open_exec_fifo(j->ct, err);
		if (ictx.fifo_fd < 0)
			return -1;
	}
	ictx.state_dir_fd = open(j->ct->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (ictx.state_dir_fd < 0) {
		brig_err(err, errno, "open %s", j->ct->dir);
		if (ictx.fifo_fd >= 0)
			close(ictx.fifo_fd);
		return -1;
	}
	/* The init is born in the container's cgroups, as far as the host
	 * allows, and joins the rest itself; in a user namespace it cannot
	 * write host cgroupfs, and in a mount namespace it joined the host's
	 * cgroupfs is not what it sees: we move it. */
	rc = cg_spawn_begin_init(j->cg, !ictx.cgroup_by_parent, late_pid == NULL, &j->spawn_cg,
				 err);
	/* the cgroups may want the parent to move the init all the same
	 * (systemd's driver: the unit is started with its pid): it then
	 * waits for GO before its cgroup namespace is made, or that would
	 * be rooted where it was born */
	if (j->cg && !j->spawn_cg.child_joins)
		ictx.cgroup_by_parent = true;
	if (rc == 0 && j->spawn_cg.runs_ahead)
		brig_debug("create: the init is born in the scope's cgroup, made before "
			   "systemd's unit");
	if (rc == 0)
		j->pid = ns_spawn(j->c, j->spawn_cg.clone_fd, init_main, &ictx, err);
	close(ictx.state_dir_fd);
	if (ictx.fifo_fd >= 0)
		close(ictx.fifo_fd);
	if (rc < 0)
		return -1;
	close(j->sv[1]);
	j->sv[1] = -1;
	if (j->pid < 0)
		return -1; /* create_undo takes us out of the container's cgroup */
	/* Born in the cgroup of a unit systemd has yet to make, the init
	 * sets up meanwhile: released first, then systemd asked.  It runs
	 * nothing of the container's until drive_init answers it, after
	 * cg_spawn_end.  (Asking systemd before the release was measured
	 * within the noise, and a create killed in between left systemd a
	 * scope whose pid exited before it was attached.) */
	if (!j->spawn_cg.runs_ahead && cg_spawn_end(&j->spawn_cg, j->pid, err) < 0)
		return -1;
	if (release_init(j->ct, j->c, j->pid, ictx.new_userns, j->sv[0], err) < 0)
		return -1;
	if (j->spawn_cg.runs_ahead && cg_spawn_end(&j->spawn_cg, j->pid, err) < 0)
		return init_failed_first(j->sv[0], j->pid, err);
	if (cg_devices_by_systemd(j->cg))
		brig_debug("create: systemd's device program holds the device rules: brig "
			   "loads none");
	j->init = j->pid;
	if (drive_init(j->ct, j->c, j->sv[0], j->pid, &j->init, late_pid != NULL, j->at_once,
		       j->o, &j->pty_master, err) < 0)
		return -1;
	if (!j->at_once) { /* start_at_once still talks to it */
		close(j->sv[0]);
		j->sv[0] = -1;
	}
	j->pid = j->init; /* the helper is gone, reaped */
	return 0;
}

/* Step 3 of restore (criu.c): CRIU brings the checkpointed processes
 * back in the container's cgroups, instead of a new init. */
static int restore_processes(struct create_job *j, brig_error_t **err)
{
	j->pid = criu_restore(j->g->root, j->ct, j->c, j->bundle, j->rootfs, j->cg, &j->spawn_cg,
			      j->o->restore, j->o->console_socket, &j->pty_master, err);
	j->init = j->pid;
	return j->pid > 0 ? 0 : -1;
}

/* Undo what create made, newest first: out of the container's cgroup
 * (or it cannot be removed), the processes, the cgroups, the state. */
static void create_undo(struct create_job *j)
{
	brig_error_t *e2 = NULL;

	if (cg_spawn_undo(j->cg, &j->spawn_cg, &e2) < 0)
		brig_err_warn(&e2, NULL);
	if (j->init > 0 && j->init != j->pid)
		kill_and_reap(j->init);
	if (j->pid > 0)
		kill_and_reap(j->pid);
	if (j->pty_master >= 0)
		close(j->pty_master);
	if (j->sv[0] >= 0)
		close(j->sv[0]);
	if (j->sv[1] >= 0)
		close(j->sv[1]);
	/* a restore's processes are a whole tree CRIU made (in a pid
	 * namespace joined by path, or the host's, its init's death takes
	 * none of them with it): every one in the cgroups killed */
	if (j->cg_created && (j->o->restore ? cg_kill_destroy(j->cg, 5000, &e2)
					    : cg_destroy(j->cg, &e2)) < 0)
		brig_err_warn(&e2, NULL);
	if (j->net_attached && netsetup_destroy(j->ct, true, &e2) < 0)
		brig_err_warn(&e2, NULL);
	if (j->ct && j->o->reuse) {
		/* a rerun (a restart, start of a stopped service): the
		 * container stays, stopped, with its log, to be looked at and
		 * started again or deleted */
		container_keep_stopped(j->ct);
		container_free(j->ct);
	} else if (j->ct) {
		container_remove_dir(j->ct);
		container_free(j->ct);
	}
	spec_free(j->c);
}

/* run, started at once: the init, set up and READY, gets GO and execs the
 * process itself (handoff_at_once).  Until then the container stays
 * "creating" on record, which exec refuses (start, pause and kill wait
 * for our lock, then refuse it too), so nothing of the container's
 * exists while its init is still brig (what the stub is for, in a
 * container that waits for start).  The channel is close-on-
 * exec: its end (EOF) is the execve, or the init's death; an ERROR is its
 * last step failing. */
static int start_at_once(struct create_job *j, brig_error_t **err)
{
	brig_error_t *e_save = NULL;

	fault_point("ready");
	if (j->o->pid_file && write_pid_file(j->o->pid_file, j->pid, &j->o->pid_dir, err) < 0)
		return -1;
	if (chan_send(j->sv[0], CHAN_GO, NULL, -1) < 0 && errno != EPIPE && errno != ECONNRESET)
		return brig_err(err, errno, "start container init");
	for (;;) {
		cleanup_free char *data = NULL;
		int fd = -1;
		pid_t from = 0;
		int t = chan_recv_from(j->sv[0], &data, &fd, &from);

		/* died with our GO unread: its ERROR may be queued behind */
		if (t < 0 && errno == ECONNRESET)
			t = chan_recv_from(j->sv[0], &data, &fd, &from);
		if (fd >= 0)
			close(fd);
		if (t == CHAN_ERROR && from == j->pid)
			return chan_error(data, "start container", err);
		if (t <= 0)
			break; /* EOF: the execve, or the init's death */
	}
	close(j->sv[0]);
	j->sv[0] = -1;
	j->ct->state->status = SPEC_STATUS_RUNNING;
	/* it runs whatever happens here (see container_start) */
	if (container_save(j->ct, &e_save) < 0)
		brig_err_warn(&e_save, "container \"%s\" started, but its state was not updated",
			      j->id);
	return 0;
}

int container_create(const struct brig_globals *g, const char *id,
		     const struct create_opts *o, struct created *out,
		     brig_error_t **err)
{
	struct create_job j = {
		.g = g, .id = id, .o = o,
		.ct = o->reuse, /* a rerun's: kept, stopped, on failure (create_undo) */
		.spawn_cg = CG_SPAWN_INIT,
		.sv = {-1, -1},
		.pidns_fd = -1,
		.pid = -1,
		.init = -1,
		.pty_master = -1,
	};
	int rc = -1;

	memset(out, 0, sizeof(*out));
	out->pty_master = -1;
	/* systemd accepts our connection while we read the bundle */
	if (g->systemd_cgroup)
		cg_systemd_connect_early();
	if (create_state(&j, err) < 0 ||
	    netsetup_create(g, j.ct, j.c, o, &j.net_attached, err) < 0 ||
	    create_cgroups(&j, err) < 0 ||
	    (o->restore ? restore_processes(&j, err)
			: spawn_init(&j, err) < 0 ||
				  (j.at_once ? start_at_once(&j, err)
					     : mark_created(j.ct, o, j.pid, err)) < 0)) {
		create_undo(&j);
	} else {
		out->ct = j.ct;
		out->config = j.c;
		out->pid = j.pid;
		out->pty_master = j.pty_master;
		out->started = j.at_once;
		rc = 0;
	}
	cg_free(j.cg);
	sec_seccomp_cache_free(j.seccomp_cache);
	if (j.pidns_fd >= 0)
		close(j.pidns_fd);
	free(j.bundle);
	free(j.rootfs);
	return rc;
}
