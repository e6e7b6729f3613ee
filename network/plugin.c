/* brig — network/plugin.c: one CNI plugin call, as the specification
 * says: the executable found in CNI_PATH, the parameters in CNI_*
 * variables (and nothing else of brig's environment but a PATH, for the
 * iptables they run), the network configuration on stdin, the result (or
 * an error object) on stdout, exit status 0 for success. */
#include "network/network.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_CNI_PATH "/usr/lib/cni:/opt/cni/bin"
#define PLUGIN_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
/* iptables under a busy host's xtables lock can take seconds */
#define PLUGIN_TIMEOUT_MS 60000
#define OUT_MAX (1 << 20)
#define ERR_KEEP 2048

/* A directory root owns and nobody else may write: one whose programs we
 * may run as root. */
static bool trusted_dir(const char *dir, size_t n)
{
	char path[4096];
	struct stat st;

	if (n == 0 || n >= sizeof(path) || dir[0] != '/')
		return false;
	memcpy(path, dir, n);
	path[n] = '\0';
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == 0 &&
	       !(st.st_mode & (S_IWGRP | S_IWOTH));
}

/* $CNI_PATH when every directory in it is trusted_dir (the environment of
 * whoever runs brig, a service manager's or `sudo -E`'s, must not choose
 * which programs root runs), else Debian's and the usual place. */
static const char *cni_path(void)
{
	const char *p = getenv("CNI_PATH");

	if (!p || !*p)
		return DEFAULT_CNI_PATH;
	for (const char *c = p; *c;) {
		size_t n = strcspn(c, ":");
		if (!trusted_dir(c, n))
			return DEFAULT_CNI_PATH;
		c += n + (c[n] == ':');
	}
	return p;
}

static char *find_plugin(const char *type)
{
	const char *p = cni_path();

	while (*p) {
		size_t n = strcspn(p, ":");
		char *exe = xasprintf("%.*s/%s", (int)n, p, type);

		if (n && exe[0] == '/' && access(exe, X_OK) == 0)
			return exe;
		free(exe);
		p += n + (p[n] == ':');
	}
	return NULL;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

struct io {
	int in, out, errfd;
	const char *input;
	size_t in_len, in_off;
	char *outbuf;
	size_t out_len;
	char errbuf[ERR_KEEP + 1];
	size_t err_len;
};

static void take_err(struct io *io, const char *b, size_t n)
{
	if (n > ERR_KEEP)
		b += n - ERR_KEEP, n = ERR_KEEP;
	if (io->err_len + n > ERR_KEEP) {
		size_t drop = io->err_len + n - ERR_KEEP;
		memmove(io->errbuf, io->errbuf + drop, io->err_len - drop);
		io->err_len -= drop;
	}
	memcpy(io->errbuf + io->err_len, b, n);
	io->err_len += n;
}

/* Feed stdin, drain stdout and stderr until both are closed; -1 on timeout. */
static int pump(struct io *io, long long deadline)
{
	char buf[8192];

	while (io->out >= 0 || io->errfd >= 0) {
		struct pollfd p[3] = {{.fd = io->out, .events = POLLIN},
				      {.fd = io->errfd, .events = POLLIN},
				      {.fd = io->in, .events = POLLOUT}};
		long long left = deadline - now_ms();
		int n;

		if (left <= 0)
			return -1;
		n = poll(p, 3, (int)left);
		if (n < 0 && errno != EINTR)
			return -1;
		if (p[2].revents) {
			ssize_t w = write(io->in, io->input + io->in_off, io->in_len - io->in_off);
			if (w > 0)
				io->in_off += (size_t)w;
			if (w < 0 || io->in_off == io->in_len) {
				close(io->in);
				io->in = -1;
			}
		}
		if (p[0].revents) {
			ssize_t r = read(io->out, buf, sizeof(buf));
			if (r <= 0) {
				close(io->out);
				io->out = -1;
			} else if (io->out_len + (size_t)r <= OUT_MAX) {
				io->outbuf = xrealloc(io->outbuf, io->out_len + (size_t)r + 1);
				memcpy(io->outbuf + io->out_len, buf, (size_t)r);
				io->out_len += (size_t)r;
				io->outbuf[io->out_len] = '\0';
			}
		}
		if (p[1].revents) {
			ssize_t r = read(io->errfd, buf, sizeof(buf));
			if (r <= 0) {
				close(io->errfd);
				io->errfd = -1;
			} else {
				take_err(io, buf, (size_t)r);
			}
		}
	}
	return 0;
}

static void child(const char *exe, int in, int out, int errfd, char **env)
{
	char *argv[] = {(char *)exe, NULL};

	signal(SIGPIPE, SIG_DFL);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(errfd, 2) < 0)
		_exit(127);
	syscall(SYS_close_range, 3U, ~0U, 0U);
	execve(exe, argv, env);
	_exit(127);
}

