/* seccomp_agent — test helper: a seccomp agent for SCMP_ACT_NOTIFY.
 *
 *   seccomp_agent [-t SECONDS] [-e ERRNO] SOCKET STATEFILE
 *
 * Listens on the AF_UNIX stream socket SOCKET (created, removed on exit),
 * accepts one connection, receives the container process state (JSON,
 * written to STATEFILE) and the seccomp notify fd (SCM_RIGHTS), then answers
 * every notification it gets: with -e ERRNO the syscall fails with ERRNO,
 * else it "succeeds" with return value 0 without being run.  It prints one
 * line per answered syscall ("notified: nr=N pid=P") to stdout and exits
 * when the notify fd reports that the filtered processes are gone, or after
 * SECONDS (default 20).  Exit status: 0 when a notification was answered.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static const char *sock_path;

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "seccomp_agent: timed out\n";
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing to do */
	}
	if (sock_path)
		unlink(sock_path);
	_exit(2);
}

int main(int argc, char **argv)
{
	int timeout = 20, answer_errno = 0, opt;
	while ((opt = getopt(argc, argv, "t:e:")) != -1) {
		if (opt == 't')
			timeout = atoi(optarg);
		else if (opt == 'e')
			answer_errno = atoi(optarg);
		else
			return 2;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: seccomp_agent [-t SECONDS] [-e ERRNO] SOCKET STATEFILE\n");
		return 2;
	}
	sock_path = argv[optind];
	const char *state_file = argv[optind + 1];
	signal(SIGALRM, on_alarm);
	alarm((unsigned)timeout);

	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock_path);
	int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	unlink(sock_path);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(ls, 1) < 0) {
		perror("seccomp_agent: listen");
		return 1;
	}
	/* ready: the test waits for the socket to exist */
	int conn = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	if (conn < 0) {
		perror("seccomp_agent: accept");
		return 1;
	}

	/* the state, possibly over several reads; the fd comes with the first */
	static char buf[65536];
	size_t len = 0;
	int nfd = -1;
	for (;;) {
		char ctl[CMSG_SPACE(sizeof(int))];
		struct iovec iov = { .iov_base = buf + len, .iov_len = sizeof buf - 1 - len };
		struct msghdr msg = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = ctl, .msg_controllen = sizeof ctl,
		};
		ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
				memcpy(&nfd, CMSG_DATA(c), sizeof(int));
		len += (size_t)n;
	}
	close(conn);
	close(ls);
	unlink(sock_path);
	sock_path = NULL;
	FILE *f = fopen(state_file, "w");
	if (f) {
		fwrite(buf, 1, len, f);
		fclose(f);
	}
	if (nfd < 0) {
		fprintf(stderr, "seccomp_agent: no file descriptor received\n");
		return 1;
	}

	struct seccomp_notif_sizes sz;
	if (syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz) < 0) {
		perror("seccomp_agent: SECCOMP_GET_NOTIF_SIZES");
		return 1;
	}
	struct seccomp_notif *req = calloc(1, sz.seccomp_notif < sizeof *req ? sizeof *req : sz.seccomp_notif);
	struct seccomp_notif_resp *resp = calloc(1, sz.seccomp_notif_resp < sizeof *resp ? sizeof *resp : sz.seccomp_notif_resp);
	int answered = 0;
	for (;;) {
		struct pollfd p = { .fd = nfd, .events = POLLIN };
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p.revents & POLLHUP)
			break; /* no process uses the filter any more */
		memset(req, 0, sz.seccomp_notif);
		if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0) {
			if (errno == EINTR || errno == ENOENT)
				continue;
			break;
		}
		memset(resp, 0, sz.seccomp_notif_resp);
		resp->id = req->id;
		resp->error = answer_errno ? -answer_errno : 0;
		resp->val = 0;
		if (ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, resp) == 0) {
			printf("notified: nr=%d pid=%u\n", req->data.nr, req->pid);
			fflush(stdout);
			answered++;
		}
	}
	free(req);
	free(resp);
	return answered ? 0 : 1;
}
