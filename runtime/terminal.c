/* brig — runtime/terminal.c: the container's terminal (terminals.md) and a
 * foreground `run`'s wait: signal forwarding and, with a terminal, copying
 * between our stdio and the pty master. */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

int terminal_take_control(brig_error_t **err)
{
	if (setsid() < 0)
		return brig_err(err, errno, "setsid");
	if (ioctl(0, TIOCSCTTY, 0) < 0)
		return brig_err(err, errno, "process.terminal: set controlling terminal");
	return 0;
}

int terminal_open(const struct spec_process *p, bool console, bool session, brig_error_t **err)
{
	cleanup_close int master = -1;
	cleanup_close int slave = -1;
	int unlock = 0, n = -1;
	char path[32];

	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return brig_err(err, errno, "process.terminal: open /dev/ptmx");
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &n) < 0)
		return brig_err(err, errno, "process.terminal: unlock pty");
	slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	if (slave < 0)
		return brig_err(err, errno, "process.terminal: open pty peer");
	if (p->has_console_size) {
		struct winsize ws = {.ws_row = (unsigned short)p->console_height,
				     .ws_col = (unsigned short)p->console_width};
		if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
			return brig_err(err, errno, "process.consoleSize");
	}
	/* /dev/console is the pty, as runc and crun do */
	snprintf(path, sizeof(path), "/dev/pts/%d", n);
	if (console) {
		int fd = open("/dev/console", O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
		if (fd >= 0) {
			close(fd);
			if (mount(path, "/dev/console", NULL, MS_BIND, NULL) < 0)
				return brig_err(err, errno, "bind %s on /dev/console", path);
		}
	}
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return brig_err(err, errno, "process.terminal: dup2");
	if (session && terminal_take_control(err) < 0)
		return -1;
	return steal_fd(master);
}

int terminal_hand_over(const char *console_socket, int fd, int *pty_master,
		       brig_error_t **err)
{
	if (!console_socket) {
		*pty_master = fd;
		return 0;
	}
	int r = send_fd_to_socket(console_socket, fd, err);
	close(fd);
	return r;
}

static int block_signals(sigset_t *old)
{
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, old);
	return signalfd(-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
}

static void copy_winsize(int from, int to)
{
	struct winsize ws;
	if (ioctl(from, TIOCGWINSZ, &ws) == 0)
		ioctl(to, TIOCSWINSZ, &ws);
}

/* Handle pending signals; returns true once pid has exited (*status set). */
static bool handle_signals(int sfd, pid_t pid, int master, int *status)
{
	struct signalfd_siginfo si;
	bool exited = false;

	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			pid_t r;
			int st;
			/* reap everything: with CLONE_PARENT helpers we may
			 * have more than one child */
			while ((r = waitpid(-1, &st, WNOHANG)) > 0)
				if (r == pid) {
					*status = st;
					exited = true;
				}
		} else if (si.ssi_signo == SIGWINCH && master >= 0) {
			copy_winsize(0, master);
		} else {
			kill(pid, (int)si.ssi_signo);
		}
	}
	/* a SIGCHLD may have been merged with one read before we blocked */
	if (!exited) {
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			*status = st;
			exited = true;
		}
	}
	return exited;
}

int forward_signals_and_wait(pid_t pid)
{
	sigset_t old;
	int sfd = block_signals(&old);
	int status = 0;

	for (;;) {
		struct pollfd pf = {.fd = sfd, .events = POLLIN};
		if (handle_signals(sfd, pid, -1, &status))
			break;
		poll(&pf, 1, -1);
	}
	close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return status;
}

static bool pump(int from, int to)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n <= 0)
		return n < 0 && (errno == EAGAIN || errno == EINTR);
	return brig_write_all(to, buf, (size_t)n) == 0;
}

int terminal_proxy_and_wait(int master, pid_t pid)
{
	sigset_t old;
	int sfd = block_signals(&old);
	int status = 0;
	struct termios saved, raw;
	bool is_tty = isatty(0) && tcgetattr(0, &saved) == 0;
	bool in_open = true, exited = false;

	if (is_tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(0, TCSANOW, &raw);
		copy_winsize(0, master);
	}
	while (!exited) {
		struct pollfd pf[3] = {
			{.fd = sfd, .events = POLLIN},
			{.fd = master, .events = POLLIN},
			{.fd = in_open ? 0 : -1, .events = POLLIN},
		};
		if (poll(pf, 3, -1) < 0 && errno != EINTR)
			break;
		if (pf[1].revents & POLLIN)
			pump(master, 1);
		if (pf[2].revents & (POLLIN | POLLHUP)) {
			if (!pump(0, master))
				in_open = false;
		}
		if (handle_signals(sfd, pid, master, &status))
			exited = true;
	}
	/* drain what the process wrote before it exited */
	fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	while (pump(master, 1)) {
		struct pollfd pf = {.fd = master, .events = POLLIN};
		if (poll(&pf, 1, 0) <= 0 || !(pf.revents & POLLIN))
			break;
	}
	if (is_tty)
		tcsetattr(0, TCSANOW, &saved);
	close(sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return status;
}
