/* attacker — test helper run inside a container by hostile.bats: it tries
 * what a process of a hostile container with CAP_SYS_PTRACE would try
 * against the runtime, and reports what worked, one word per line, in
 * REPORT (a file on a shared volume):
 *
 *   ROOT-ESCAPE  a brig process's /proc/<pid>/root or cwd led to SECRET
 *   FD-ESCAPE    a descriptor of a brig process led to SECRET (directly,
 *                or by walking ".." from a directory it holds)
 *   EXE-OPEN     /proc/<pid>/exe of a brig process was opened (O_PATH)
 *   EXE-WRITE    the binary behind it was written (reopened for writing)
 *   CGROUP-WRITE a cgroup file of the host was written through a fd
 *   DONE         the attack is over
 *
 *   attacker watch REPORT SECRET SECONDS [STOP]
 *       watch for new processes in the container's pid namespace (those
 *       `brig exec` starts) for SECONDS or until the file STOP appears,
 *       attacking each as soon as it appears; then try to write through
 *       every exe kept.
 *   attacker init REPORT SECRET GO
 *       attack pid 1 (the init of a created container, still brig);
 *       after the file GO appears (the test has started the container),
 *       try to write through its exe.
 *
 * SECRET is a path on the host (a file the container cannot see); the
 * helper looks for it through every route. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_EXES 256

static FILE *report;
static const char *secret;
static int exes[MAX_EXES];
static int n_exes;
static int found_root, found_fd, found_cg;

static void say(const char *what)
{
	fprintf(report, "%s\n", what);
	fflush(report);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Does base + SECRET (base a directory path) exist? */
static int reaches(const char *base)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s%s", base, secret);
	return access(path, F_OK) == 0;
}

/* Everything of /proc/<pid> that could lead out. */
static void attack(int pid)
{
	char path[PATH_MAX];
	char ups[200] = "";
	DIR *d;
	struct dirent *e;

	for (int i = 0; i < 30; i++)
		strcat(ups, "/..");
	snprintf(path, sizeof(path), "/proc/%d/root", pid);
	if (!found_root && reaches(path)) {
		found_root = 1;
		say("ROOT-ESCAPE");
	}
	snprintf(path, sizeof(path), "/proc/%d/cwd%s", pid, ups);
	if (!found_root && reaches(path)) {
		found_root = 1;
		say("ROOT-ESCAPE");
	}
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	if (n_exes < MAX_EXES) {
		int fd = open(path, O_PATH | O_CLOEXEC);
		if (fd >= 0) {
			if (n_exes == 0)
				say("EXE-OPEN");
			exes[n_exes++] = fd;
		}
	}
	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	while (d && (e = readdir(d)) != NULL) {
		char fdpath[PATH_MAX], link[PATH_MAX];
		ssize_t n;
		if (e->d_name[0] == '.')
			continue;
		snprintf(fdpath, sizeof(fdpath), "/proc/%d/fd/%s", pid, e->d_name);
		n = readlink(fdpath, link, sizeof(link) - 1);
		link[n > 0 ? n : 0] = '\0';
		/* a directory: walk up from it */
		snprintf(path, sizeof(path), "%s%s", fdpath, ups);
		if (!found_fd && reaches(path)) {
			found_fd = 1;
			say("FD-ESCAPE");
		}
		/* a cgroup file of the host, open for writing */
		if (!found_cg && (strstr(link, "/tasks") || strstr(link, "cgroup.procs"))) {
			int fd = open(fdpath, O_WRONLY | O_CLOEXEC);
			if (fd >= 0) {
				found_cg = 1;
				say("CGROUP-WRITE");
				close(fd);
			}
		}
	}
	if (d)
		closedir(d);
}

/* Reopen every exe kept for writing, and append to it. */
static int write_exes(void)
{
	for (int i = 0; i < n_exes; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", exes[i]);
		int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (fd >= 0 && write(fd, "#pwned", 6) == 6) {
			say("EXE-WRITE");
			close(fd);
			return 1;
		}
		if (fd >= 0)
			close(fd);
	}
	return 0;
}

static int proc_exists(int pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	return access(path, F_OK) == 0;
}

static int watch(double seconds, const char *stop)
{
	int self = getpid(), next = self + 1;
	double end = now() + seconds;

	say("READY");
	while (now() < end && (!stop || access(stop, F_OK) < 0)) {
		/* pids in a pid namespace are handed out in order: spin on the
		 * next few, attack whatever appears */
		for (int p = next; p < next + 4; p++) {
			if (!proc_exists(p))
				continue;
			attack(p);
			if (p >= next)
				next = p + 1;
		}
	}
	/* the exec'd processes are gone, and brig with them: the binary is
	 * no longer busy */
	for (int i = 0; i < 50 && !write_exes(); i++)
		usleep(100000);
	say("DONE");
	return 0;
}

static int init(const char *go)
{
	attack(1);
	say("READY");
	for (int i = 0; i < 300 && access(go, F_OK) < 0; i++)
		usleep(50000);
	for (int i = 0; i < 50 && !write_exes(); i++)
		usleep(100000);
	say("DONE");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: attacker watch|init REPORT SECRET SECONDS|GO\n");
		return 2;
	}
	report = fopen(argv[2], "a");
	if (!report)
		return 2;
	secret = argv[3];
	if (strcmp(argv[1], "watch") == 0)
		return watch(atof(argv[4]), argc > 5 ? argv[5] : NULL);
	if (strcmp(argv[1], "init") == 0)
		return init(argv[4]);
	return 2;
}
