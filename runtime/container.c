/* brig — runtime/container.c: the state directory of one container.
 *
 * <root>/<id>/ holds state.json (written atomically: temp file + rename),
 * exec.fifo while the container is created but not started, and a copy of
 * config.json.  Every command that changes the container holds flock() on
 * the directory itself. */
#include "runtime.h"

#include "cgroups/cgroups.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_ID_LEN 1024

int container_validate_id(const char *id, brig_error_t **err)
{
	size_t len = strlen(id);

	if (len == 0)
		return brig_err(err, 0, "container id must not be empty");
	if (len > MAX_ID_LEN)
		return brig_err(err, 0, "invalid container id: longer than %d characters", MAX_ID_LEN);
	if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return brig_err(err, 0, "invalid container id \"%s\"", id);
	for (const char *p = id; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_+-.", *p))
			return brig_err(err, 0,
					"invalid container id \"%s\": only letters, digits and _+-. are allowed",
					id);
	return 0;
}

char *timestamp_now(void)
{
	struct timespec ts;
	struct tm tm;
	char buf[64];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	return xasprintf("%s.%09ldZ", buf, ts.tv_nsec);
}

static int mkdir_root(const char *root, brig_error_t **err)
{
	if (mkdir(root, 0711) == 0 || errno == EEXIST)
		return 0;
	if (errno == ENOENT) {
		/* create parents, as runc does for --root */
		cleanup_free char *copy = xstrdup(root);
		for (char *p = copy + 1; *p; p++) {
			if (*p != '/')
				continue;
			*p = '\0';
			if (mkdir(copy, 0755) < 0 && errno != EEXIST)
				return brig_err(err, errno, "mkdir %s", copy);
			*p = '/';
		}
		if (mkdir(root, 0711) == 0 || errno == EEXIST)
			return 0;
	}
	return brig_err(err, errno, "mkdir %s", root);
}

struct container *container_new(const struct brig_globals *g, const char *id,
				brig_error_t **err)
{
	struct container *c;

	if (container_validate_id(id, err) < 0)
		return NULL;
	if (mkdir_root(g->root, err) < 0)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->id = xstrdup(id);
	c->dir = xasprintf("%s/%s", g->root, id);
	c->dir_fd = -1;
	if (mkdir(c->dir, 0711) < 0) {
		if (errno == EEXIST)
			brig_err(err, 0, "container \"%s\" already exists", id);
		else
			brig_err(err, errno, "mkdir %s", c->dir);
		free(c->dir);
		c->dir = NULL; /* not ours: container_free must not remove it */
		container_free(c);
		return NULL;
	}
	c->dir_fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->dir_fd < 0 || flock(c->dir_fd, LOCK_EX) < 0) {
		brig_err(err, errno, "lock %s", c->dir);
		container_remove_dir(c);
		container_free(c);
		return NULL;
	}
	return c;
}

struct container *container_open(const struct brig_globals *g, const char *id,
				 bool lock, brig_error_t **err)
{
	struct container *c;
	cleanup_free char *json = NULL;
	size_t len;

	if (container_validate_id(id, err) < 0)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->id = xstrdup(id);
	c->dir = xasprintf("%s/%s", g->root, id);
	/* Only a locked container keeps its directory open (to hold the
	 * lock and save state); readers (state, list, exec, events, logs) go
	 * by path: two syscalls less per entry of a 1,000-container list. */
	c->dir_fd = -1;
	if (lock) {
		c->dir_fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (c->dir_fd < 0) {
			if (errno == ENOENT)
				brig_err_kind(err, BRIG_E_NOT_FOUND, 0,
					      "container \"%s\" does not exist", id);
			else
				brig_err(err, errno, "open %s", c->dir);
			goto fail;
		}
		if (flock(c->dir_fd, LOCK_EX) < 0) {
			brig_err(err, errno, "lock %s", c->dir);
			goto fail;
		}
	}
	{
		cleanup_free char *path = lock ? NULL : xasprintf("%s/state.json", c->dir);
		int fd = lock ? openat(c->dir_fd, "state.json", O_RDONLY | O_CLOEXEC)
			      : open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			if (errno == ENOENT)
				brig_err_kind(err, BRIG_E_NOT_FOUND, 0,
					      "container \"%s\" does not exist", id);
			else
				brig_err(err, errno, "open %s/state.json", c->dir);
			goto fail;
		}
		json = brig_read_fd(fd, &len);
		close(fd);
	}
	if (!json) {
		brig_err(err, errno, "read %s/state.json", c->dir);
		goto fail;
	}
	c->state = spec_state_parse(json, len, err);
	if (!c->state) {
		brig_err_prefix(err, "%s", c->dir);
		goto fail;
	}
	return c;
