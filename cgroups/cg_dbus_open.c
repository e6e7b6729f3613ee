/* brig — cgroups/cg_dbus_open.c: which socket reaches systemd's manager,
 * and connecting to it (the rest is cg_dbus.c).
 *
 * Root: $DBUS_SYSTEM_BUS_ADDRESS when set (an explicit choice, and what
 * the host tests use to point brig at their mock systemd), else systemd's
 * private socket, else the system bus's usual socket.  A user: its
 * manager's private socket, else the session bus.  Only unix:path=
 * addresses are taken; others (abstract, tcp, ...) are skipped.
 */
#include "cgroups/cg_dbus_wire.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#define SYSTEMD_PRIVATE "/run/systemd/private"
#define SYSTEM_BUS "/run/dbus/system_bus_socket"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The path of the first unix:path= address of a D-Bus address list
 * ("unix:path=/run/x,guid=...;tcp:..."), its %xx escapes undone; NULL
 * when there is none. */
char *sdb_address_path(const char *addr)
{
	while (addr && *addr) {
		size_t len = strcspn(addr, ";");
		const char *p = addr, *end = addr + len;

		if (len > 5 && strncmp(p, "unix:", 5) == 0) {
			p += 5;
			while (p < end) {
				size_t kl = strcspn(p, ",;");

				if (kl > 5 && strncmp(p, "path=", 5) == 0) {
					char *out = xmalloc(kl), *o = out;

					for (const char *c = p + 5; c < p + kl; c++) {
						if (*c == '%' && c + 2 < p + kl &&
						    hexval(c[1]) >= 0 && hexval(c[2]) >= 0) {
							*o++ = (char)(hexval(c[1]) * 16 + hexval(c[2]));
							c += 2;
						} else {
							*o++ = *c;
						}
					}
					*o = '\0';
					if (strlen(out) == (size_t)(o - out))
						return out;
					free(out); /* an escaped NUL: no path */
				}
				p += kl + (p[kl] == ',');
			}
		}
		addr = *end ? end + 1 : end;
	}
	return NULL;
}

static int connect_unix(const char *path, brig_error_t **err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return brig_err(err, ENAMETOOLONG, "D-Bus: connect %s", path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return brig_err(err, errno, "D-Bus: socket");
	/* a unix connect does not wait: it succeeds, or fails with EAGAIN
	 * when the listener's backlog is full */
	while (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno == EINTR)
			continue;
		brig_err(err, errno, "D-Bus: connect %s", path);
		close(fd);
		return -1;
	}
	return fd;
}

static struct sdb *from_fd(int fd, bool bus, bool wait, brig_error_t **err)
{
	return wait ? sdb_from_fd(fd, true, bus, err) : sdb_from_fd_early(fd, bus, err);
}

/* Connect to path and speak: bus says whether a bus daemon is there. */
static struct sdb *open_path(const char *path, bool bus, bool wait, brig_error_t **err)
{
	int fd = connect_unix(path, err);
	struct sdb *b;

	if (fd < 0)
		return NULL;
	b = from_fd(fd, bus, wait, err);
	if (!b)
		brig_err_prefix(err, "%s", path);
	return b;
}

/* The private socket when it can be opened at all, else NULL (and no
 * error): the bus is tried next. */
static struct sdb *open_private(const char *path, bool wait, brig_error_t **err)
{
	cleanup_err brig_error_t *ignored = NULL;
	int fd = connect_unix(path, &ignored);
	struct sdb *b;

	if (fd < 0)
		return NULL;
	b = from_fd(fd, false, wait, err);
	if (!b)
		brig_err_prefix(err, "%s", path);
	return b;
}

static struct sdb *open_env_bus(const char *var, const char *fallback, bool wait,
				brig_error_t **err)
{
	const char *addr = getenv(var);
	cleanup_free char *path = NULL;

	if (addr && *addr) {
		path = sdb_address_path(addr);
		if (!path) {
			brig_err(err, 0, "D-Bus: $%s names no unix:path= address", var);
			return NULL;
		}
		return open_path(path, true, wait, err);
	}
	if (!fallback) {
		brig_err(err, 0, "D-Bus: no session bus ($%s and $XDG_RUNTIME_DIR unset)", var);
		return NULL;
	}
	return open_path(fallback, true, wait, err);
}

static struct sdb *open_system(bool wait, brig_error_t **err)
{
	const char *addr = getenv("DBUS_SYSTEM_BUS_ADDRESS");
	struct sdb *b;

	if (!(addr && *addr)) {
		b = open_private(SYSTEMD_PRIVATE, wait, err);
		if (b || *err)
			return b;
	}
	return open_env_bus("DBUS_SYSTEM_BUS_ADDRESS", SYSTEM_BUS, wait, err);
}

static struct sdb *open_user(bool wait, brig_error_t **err)
{
	const char *run = getenv("XDG_RUNTIME_DIR");
	cleanup_free char *priv = NULL, *bus = NULL;
	struct sdb *b;

	if (run && *run) {
		priv = xasprintf("%s/systemd/private", run);
		bus = xasprintf("%s/bus", run);
		b = open_private(priv, wait, err);
		if (b || *err)
			return b;
	}
	return open_env_bus("DBUS_SESSION_BUS_ADDRESS", bus, wait, err);
}

struct sdb *sdb_open(bool user, brig_error_t **err)
{
	return user ? open_user(true, err) : open_system(true, err);
}

struct sdb *sdb_open_early(bool user, brig_error_t **err)
{
	return user ? open_user(false, err) : open_system(false, err);
}
