/* brig — cgroups/: file helpers shared by the backends and controllers. */
#include "cgroups/cg_internal.h"
#include "base/io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

void cg_sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ---- the update's journal: all or nothing ------------------------------- */

struct undo {
	int dfd;     /* a directory fd (dup'ed), or -1: path is absolute */
	char *path;
	char *old;
};
static struct undo *journal;
static size_t n_journal;
static bool journaling;

void cg_journal_begin(void)
{
	journaling = true;
	n_journal = 0;
}

static void journal_free(void)
{
	for (size_t i = 0; i < n_journal; i++) {
		if (journal[i].dfd >= 0)
			close(journal[i].dfd);
		free(journal[i].path);
		free(journal[i].old);
	}
	free(journal);
	journal = NULL;
	n_journal = 0;
	journaling = false;
}

void cg_journal_commit(void)
{
	journal_free();
}

/* Write back, newest first, what the update changed; errors ignored (a
 * value the kernel took once it takes again, as a rule). */
void cg_journal_rollback(void)
{
	journaling = false;
	for (size_t i = n_journal; i-- > 0;) {
		struct undo *u = &journal[i];
		int fd = u->dfd >= 0 ? openat(u->dfd, u->path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC)
				     : open(u->path, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			ssize_t w;
			do
				w = write(fd, u->old, strlen(u->old));
			while (w < 0 && errno == EINTR);
			close(fd);
		}
	}
	journal_free();
}

/* Before a write in an update: keep the file's value, when it is one line
 * (what reads back as it is written: limits, weights, cpusets; not lists
 * such as io.max or blkio throttles, left as they are on a rollback). */
static void journal_keep(int dfd, const char *path)
{
	int fd = dfd >= 0 ? openat(dfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
			  : open(path, O_RDONLY | O_CLOEXEC);
	char buf[256];
	ssize_t n;

	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	char *nl = strchr(buf, '\n');
	if (nl && nl[1] != '\0')
		return;
	if (nl)
		*nl = '\0';
	journal = xrealloc(journal, (n_journal + 1) * sizeof(*journal));
	journal[n_journal].dfd = dfd >= 0 ? fcntl(dfd, F_DUPFD_CLOEXEC, 3) : -1;
	journal[n_journal].path = xstrdup(path);
	journal[n_journal].old = xstrdup(buf);
	n_journal++;
}

int cg_write(const char *dir, const char *file, const char *value,
	     brig_error_t **err)
{
	cleanup_free char *p = xasprintf("%s/%s", dir, file);
	if (journaling)
		journal_keep(-1, p);
	cleanup_close int fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
	size_t len = strlen(value);
	ssize_t w;

	if (fd < 0)
		return brig_err(err, errno, "write %s", p);
	/* One write(2) per value: cgroupfs parses each write on its own. */
	do
		w = write(fd, value, len);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return brig_err(err, errno, "write %s", p);
	if ((size_t)w != len)
		return brig_err(err, EIO, "write %s: short write", p);
	return 0;
}

int cg_writef(const char *dir, const char *file, brig_error_t **err,
	      const char *fmt, ...)
{
	cleanup_free char *v = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&v, fmt, ap) < 0)
		abort();
	va_end(ap);
	return cg_write(dir, file, v, err);
}

char *cg_read(const char *dir, const char *file)
{
	cleanup_free char *p = xasprintf("%s/%s", dir, file);
	size_t len = 0;
	char *s = brig_read_file(p, &len);

	if (s == NULL)
		return NULL;
	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' '))
		s[--len] = '\0';
	return s;
}

int cg_read_u64(const char *dir, const char *file, uint64_t *v)
{
	cleanup_free char *s = cg_read(dir, file);
	char *end;

	if (s == NULL || *s == '\0')
		return -1;
	if (strcmp(s, "max") == 0) {
		*v = UINT64_MAX;
		return 0;
	}
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno || *end != '\0' || *s == '-')
		return -1;
	return 0;
}

bool cg_file_exists(const char *dir, const char *file)
{
	cleanup_free char *p = xasprintf("%s/%s", dir, file);

	return access(p, F_OK) == 0;
}

int cg_mkdir_p(const char *path, bool *made, brig_error_t **err)
{
	cleanup_free char *p = xstrdup(path);
	char *s = p;

	*made = false;
	for (;;) {
		char *slash;

		while (*s == '/')
			s++;
		if (*s == '\0')
			break;
		slash = strchr(s, '/');
		if (slash)
			*slash = '\0';
		if (mkdir(p, 0755) == 0)
			*made = slash == NULL || slash[1] == '\0';
		else if (errno != EEXIST)
			return brig_err(err, errno, "mkdir %s", p);
		else
			*made = false;
		if (!slash)
			break;
		*slash = '/';
		s = slash + 1;
	}
	return 0;
}

static int rmdir_retry(const char *dir, int *budget_ms, brig_error_t **err)
{
	for (int i = 0;; i++) {
		unsigned ms = i < 10 ? 1 : 10;

		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		/* Processes still exiting: the kernel keeps the cgroup busy
		 * for a moment after the last one is reaped. */
		if (errno != EBUSY || *budget_ms < (int)ms)
			return brig_err(err, errno, "rmdir %s", dir);
		cg_sleep_ms(ms);
		*budget_ms -= (int)ms;
	}
}

/* Remove the sub-cgroups of dir, depth first, and dir itself unless
 * keep_top. */
