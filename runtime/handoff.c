/* brig — runtime/handoff.c: hand the container's process over to brig's
 * stub (runtime/stub/stub.c), which a container can see where it cannot
 * see brig.
 *
 * The stub runs from a sealed memfd (write, grow, shrink and the seals
 * sealed): /proc/<pid>/exe of the init waiting for `start` and of exec's
 * process cannot be written through, by any route (CVE-2019-5736, with
 * CAP_SYS_PTRACE too).  What it must do is written to a second memfd,
 * passed by number as its argv[1] (stub_format.h). */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "runtime/stub/stub_format.h"
#include "security/security.h"

extern const unsigned char brig_stub[];
extern const size_t brig_stub_len;

_Static_assert(STUB_CHAN_GO == CHAN_GO && STUB_CHAN_READY == CHAN_READY &&
		       STUB_CHAN_ERROR == CHAN_ERROR && STUB_CHAN_SECCOMP == CHAN_SECCOMP &&
		       STUB_CHAN_PID == CHAN_PID,
	       "the stub's channel types are brig's");

struct buf {
	char *p;
	size_t n, cap;
};

static void put(struct buf *b, const void *d, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 4096;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, d, n);
	b->n += n;
}

static void put_u32(struct buf *b, uint32_t v)
{
	put(b, &v, sizeof(v));
}

static void put_str(struct buf *b, const char *s)
{
	put(b, s ? s : "", strlen(s ? s : "") + 1);
}

static void put_strv(struct buf *b, char *const *v)
{
	uint32_t n = 0;
	while (v && v[n])
		n++;
	put_u32(b, n);
	for (uint32_t i = 0; i < n; i++)
		put_str(b, v[i]);
}

#define ALL_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

/* The stub, sealed, and executable only: a file the process that execs it
 * cannot read makes the kernel keep it non-dumpable across the execve,
 * with the host's user namespace as its mm's (would_dump): a process of
 * the same uid cannot ptrace the stub before it has loaded the filter
 * (found by the review of issue 17). */
static int sealed_stub(brig_error_t **err)
{
	int fd = memfd_create("brig", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return brig_err(err, errno, "memfd_create");
	if (brig_write_all(fd, brig_stub, brig_stub_len) < 0 || fchmod(fd, 0111) < 0 ||
	    fcntl(fd, F_ADD_SEALS, ALL_SEALS) < 0) {
		int e = errno;
		close(fd);
		return brig_err(err, e, "seal brig's stub");
	}
	return fd;
}

/* What the kernel's sigaction takes: signals 32 and 33 too, which the C
 * library's refuses. */
struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	unsigned long mask;
};

int handoff_at_once(const struct proc_final *f, int keep_fds, const char *note,
		    brig_error_t **err)
{
	cleanup_free char *go = NULL;
	unsigned long none = 0;
	struct ksigaction dfl = { SIG_DFL, 0, NULL, 0 };

	if (chan_send(f->sock, CHAN_READY, note, -1) < 0 ||
	    chan_recv(f->sock, &go, NULL) != CHAN_GO)
		return brig_err(err, 0, "the runtime went away during set-up");
	/* with no_new_privs the filter is loaded here, last: its profile
	 * judges only what is left (signals, descriptors, execve) */
	if (f->seccomp && !f->seccomp_loaded) {
		int nfd = -1;

		if (sec_seccomp_load(f->seccomp, &nfd, err) < 0)
			return brig_err_prefix(err, "linux.seccomp");
		if (nfd >= 0) { /* no agent to hand it to (can_start_at_once) */
			close(nfd);
			return brig_err(err, 0, "linux.seccomp: SCMP_ACT_NOTIFY needs listenerPath");
		}
	}
	/* what the process inherits, as from the stub: default signals (an
	 * ignored one would stay ignored across execve), none blocked, and
	 * only stdio and the preserved descriptors (the channel is
	 * close-on-exec: its EOF tells create the process runs) */
	for (int s = 1; s <= 64; s++)
		if (s != SIGKILL && s != SIGSTOP)
			syscall(SYS_rt_sigaction, s, &dfl, NULL, 8);
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8);
	for (int fd = 3; fd < 3 + keep_fds; fd++) {
		int fl = fcntl(fd, F_GETFD);

		if (fl >= 0 && fd != f->sock)
			fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
	}
	syscall(SYS_close_range, 3 + keep_fds, ~0U, CLOSE_RANGE_CLOEXEC);
	execve(f->exe, f->p->args.v, f->env);
	return brig_err(err, errno, "exec %s", f->exe);
}