fail:
	container_free(c);
	return NULL;
}

void container_free(struct container *c)
{
	if (!c)
		return;
	if (c->dir_fd >= 0)
		close(c->dir_fd);
	spec_state_free(c->state);
	free(c->id);
	free(c->dir);
	free(c);
}

int container_save(struct container *c, brig_error_t **err)
{
	cleanup_free char *json = spec_state_to_json(c->state, true);
	int fd = openat(c->dir_fd, "state.json.tmp",
			O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return brig_err(err, errno, "write %s/state.json", c->dir);
	if (brig_write_all(fd, json, strlen(json)) < 0) {
		int e = errno;
		close(fd);
		unlinkat(c->dir_fd, "state.json.tmp", 0);
		return brig_err(err, e, "write %s/state.json", c->dir);
	}
	close(fd);
	if (renameat(c->dir_fd, "state.json.tmp", c->dir_fd, "state.json") < 0)
		return brig_err(err, errno, "rename %s/state.json", c->dir);
	return 0;
}

/* Remove the directory's plain files, then the directory. */
int container_remove_dir(struct container *c)
{
	DIR *d;
	struct dirent *e;
	int fd;

	if (!c->dir)
		return 0;
	fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 && (d = fdopendir(fd)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			/* an empty directory too: restore's criu-root, left by
			 * a brig killed while CRIU ran (never recursive: it
			 * may be a mount point somewhere) */
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
			    unlinkat(dirfd(d), e->d_name, 0) < 0 && errno == EISDIR)
				unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
		}
		closedir(d);
	} else if (fd >= 0) {
		close(fd);
	}
	if (rmdir(c->dir) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

uint64_t proc_start_time(pid_t pid)
{
	char path[64], buf[1024];
	ssize_t n;
	int fd;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return 0;
	/* after ") " come field 3 (state) .. field 22 (starttime) */
	p += 2;
	if (*p == 'Z' || *p == 'X')
		return 0; /* a zombie has finished: stopped */
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return 0;
		p++;
	}
	return strtoull(p, NULL, 10);
}

bool container_alive(const struct container *c)
{
	if (!c->state || c->state->pid <= 0)
		return false;
	uint64_t st = proc_start_time(c->state->pid);
	return st != 0 && st == c->state->start_time;
}

/* exec.fifo exists until start: the container is created. */
static bool has_exec_fifo(const struct container *c)
{
	struct stat sb;
	cleanup_free char *path = NULL;

	if (c->dir_fd >= 0)
		return fstatat(c->dir_fd, "exec.fifo", &sb, 0) == 0;
	path = xasprintf("%s/exec.fifo", c->dir);
	return stat(path, &sb) == 0;
}

bool container_frozen(const struct container *c)
{
	struct cg_manager *cg;
	bool r;

	if (c->state->cgroup_path == NULL)
		return false;
	cg = cg_load(BRIG_CGROUP_ROOT, c->state->cgroup_path, NULL);
	r = cg && cg_is_frozen(cg);
	cg_free(cg);
	return r;
}

enum spec_status container_status(struct container *c)
{
	if (c->state->status == SPEC_STATUS_CREATING)
		return SPEC_STATUS_CREATING;
	if (!container_alive(c))
		return SPEC_STATUS_STOPPED;
	/* a created container is paused only after `brig pause` (its
	 * freezer is read only then: start and list stay cheap) */
	if (has_exec_fifo(c))
		return c->state->status == SPEC_STATUS_PAUSED && container_frozen(c)
			       ? SPEC_STATUS_PAUSED
			       : SPEC_STATUS_CREATED;
	/* paused is what the freezer says (pause, or someone else froze
	 * it), not what was recorded */
	return container_frozen(c) ? SPEC_STATUS_PAUSED : SPEC_STATUS_RUNNING;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **container_list_ids(const struct brig_globals *g, size_t *n)
{
	DIR *d = opendir(g->root);
	struct dirent *e;
	size_t cap = 16;
	char **v = xcalloc(cap, sizeof(char *));

	*n = 0;
	if (!d)
		return v;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN)
			continue;
		if (*n + 2 > cap) {
			cap *= 2;
			v = xrealloc(v, cap * sizeof(char *));
		}
		v[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	v[*n] = NULL;
	qsort(v, *n, sizeof(char *), cmp_str);
	return v;
}

