/* brig — runtime/service.c: `brig start` of a stopped service, as
 * `docker start` of an exited container.
 *
 * A container run under a log monitor (`run -d --log-path`, `--restart`,
 * `create --log-path`) has its options recorded in its state directory
 * (service.json, spec/service.h): log, rotation, restart policy,
 * networks, published ports, pid file.  Once it has stopped, `brig start`
 * launches a new log monitor with those options; the monitor takes the
 * container over as a restart does (container_teardown of what is left,
 * the directory cleared but for the state, the record and the log), and
 * runs it through the ordinary create path with the same id: cgroups,
 * namespaces, networks and ports are set up again, the log goes on.
 *
 * One monitor at a time: each holds an flock on monitor.lock for its
 * whole life, and a new one starts only once it has taken that lock.  A
 * monitor still waiting to restart the container (restart.pending) keeps
 * it: start then says so (`brig stop` cancels the restart).  A container
 * brig ran without a log monitor stays as runc's: a stopped one cannot be
 * started. */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec/service.h"

/* How long start waits for an old monitor to finish (it records the
 * exit, then ends at once when there is no restart to wait for). */
#define TAKE_WAIT_MS 3000
#define TAKE_POLL_MS 20

/* struct dir_ident as service.json keeps it: "DEV:INO", or NULL. */
static char *dir_ident_format(const struct dir_ident *id)
{
	return id->set ? xasprintf("%llu:%llu", id->dev, id->ino) : NULL;
}

static int dir_ident_parse(const char *s, struct dir_ident *id, brig_error_t **err)
{
	char end;

	memset(id, 0, sizeof(*id));
	if (!s)
		return 0;
	if (sscanf(s, "%llu:%llu%c", &id->dev, &id->ino, &end) != 2)
		return brig_err(err, 0, "a directory: expected DEV:INO, got \"%s\"", s);
	id->set = true;
	return 0;
}

int service_record(const struct brig_globals *g, struct container *ct,
		   const struct create_opts *o, int *lock_fd, brig_error_t **err)
{
	if (*lock_fd < 0) {
		*lock_fd = openat(ct->dir_fd, MONITOR_LOCK, O_RDWR | O_CREAT | O_NOFOLLOW |
				  O_CLOEXEC, 0600);
		if (*lock_fd < 0 || flock(*lock_fd, LOCK_EX | LOCK_NB) < 0)
			return brig_err(err, errno, "log monitor: lock %s/%s", ct->dir,
					MONITOR_LOCK);
	}
	struct spec_service s = {
		.log_path = o->log_path && o->log_path[0] ? (char *)o->log_path : NULL,
		.log_max_size = o->log_max_size,
		.log_max_files = o->log_max_files,
		.restart = restart_format(&o->restart),
		.pid_file = (char *)o->pid_file,
		.network_dir = (char *)g->network_dir,
		.systemd_cgroup = g->systemd_cgroup,
		.no_pivot = o->no_pivot,
		.no_new_keyring = o->no_new_keyring,
		.ports = o->ports,
		.n_ports = o->n_ports,
	};
	cleanup_free char **nets = xcalloc(o->n_networks + 1, sizeof(*nets));
	for (size_t i = 0; i < o->n_networks; i++)
		nets[i] = (char *)o->networks[i];
	s.networks.v = nets;
	s.networks.n = o->n_networks;
	cleanup_free char *log_dir = dir_ident_format(&o->log_dir);
	cleanup_free char *pid_dir = dir_ident_format(&o->pid_dir);
	s.log_dir = log_dir;
	s.pid_file_dir = pid_dir;
	cleanup_free char *json = spec_service_to_json(&s);
	free(s.restart);

	static const char tmp[] = SERVICE_FILE ".tmp";
	int fd = openat(ct->dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
			0600);
	if (fd < 0 || brig_write_all(fd, json, strlen(json)) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		(void)unlinkat(ct->dir_fd, tmp, 0);
		return brig_err(err, e, "write %s/%s", ct->dir, SERVICE_FILE);
	}
	close(fd);
	if (renameat(ct->dir_fd, tmp, ct->dir_fd, SERVICE_FILE) < 0)
		return brig_err(err, errno, "rename %s/%s", ct->dir, SERVICE_FILE);
	return 0;
}

