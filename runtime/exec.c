/* brig — runtime/exec.c: `brig exec`, a new process in a running container.
 *
 * Parent (this command):
 *   open the container (created or running, not paused) -> its stored
 *   config.json -> the process (--process FILE, or the container's process
 *   with the command line's args and overrides) -> its seccomp filter ->
 *   clone the helper into the container's cgroups (cg_spawn_begin,
 *   ns_exec_spawn) -> terminal master (console socket or
 *   kept), notify fd to the agent, the process's pid -> READY -> EOF on
 *   exec -> pid file -> detach, or wait and return the exit code (128+N
 *   for a signal).
 * Helper (exec_helper, not in the container's pid namespace): not
 *   dumpable, joins the namespaces (user first, mount last), the init's
 *   root, a session keyring, then finalize_process (finalize.c, the same
 *   steps as the init's: terminal, cwd, rlimits, capabilities around the
 *   user switch, AppArmor, no_new_privs, seccomp) -> forks the process
 *   into the pid namespace as our child -> sends its pid, exits.
 * Process (exec_process): only now visible in the container, holding
 *   nothing of the host: its controlling terminal -> READY -> execve with
 *   stdio and --preserve-fds. */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/keyctl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/proc.h"
#include "cgroups/cgroups.h"
#include "namespaces/namespaces.h"
#include "runtime/stub/stub_format.h"
#include "security/security.h"

struct exec_ctx {
	const struct spec_process *p;
	const char *id;
	pid_t target;
	int root_fd;   /* the init's root, O_PATH */
	int sock;      /* child's end */
	int parent_sock;
	bool userns;   /* the container has a user namespace */
	bool no_new_keyring;
	int preserve_fds;
	struct sec_seccomp *seccomp;
	const struct spec_seccomp *seccomp_spec; /* its listenerPath */
	const struct cg_spawn *cgroup; /* for cg_spawn_join */
};

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v > UINT32_MAX || s[0] == '-')
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* --cap, as runc has done since CVE-2022-29162: bounding, effective and
 * permitted; never inheritable (a program with file capabilities would
 * gain them on exec); ambient only when the process already has
 * inheritable capabilities, which ambient ones need. */
static void caps_add(struct spec_capabilities *c, const char *name)
{
	strv_push(&c->bounding, name);
	strv_push(&c->effective, name);
	strv_push(&c->permitted, name);
	c->has_bounding = c->has_effective = c->has_permitted = true;
	if (c->has_inheritable && c->inheritable.n) {
		strv_push(&c->ambient, name);
		c->has_ambient = true;
	}
}

/* The process to run: --process FILE (the container's capabilities,
 * rlimits and AppArmor profile where it sets none) or the container's own
 * process with args and the flags applied.  Takes what it needs from
 * c->process. */
/* --process FILE: that process, with what it leaves out taken from the
 * container's (capabilities, rlimits, AppArmor; no_new_privs is or'ed). */
static struct spec_process *process_from_file(struct spec_process *base, const char *file,
					      brig_error_t **err)
{
	size_t len;
	cleanup_free char *json = brig_read_file(file, &len);
	struct spec_process *p;

	if (!json)
		return brig_err(err, errno, "exec: --process: read %s", file), NULL;
	p = spec_parse_process(json, len, file, err);
	if (!p)
		return NULL;
	if (!p->capabilities) {
		p->capabilities = base->capabilities;
		base->capabilities = NULL;
	}
	if (p->n_rlimits == 0) {
		p->rlimits = base->rlimits;
		p->n_rlimits = base->n_rlimits;
		base->rlimits = NULL;
		base->n_rlimits = 0;
	}
	if (!p->apparmor_profile) {
		p->apparmor_profile = base->apparmor_profile;
		base->apparmor_profile = NULL;
	}
	p->no_new_privileges |= base->no_new_privileges;
	return p;
}

/* Without --process: the container's process (taken out of c) with the
 * command line's args. */
static struct spec_process *process_from_args(struct spec_config *c, const struct exec_opts *o,
					      brig_error_t **err)
{
	struct spec_process *p = c->process;

	if (o->nargs == 0)
		return brig_err(err, 0, "exec: missing the command to run "
				"(usage: brig exec [options] ID COMMAND [ARG...])"), NULL;
	c->process = NULL;
	strv_clear(&p->args);
	for (int i = 0; i < o->nargs; i++)
		strv_push(&p->args, o->args[i]);
	p->terminal = o->tty;
	p->has_console_size = false;
	/* the init's own oom_score_adj is inherited by whoever it forks; an
	 * exec'd process gets the runtime's unless asked */
	p->oom_score_adj.set = false;
	return p;
}

