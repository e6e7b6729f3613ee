/* brig — runtime/logs.c: `brig logs` reads the CRI log the monitor writes.
 *
 * Each record is `TIMESTAMP STREAM P|F TEXT`; P pieces are joined with
 * the following pieces of the same stream, F ends the line. Records are
 * printed as they are read (a piece at a time), so `logs -f` shows a line
 * the moment the monitor writes it. Rotated files (FILE.N ... FILE.1) come
 * before FILE. Following waits on inotify and stops once the monitor has
 * recorded the exit status (or the container is deleted). */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct logs_opts {
	bool follow, timestamps;
	long tail; /* -1: all */
	char since[64]; /* "" or a timestamp in the log's own format */
	long skip_lines; /* for --tail: complete lines to skip first */
	bool at_start[2];
	bool keep[2]; /* the current line passes --since */
};

/* A record's piece not yet ended by a newline. */
struct pending {
	char *buf;
	size_t len;
};

static void pending_free(struct pending *p)
{
	free(p->buf);
}

/* RFC 3339 (Z or +hh:mm, optional fraction), or a duration back from now
 * (10s, 5m, 2h, 1d, combined: 1h30m), or unix seconds -> the log's format */
static int parse_since(const char *s, char out[64])
{
	struct timespec now;
	struct tm tm;
	long long sec, nsec = 0;
	const char *p = s;
	char *end;

	clock_gettime(CLOCK_REALTIME, &now);
	if (strchr(s, 'T') || (strlen(s) >= 10 && s[4] == '-')) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, strchr(s, 'T') ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d", &tm);
		if (!end)
			return -1;
		sec = timegm(&tm);
		if (*end == '.') {
			long long mul = 100000000;
			for (end++; *end >= '0' && *end <= '9'; end++, mul /= 10)
				nsec += (*end - '0') * mul;
		}
		if (*end == 'Z') {
			end++;
		} else if (*end == '+' || *end == '-') {
			int hh, mm;
			if (sscanf(end + 1, "%2d:%2d", &hh, &mm) != 2)
				return -1;
			sec -= (*end == '+' ? 1 : -1) * (hh * 3600 + mm * 60);
			end += 6;
		}
		if (*end)
			return -1;
	} else {
		long long back = 0;
		bool any = false;
		while (*p) {
			long long n = strtoll(p, &end, 10);
			if (end == p || n < 0)
				return -1;
			switch (*end) {
			case 's': back += n; break;
			case 'm': back += n * 60; break;
			case 'h': back += n * 3600; break;
			case 'd': back += n * 86400; break;
			case '\0':
				if (any)
					return -1;
				/* plain unix seconds */
				sec = n;
				goto fmt;
			default: return -1;
			}
			any = true;
			p = end + 1;
		}
		if (!any)
			return -1;
		sec = now.tv_sec - back;
		nsec = now.tv_nsec;
	}
fmt: {
	time_t t = (time_t)sec;
	char buf[40];
	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 64, "%s.%09lldZ", buf, nsec);
	}
	return 0;
}

/* One record; returns false for a line that is not a CRI record. */
static bool print_record(struct logs_opts *lo, char *line, size_t len)
{
	char *sp1 = memchr(line, ' ', len);
	if (!sp1)
		return false;
	char *stream = sp1 + 1;
	char *sp2 = memchr(stream, ' ', len - (size_t)(stream - line));
	if (!sp2 || (size_t)(sp2 + 3 - line) > len)
		return false;
	char tag = sp2[1];
	char *text = sp2 + 3;
	size_t tlen = len - (size_t)(text - line);
	int s = strncmp(stream, "stderr", 6) == 0 ? 1 : 0;
	FILE *f = s ? stderr : stdout;

	if (lo->skip_lines > 0) {
		if (tag == 'F')
			lo->skip_lines--;
		return true;
	}
	if (lo->at_start[s]) {
		*sp1 = '\0';
		lo->keep[s] = !lo->since[0] || strcmp(line, lo->since) >= 0;
		if (lo->keep[s] && lo->timestamps)
			fprintf(f, "%s ", line);
	}
	if (lo->keep[s]) {
		fwrite(text, 1, tlen, f);
		if (tag == 'F')
			fputc('\n', f);
		fflush(f);
	}
	lo->at_start[s] = tag == 'F';
	return true;
}