/* The plugin's own words for a failure: its error object, else the end
 * of its stderr, else how it ended. */
static int failure(const char *type, const struct net_call *call, struct io *io,
		   int status, brig_error_t **err)
{
	cleanup_free char *text = io->outbuf ? spec_cni_error_text(io->outbuf, io->out_len) : NULL;
	char how[64];

	if (!text && io->err_len) {
		char *e = io->errbuf;
		io->errbuf[io->err_len] = '\0';
		while (io->err_len && (e[io->err_len - 1] == '\n' || e[io->err_len - 1] == ' '))
			e[--io->err_len] = '\0';
		char *nl = strrchr(e, '\n');
		text = xstrdup(nl ? nl + 1 : e);
	}
	if (!text)
		text = xstrdup(brig_wait_describe(status, how, sizeof(how)));
	return brig_err(err, 0, "CNI plugin %s (%s %s): %s", type, call->command, call->ifname, text);
}

int net_plugin_run(const char *type, const struct net_call *call, const char *input,
		   char **out, brig_error_t **err)
{
	cleanup_free char *exe = find_plugin(type);
	cleanup_free char *e_cmd = NULL, *e_id = NULL, *e_ns = NULL, *e_if = NULL, *e_path = NULL;
	int pin[2] = {-1, -1}, pout[2] = {-1, -1}, perr[2] = {-1, -1};
	struct io io = {.input = input, .in_len = strlen(input)};
	int status = 0, r;
	pid_t pid;

	*out = NULL;
	if (!exe)
		return brig_err(err, 0, "CNI plugin \"%s\" not found in %s "
				"(package containernetworking-plugins)", type, cni_path());
	e_cmd = xasprintf("CNI_COMMAND=%s", call->command);
	e_id = xasprintf("CNI_CONTAINERID=%s", call->id);
	e_ns = xasprintf("CNI_NETNS=%s", call->netns ? call->netns : "");
	e_if = xasprintf("CNI_IFNAME=%s", call->ifname);
	e_path = xasprintf("CNI_PATH=%s", cni_path());
	char *env[] = {e_cmd, e_id, e_ns, e_if, e_path, (char *)PLUGIN_PATH, NULL};

	if (pipe2(pin, O_CLOEXEC) < 0 || pipe2(pout, O_CLOEXEC) < 0 || pipe2(perr, O_CLOEXEC) < 0) {
		r = brig_err(err, errno, "CNI plugin %s: pipe", type);
		goto close_all;
	}
	pid = fork();
	if (pid < 0) {
		r = brig_err(err, errno, "CNI plugin %s: fork", type);
		goto close_all;
	}
	if (pid == 0)
		child(exe, pin[0], pout[1], perr[1], env);
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	pin[0] = pout[1] = perr[1] = -1;
	io.in = pin[1];
	io.out = pout[0];
	io.errfd = perr[0];
	fcntl(io.in, F_SETFL, O_NONBLOCK);
	r = pump(&io, now_ms() + PLUGIN_TIMEOUT_MS);
	if (r < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	pin[1] = io.in;
	pout[0] = io.out;
	perr[0] = io.errfd;
	if (r < 0)
		r = brig_err(err, ETIMEDOUT, "CNI plugin %s (%s %s): no answer in %d s", type,
			     call->command, call->ifname, PLUGIN_TIMEOUT_MS / 1000);
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		r = failure(type, call, &io, status, err);
	else
		*out = steal_ptr(io.outbuf);
close_all:
	for (int i = 0; i < 2; i++) {
		if (pin[i] >= 0)
			close(pin[i]);
		if (pout[i] >= 0)
			close(pout[i]);
		if (perr[i] >= 0)
			close(perr[i]);
	}
	free(io.outbuf);
	if (r == 0 && !*out)
		*out = xstrdup("");
	return r < 0 ? -1 : 0;
}