/* --user UID[:GID] and --additional-gids: as runc, without :gid the
 * container's gid stays, and the container's additionalGids too. */
static int apply_user(struct spec_process *p, const struct exec_opts *o, brig_error_t **err)
{
	if (o->user) {
		cleanup_free char *u = xstrdup(o->user);
		char *colon = strchr(u, ':');
		if (colon)
			*colon++ = '\0';
		if (parse_u32(u, &p->user.uid) < 0 || (colon && parse_u32(colon, &p->user.gid) < 0))
			return brig_err(err, 0, "exec: --user: expected uid[:gid] (numbers), "
					"got \"%s\"", o->user);
	}
	for (size_t i = 0; i < o->gids.n; i++) {
		uint32_t g;
		if (parse_u32(o->gids.v[i], &g) < 0)
			return brig_err(err, 0, "exec: --additional-gids: invalid gid \"%s\"",
					o->gids.v[i]);
		p->user.additional_gids = xrealloc(p->user.additional_gids,
						   (p->user.n_additional_gids + 1) * sizeof(uint32_t));
		p->user.additional_gids[p->user.n_additional_gids++] = g;
	}
	return 0;
}

/* The other flags, over whichever process. */
static void apply_overrides(struct spec_process *p, const struct exec_opts *o)
{
	if (o->cwd) {
		free(p->cwd);
		p->cwd = xstrdup(o->cwd);
	}
	if (!p->cwd)
		p->cwd = xstrdup("/");
	for (size_t i = 0; i < o->env.n; i++)
		process_setenv(&p->env, o->env.v[i]);
	if (o->caps.n) {
		if (!p->capabilities)
			p->capabilities = xcalloc(1, sizeof(*p->capabilities));
		for (size_t i = 0; i < o->caps.n; i++)
			caps_add(p->capabilities, o->caps.v[i]);
	}
	if (o->no_new_privs)
		p->no_new_privileges = true;
	if (o->apparmor) {
		free(p->apparmor_profile);
		p->apparmor_profile = xstrdup(o->apparmor);
	}
	if (o->label) {
		free(p->selinux_label);
		p->selinux_label = xstrdup(o->label);
	}
	if (o->tty)
		p->terminal = true;
}

static struct spec_process *build_process(struct spec_config *c, const struct exec_opts *o,
					  brig_error_t **err)
{
	struct spec_process *p;

	if (!c->process)
		return brig_err(err, 0, "the container's config.json has no process"), NULL;
	p = o->process_file ? process_from_file(c->process, o->process_file, err)
			    : process_from_args(c, o, err);
	if (!p)
		return NULL;
	apply_overrides(p, o);
	if (apply_user(p, o, err) < 0) {
		spec_process_free(p);
		return NULL;
	}
	return p;
}

static void warn_cb(const char *msg)
{
	brig_warn("%s", msg);
}

static int validate_process(const struct spec_process *p, brig_error_t **err)
{
	if (p->args.n == 0 || !p->args.v[0][0])
		return brig_err(err, 0, "exec: process.args: must not be empty");
	if (p->cwd[0] != '/')
		return brig_err(err, 0, "exec: process.cwd: must be an absolute path");
	if (p->capabilities &&
	    sec_caps_validate(p->capabilities, "exec: process.capabilities", warn_cb, err) < 0)
		return -1;
	if (p->apparmor_profile && p->apparmor_profile[0] && !sec_apparmor_enabled())
		return brig_err(err, 0, "exec: process.apparmorProfile: AppArmor is not enabled on "
				"this host, cannot apply profile \"%s\"", p->apparmor_profile);
	/* as for create: brig has no SELinux support; the label is not
	 * applied (runc ignores it too on hosts without SELinux) */
	if (p->selinux_label && p->selinux_label[0])
		brig_debug("exec: process label \"%s\" ignored: no SELinux support", p->selinux_label);
	return 0;
}

/* ---- the helper and the process ------------------------------------------ */

static int child_fail(struct exec_ctx *x, brig_error_t *err)
{
	if (chan_send_error(x->sock, err) < 0)
		dprintf(2, "brig: exec: %s\n", err ? err->msg : "unknown error");
	return 127;
}

/* The helper, outside the container's pid namespace (nothing in the
 * container can see it): into the cgroup, the namespaces and the root,
 * then the steps every process of the container takes (finalize.c). */
