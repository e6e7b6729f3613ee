/* brig — runtime/hooks.c: run OCI hooks (runtime.md, config.md "POSIX
 * platform hooks"): each gets the container state on stdin, its own args
 * and env, and is killed when its timeout passes. */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "base/proc.h"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int run_one(const struct spec_hook *h, const char *kind, size_t idx,
		   const char *state, brig_error_t **err)
{
	int in[2];
	pid_t pid;
	int status;

	if (pipe2(in, O_CLOEXEC) < 0)
		return brig_err(err, errno, "%s hook %zu: pipe", kind, idx);
	pid = fork();
	if (pid < 0) {
		close(in[0]);
		close(in[1]);
		return brig_err(err, errno, "%s hook %zu: fork", kind, idx);
	}
	if (pid == 0) {
		char *fallback[] = {h->path, NULL};
		char *noenv[] = {NULL};
		sigset_t all;
		sigemptyset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		signal(SIGPIPE, SIG_DFL);
		dup2(in[0], 0);
		execve(h->path, h->args.n ? h->args.v : fallback,
		       h->env.n ? h->env.v : noenv);
		dprintf(2, "brig: %s hook %s: exec: %s\n", kind, h->path, strerror(errno));
		_exit(127);
	}
	close(in[0]);
	fault_point("hook");
	/* the hook may not read its stdin: ignore EPIPE */
	(void)brig_write_all(in[1], state, strlen(state));
	close(in[1]);

	int pfd = brig_pidfd_open(pid);
	int64_t deadline = h->timeout.set ? now_ms() + h->timeout.v * 1000 : -1;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			if (pfd >= 0)
				close(pfd);
			return brig_err(err, errno, "%s hook %s: wait", kind, h->path);
		}
		int timeout = -1;
		if (deadline >= 0) {
			int64_t left = deadline - now_ms();
			if (left <= 0) {
				kill(pid, SIGKILL);
				waitpid(pid, &status, 0);
				if (pfd >= 0)
					close(pfd);
				return brig_err(err, 0, "%s hook %s: timed out after %lld s",
						kind, h->path, (long long)h->timeout.v);
			}
			timeout = (int)left;
		}
		if (pfd >= 0) {
			struct pollfd p = {.fd = pfd, .events = POLLIN};
			poll(&p, 1, timeout);
		} else {
			usleep(10000);
		}
	}
	if (pfd >= 0)
		close(pfd);
	if (brig_wait_code(status) == 0)
		return 0;
	char how[32];
	return brig_err(err, 0, "%s hook %s: %s", kind, h->path,
			brig_wait_describe(status, how, sizeof(how)));
}

int hooks_run(const struct spec_hook_list *hooks, const char *kind,
	      const char *state_json, brig_error_t **err)
{
	for (size_t i = 0; i < hooks->n; i++)
		if (run_one(&hooks->v[i], kind, i, state_json, err) < 0)
			return -1;
	return 0;
}