/* The monitor writes no record longer than its read buffer and a header;
 * longer "records" (a file the container made: zeros, no newline) are
 * dropped, not kept in memory. */
#define LOGS_MAX_RECORD (1 << 20)

/* Print what fd has from its current offset; a trailing record without
 * its newline yet stays in *pend for the next call. */
static void pump(struct logs_opts *lo, int fd, char **pend, size_t *plen)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		*pend = xrealloc(*pend, *plen + (size_t)n + 1);
		memcpy(*pend + *plen, buf, (size_t)n);
		*plen += (size_t)n;
		size_t off = 0;
		char *nl;
		while ((nl = memchr(*pend + off, '\n', *plen - off)) != NULL) {
			print_record(lo, *pend + off, (size_t)(nl - (*pend + off)));
			off = (size_t)(nl - *pend) + 1;
		}
		memmove(*pend, *pend + off, *plen - off);
		*plen -= off;
		if (*plen > LOGS_MAX_RECORD)
			*plen = 0;
	}
}

/* Complete lines (F records) in fd, which is left at its start. */
static long count_lines(int fd)
{
	int d = dup(fd);
	FILE *f = d >= 0 ? fdopen(d, "re") : NULL;
	long n = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	if (!f) {
		if (d >= 0)
			close(d);
		return 0;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		char *sp1 = memchr(line, ' ', (size_t)len);
		char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(len - (sp1 + 1 - line))) : NULL;
		if (sp2 && sp2[1] == 'F')
			n++;
	}
	free(line);
	fclose(f);
	lseek(fd, 0, SEEK_SET);
	return n;
}

/* What <dir>/log.info says: the log's path, the monitor's pid, and (since
 * the monitor opens the log's directory once) that directory's identity
 * and the owner of the files in it. */
struct log_info {
	char *path;
	pid_t mon;
	bool has_dir;
	unsigned long long dev, ino;
	uid_t uid;
};

static int log_info(const struct brig_globals *g, const char *id, struct log_info *li)
{
	cleanup_free char *p = xasprintf("%s/%s/log.info", g->root, id);
	cleanup_free char *data = brig_read_file(p, NULL);
	char *nl, *nl2;
	unsigned u;

	memset(li, 0, sizeof(*li));
	li->uid = geteuid();
	if (!data || !(nl = strchr(data, '\n')))
		return -1;
	*nl = '\0';
	li->mon = (pid_t)atoi(nl + 1);
	if ((nl2 = strchr(nl + 1, '\n')) != NULL &&
	    sscanf(nl2 + 1, "%llu %llu %u", &li->dev, &li->ino, &u) == 3) {
		li->has_dir = true;
		li->uid = (uid_t)u;
	}
	li->path = xstrdup(data);
	return 0;
}

/* A log file, only if it is a regular file of the monitor's; anything else
 * planted under its name (a symlink to a host file, a FIFO, a hard link, a
 * device) is skipped with a warning, never opened. */
static int open_log(int dirfd, const char *name, const char *what, uid_t uid)
{
	brig_error_t *e = NULL;
	int fd = safefile_open(dirfd, name, what, O_RDONLY, uid, &e);

	if (fd < 0) {
		if (e->code != ENOENT)
			brig_err_warn(&e, "logs");
		brig_err_free(&e);
	}
	return fd;
}

/* Why logging stopped for a while, if the monitor said so. */
static void warn_log_error(const struct brig_globals *g, const char *id)
{
	cleanup_free char *p = xasprintf("%s/%s/log.error", g->root, id);
	cleanup_free char *data = brig_read_file(p, NULL);
	char *nl;

	if (!data || !data[0])
		return;
	if ((nl = strchr(data, '\n')) != NULL)
		*nl = '\0';
	brig_warn("%s", data);
}