static int helper_setup(struct exec_ctx *x, struct proc_final *f, brig_error_t **err)
{
	/* still in the host's namespaces: the rest of the container's
	 * cgroups (cg_spawn_join) */
	if (cg_spawn_join(x->cgroup, err) < 0)
		return -1;
	/* Through the host's /proc while we are here: once in the container's
	 * root, its /proc has no /proc/self for us (we are not in its pid
	 * namespace), and in its user namespace a lower oom_score_adj would
	 * be refused. */
	if (write_oom_score_adj(x->p, 0, err) < 0)
		return -1;
	if (x->p->apparmor_profile && x->p->apparmor_profile[0]) {
		f->aa_fd = sec_apparmor_open(x->p->apparmor_profile, err);
		if (f->aa_fd < 0)
			return -1;
	}
	if (ns_join_process(x->target, NULL, err) < 0)
		return -1;
	/* the init's root, whether it pivoted, chrooted or has no mount
	 * namespace of its own */
	if (fchdir(x->root_fd) < 0 || chroot(".") < 0 || chdir("/") < 0)
		return brig_err(err, errno, "enter the container's root");
	close(x->root_fd);
	x->root_fd = -1;
	if (!x->no_new_keyring) {
		cleanup_free char *name = xasprintf("_ses.%s", x->id);
		if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name) < 0 && errno != ENOSYS)
			return brig_err(err, errno, "join a new session keyring");
	}
	/* what the runtime opened (cgroup directories, ...) stays here */
	int keep[2] = {x->sock, f->aa_fd};
	if (close_fds_except(3 + x->preserve_fds, keep, 2) < 0)
		return brig_err(err, errno, "close the runtime's descriptors");
	return finalize_process(f, err);
}

static int exec_helper(void *arg)
{
	struct exec_ctx *x = arg;
	struct proc_final f = {
		.p = x->p,
		.userns = x->userns,
		.sock = x->sock,
		.seccomp = x->seccomp,
		.stub_fd = -1,
		.desc_fd = -1,
		.aa_fd = -1,
	};
	brig_error_t *err = NULL;

	/* not a process of the container's: nothing there sees it; not
	 * dumpable all the same */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	close(x->parent_sock);
	if (helper_setup(x, &f, &err) < 0)
		return child_fail(x, err);
	/* The stub takes over (handoff.c): it loads the filter (with
	 * no_new_privs), forks the process into the pid namespace as our
	 * parent's child, sends its pid and exits; the process takes the
	 * terminal, sends READY and execs. */
	struct handoff_opts ho = {
		.flags = STUB_FORK | (x->p->terminal ? STUB_SESSION : 0) |
			 (fault_stop("exec-process") ? STUB_STOP : 0),
		.fifo = -1,
		.keep_fds = x->preserve_fds,
	};
	handoff(&f, &ho, &err);
	return child_fail(x, err);
}

/* ---- the parent ----------------------------------------------------------- */

/* Until the exec: the helper's terminal, notify fd and the process's
 * pid, then the process's READY (or an error), then EOF on its exec.
 * The process is in the container, where anything may have got hold of
 * its end of the channel (pidfd_getfd, with CAP_SYS_PTRACE): who sent
 * what is checked by the sender's pid (SO_PASSCRED), which nothing in
 * the container can claim for the helper, outside its pid namespace.
 * The helper's messages are trusted; from the process only READY and
 * ERROR (which may come before the helper's word of its pid: they wait
 * for it); anything else is dropped. */
struct early_msgs {
	struct { int type; pid_t from; char *data; } v[4];
	size_t n;
};

static int drive_loop(struct exec_ctx *x, struct container *ct, pid_t helper,
		      const struct exec_opts *o, pid_t *pid, int *pty_master,
		      struct early_msgs *e, brig_error_t **err)
{
	bool ready = false;