static int rmdir_tree(const char *dir, bool keep_top, int *budget_ms,
		      brig_error_t **err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int ret = 0;

	if (d == NULL) {
		if (errno == ENOENT)
			return 0;
		return brig_err(err, errno, "open %s", dir);
	}
	/* Sub-cgroups made inside the container go first, depth first. */
	while ((e = readdir(d)) != NULL) {
		cleanup_free char *sub = NULL;

		if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0)
			continue;
		sub = xasprintf("%s/%s", dir, e->d_name);
		if (rmdir_tree(sub, false, budget_ms, err) < 0) {
			ret = -1;
			break;
		}
	}
	closedir(d);
	if (ret < 0 || keep_top)
		return ret;
	return rmdir_retry(dir, budget_ms, err);
}

int cg_rmdir_tree(const char *dir, int *budget_ms, brig_error_t **err)
{
	return rmdir_tree(dir, false, budget_ms, err);
}

int cg_empty_joined(const char *dir, int *budget_ms, brig_error_t **err)
{
	if (rmdir_tree(dir, true, budget_ms, err) < 0)
		return -1;
	for (int i = 0;; i++) {
		cleanup_free pid_t *pids = NULL;
		unsigned ms = i < 10 ? 1 : 10;
		brig_error_t *e = NULL;
		size_t n = 0;

		if (cg_read_procs(dir, &pids, &n, &e) < 0) {
			int code = e->code;

			brig_err_free(&e);
			if (code == ENOENT)
				return 0; /* removed by its owner meanwhile */
			return brig_err(err, code, "read %s/cgroup.procs", dir);
		}
		if (n == 0)
			return 0;
		if (*budget_ms < (int)ms)
			return brig_err(err, EBUSY, "cgroup %s still has processes", dir);
		cg_sleep_ms(ms);
		*budget_ms -= (int)ms;
	}
}

int cg_probe(const char *dir, brig_error_t **err)
{
	cleanup_free pid_t *pids = NULL;
	struct dirent *e;
	size_t n = 0;
	DIR *d = opendir(dir);

	if (d == NULL) {
		if (errno == ENOENT)
			return 0;
		return brig_err(err, errno, "open %s", dir);
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0)
			continue;
		brig_err(err, 0, "already has sub-cgroups (%s/%s)", dir, e->d_name);
		closedir(d);
		return -2;
	}
	closedir(d);
	if (cg_read_procs(dir, &pids, &n, err) < 0)
		return -1;
	if (n > 0) {
		char list[128];
		size_t o = 0;

		list[0] = '\0';
		for (size_t i = 0; i < n && o < sizeof(list) - 16; i++)
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%d",
					      i ? " " : "", (int)pids[i]);
		brig_err(err, 0, "already has processes (%s: %s%s)", dir, list,
			 o >= sizeof(list) - 16 ? " ..." : "");
		return -2;
	}
	return 1;
}

int cg_read_procs(const char *dir, pid_t **pids, size_t *n, brig_error_t **err)
{
	cleanup_free char *p = xasprintf("%s/cgroup.procs", dir);
	cleanup_free char *s = brig_read_file(p, NULL);
	size_t cap = 0;
	char *tok, *save = NULL;

	*pids = NULL;
	*n = 0;
	if (s == NULL)
		return brig_err(err, errno, "read %s", p);
	for (tok = strtok_r(s, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
		long v = strtol(tok, NULL, 10);

		if (v <= 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*pids = xrealloc(*pids, cap * sizeof(pid_t));
		}
		(*pids)[(*n)++] = (pid_t)v;
	}
	return 0;
}

int cg_write_pid(const char *dir, pid_t pid, brig_error_t **err)
{
	return cg_writef(dir, "cgroup.procs", err, "%d", (int)pid);
}

bool cg_word_in(const char *list, const char *word)
{
	size_t wl = strlen(word);
	const char *p = list;

	if (list == NULL)
		return false;
	while (*p) {
		size_t l = strcspn(p, " ,\n");

		if (l == wl && strncmp(p, word, wl) == 0)
			return true;
		p += l;
		if (*p)
			p++;
	}
	return false;
}

void cg_err_keep(brig_error_t **err, brig_error_t **e)
{
	if (err && *err == NULL) {
		*err = *e;
		*e = NULL;
	}
	brig_err_free(e);
}

/* "/a/./b//../c" → "/a/c"; ".." stops at "/", or with strict makes the
 * result NULL. */
static char *clean_path(const char *p, bool strict)
{
	size_t len = strlen(p);
	char *out = xmalloc(len + 2), *tmp = xstrdup(p), *save = NULL, *tok;
	size_t o = 0;

	out[0] = '\0';
	for (tok = strtok_r(tmp, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (strcmp(tok, ".") == 0)
			continue;
		if (strcmp(tok, "..") == 0) {
			if (o == 0 && strict) {
				free(tmp);
				free(out);
				return NULL;
			}
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
			out[o] = '\0';
			continue;
		}
		o += (size_t)sprintf(out + o, "/%s", tok);
	}
	if (o == 0)
		strcpy(out, "/");
	free(tmp);
	return out;
}

char *cg_clean_path(const char *p)
{
	return clean_path(p, false);
}

char *cg_resolve_path(const char *base, const char *p)
{
	cleanup_free char *j = xasprintf("%s/%s", base, p);

	return clean_path(j, true);
}

int cg_write_at(int dfd, const char *dir, const char *file, const char *value,
		brig_error_t **err)
{
	if (journaling)
		journal_keep(dfd, file);
	cleanup_close int fd = openat(dfd, file, O_WRONLY | O_TRUNC | O_NOFOLLOW |
				      O_CLOEXEC);
	size_t len = strlen(value);
	ssize_t w;

	if (fd < 0)
		return brig_err(err, errno, "write %s/%s", dir, file);
	do
		w = write(fd, value, len);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return brig_err(err, errno, "write %s/%s", dir, file);
	if ((size_t)w != len)
		return brig_err(err, EIO, "write %s/%s: short write", dir, file);
	return 0;
}