int handoff_prepare(struct proc_final *f, brig_error_t **err)
{
	f->stub_fd = sealed_stub(err);
	if (f->stub_fd < 0)
		return -1;
	/* not close-on-exec: the stub reads it, then closes it; sealed once
	 * written */
	f->desc_fd = memfd_create("brig-handoff", MFD_ALLOW_SEALING);
	if (f->desc_fd < 0)
		return brig_err(err, errno, "memfd_create");
	return 0;
}

int handoff(const struct proc_final *f, const struct handoff_opts *o, brig_error_t **err)
{
	struct stub_hdr h = {
		.magic = STUB_MAGIC,
		.flags = o->flags,
		.sock = f->sock,
		.fifo = o->fifo,
		.keep_fds = (unsigned int)o->keep_fds,
	};
	struct buf b = {NULL, 0, 0};
	char fdnum[16];
	int ret = -1;

	if (f->p->terminal)
		h.flags |= STUB_TERMINAL;
	put(&b, &h, sizeof(h));
	if (f->seccomp && !f->seccomp_loaded) {
		const void *prog;
		unsigned int n, flags;
		if (sec_seccomp_program(f->seccomp, &prog, &n, &flags, err) < 0)
			goto out;
		while (b.n % 8)
			put(&b, "", 1);
		h.bpf_off = (unsigned int)b.n;
		h.bpf_insns = n;
		h.bpf_flags = flags;
		put(&b, prog, (size_t)n * 8);
	}
	h.str_off = (unsigned int)b.n;
	put_str(&b, o->note);
	put_str(&b, f->exe);
	put_strv(&b, f->p->args.v);
	put_strv(&b, f->env);
	put_u32(&b, o->hooks ? (uint32_t)o->hooks->n : 0);
	for (size_t i = 0; o->hooks && i < o->hooks->n; i++) {
		const struct spec_hook *k = &o->hooks->v[i];
		put_str(&b, k->path);
		put_strv(&b, k->args.v);
		put_strv(&b, k->env.v);
		put_u32(&b, k->timeout.set ? (uint32_t)k->timeout.v : 0);
	}
	memcpy(b.p, &h, sizeof(h));

	if (brig_write_all(f->desc_fd, b.p, b.n) < 0 ||
	    fcntl(f->desc_fd, F_ADD_SEALS, ALL_SEALS) < 0) {
		brig_err(err, errno, "write the stub's instructions");
		goto out;
	}
	if (fcntl(f->sock, F_SETFD, 0) < 0 || (o->fifo >= 0 && fcntl(o->fifo, F_SETFD, 0) < 0)) {
		brig_err(err, errno, "pass the channel to the stub");
		goto out;
	}
	snprintf(fdnum, sizeof(fdnum), "%d", f->desc_fd);
	char *argv[] = {(char *)"brig", fdnum, NULL};
	char *envp[] = {NULL};
	syscall(SYS_execveat, f->stub_fd, "", argv, envp, AT_EMPTY_PATH);
	brig_err(err, errno, "execute brig's stub%s",
		 f->seccomp_loaded ? " (refused by linux.seccomp?)" : "");
	fcntl(f->sock, F_SETFD, FD_CLOEXEC);
out:
	free(b.p);
	return ret;
}