	for (;;) {
		cleanup_free char *data = NULL;
		int fd = -1;
		pid_t from = 0;
		int t = chan_recv_from(x->parent_sock, &data, &fd, &from);
		bool trusted = from == helper;

		if (t > 0 && !trusted && *pid <= 0 && fd < 0 &&
		    (t == CHAN_READY || t == CHAN_ERROR) && e->n < ARRAY_SIZE(e->v)) {
			e->v[e->n].type = t;
			e->v[e->n].from = from;
			e->v[e->n++].data = steal_ptr(data);
			continue;
		}
		if (t > 0 && !trusted && !(*pid > 0 && from == *pid && fd < 0 &&
					   (t == CHAN_READY || t == CHAN_ERROR))) {
			brig_debug("exec: dropped a message (type %d) from pid %d", t, (int)from);
			if (fd >= 0)
				close(fd);
			continue;
		}
		switch (t) {
		case CHAN_PTY:
			if (fd < 0)
				return brig_err(err, EPROTO, "terminal from the exec'd process");
			if (terminal_hand_over(o->console_socket, fd, pty_master, err) < 0)
				return -1;
			break;
		case CHAN_SECCOMP: {
			if (fd < 0)
				return brig_err(err, EPROTO, "seccomp notify fd from the exec'd process");
			cleanup_free char *st = spec_state_to_json(ct->state, false);
			int r = seccomp_listener_send(x->seccomp_spec, st, ct->state->pid, fd, err);
			close(fd);
			if (r < 0)
				return -1;
			if (chan_send(x->parent_sock, CHAN_GO, NULL, -1) < 0)
				return brig_err(err, errno, "exec: the process went away");
			break;
		}
		case CHAN_PID: {
			char *end;
			long v = data ? strtol(data, &end, 10) : 0;
			if (*pid > 0 || v <= 0 || *end || v == helper || !is_own_child((pid_t)v))
				return brig_err(err, EPROTO, "exec: the process's pid");
			*pid = (pid_t)v;
			/* what the process said before we knew it */
			for (size_t i = 0; i < e->n; i++) {
				if (e->v[i].from != *pid)
					continue;
				if (e->v[i].type == CHAN_ERROR)
					return chan_error(e->v[i].data, "exec failed", err);
				ready = true;
			}
			break;
		}
		case CHAN_READY:
			ready = true;
			break;
		case CHAN_ERROR:
			return chan_error(data, "exec failed", err);
		case 0:
			if (ready && *pid > 0)
				return 0;
			{
				int status = 0;
				pid_t who = *pid > 0 ? *pid : helper;
				if (waitpid(who, &status, 0) == who && WIFSIGNALED(status))
					return brig_err(err, 0, "exec: the process was killed by signal %d "
							"during set-up", WTERMSIG(status));
				return brig_err(err, 0, "exec: the process exited during set-up");
			}
		default:
			if (fd >= 0)
				close(fd);
			return brig_err(err, errno ? errno : EPROTO, "exec: read from the process");
		}
	}
}

static int drive_child(struct exec_ctx *x, struct container *ct, pid_t helper,
		       const struct exec_opts *o, pid_t *pid, int *pty_master,
		       brig_error_t **err)
{
	struct early_msgs e = {.n = 0};
	int r = drive_loop(x, ct, helper, o, pid, pty_master, &e, err);

	for (size_t i = 0; i < e.n; i++)
		free(e.v[i].data);
	return r;
}

static struct spec_config *load_config(struct container *ct, brig_error_t **err)
{
	size_t len;
	const char *path = ct->state->config_path;
	cleanup_free char *fallback = NULL;

	if (!path)
		path = fallback = xasprintf("%s/config.json", ct->dir);
	cleanup_free char *json = brig_read_file(path, &len);
	if (!json)
		return brig_err(err, errno, "read %s", path), NULL;
	return spec_parse_config(json, len, "config.json", err);
}

/* The container, if it can take an exec: created or running (paused only
 * with --ignore-paused). */
static struct container *open_target(const struct brig_globals *g, const struct exec_opts *o,
				     brig_error_t **err)
{
	struct container *ct = container_open(g, o->id, false, err);

	if (!ct)
		return NULL;
	enum spec_status status = container_status(ct);
	if (!status_can_exec(status))
		brig_err(err, 0, "cannot exec in container \"%s\": it is %s", o->id,
			 spec_status_name(status));
	else if (status == SPEC_STATUS_PAUSED && !o->ignore_paused)
		brig_err(err, 0, "cannot exec in container \"%s\": it is paused "
			 "(resume it, or use --ignore-paused)", o->id);
	else
		return ct;
	container_free(ct);
	return NULL;
}

/* The process to run, checked, with a terminal only where it can go. */
static struct spec_process *exec_process(struct spec_config *c, const struct exec_opts *o,
					 brig_error_t **err)
{
	struct spec_process *p = build_process(c, o, err);

	if (!p || validate_process(p, err) < 0)
		goto fail;
	if (p->terminal && o->detach && !o->console_socket) {
		brig_err(err, 0, "exec: cannot allocate a terminal for a detached process "
			 "without --console-socket");
		goto fail;
	}
	if (!p->terminal && o->console_socket) {
		brig_err(err, 0, "exec: --console-socket needs a terminal (--tty)");
		goto fail;
	}
	return p;
fail:
	spec_process_free(p);
	return NULL;
}

/* The init's root (O_PATH), which the helper enters. */
static int open_init_root(pid_t init, brig_error_t **err)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/root", (int)init);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return brig_err(err, errno, "open %s", path);
	return fd;
}