/* Has the container finished and the monitor written it all? */
static bool finished(const struct brig_globals *g, const char *id, pid_t mon)
{
	brig_error_t *e = NULL;
	struct container *ct = container_open(g, id, false, &e);
	bool done;

	if (!ct) {
		brig_err_free(&e);
		return true;
	}
	done = ct->state->has_exit;
	if (!done && !container_alive(ct) && (mon <= 0 || kill(mon, 0) < 0))
		done = true; /* no monitor left to write anything */
	container_free(ct);
	return done;
}

static const struct option logs_longopts[] = {
	{"follow", no_argument, NULL, 'f'},
	{"timestamps", no_argument, NULL, 't'},
	{"tail", required_argument, NULL, 'n'},
	{"since", required_argument, NULL, 's'},
	{NULL, 0, NULL, 0},
};
const struct cli_options cli_opts_logs = {"+ftn:", logs_longopts};

/* argv into lo and the id. */
static int parse_logs_args(int argc, char **argv, struct logs_opts *lo, const char **id,
			   brig_error_t **err)
{
	int c;

	while ((c = getopt_long(argc, argv, cli_opts_logs.shortopts,
				cli_opts_logs.longopts, NULL)) != -1) {
		switch (c) {
		case 'f': lo->follow = true; break;
		case 't': lo->timestamps = true; break;
		case 'n': {
			char *end;
			lo->tail = strtol(optarg, &end, 10);
			if (strcmp(optarg, "all") == 0)
				lo->tail = -1;
			else if (*end || lo->tail < 0)
				return brig_err(err, 0, "logs: --tail: expected a number, got \"%s\"", optarg);
			break;
		}
		case 's':
			if (parse_since(optarg, lo->since) < 0)
				return brig_err(err, 0, "logs: --since: expected RFC 3339 time or a "
						"duration like 10s, 5m, 2h, got \"%s\"", optarg);
			break;
		default:
			return brig_err(err, 0, "logs: invalid option \"%s\" (usage: brig logs [-f] [-t] "
					"[--tail N] [--since TIME] ID)", cli_refused(argv));
		}
	}
	if (optind >= argc)
		return brig_err(err, 0, "logs: missing container id (usage: brig logs [options] ID)");
	*id = argv[optind];
	return 0;
}

/* One descriptor of the log's directory, the one the monitor writes (*name:
 * the log's name in it). */
static int open_log_dir(const struct log_info *li, char **name, brig_error_t **err)
{
	cleanup_close int dirfd = dir_open_parent(li->path, name, err);
	struct stat ds;

	if (dirfd < 0)
		return brig_err_prefix(err, "logs");
	if (li->has_dir && (fstat(dirfd, &ds) < 0 || (unsigned long long)ds.st_dev != li->dev ||
			    (unsigned long long)ds.st_ino != li->ino))
		return brig_err(err, 0, "logs: the directory of %s is no longer the one the log "
				"monitor writes to (it was replaced); not reading it", li->path);
	return steal_fd(dirfd);
}

/* The rotated files, oldest first, printed (after --tail's skip); returns
 * the current file, opened (or -1), not yet read. */
