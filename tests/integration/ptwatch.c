/* ptwatch (hostile.bats, from the review of issue 17) REPORT SECONDS [STOP]
 * (STOP: a file that ends it early): PTRACE_SEIZE every new pid of this pid
 * namespace; report the uid (host view through status) and root of the
 * first one attached whose root is not ours. */

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	FILE *r = fopen(argv[1], "a");
	time_t end = time(NULL) + atoi(argv[2]);
	int next = getpid() + 1, done = 0;
	struct stat me, it;
	setvbuf(r, NULL, _IOLBF, 0);
	stat("/", &me);
	fprintf(r, "READY\n");
	while (time(NULL) < end && !done && (argc < 4 || access(argv[3], F_OK) < 0)) {
		/* a tracee that exits is reported to its tracer first: wait
		 * for it, so that its parent (brig) sees it exit */
		int st;
		while (waitpid(-1, &st, __WALL | WNOHANG) > 0)
			;
		for (int p = next; p < next + 4 && !done; p++) {
			char path[64];
			if (ptrace(PTRACE_SEIZE, p, 0, 0) < 0)
				continue;
			next = p + 1;
			snprintf(path, sizeof path, "/proc/%d/root/", p);
			if (stat(path, &it) == 0 && (it.st_ino != me.st_ino || it.st_dev != me.st_dev)) {
				/* inject: stop it and read its registers: it is ours */
				ptrace(PTRACE_INTERRUPT, p, 0, 0);
				if (waitpid(p, &st, __WALL) == p && WIFSTOPPED(st))
					fprintf(r, "PTRACE-STOPPED-INIT-IN-HOST-ROOT pid=%d\n", p), done = 1;
			}
			ptrace(PTRACE_DETACH, p, 0, 0);
		}
	}
	fprintf(r, "DONE\n");
	return 0;
}
