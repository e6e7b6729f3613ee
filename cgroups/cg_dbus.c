/* brig — cgroups/cg_dbus.c: the connection to systemd's manager: the
 * socket, SASL EXTERNAL, method calls and their replies, JobRemoved.
 * Messages are built and parsed by cg_dbus_wire.c.
 *
 * Every wait is bounded by the call's deadline (poll), every message by
 * SDB_MAX_MSG: a peer that stops answering, or answers nonsense, costs us
 * the timeout and an error, never a hang.  After any error on the stream
 * the connection is broken and every later call fails at once.
 */
#include "cgroups/cg_dbus_wire.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#define SYSTEMD_DEST "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define MANAGER_IFACE "org.freedesktop.systemd1.Manager"
/* As dbus's own default for a method call. */
#define SDB_DEFAULT_TIMEOUT_MS 25000
/* JobRemoved signals kept for sdb_wait_job (oldest dropped past this). */
#define SDB_MAX_JOBS 64

struct sdb_job {
	char *path, *result;
};

struct sdb {
	int fd;
	bool bus;    /* a bus daemon between us and systemd */
	bool broken;
	/* AUTH and BEGIN sent, the server's OK not read yet (sdb_open_early):
	 * read before the first message goes out */
	bool auth_pending;
	/* On a bus, the unique name systemd answered from: anyone on the bus
	 * may send us a signal, only systemd's JobRemoved count. */
	char *systemd_sender;
	uint32_t serial;
	int timeout_ms;
	uint8_t *in; /* bytes read and not yet taken as a message */
	size_t in_len, in_cap;
	uint8_t *msg; /* the last message taken (strings of m point here) */
	struct sdb_msg m;
	struct sdb_job jobs[SDB_MAX_JOBS];
	size_t n_jobs;
	/* the unit whose jobs we start or stop: JobRemoved of other units'
	 * jobs (on a busy host, many) are not kept, so they cannot push
	 * ours out of jobs[] */
	char *unit;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int broken(struct sdb *b, brig_error_t **err, int errnum, const char *what)
{
	b->broken = true;
	return brig_err(err, errnum, "D-Bus: %s", what);
}

/* Wait for fd to be ready for events, until deadline. */
static int wait_fd(struct sdb *b, short events, long long deadline, brig_error_t **err)
{
	struct pollfd pfd = { .fd = b->fd, .events = events };

	for (;;) {
		long long left = deadline - now_ms();
		int n;

		if (left <= 0)
			return broken(b, err, ETIMEDOUT, "no answer from systemd");
		n = poll(&pfd, 1, (int)(left > 60000 ? 60000 : left));
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return broken(b, err, errno, "poll");
	}
}

static int send_all(struct sdb *b, const void *p, size_t len, long long deadline,
		    brig_error_t **err)
{
	const uint8_t *c = p;

	while (len > 0) {
		ssize_t n = send(b->fd, c, len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (wait_fd(b, POLLOUT, deadline, err) < 0)
				return -1;
			continue;
		}
		if (n < 0)
			return broken(b, err, errno, "send");
		c += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read more bytes into b->in (want: how many in all, at most). */
static int recv_some(struct sdb *b, size_t want, long long deadline, brig_error_t **err)
{
	if (want > b->in_cap) {
		b->in_cap = want;
		b->in = xrealloc(b->in, b->in_cap);
	}
	for (;;) {
		ssize_t n = recv(b->fd, b->in + b->in_len, b->in_cap - b->in_len,
				 MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

		if (n > 0) {
			b->in_len += (size_t)n;
			return 0;
		}
		if (n == 0)
			return broken(b, err, 0, "systemd closed the connection");
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			return broken(b, err, errno, "recv");
		if (wait_fd(b, POLLIN, deadline, err) < 0)
			return -1;
	}
}

/* ---- SASL ---------------------------------------------------------------- */

/* One line of the server's (up to \r\n, at most 512 bytes), taken out of
 * b->in: what follows it stays there for the messages. */
static int read_line(struct sdb *b, char *line, size_t size, long long deadline,
		     brig_error_t **err)
{
	for (;;) {
		uint8_t *nl = b->in_len ? memchr(b->in, '\n', b->in_len) : NULL;

		if (nl) {
			size_t n = (size_t)(nl - b->in) + 1;

			if (n < 2 || nl[-1] != '\r' || n - 2 >= size)
				return broken(b, err, 0, "a malformed authentication line");
			memcpy(line, b->in, n - 2);
			line[n - 2] = '\0';
			memmove(b->in, b->in + n, b->in_len - n);
			b->in_len -= n;
			return 0;
		}
		if (b->in_len >= size)
			return broken(b, err, 0, "an authentication line too long");
		if (recv_some(b, size, deadline, err) < 0)
			return -1;
	}
}

/* Our uid as the peer sees it: the bus checks the uid we claim against
 * the socket's credentials, which the kernel gives in its own user
 * namespace.  Inside a user namespace (rootless Podman runs brig as uid 0
 * in one) that is the uid ours maps to, from /proc/self/uid_map. */
static unsigned outer_uid(void)
{
	unsigned long in, out, count, uid = geteuid();
	cleanup_fclose FILE *f = fopen("/proc/self/uid_map", "re");

	while (f && fscanf(f, "%lu %lu %lu", &in, &out, &count) == 3)
		if (uid >= in && uid - in < count)
			return (unsigned)(out + (uid - in));
	return (unsigned)uid;
}

/* The server's answer to AUTH, once. */
static int auth_reply(struct sdb *b, long long deadline, brig_error_t **err)
{
	char line[512];

	if (!b->auth_pending)
		return 0;
	b->auth_pending = false;
	if (read_line(b, line, sizeof(line), deadline, err) < 0)
		return brig_err_prefix(err, "authentication");
	if (strncmp(line, "OK ", 3) != 0) {
		b->broken = true;
		return brig_err(err, EACCES, "D-Bus: authentication refused (%.64s)", line);
	}
	return 0;
}

/* Send AUTH and BEGIN; wait: read the server's OK now, else before the
 * first message is sent (auth_reply). */
static int authenticate(struct sdb *b, bool wait, brig_error_t **err)
{
	long long deadline = now_ms() + b->timeout_ms;
	char uid[16], hex[40], req[80];
	size_t n;

	snprintf(uid, sizeof(uid), "%u", outer_uid());
	for (n = 0; uid[n]; n++)
		snprintf(hex + 2 * n, 3, "%02x", (unsigned char)uid[n]);
	/* The NUL byte first: it carries the credentials on some systems.
	 * BEGIN goes with AUTH, before the OK, as sd-bus sends it: systemd
	 * (252) does not look at bytes that arrive in the same read as
	 * BEGIN until more come, so a call sent right after a separate
	 * BEGIN waited there for our whole timeout.  For the same reason no
	 * message follows before the OK is read: sent together with BEGIN,
	 * it would wait there too. */
	n = (size_t)snprintf(req, sizeof(req), "%cAUTH EXTERNAL %s\r\nBEGIN\r\n", '\0', hex);
	if (send_all(b, req, n, deadline, err) < 0)
		return brig_err_prefix(err, "authentication");
	b->auth_pending = true;
	return wait ? auth_reply(b, deadline, err) : 0;
}

/* ---- messages ------------------------------------------------------------ */

/* Take the next whole message off the stream into b->msg / b->m. */
static int read_msg(struct sdb *b, long long deadline, brig_error_t **err)
{
	size_t total;

	/* a peer that never stops sending (signals) must not keep us here
	 * either: poll only looks at the clock when there is nothing to read */
	if (now_ms() >= deadline)
		return broken(b, err, ETIMEDOUT, "no answer from systemd");
	if (auth_reply(b, deadline, err) < 0)
		return -1;
	while (b->in_len < 16)
		if (recv_some(b, 4096, deadline, err) < 0)
			return -1;
	if (sdb_msg_size(b->in, &total, err) < 0) {
		b->broken = true;
		return -1;
	}
	while (b->in_len < total)
		if (recv_some(b, total, deadline, err) < 0)
			return -1;
	free(b->msg);
	b->msg = xmalloc(total);
	memcpy(b->msg, b->in, total);
	memmove(b->in, b->in + total, b->in_len - total);
	b->in_len -= total;
	if (sdb_msg_parse(b->msg, total, &b->m, err) < 0) {
		b->broken = true;
		return -1;
	}
	return 0;
}

static void keep_job(struct sdb *b, const char *path, const char *result)
{
	if (b->n_jobs == SDB_MAX_JOBS) {
		free(b->jobs[0].path);
		free(b->jobs[0].result);
		memmove(&b->jobs[0], &b->jobs[1], (SDB_MAX_JOBS - 1) * sizeof(b->jobs[0]));
		b->n_jobs--;
	}
	b->jobs[b->n_jobs].path = xstrdup(path);
	b->jobs[b->n_jobs].result = xstrdup(result);
	b->n_jobs++;
}

/* A JobRemoved(u id, o job, s unit, s result) is kept for sdb_wait_job;
 * other signals (and calls to us) are of no interest. */
static void note_signal(struct sdb *b)
{
	struct sdb_rd r = b->m.body;
	const char *job, *unit, *result;
	uint32_t id;

	if (b->bus && !(b->systemd_sender && b->m.h.sender &&
			strcmp(b->m.h.sender, b->systemd_sender) == 0))
		return;
	if (b->m.h.type != SDB_SIGNAL || strcmp(b->m.h.member, "JobRemoved") != 0 ||
	    strcmp(b->m.h.iface, MANAGER_IFACE) != 0 || strcmp(b->m.h.sig, "uoss") != 0)
		return;
	if (sdb_rd_u32(&r, &id) < 0 || sdb_rd_str(&r, &job) < 0 ||
	    sdb_rd_str(&r, &unit) < 0 || sdb_rd_str(&r, &result) < 0)
		return; /* a broken signal: as if not sent */
	if (b->unit && strcmp(unit, b->unit) != 0)
		return;
	keep_job(b, job, result);
}

/* JobRemoved of unit's jobs are kept from now on. */
static void watch_unit(struct sdb *b, const char *unit)
{
	if (b->unit && strcmp(b->unit, unit) == 0)
		return;
	free(b->unit);
	b->unit = xstrdup(unit);
}

static int reply_error(struct sdb *b, brig_error_t **err)
{
	const char *name = b->m.h.error_name, *text = NULL;
	struct sdb_rd r = b->m.body;
	enum brig_err_kind kind = BRIG_E_OTHER;
	cleanup_free char *msg = NULL;

	if (b->m.h.sig[0] == 's' && sdb_rd_str(&r, &text) < 0)
		text = NULL;
	if (strcmp(name, "org.freedesktop.systemd1.NoSuchUnit") == 0 ||
	    strcmp(name, "org.freedesktop.DBus.Error.UnknownObject") == 0)
		kind = BRIG_E_NOT_FOUND;
	msg = text ? xasprintf("%s: %s", name, text) : xstrdup(name);
	return brig_err_set(err, 0, kind, msg);
}

/* Send a method call and read until its reply: 0 with the reply in b->m
 * (of signature reply_sig), or -1 (its error, or ours). */
static int call(struct sdb *b, const char *dest, const char *path, const char *iface,
		const char *member, const char *sig, const struct sdb_buf *body,
		const char *reply_sig, brig_error_t **err)
{
	long long deadline = now_ms() + b->timeout_ms;
	struct sdb_hdr h = {
		.type = SDB_METHOD_CALL, .serial = ++b->serial, .path = path,
		.iface = iface, .member = member, .dest = dest, .sig = sig,
	};
	struct sdb_buf out = { 0 };
	int r;

	if (b->broken)
		return brig_err(err, 0, "D-Bus: %s: the connection is broken", member);
	if (auth_reply(b, deadline, err) < 0)
		return brig_err_prefix(err, "%s", member);
	sdb_msg_build(&out, &h, body);
	r = send_all(b, out.p, out.len, deadline, err);
	sdb_buf_free(&out);
	while (r == 0) {
		r = read_msg(b, deadline, err);
		if (r < 0)
			break;
		if ((b->m.h.type == SDB_METHOD_RETURN || b->m.h.type == SDB_ERROR) &&
		    b->m.h.reply_serial == h.serial)
			break;
		note_signal(b);
	}
	if (r < 0)
		return brig_err_prefix(err, "%s", member);
	if (b->bus && !b->systemd_sender && strcmp(dest, SYSTEMD_DEST) == 0 &&
	    b->m.h.sender)
		b->systemd_sender = xstrdup(b->m.h.sender);
	if (b->m.h.type == SDB_ERROR)
		return reply_error(b, err);
	if (strcmp(b->m.h.sig, reply_sig) != 0)
		return brig_err(err, 0, "D-Bus: %s: a reply of signature '%s', not '%s'",
				member, b->m.h.sig, reply_sig);
	return 0;
}

static int call_manager(struct sdb *b, const char *member, const char *sig,
			const struct sdb_buf *body, const char *reply_sig,
			brig_error_t **err)
{
	return call(b, SYSTEMD_DEST, SYSTEMD_PATH, MANAGER_IFACE, member, sig,
		    body, reply_sig, err);
}

/* The reply's first string (s or o), copied. */
static int reply_str(struct sdb *b, const char *member, char **out, brig_error_t **err)
{
	struct sdb_rd r = b->m.body;
	const char *s;

	if (sdb_rd_str(&r, &s) < 0)
		return brig_err(err, 0, "D-Bus: %s: a malformed reply", member);
	*out = xstrdup(s);
	return 0;
}

/* ---- the calls ----------------------------------------------------------- */

int sdb_start_transient_unit(struct sdb *b, const char *unit,
			     const struct sdb_props *props, char **job,
			     brig_error_t **err)
{
	struct sdb_buf body = { 0 };
	size_t at, start;
	int r;

	watch_unit(b, unit);
	sdb_put_str(&body, unit);
	sdb_put_str(&body, "fail");
	sdb_put_props(&body, props);
	at = sdb_array_begin(&body, 8, &start); /* no auxiliary units */
	sdb_array_end(&body, at, start);
	r = call_manager(b, "StartTransientUnit", "ssa(sv)a(sa(sv))", &body, "o", err);
	sdb_buf_free(&body);
	if (r == 0)
		r = reply_str(b, "StartTransientUnit", job, err);
	return r;
}

int sdb_set_unit_properties(struct sdb *b, const char *unit, bool runtime,
			    const struct sdb_props *props, brig_error_t **err)
{
	struct sdb_buf body = { 0 };
	int r;

	sdb_put_str(&body, unit);
	sdb_put_u32(&body, runtime ? 1 : 0);
	sdb_put_props(&body, props);
	r = call_manager(b, "SetUnitProperties", "sba(sv)", &body, "", err);
	sdb_buf_free(&body);
	return r;
}

int sdb_stop_unit(struct sdb *b, const char *unit, char **job, brig_error_t **err)
{
	struct sdb_buf body = { 0 };
	int r;

	watch_unit(b, unit);
	sdb_put_str(&body, unit);
	sdb_put_str(&body, "replace");
	r = call_manager(b, "StopUnit", "ss", &body, "o", err);
	sdb_buf_free(&body);
	if (r == 0)
		r = reply_str(b, "StopUnit", job, err);
	return r;
}

static int call_unit(struct sdb *b, const char *member, const char *unit,
		     const char *reply_sig, brig_error_t **err)
{
	struct sdb_buf body = { 0 };
	int r;

	sdb_put_str(&body, unit);
	r = call_manager(b, member, "s", &body, reply_sig, err);
	sdb_buf_free(&body);
	return r;
}

int sdb_attach_processes(struct sdb *b, const char *unit, const char *subcgroup,
			 const uint32_t *pids, size_t n, brig_error_t **err)
{
	struct sdb_buf body = { 0 };
	size_t at, start;
	int r;

	sdb_put_str(&body, unit);
	sdb_put_str(&body, subcgroup);
	at = sdb_array_begin(&body, 4, &start);
	for (size_t i = 0; i < n; i++)
		sdb_put_u32(&body, pids[i]);
	sdb_array_end(&body, at, start);
	r = call_manager(b, "AttachProcessesToUnit", "ssau", &body, "", err);
	sdb_buf_free(&body);
	return r;
}

int sdb_reset_failed_unit(struct sdb *b, const char *unit, brig_error_t **err)
{
	return call_unit(b, "ResetFailedUnit", unit, "", err);
}

int sdb_get_unit(struct sdb *b, const char *unit, char **path, brig_error_t **err)
{
	if (call_unit(b, "GetUnit", unit, "o", err) < 0)
		return -1;
	return reply_str(b, "GetUnit", path, err);
}

int sdb_get_property_string(struct sdb *b, const char *path, const char *iface,
			    const char *prop, char **value, brig_error_t **err)
{
	struct sdb_buf body = { 0 };
	struct sdb_rd r;
	const char *sig, *s;
	int ret;

	sdb_put_str(&body, iface);
	sdb_put_str(&body, prop);
	ret = call(b, SYSTEMD_DEST, path, "org.freedesktop.DBus.Properties", "Get",
		   "ss", &body, "v", err);
	sdb_buf_free(&body);
	if (ret < 0)
		return -1;
	r = b->m.body;
	if (sdb_rd_sig(&r, &sig) < 0 || strcmp(sig, "s") != 0 || sdb_rd_str(&r, &s) < 0)
		return brig_err(err, 0, "D-Bus: Get %s: not a string", prop);
	*value = xstrdup(s);
	return 0;
}

/* A job's JobRemoved seen already: its result, taken out of the list. */
static bool take_job(struct sdb *b, const char *job, char **result)
{
	for (size_t i = 0; i < b->n_jobs; i++) {
		if (strcmp(b->jobs[i].path, job) != 0)
			continue;
		if (result)
			*result = b->jobs[i].result;
		else
			free(b->jobs[i].result);
		free(b->jobs[i].path);
		memmove(&b->jobs[i], &b->jobs[i + 1], (b->n_jobs - i - 1) * sizeof(b->jobs[0]));
		b->n_jobs--;
		return true;
	}
	return false;
}

int sdb_wait_job(struct sdb *b, const char *job, int timeout_ms, char **result,
		 brig_error_t **err)
{
	long long deadline = now_ms() + timeout_ms;

	if (result)
		*result = NULL;
	while (!take_job(b, job, result)) {
		if (b->broken)
			return brig_err(err, 0, "D-Bus: the connection is broken");
		if (read_msg(b, deadline, err) < 0)
			return brig_err_prefix(err, "waiting for job %s", job);
		note_signal(b);
	}
	return 0;
}

/* ---- connecting ---------------------------------------------------------- */

static void sdb_free(struct sdb *b)
{
	if (b->fd >= 0)
		close(b->fd);
	for (size_t i = 0; i < b->n_jobs; i++) {
		free(b->jobs[i].path);
		free(b->jobs[i].result);
	}
	free(b->in);
	free(b->msg);
	free(b->systemd_sender);
	free(b->unit);
	free(b);
}

int sdb_fd(const struct sdb *b)
{
	return b->fd;
}

void sdb_close(struct sdb *b)
{
	if (b)
		sdb_free(b);
}

void sdb_set_timeout(struct sdb *b, int timeout_ms)
{
	b->timeout_ms = timeout_ms;
}

/* Hello, then a match on JobRemoved and Subscribe: a bus only passes on
 * the signals we asked for, and systemd only sends them to subscribers. */
static int bus_hello(struct sdb *b, brig_error_t **err)
{
	struct sdb_buf body = { 0 };
	int r;

	r = call(b, "org.freedesktop.DBus", "/org/freedesktop/DBus",
		 "org.freedesktop.DBus", "Hello", "", NULL, "s", err);
	if (r < 0)
		return -1;
	sdb_put_str(&body, "type='signal',sender='" SYSTEMD_DEST "',interface='"
		    MANAGER_IFACE "',member='JobRemoved'");
	r = call(b, "org.freedesktop.DBus", "/org/freedesktop/DBus",
		 "org.freedesktop.DBus", "AddMatch", "s", &body, "", err);
	sdb_buf_free(&body);
	if (r == 0)
		r = call_manager(b, "Subscribe", "", NULL, "", err);
	return r;
}

static struct sdb *from_fd(int fd, bool auth, bool wait, bool bus, brig_error_t **err)
{
	struct sdb *b = xcalloc(1, sizeof(*b));
	int fl = fcntl(fd, F_GETFL);

	b->fd = fd;
	b->bus = bus;
	b->timeout_ms = SDB_DEFAULT_TIMEOUT_MS;
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		brig_err(err, errno, "D-Bus: fcntl");
		sdb_free(b);
		return NULL;
	}
	if ((auth && authenticate(b, wait || bus, err) < 0) || (bus && bus_hello(b, err) < 0)) {
		sdb_free(b);
		return NULL;
	}
	return b;
}

struct sdb *sdb_from_fd(int fd, bool auth, bool bus, brig_error_t **err)
{
	return from_fd(fd, auth, true, bus, err);
}

struct sdb *sdb_from_fd_early(int fd, bool bus, brig_error_t **err)
{
	return from_fd(fd, true, false, bus, err);
}