static int read_rotated(struct logs_opts *lo, const struct log_info *li, int dirfd,
			const char *name, struct pending *pd)
{
	int nrot = 0;
	for (;; nrot++) {
		cleanup_free char *r = xasprintf("%s.%d", name, nrot + 1);
		struct stat st;
		if (fstatat(dirfd, r, &st, AT_SYMLINK_NOFOLLOW) < 0)
			break;
	}
	cleanup_free int *fds = xcalloc((size_t)nrot + 1, sizeof(int));
	for (int i = nrot; i >= 0; i--) {
		cleanup_free char *r = i ? xasprintf("%s.%d", name, i) : xstrdup(name);
		cleanup_free char *what = i ? xasprintf("%s.%d", li->path, i) : xstrdup(li->path);
		fds[i] = open_log(dirfd, r, what, li->uid);
	}
	if (lo->tail >= 0) {
		long total = 0;
		for (int i = 0; i <= nrot; i++)
			if (fds[i] >= 0)
				total += count_lines(fds[i]);
		lo->skip_lines = total > lo->tail ? total - lo->tail : 0;
	}
	for (int i = nrot; i >= 1; i--) {
		if (fds[i] >= 0) {
			pump(lo, fds[i], &pd->buf, &pd->len);
			close(fds[i]);
		}
		pd->len = 0;
	}
	return fds[0];
}

/* -f: print what is written (and the next file at a rotation) until the
 * container is done; *fd is the current file. */
static void follow_log(const struct brig_globals *g, const char *id, struct logs_opts *lo,
		       const struct log_info *li, int dirfd, const char *name, int *fd,
		       struct stat *seen, struct pending *pd)
{
	char dir[40];
	int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);

	/* the directory we hold, not whatever its path names now */
	snprintf(dir, sizeof(dir), "/proc/self/fd/%d", dirfd);
	if (in >= 0)
		inotify_add_watch(in, dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE);
	for (;;) {
		bool done = finished(g, id, li->mon);
		struct stat a;
		if (*fd >= 0)
			pump(lo, *fd, &pd->buf, &pd->len);
		/* rotated: finish the old file (done above), open the new */
		if (fstatat(dirfd, name, &a, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (a.st_ino != seen->st_ino || a.st_dev != seen->st_dev)) {
			*seen = a;
			if (*fd >= 0)
				close(*fd);
			*fd = open_log(dirfd, name, li->path, li->uid);
			pd->len = 0;
			if (*fd >= 0)
				pump(lo, *fd, &pd->buf, &pd->len);
		}
		if (done)
			break;
		struct pollfd p = {.fd = in, .events = POLLIN};
		/* inotify wakes us on every write; the timeout only catches a
		 * container that ends without writing */
		if (poll(&p, in >= 0 ? 1 : 0, 500) > 0) {
			char ev[4096];
			while (read(in, ev, sizeof(ev)) > 0)
				;
		}
	}
	if (in >= 0)
		close(in);
}

int cmd_logs(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	struct logs_opts lo = {.tail = -1, .at_start = {true, true}};
	struct pending pd __attribute__((cleanup(pending_free))) = {NULL, 0};
	const char *id = NULL;

	if (parse_logs_args(argc, argv, &lo, &id, err) < 0)
		return -1;
	{
		struct container *ct = container_open(g, id, false, err);
		if (!ct)
			return -1;
		container_free(ct);
	}
	struct log_info li;
	if (log_info(g, id, &li) < 0)
		return brig_err(err, 0, "container \"%s\" has no log (it was not created with "
				"--log-path)", id);
	cleanup_free char *path = li.path;
	cleanup_free char *name = NULL;
	cleanup_close int dirfd = open_log_dir(&li, &name, err);
	if (dirfd < 0)
		return -1;
	cleanup_close int fd = read_rotated(&lo, &li, dirfd, name, &pd);
	/* the inode last looked at under the current name, opened or refused */
	struct stat seen = {0};
	if (fd >= 0 ? fstat(fd, &seen) < 0 : fstatat(dirfd, name, &seen, AT_SYMLINK_NOFOLLOW) < 0)
		memset(&seen, 0, sizeof(seen));
	if (fd < 0 && !lo.follow) {
		warn_log_error(g, id);
		return 0;
	}
	if (fd >= 0)
		pump(&lo, fd, &pd.buf, &pd.len);
	if (lo.follow)
		follow_log(g, id, &lo, &li, dirfd, name, &fd, &seen, &pd);
	if (fd >= 0)
		close(steal_fd(fd));
	warn_log_error(g, id);
	return 0;
}