bool service_recorded(struct container *ct)
{
	struct stat sb;

	return ct->dir_fd >= 0 && fstatat(ct->dir_fd, SERVICE_FILE, &sb, AT_SYMLINK_NOFOLLOW) == 0;
}

bool service_monitor_alive(struct container *ct)
{
	cleanup_close int fd = openat(ct->dir_fd, MONITOR_LOCK, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	/* shared and at once: it only asks, and lets go as it returns */
	return fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
}

/* A rerun's create is its monitor's, which holds MONITOR_LOCK throughout
 * (the first run's comes before service.json): a container still
 * "creating" with no monitor left is one whose monitor was killed
 * mid-create.  Starting it again is the way out, as after a failure
 * (delete --force would take the log in the state directory with it). */
static bool creator_gone(struct container *ct, enum spec_status st)
{
	return st == SPEC_STATUS_CREATING && !service_monitor_alive(ct);
}

bool service_startable(struct container *ct)
{
	enum spec_status st = container_status(ct);

	/* the record first: no probe of the lock of a first run's monitor */
	return service_recorded(ct) && (st == SPEC_STATUS_STOPPED || creator_gone(ct, st));
}

/* service.json of a locked container: ours, a regular file. */
static int read_record(struct container *ct, struct spec_service *s, brig_error_t **err)
{
	cleanup_free char *path = xasprintf("%s/%s", ct->dir, SERVICE_FILE);
	int fd = safefile_open(ct->dir_fd, SERVICE_FILE, path, O_RDONLY, geteuid(), err);
	size_t len = 0;

	if (fd < 0)
		return -1;
	cleanup_free char *text = brig_read_fd(fd, &len);
	close(fd);
	if (!text)
		return brig_err(err, errno, "read %s", path);
	return spec_service_parse(text, len, s, err);
}

int service_start(const struct brig_globals *g, const char *id, brig_error_t **err)
{
	struct container *ct = container_open(g, id, true, err);
	struct spec_service s;
	int r = -1;

	if (!ct)
		return -1;
	if (read_record(ct, &s, err) < 0) {
		brig_err_prefix(err, "cannot start container \"%s\"", id);
		container_free(ct);
		return -1;
	}
	/* the new monitor takes the lock, and this very directory: see
	 * create_opts.again_dir_fd */
	cleanup_close int held = openat(ct->dir_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	container_free(ct);
	if (held < 0) {
		spec_service_free(&s);
		return brig_err(err, errno, "cannot start container \"%s\": open its directory", id);
	}

	struct brig_globals g2 = *g;
	g2.network_dir = s.network_dir;
	g2.systemd_cgroup = s.systemd_cgroup;
	struct create_opts o = {
		.pid_file = s.pid_file,
		.no_pivot = s.no_pivot,
		.no_new_keyring = s.no_new_keyring,
		.detach = true,
		.logged = true,
		.log_path = s.log_path,
		.log_max_size = s.log_max_size,
		.log_max_files = s.log_max_files,
		.networks = (const char **)s.networks.v,
		.n_networks = s.networks.n,
		.ports = s.ports,
		.n_ports = s.n_ports,
		.again = true,
		.again_dir_fd = held,
	};
	if (dir_ident_parse(s.log_dir, &o.log_dir, err) == 0 &&
	    dir_ident_parse(s.pid_file_dir, &o.pid_dir, err) == 0 &&
	    restart_parse(s.restart, &o.restart, err) == 0)
		r = monitor_launch(&g2, id, &o, true, err);
	else
		brig_err_prefix(err, "cannot start container \"%s\": %s", id, SERVICE_FILE);
	spec_service_free(&s);
	return r;
}

static bool restart_pending(int dir_fd)
{
	return faccessat(dir_fd, RESTART_PENDING, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Started meanwhile (another start won the race)? */
static bool started_meanwhile(const struct brig_globals *g, const char *id, brig_error_t **err)
{
	brig_error_t *e = NULL;
	struct container *ct = container_open(g, id, false, &e);
	enum spec_status st = ct ? container_status(ct) : SPEC_STATUS_STOPPED;

	brig_err_free(&e);
	container_free(ct);
	if (st == SPEC_STATUS_STOPPED || st == SPEC_STATUS_CREATING)
		return false;
	brig_err(err, 0, "cannot start container \"%s\": it is %s", id, spec_status_name(st));
	return true;
}

/* MONITOR_LOCK, once the last monitor is gone: it may still be recording
 * the exit, or ending; one waiting to restart keeps it, as does one that
 * another start launched a moment ago. */
static int take_monitor_lock(const struct brig_globals *g, const char *dir, const char *id,
			     brig_error_t **err)
{
	cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	/* not created: the first monitor made it before service.json, and
	 * one missing means a delete is emptying the directory (a file
	 * made now would keep its rmdir from removing it) */
	int fd = dfd < 0 ? -1 : openat(dfd, MONITOR_LOCK, O_RDWR | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? brig_err_kind(err, BRIG_E_NOT_FOUND, 0,
						       "container \"%s\" does not exist", id)
				       : brig_err(err, errno, "open %s/%s", dir, MONITOR_LOCK);
	for (int waited = 0;; waited += TAKE_POLL_MS) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if (errno != EWOULDBLOCK && errno != EINTR)
			break;
		if (started_meanwhile(g, id, err)) {
			close(fd);
			return -1;
		}
		if (restart_pending(dfd)) {
			close(fd);
			return brig_err(err, 0, "cannot start container \"%s\": its log monitor is "
					"about to restart it (--restart; brig stop %s cancels that)",
					id, id);
		}
		if (waited >= TAKE_WAIT_MS) {
			close(fd);
			return brig_err(err, 0, "cannot start container \"%s\": its log monitor is "
					"still running", id);
		}
		(void)poll(NULL, 0, TAKE_POLL_MS);
	}
	int e = errno;
	close(fd);
	return brig_err(err, e, "lock %s/%s", dir, MONITOR_LOCK);
}

/* The log's name when it lies in the state directory: kept by the clear. */
static const char *log_here(struct container *ct, const struct create_opts *o)
{
	if (!o->log_path || !o->log_path[0])
		return "container.log";
	const char *slash = strrchr(o->log_path, '/');
	cleanup_free char *parent = xstrdup(o->log_path);
	parent[slash == o->log_path ? 1 : slash - o->log_path] = '\0';
	struct stat a, b;
	if (stat(parent, &a) == 0 && fstat(ct->dir_fd, &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino)
		return slash + 1;
	return NULL;
}

struct container *service_take(const struct brig_globals *g, const char *id,
			       const struct create_opts *o, int *lock_fd, char **bundle,
			       brig_error_t **err)
{
	cleanup_free char *dir = xasprintf("%s/%s", g->root, id);

	fault_point("start-take");
	if (container_validate_id(id, err) < 0)
		return NULL;
	*lock_fd = take_monitor_lock(g, dir, id, err);
	if (*lock_fd < 0)
		return NULL;
	struct container *ct = container_open(g, id, true, err);
	if (!ct)
		return NULL;
	struct dir_ident now, then;
	dir_ident_get(ct->dir_fd, &now);
	dir_ident_get(o->again_dir_fd, &then);
	if (!now.set || !then.set || now.dev != then.dev || now.ino != then.ino) {
		brig_err(err, 0, "cannot start container \"%s\": it was deleted meanwhile", id);
		container_free(ct);
		return NULL;
	}
	/* "creating": its creator is gone, as we hold MONITOR_LOCK */
	enum spec_status st = container_status(ct);
	if (st != SPEC_STATUS_STOPPED && st != SPEC_STATUS_CREATING) {
		brig_err(err, 0, "cannot start container \"%s\": it is %s", id, spec_status_name(st));
		container_free(ct);
		return NULL;
	}
	*bundle = xstrdup(ct->state->bundle);
	if (container_teardown(ct, true, err) < 0) {
		brig_err_prefix(err, "cannot start container \"%s\"", id);
		container_free(ct);
		return NULL;
	}
	container_clear_last_run(ct->dir_fd, log_here(ct, o));
	return ct;
}
