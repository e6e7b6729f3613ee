/* brig — runtime/finalize.c: the last steps of every process brig starts
 * in a container, the init's and exec's alike, so that the two cannot
 * drift apart:
 *
 *   terminal -> cwd -> rlimits -> the executable ->
 *   [seccomp, without no_new_privs: it needs CAP_SYS_ADMIN] ->
 *   capabilities around the switch to process.user -> umask -> AppArmor ->
 *   no_new_privs
 *
 * then handoff (handoff.c): brig's stub, from a sealed memfd, loads the
 * seccomp filter with no_new_privs, and does what is left: the pid
 * namespace, READY, the wait for start, signals, descriptors, execve.
 * (`run` started at once has no wait for start: the init itself does
 * READY, GO, the filter, signals, descriptors and execve, while create
 * keeps the container "creating": handoff_at_once.)
 *
 * The caller is in the container's namespaces and root.  Everything here
 * happens before a process of the container can reach this one (the init
 * is reachable once it waits for `start`, exec's process once it is in
 * the container's pid namespace): by then it holds nothing of the host,
 * its capabilities and user are the container's, and its seccomp filter
 * is loaded, so a container process that ptraces it gains nothing the
 * container does not already have. */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "security/security.h"

/* A notify fd (SCMP_ACT_NOTIFY) goes to the runtime, which hands it to
 * the agent at listenerPath; we go on once it has. */
static int load_seccomp(struct proc_final *f, brig_error_t **err)
{
	int nfd = -1;

	if (sec_seccomp_load(f->seccomp, &nfd, err) < 0)
		return brig_err_prefix(err, "linux.seccomp");
	f->seccomp_loaded = true;
	if (nfd < 0)
		return 0;
	int r = chan_send(f->sock, CHAN_SECCOMP, NULL, nfd);
	close(nfd);
	if (r < 0)
		return brig_err(err, errno, "send the seccomp notify fd to the runtime");
	cleanup_free char *data = NULL;
	if (chan_recv(f->sock, &data, NULL) != CHAN_GO)
		return brig_err(err, 0, "the runtime went away during set-up");
	return 0;
}

int finalize_process(struct proc_final *f, brig_error_t **err)
{
	const struct spec_process *p = f->p;

	if (!f->at_once && handoff_prepare(f, err) < 0)
		return -1;
	if (p->terminal) {
		int master = terminal_open(p, f->init, f->session, err);
		if (master < 0)
			return -1;
		int r = chan_send(f->sock, CHAN_PTY, NULL, master);
		close(master);
		if (r < 0)
			return brig_err(err, errno, "send the terminal to the runtime");
	} else if (f->init && f->session && setsid() < 0) {
		return brig_err(err, errno, "setsid");
	}
	if (enter_cwd(p->cwd, err) < 0)
		return -1;
	if (apply_rlimits(p, err) < 0)
		return -1;
	f->exe = find_executable(p, err);
	if (!f->exe)
		return -1;
	f->env = build_env(p); /* reads the container's /etc/passwd */
	if (f->seccomp && !p->no_new_privileges && load_seccomp(f, err) < 0)
		return -1;
	if (sec_caps_prepare(p->capabilities, f->userns, err) < 0)
		return -1;
	if (switch_user(p, f->userns, err) < 0)
		return -1;
	if (sec_caps_apply(p->capabilities, err) < 0)
		return -1;
	umask(p->user.umask.set ? (mode_t)p->user.umask.v : 022);
	if (f->aa_fd >= 0 ? sec_apparmor_apply_fd(f->aa_fd, p->apparmor_profile, err) < 0
			  : sec_apparmor_apply(p->apparmor_profile, err) < 0)
		return -1;
	if (f->aa_fd >= 0) {
		close(f->aa_fd);
		f->aa_fd = -1;
	}
	if (p->no_new_privileges && sec_no_new_privs(err) < 0)
		return -1;
	/* Not dumpable until execve (which resets it): a process of the
	 * container then needs CAP_SYS_PTRACE on the host to ptrace this one
	 * or open its /proc files.  Not before: in a user namespace our own
	 * /proc files (oom_score_adj, attr/exec) would belong to the host's
	 * root.  Defence in depth only: by now this process holds nothing a
	 * process of the container does not have.  (Under a filter loaded
	 * above, a profile may refuse prctl: then it stays dumpable.) */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	/* with no_new_privs the filter is loaded last, by the stub
	 * (handoff.c), before anything of the container can reach it */
	return 0;
}

int close_fds_except(int from, const int *keep, size_t n)
{
	unsigned lo = (unsigned)from;
	int ret = 0;

	/* keep is short: walk it in ascending order */
	for (;;) {
		unsigned next = ~0U;
		for (size_t i = 0; i < n; i++)
			if (keep[i] >= 0 && (unsigned)keep[i] >= lo && (unsigned)keep[i] < next)
				next = (unsigned)keep[i];
		if (next == ~0U)
			return syscall(SYS_close_range, lo, ~0U, 0) < 0 ? -1 : ret;
		if (next > lo && syscall(SYS_close_range, lo, next - 1, 0) < 0)
			ret = -1;
		lo = next + 1;
	}
}
