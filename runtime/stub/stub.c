/* brig — runtime/stub/stub.c: the last few steps of a container's
 * process, in a program of its own.
 *
 * Until execve, the container's init and the process `brig exec` starts
 * are brig's code, and /proc/<pid>/exe of each is a binary: a container
 * process that can open it (CAP_SYS_PTRACE) could write through it once no
 * brig runs it (CVE-2019-5736).  So brig does the set-up that needs the
 * host (namespaces, mounts, capabilities, user, AppArmor) in processes no
 * container can see, then executes this stub from a sealed memfd (brig
 * embeds it: runtime/stub/embed.py): the stub is what the container can
 * see, and it cannot be written by any route.  It is small (a few KiB, no
 * C library), so the execve costs little, and it runs in the container's
 * cgroups, which pay for it.
 *
 * What it does, driven by a description brig wrote to a memfd (argv[1]):
 *   load the seccomp filter (when no_new_privs allows it; brig loaded it
 *   before dropping its capabilities otherwise) and send a notify fd ->
 *   [fork the process into the container's pid namespace, report its pid
 *   and exit: exec, and an init joining a pid namespace] -> [a new session,
 *   the terminal as controlling terminal] -> READY -> [the init: wait for
 *   GO (the state), then for `start` on exec.fifo; startContainer hooks] ->
 *   default signals, descriptors -> execve.
 * Messages use brig's channel format (runtime/channel.c): a header of two
 * u32 (type, length) and the data, by write(2) on the SOCK_SEQPACKET
 * socket, or sendmsg(2) with SCM_RIGHTS for the notify fd.
 *
 * x86-64 and aarch64; no libc: the system calls are made here. */
#include <asm/unistd.h>
#include <linux/fcntl.h>
#include <linux/filter.h>
#include <linux/mman.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <linux/signal.h>
#include <linux/types.h>

#include "stub_format.h"

#define NULL ((void *)0)
typedef unsigned long size_t;
typedef long ssize_t;

/* ---- system calls ----------------------------------------------------------- */

#if defined(__x86_64__)
static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__aarch64__)
static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;
	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	return x0;
}
#else
#error "brig's stub knows x86-64 and aarch64 only"
#endif

#define sys0(n) sys6(n, 0, 0, 0, 0, 0, 0)
#define sys1(n, a) sys6(n, (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) sys6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) sys6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d) sys6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define sys5(n, a, b, c, d, e) sys6(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

#define EINTR 4
#define EAGAIN 11
#define EPIPE 32
#define WNOHANG 1
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#define TIOCSCTTY 0x540E
#define SOL_SOCKET 1
#define SCM_RIGHTS 1
#define MSG_NOSIGNAL 0x4000
#define PR_SET_NAME 15
#define PR_SET_DUMPABLE 4

static __attribute__((noreturn)) void die(int code)
{
	for (;;)
		sys1(__NR_exit_group, code);
}

/* ---- small helpers ------------------------------------------------------------ */

static size_t slen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

static void mcopy(void *d, const void *s, size_t n)
{
	char *dd = d;
	const char *ss = s;
	while (n--)
		*dd++ = *ss++;
}

/* The compiler may emit calls to these for struct copies. */
void *memcpy(void *d, const void *s, size_t n)
{
	mcopy(d, s, n);
	return d;
}

void *memset(void *d, int c, size_t n)
{
	char *dd = d;
	while (n--)
		*dd++ = (char)c;
	return d;
}