/* The socketpair to the helper and the process; ours (sv[0]) learns the
 * sender's pid.  Both closed on failure. */
static int open_channel(int sv[2], brig_error_t **err)
{
	int on = 1;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return brig_err(err, errno, "socketpair");
	if (setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		return brig_err(err, e, "exec: SO_PASSCRED");
	}
	return 0;
}

/* Detached: the pid file, and the process runs on (our parent, or init,
 * inherits it).  Else its exit code, once it is gone. */
static int finish_exec(const struct exec_opts *o, pid_t *pid, int pty_master,
		       brig_error_t **err)
{
	int wstatus;

	if (o->pid_file && write_pid_file(o->pid_file, *pid, NULL, err) < 0)
		return -1;
	if (o->detach) {
		*pid = -1;
		return 0;
	}
	if (pty_master >= 0)
		wstatus = terminal_proxy_and_wait(pty_master, *pid);
	else
		wstatus = forward_signals_and_wait(*pid);
	*pid = -1;
	return brig_wait_code(wstatus);
}

/* The container's cgroup and the helper's way into it: undone (if the
 * spawn did not end) and freed when container_exec returns. */
struct exec_cgroup {
	struct cg_manager *cg;
	struct cg_spawn spawn;
};

static void exec_cgroup_free(struct exec_cgroup *e)
{
	cg_spawn_undo(e->cg, &e->spawn, NULL);
	cg_free(e->cg);
}

static void free_filter(struct sec_seccomp **f)
{
	sec_seccomp_free(*f);
}

int container_exec(const struct brig_globals *g, const struct exec_opts *o, brig_error_t **err)
{
	cleanup_container struct container *ct = NULL;
	cleanup_config struct spec_config *c = NULL;
	cleanup_process struct spec_process *p = NULL;
	struct sec_seccomp *filter __attribute__((cleanup(free_filter))) = NULL;
	struct exec_cgroup ecg __attribute__((cleanup(exec_cgroup_free))) = {
		.cg = NULL, .spawn = CG_SPAWN_INIT};
	cleanup_close int root_fd = -1;
	cleanup_close int pty_master = -1;
	cleanup_close int sock = -1;
	cleanup_close int child_sock = -1;
	/* declared after what they use: killed and reaped first */
	cleanup_pid pid_t helper = -1;
	cleanup_pid pid_t pid = -1;
	int sv[2];

	ct = open_target(g, o, err);
	if (!ct || !(c = load_config(ct, err)) || !(p = exec_process(c, o, err)))
		return -1;
	if (c->linux && c->linux->seccomp) {
		/* the same filter cache as create: no compile on every exec */
		cleanup_free char *dir = xasprintf("%s/.seccomp-cache", g->root);
		cleanup_free char *note = NULL;
		struct sec_seccomp_cache *cache = sec_seccomp_cache_open(dir);

		filter = sec_seccomp_get(c->linux->seccomp, NULL, 0, NULL, cache, &note, err);
		if (filter)
			brig_debug("%s", note);
		sec_seccomp_cache_free(cache);
		if (!filter)
			return -1;
	}
	if (ct->state->cgroup_path) {
		ecg.cg = cg_load(BRIG_CGROUP_ROOT, ct->state->cgroup_path, err);
		if (!ecg.cg)
			return -1;
	}
	root_fd = open_init_root(ct->state->pid, err);
	if (root_fd < 0 || open_channel(sv, err) < 0)
		return -1;
	sock = sv[0];
	child_sock = sv[1];
	struct exec_ctx x = {
		.p = p,
		.id = o->id,
		.target = ct->state->pid,
		.root_fd = root_fd,
		.sock = child_sock,
		.parent_sock = sock,
		.userns = spec_find_ns(c, SPEC_NS_USER) != NULL || brig_in_userns(),
		.preserve_fds = o->preserve_fds,
		.seccomp = filter,
		.seccomp_spec = c->linux ? c->linux->seccomp : NULL,
		.cgroup = &ecg.spawn,
	};
	/* the helper joins the cgroups before the namespaces */
	if (cg_spawn_begin(ecg.cg, true, &ecg.spawn, err) < 0)
		return -1;
	helper = ns_exec_spawn(ecg.spawn.clone_fd, exec_helper, &x, err);
	close(steal_fd(child_sock));
	if (helper < 0 || cg_spawn_end(&ecg.spawn, helper, err) < 0)
		return -1;
	if (drive_child(&x, ct, helper, o, &pid, &pty_master, err) < 0)
		return -1;
	close(steal_fd(sock));
	while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
		;
	helper = -1;
	return finish_exec(o, &pid, pty_master, err);
}