static long writeall(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n) {
		long r = sys3(__NR_write, fd, p, n);
		if (r == -EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* A line of text in a fixed buffer. */
struct line {
	char b[4096];
	size_t n;
};

static void add(struct line *l, const char *s)
{
	while (*s && l->n < sizeof(l->b) - 1)
		l->b[l->n++] = *s++;
	l->b[l->n] = '\0';
}

static void add_num(struct line *l, long v)
{
	char d[24];
	int i = 0;
	if (v < 0) {
		add(l, "-");
		v = -v;
	}
	do
		d[i++] = (char)('0' + v % 10);
	while ((v /= 10) && i < 23);
	while (i--) {
		char c[2] = {d[i], 0};
		add(l, c);
	}
}

/* strerror for what an execve or a hook can meet, in the words runc and
 * the clients that read runtimes' errors use */
static const char *errtext(long e)
{
	switch (e) {
	case 1: return "operation not permitted";
	case 2: return "no such file or directory";
	case 7: return "argument list too long";
	case 8: return "exec format error";
	case 12: return "cannot allocate memory";
	case 13: return "permission denied";
	case 20: return "not a directory";
	case 21: return "is a directory";
	case 26: return "text file busy";
	case 36: return "file name too long";
	case 40: return "too many levels of symbolic links";
	default: return NULL;
	}
}

static void add_err(struct line *l, long e)
{
	const char *t = errtext(e);
	if (t) {
		add(l, t);
	} else {
		add(l, "errno ");
		add_num(l, e);
	}
}

/* ---- the description ------------------------------------------------------------ */

static struct stub_hdr *hdr;
static char *blob_end;
static char *cur;

static char *next_str(void)
{
	char *s = cur;
	while (cur < blob_end && *cur)
		cur++;
	if (cur >= blob_end)
		die(126);
	cur++;
	return s;
}

static char **next_strv(unsigned int n)
{
	long sz = (long)(n + 1) * (long)sizeof(char *);
	char **v = (char **)sys6(__NR_mmap, 0, sz, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if ((long)v < 0 && (long)v > -4096)
		die(126);
	for (unsigned int i = 0; i < n; i++)
		v[i] = next_str();
	v[n] = NULL;
	return v;
}

static unsigned int next_u32(void)
{
	unsigned int v;
	if (cur + 4 > blob_end)
		die(126);
	mcopy(&v, cur, 4);
	cur += 4;
	return v;
}

/* ---- the channel ------------------------------------------------------------------ */

static int sock;

static void chan_send(unsigned int type, const char *data)
{
	struct line l;
	size_t n = data ? slen(data) : 0;
	unsigned int h[2];

	/* cut to what one message holds, and the header says what was sent:
	 * brig refuses a message shorter than its header's length */
	if (n > sizeof(l.b) - sizeof(h))
		n = sizeof(l.b) - sizeof(h);
	h[0] = type;
	h[1] = (unsigned int)n;
	mcopy(l.b, h, sizeof(h));
	if (n)
		mcopy(l.b + sizeof(h), data, n);
	l.n = sizeof(h) + n;
	writeall(sock, l.b, l.n);
}

/* A failure (errnum: its errno, or 0): to the runtime while it listens,
 * as brig's channel.c frames one ("<errno> <kind> <text>", kind 0: the
 * runtime classifies none of ours), else on stderr. */
static __attribute__((noreturn)) void fail(struct line *msg, long errnum, int code,
					     int listened)
{
	if (listened && sock >= 0) {
		struct line l = {.n = 0};
		add_num(&l, errnum);
		add(&l, " 0 ");
		add(&l, msg->b);
		chan_send(STUB_CHAN_ERROR, l.b);
	} else {
		add(msg, "\n");
		writeall(2, "brig: ", 6);
		writeall(2, msg->b, msg->n);
	}
	die(code);
}

static void send_fd(unsigned int type, int fd)
{
	unsigned int h[2] = {type, 0};
	struct iovec { void *base; size_t len; } iov = {h, sizeof(h)};
	union {
		char buf[24];
		struct { size_t len; int level, type; int fd; } c;
	} u;
	struct {
		void *name;
		int namelen;
		struct iovec *iov;
		size_t iovlen;
		void *control;
		size_t controllen;
		int flags;
	} msg = {NULL, 0, &iov, 1, &u, 20, 0};

	memset(&u, 0, sizeof(u));
	u.c.len = 20; /* CMSG_LEN(sizeof(int)) */
	u.c.level = SOL_SOCKET;
	u.c.type = SCM_RIGHTS;
	u.c.fd = fd;
	msg.controllen = 24; /* CMSG_SPACE(sizeof(int)) */
	sys3(__NR_sendmsg, sock, &msg, MSG_NOSIGNAL);
}

/* Wait for GO; the data (the state, for the hooks) in *data. */
static int wait_go(char **data)
{
	static char buf[256 * 1024];
	long r;

	do
		r = sys3(__NR_read, sock, buf, sizeof(buf) - 1);
	while (r == -EINTR);
	if (r < 8)
		return -1;
	unsigned int h[2];
	mcopy(h, buf, sizeof(h));
	if (h[0] != STUB_CHAN_GO || h[1] > (unsigned long)r - 8)
		return -1;
	buf[8 + h[1]] = '\0';
	if (data)
		*data = buf + 8;
	return 0;
}

/* ---- signals and descriptors -------------------------------------------------------- */

struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	unsigned long mask;
};

static void set_signal(int sig, void *handler)
{
	struct ksigaction a = {handler, 0, NULL, 0};
	sys4(__NR_rt_sigaction, sig, &a, NULL, 8);
}

static void reset_signals(void)
{
	unsigned long none = 0;
	for (int s = 1; s <= 64; s++)
		if (s != SIGKILL && s != SIGSTOP)
			set_signal(s, SIG_DFL);
	sys4(__NR_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8);
}

/* ---- startContainer hooks ------------------------------------------------------------ */

static void run_hooks(const char *state)
{
	unsigned int n = next_u32();

	for (unsigned int i = 0; i < n; i++) {
		const char *path = next_str();
		unsigned int na = next_u32();
		char **args = next_strv(na);
		unsigned int ne = next_u32();
		char **env = next_strv(ne);
		int timeout = (int)next_u32(); /* seconds, 0: none */
		char *fallback[2] = {(char *)path, NULL};
		int p[2];
		struct line msg = {.n = 0};

		if (sys2(__NR_pipe2, p, O_CLOEXEC) < 0) {
			add(&msg, "startContainer hook: pipe");
			fail(&msg, 0, 1, 0);
		}
		long pid = sys5(__NR_clone, SIGCHLD, 0, 0, 0, 0);
		if (pid == 0) {
			unsigned long none = 0;
			sys4(__NR_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8);
			set_signal(SIGPIPE, SIG_DFL);
			sys3(__NR_dup3, p[0], 0, 0);
			long e = sys3(__NR_execve, path, na ? args : fallback, env);
			add(&msg, "startContainer hook ");
			add(&msg, path);
			add(&msg, ": exec: ");
			add_err(&msg, -e);
			fail(&msg, -e, 127, 0);
		}
		sys1(__NR_close, p[0]);
		if (pid < 0) {
			add(&msg, "startContainer hook: fork");
			fail(&msg, 0, 1, 0);
		}
		writeall(p[1], state, slen(state)); /* EPIPE ignored: SIGPIPE is */
		sys1(__NR_close, p[1]);
		int pfd = (int)sys2(__NR_pidfd_open, pid, 0);
		int status = 0;
		for (;;) {
			long r = sys4(__NR_wait4, pid, &status, WNOHANG, NULL);
			if (r == pid)
				break;
			struct pollfd q = {pfd, POLLIN, 0};
			struct { long s, ns; } ts = {timeout, 0};
			long pr = pfd >= 0 ? sys5(__NR_ppoll, &q, 1, timeout ? &ts : NULL, NULL, 8) : 0;
			if (pr == 0 && timeout) {
				sys2(__NR_kill, pid, SIGKILL);
				sys4(__NR_wait4, pid, &status, 0, NULL);
				add(&msg, "startContainer hook ");
				add(&msg, path);
				add(&msg, ": timed out after ");
				add_num(&msg, timeout);
				add(&msg, " s");
				fail(&msg, 0, 1, 0);
			}
		}
		if (pfd >= 0)
			sys1(__NR_close, pfd);
		if ((status & 0x7f) == 0 && ((status >> 8) & 0xff) == 0)
			continue;
		add(&msg, "startContainer hook ");
		add(&msg, path);
		if (status & 0x7f) {
			add(&msg, ": killed by signal ");
			add_num(&msg, status & 0x7f);
		} else {
			add(&msg, ": exit status ");
			add_num(&msg, (status >> 8) & 0xff);
		}
		fail(&msg, 0, 1, 0);
	}
}

/* ---- the steps ------------------------------------------------------------------------- */

static void load_seccomp(void)
{
	struct line msg = {.n = 0};
	struct sock_fprog prog = {
		.len = (unsigned short)hdr->bpf_insns,
		.filter = (struct sock_filter *)((char *)hdr + hdr->bpf_off),
	};

	long r = sys3(__NR_seccomp, SECCOMP_SET_MODE_FILTER, hdr->bpf_flags, &prog);
	if (r < 0) {
		add(&msg, "linux.seccomp: load filter: ");
		add_err(&msg, -r);
		fail(&msg, -r, 127, 1);
	}
	if (hdr->bpf_flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) {
		/* the runtime hands it to the agent, then says go */
		send_fd(STUB_CHAN_SECCOMP, (int)r);
		sys1(__NR_close, (int)r);
		if (wait_go(NULL) < 0)
			die(1);
	}
}

static void take_session(void)
{
	struct line msg = {.n = 0};

	long r = sys0(__NR_setsid);

	if (r < 0) {
		add(&msg, "setsid failed");
		fail(&msg, -r, 1, 1);
	}
	if ((hdr->flags & STUB_TERMINAL) && (r = sys3(__NR_ioctl, 0, TIOCSCTTY, 0)) < 0) {
		add(&msg, "process.terminal: set controlling terminal");
		fail(&msg, -r, 1, 1);
	}
}

static __attribute__((noreturn)) void exec_process(char *exe, char **argv, char **envp,
						    int listened)
{
	struct line msg = {.n = 0};

	reset_signals();
	for (int fd = 3; fd < 3 + (int)hdr->keep_fds; fd++) {
		long fl = sys2(__NR_fcntl, fd, F_GETFD);
		if (fl >= 0 && fd != sock)
			sys3(__NR_fcntl, fd, F_SETFD, fl & ~FD_CLOEXEC);
	}
	sys3(__NR_close_range, 3 + hdr->keep_fds, ~0U, CLOSE_RANGE_CLOEXEC);
	long e = sys3(__NR_execve, exe, argv, envp);
	add(&msg, "exec ");
	add(&msg, exe);
	add(&msg, ": ");
	add_err(&msg, -e);
	fail(&msg, -e, 127, listened);
}

__attribute__((used)) void stub_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	long bfd = 0;

	if (argc < 2)
		die(126);
	for (const char *p = argv[1]; *p; p++)
		bfd = bfd * 10 + (*p - '0');
	sys5(__NR_prctl, PR_SET_NAME, "brig", 0, 0, 0);
	sys5(__NR_prctl, PR_SET_DUMPABLE, 0, 0, 0, 0);
	set_signal(SIGPIPE, SIG_IGN);

	/* the description: a memfd brig wrote, closed at once */
	long size = sys3(__NR_lseek, bfd, 0, 2 /* SEEK_END */);
	if (size <= 0)
		die(126);
	char *b = (char *)sys6(__NR_mmap, 0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, bfd, 0);
	if ((long)b < 0 && (long)b > -4096)
		die(126);
	sys1(__NR_close, bfd);
	hdr = (struct stub_hdr *)b;
	blob_end = b + size;
	if (size < (long)sizeof(*hdr) || hdr->magic != STUB_MAGIC)
		die(126);
	cur = b + hdr->str_off;
	sock = hdr->sock;
	sys3(__NR_fcntl, sock, F_SETFD, FD_CLOEXEC);
	if (hdr->fifo >= 0) /* not for the startContainer hooks */
		sys3(__NR_fcntl, hdr->fifo, F_SETFD, FD_CLOEXEC);

	char *note = next_str();
	char *exe = next_str();
	char **args = next_strv(next_u32());
	char **envp = next_strv(next_u32());

	if (hdr->bpf_insns)
		load_seccomp();
	if (hdr->flags & STUB_FORK) {
		/* into the pid namespace brig joined for our children, as our
		 * parent's child: the pid goes to the runtime, and we go */
		long pid = sys5(__NR_clone, CLONE_PARENT, 0, 0, 0, 0);
		if (pid > 0) {
			struct line l = {.n = 0};
			add_num(&l, pid);
			chan_send(STUB_CHAN_PID, l.b);
			if (!(hdr->flags & STUB_INIT))
				die(0);
			chan_send(STUB_CHAN_READY, note);
			die(0);
		}
		if (pid == 0 && (hdr->flags & STUB_STOP))
			sys2(__NR_kill, sys0(__NR_getpid), SIGSTOP);
		if (pid < 0) {
			struct line msg = {.n = 0};
			add(&msg, "start the process in the container's pid namespace: clone: ");
			add_err(&msg, -pid);
			fail(&msg, -pid, 127, 1);
		}
	}
	if (hdr->flags & STUB_SESSION)
		take_session();
	if (!(hdr->flags & STUB_INIT)) {
		/* exec: READY, then EOF at execve (the socket is close-on-exec) */
		chan_send(STUB_CHAN_READY, NULL);
		exec_process(exe, args, envp, 1);
	}
	/* the init */
	if (!(hdr->flags & STUB_FORK))
		chan_send(STUB_CHAN_READY, note);
	char *state = NULL;
	if (wait_go(&state) < 0)
		die(1);
	sys1(__NR_close, sock);
	sock = -1;
	/* exec.fifo is full: this write waits for `start` to read it */
	if (writeall(hdr->fifo, "0", 1) < 0)
		die(1);
	run_hooks(state);
	if (writeall(hdr->fifo, "1", 1) < 0)
		die(1);
	sys1(__NR_close, hdr->fifo);
	exec_process(exe, args, envp, 0);
}

#if defined(__x86_64__)
__asm__(".text\n.global _start\n_start:\n"
	"\txor %rbp, %rbp\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall stub_main\n\thlt\n");
#elif defined(__aarch64__)
__asm__(".text\n.global _start\n_start:\n"
	"\tmov x29, #0\n\tmov x0, sp\n\tbl stub_main\n\tbrk #0\n");
#endif
