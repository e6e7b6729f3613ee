/* brig — runtime/jail.c: `jail build` and `jail run`.
 *
 * build: each binary and, found through its ELF dynamic section
 * (jail_elf.c), its loader and every library it needs, recursively, are
 * resolved first, then copied into DIR at the paths they are named by (a
 * relative one from the jail's /, as the jail's process starts there);
 * plus /proc, /dev, /tmp, /etc/passwd, /etc/group. With --bundle DIR is a
 * bundle: DIR/rootfs is the jail and DIR/config.json is `brig spec`'s.
 * DIR must be the caller's; below it everything goes through directory
 * fds and no symlink is followed (jail_dir.c).
 *
 * run: the default config of `brig spec`, in memory, with root.path, args
 * and terminal changed, through the normal create/start/wait/delete path
 * under a generated id. No file is written outside the state dir. */
#include "cli.h"
#include "jail_dir.h"
#include "base/proc.h"
#include "jail_elf.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <string.h>
#include <sys/file.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const loader_dirs[] = {
	"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib",
};

struct item {
	char *src;  /* real path on the host */
	char *dest; /* path inside the jail */
};

struct plan {
	struct item *v;
	size_t n;
};

static bool planned(const struct plan *p, const char *dest)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].dest, dest) == 0)
			return true;
	return false;
}

static void plan_add(struct plan *p, const char *src, const char *dest)
{
	p->v = xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
	p->v[p->n].src = xstrdup(src);
	p->v[p->n].dest = xstrdup(dest);
	p->n++;
}

static void plan_free(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].src);
		free(p->v[i].dest);
	}
	free(p->v);
}

/* A library found in a directory the loader searches by itself keeps its
 * path; one found only through /etc/ld.so.conf.d goes to /usr/lib. */
static char *lib_dest(const char *found, const char *name, bool via_sys)
{
	if (via_sys) {
		cleanup_free char *dir = xstrdup(found);
		*strrchr(dir, '/') = '\0';
		bool std = false;
		for (size_t i = 0; i < ARRAY_SIZE(loader_dirs); i++)
			std = std || strcmp(dir, loader_dirs[i]) == 0;
		if (!std)
			return xasprintf("/usr/lib/%s", name);
	}
	return xstrdup(found);
}

/* Add path (as named in the jail: dest) and, recursively, what it needs. */
static int plan_object(struct plan *p, const char *path, const char *dest, const char *needed_by,
		       char **sys, brig_error_t **err)
{
	struct jail_elf e;
	cleanup_free char *real = realpath(path, NULL);
	const char *bad;

	if (planned(p, dest))
		return 0;
	if (!real) {
		if (needed_by)
			return brig_err(err, errno, "jail build: %s (the loader of %s)", path, needed_by);
		return brig_err(err, errno, "jail build: %s", path);
	}
	if (jail_elf_read(real, &e, err) < 0)
		return brig_err_prefix(err, "jail build");
	plan_add(p, real, dest);
	if (e.interp && (bad = jail_dir_bad_path(e.interp))) {
		brig_err(err, 0, "jail build: loader %s of %s: %s; refused", e.interp, path, bad);
		goto fail;
	}
	if (e.interp && plan_object(p, e.interp, e.interp, dest, sys, err) < 0)
		goto fail;
	for (size_t i = 0; i < e.n_needed; i++) {
		const char *name = e.needed[i];
		cleanup_free char *found = jail_elf_find(name, &e, real, (const char *const *)sys);
		if (!found) {
			brig_err(err, 0, "jail build: library %s needed by %s not found (searched%s%s%s%s "
				 "the system library directories and /etc/ld.so.conf)", name, path,
				 e.rpath ? " RPATH " : "", e.rpath ? e.rpath : "",
				 e.runpath ? " RUNPATH " : "", e.runpath ? e.runpath : "");
			goto fail;
		}
		/* found through RPATH/RUNPATH (no system dirs given)? */
		cleanup_free char *own = jail_elf_find(name, &e, real, NULL);
		bool via_sys = own == NULL;
		cleanup_free char *d = lib_dest(found, name, via_sys);
		if ((bad = jail_dir_bad_path(d))) {
			bool same = strcmp(d, name) == 0;
			brig_err(err, 0, "jail build: library %s%s%s%s needed by %s: %s; refused",
				 name, same ? "" : " (found as ", same ? "" : d, same ? "" : ")",
				 path, bad);
			goto fail;
		}
		if (plan_object(p, found, d, path, sys, err) < 0)
			goto fail;
	}
	jail_elf_free(&e);
	return 0;
fail:
	jail_elf_free(&e);
	return -1;
}

/* src (a host path) to dest below root (shown in errors): a new file,
 * made after whatever had that name is removed, never written through. */
static int copy_file(int root, const char *shown, const char *src, const char *dest,
		     brig_error_t **err)
{
	struct stat sb;
	cleanup_close int in = open(src, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	cleanup_free char *base = NULL;
	cleanup_free char *at = xasprintf("%s%s%s", shown, dest[0] == '/' ? "" : "/", dest);

	if (in < 0 || fstat(in, &sb) < 0)
		return brig_err(err, errno, "jail build: open %s", src);
	if (!S_ISREG(sb.st_mode))
		return brig_err(err, 0, "jail build: %s: not a regular file", src);
	cleanup_close int dir = jail_dir_parent(root, dest, shown, &base, err);
	if (dir < 0)
		return brig_err_prefix(err, "jail build");
	if (unlinkat(dir, base, 0) < 0 && errno != ENOENT)
		return brig_err(err, errno, "jail build: remove %s", at);
	cleanup_close int out = jail_dir_openat(dir, base, O_WRONLY | O_CREAT | O_EXCL,
						sb.st_mode & 0755);
	if (out < 0)
		return brig_err(err, errno, "jail build: create %s", at);
	off_t left = sb.st_size;
	while (left > 0) {
		ssize_t n = sendfile(out, in, NULL, (size_t)left);
		if (n <= 0)
			return brig_err(err, n < 0 ? errno : EIO, "jail build: copy %s to %s", src, at);
		left -= n;
	}
	return 0;
}

/* A new file name in dir, unless something has that name: 1, left as it
 * is (not followed if a symlink). */
static int write_new(int dir, const char *name, const char *shown, const char *text,
		     brig_error_t **err)
{
	cleanup_close int fd = jail_dir_openat(dir, name, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		return errno == EEXIST ? 1 : brig_err(err, errno, "jail build: create %s/%s", shown, name);
	if (brig_write_all(fd, text, strlen(text)) < 0)
		return brig_err(err, errno, "jail build: write %s/%s", shown, name);
	return 0;
}

/* A name without '/' is looked up in $PATH, as a shell would. */
static char *which(const char *name)
{
	if (strchr(name, '/'))
		return xstrdup(name);
	const char *path = getenv("PATH");
	cleanup_free char *copy = xstrdup(path ? path : "/usr/bin:/bin");
	char *save = NULL;
	for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", d, name);
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	return xstrdup(name);
}

struct jail_build_opts {
	const char *dir;
	const char **bins; /* --with, or /bin/sh and /bin/ls */
	size_t nbins;
	bool bundle;
};

static const struct option jail_build_longopts[] = {
	{"with", required_argument, NULL, 'w'},
	{"bundle", no_argument, NULL, 'b'},
	{NULL, 0, NULL, 0},
};

static int parse_jail_build_args(int argc, char **argv, struct jail_build_opts *o,
				 brig_error_t **err)
{
	static const char *defaults[] = {"/bin/sh", "/bin/ls"};
	int c;

	*o = (struct jail_build_opts){0};
	while ((c = getopt_long(argc, argv, "w:", jail_build_longopts, NULL)) != -1) {
		if (c == 'w') {
			o->bins = xrealloc(o->bins, (o->nbins + 1) * sizeof(char *));
			o->bins[o->nbins++] = optarg;
		} else if (c == 'b') {
			o->bundle = true;
		} else {
			return brig_err(err, 0, "jail build: invalid option \"%s\" (usage: brig jail build "
					"DIR [--with BINARY]... [--bundle])", cli_refused(argv));
		}
	}
	if (optind + 1 != argc)
		return brig_err(err, 0, "jail build: expected one DIR (usage: brig jail build DIR "
				"[--with BINARY]... [--bundle])");
	o->dir = argv[optind];
	if (o->nbins == 0) {
		o->bins = xrealloc(o->bins, 2 * sizeof(char *));
		o->bins[0] = defaults[0];
		o->bins[1] = defaults[1];
		o->nbins = 2;
	}
	return 0;
}

/* Every binary and the libraries it needs, resolved before anything is
 * written: a missing library leaves nothing behind. */
static int plan_binaries(const struct jail_build_opts *o, struct plan *p, char **sys,
			 brig_error_t **err)
{
	for (size_t i = 0; i < o->nbins; i++) {
		cleanup_free char *b = which(o->bins[i]);
		cleanup_free char *dest = NULL;
		if (b[0] != '/') {
			cleanup_free char *cwd = getcwd(NULL, 0);
			dest = xasprintf("/bin/%s", strrchr(b, '/') ? strrchr(b, '/') + 1 : b);
			free(b);
			b = xasprintf("%s/%s", cwd ? cwd : ".", o->bins[i]);
		} else {
			dest = xstrdup(b);
		}
		const char *bad = jail_dir_bad_path(dest);
		if (bad)
			return brig_err(err, 0, "jail build: %s: %s; refused", o->bins[i], bad);
		if (plan_object(p, b, dest, NULL, sys, err) < 0)
			return -1;
	}
	return 0;
}

/* The directories a shell expects (/tmp sticky), and /etc/passwd and
 * /etc/group with root and nobody. */
static int make_skeleton(int root, const char *shown, brig_error_t **err)
{
	static const char *const dirs[] = {"proc", "dev", "sys", "root", "tmp", "etc"};

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		cleanup_close int d = jail_dir_mkpath(root, dirs[i], shown, err);
		if (d < 0)
			return brig_err_prefix(err, "jail build");
		if (strcmp(dirs[i], "tmp") == 0 && fchmod(d, 01777) < 0)
			return brig_err(err, errno, "jail build: chmod %s/tmp", shown);
		if (strcmp(dirs[i], "etc") == 0) {
			cleanup_free char *e = xasprintf("%s/etc", shown);
			if (write_new(d, "passwd", e, "root:x:0:0:root:/root:/bin/sh\n"
				      "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n", err) < 0 ||
			    write_new(d, "group", e, "root:x:0:\nnogroup:x:65534:\n", err) < 0)
				return -1;
		}
	}
	return 0;
}

/* DIR (opened once, the caller's or new; all below through fds): the
 * planned files, the skeleton, and with --bundle DIR/rootfs plus a
 * config.json. */
static int write_jail(const struct jail_build_opts *o, const struct plan *p,
		      brig_error_t **err)
{
	cleanup_free char *shown = NULL;
	cleanup_close int top = -1;
	cleanup_close int root = -1;
	bool made;

	top = jail_dir_open(o->dir, true, &made, err);
	if (top < 0 || jail_dir_check_top(top, made, o->dir, err) < 0)
		return brig_err_prefix(err, "jail build");
	shown = o->bundle ? xasprintf("%s/rootfs", o->dir) : xstrdup(o->dir);
	root = o->bundle ? jail_dir_mkpath(top, "rootfs", o->dir, err)
			 : fcntl(top, F_DUPFD_CLOEXEC, 0);
	if (root < 0) {
		if (o->bundle)
			return brig_err_prefix(err, "jail build");
		return brig_err(err, errno, "jail build: dup");
	}
	for (size_t i = 0; i < p->n; i++)
		if (copy_file(root, shown, p->v[i].src, p->v[i].dest, err) < 0)
			return -1;
	if (make_skeleton(root, shown, err) < 0)
		return -1;
	if (o->bundle) {
		cleanup_free char *json = spec_default_config(false, getuid(), getgid());
		cleanup_free char *text = xasprintf("%s\n", json);
		int w = write_new(top, "config.json", o->dir, text, err);
		if (w < 0)
			return -1;
		if (w > 0)
			brig_warn("jail build: %s/config.json exists; left as it is", o->dir);
	}
	return 0;
}

static int jail_build(int argc, char **argv, brig_error_t **err)
{
	struct jail_build_opts o;
	struct plan p = {0};
	char **sys = NULL;
	int r = -1;

	if (parse_jail_build_args(argc, argv, &o, err) < 0)
		goto out;
	sys = jail_elf_system_dirs("/etc/ld.so.conf");
	if (plan_binaries(&o, &p, sys, err) < 0 || write_jail(&o, &p, err) < 0)
		goto out;
	r = 0;
out:
	brig_strv_free(sys);
	plan_free(&p);
	free(o.bins);
	return r;
}

/* ---- jail run ------------------------------------------------------------ */

static char *replace_once(char *s, const char *old, const char *new_, bool *ok)
{
	char *at = strstr(s, old);
	if (!at) {
		*ok = false;
		return s;
	}
	char *r = xasprintf("%.*s%s%s", (int)(at - s), s, new_, at + strlen(old));
	free(s);
	return r;
}

struct jail_run_opts {
	const char *dir;
	bool use_chroot;
	char **cmd; /* the command line, or none: /bin/sh */
	int ncmd;
};

static const struct option jail_run_longopts[] = {
	{"chroot", no_argument, NULL, 'c'},
	{NULL, 0, NULL, 0},
};

static int parse_jail_run_args(int argc, char **argv, struct jail_run_opts *o,
			       brig_error_t **err)
{
	int c;

	*o = (struct jail_run_opts){0};
	while ((c = getopt_long(argc, argv, "+", jail_run_longopts, NULL)) != -1) {
		if (c != 'c')
			return brig_err(err, 0, "jail run: invalid option \"%s\" (usage: brig jail run DIR "
					"[--chroot] [-- CMD...])", cli_refused(argv));
		o->use_chroot = true;
	}
	if (optind >= argc)
		return brig_err(err, 0, "jail run: missing DIR (usage: brig jail run DIR "
				"[--chroot] [-- CMD...])");
	o->dir = argv[optind++];
	if (optind < argc && strcmp(argv[optind], "--") == 0)
		optind++;
	/* options after DIR too: jail run DIR --chroot -- ls */
	while (optind < argc && strcmp(argv[optind], "--chroot") == 0) {
		o->use_chroot = true;
		optind++;
		if (optind < argc && strcmp(argv[optind], "--") == 0)
			optind++;
	}
	o->cmd = argv + optind;
	o->ncmd = argc - optind;
	return 0;
}

/* The jail's root as a path (real[PATH_MAX]): DIR, or DIR/rootfs of a
 * --bundle jail, resolved by what was opened. */
static int jail_root_path(const char *dir, char *real, brig_error_t **err)
{
	/* DIR through symlinks only the caller's or root's; a --bundle jail's
	 * rootfs never through one (it would put a host directory at /) */
	cleanup_close int top = jail_dir_open(dir, false, NULL, err);
	if (top < 0)
		return brig_err_prefix(err, "jail run");
	cleanup_close int rfd = -1;
	{
		struct stat sb;
		if (fstatat(top, "config.json", &sb, AT_SYMLINK_NOFOLLOW) == 0) {
			rfd = jail_dir_openat(top, "rootfs", O_PATH | O_DIRECTORY, 0);
			if (rfd < 0 && fstatat(top, "rootfs", &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(sb.st_mode))
				return brig_err(err, 0, "jail run: %s/rootfs is a symlink; refused: "
						"the jail's root is never taken through one", dir);
		}
	}
	/* the path of what was opened, for root.path */
	char fdpath[64];
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", rfd >= 0 ? rfd : top);
	ssize_t rn = readlink(fdpath, real, PATH_MAX - 1);
	if (rn < 0)
		return brig_err(err, errno, "jail run: readlink %s", fdpath);
	real[rn] = '\0';
	/* no directory fd of the host is held into the container's set-up */
	close(steal_fd(top));
	if (rfd >= 0)
		close(steal_fd(rfd));
	return 0;
}

/* brig spec's config with the jail's root, the command, and a terminal
 * when we have one (caller frees). */
static char *jail_config(const char *real, char **cmd, int ncmd, brig_error_t **err)
{
	/* args: the command, or /bin/sh */
	cleanup_free char *args = xstrdup(ncmd == 0 ? "\"/bin/sh\"" : "");
	for (int i = 0; i < ncmd; i++) {
		cleanup_free char *q = spec_json_quote(cmd[i]);
		char *n = xasprintf("%s%s%s", args, i > 0 ? ", " : "", q);
		free(args);
		args = n;
	}
	bool tty = isatty(0) && isatty(1);
	cleanup_free char *qroot = spec_json_quote(real);
	char *json = spec_default_config(false, getuid(), getgid());
	bool ok = true;
	cleanup_free char *new_args = xasprintf("\"args\": [%s]", args);
	cleanup_free char *new_root = xasprintf("\"path\": %s", qroot);
	json = replace_once(json, "\"args\": [\n\t\t\t\"sh\"\n\t\t]", new_args, &ok);
	json = replace_once(json, "\"path\": \"rootfs\"", new_root, &ok);
	const char *term = tty ? "\"terminal\": true" : "\"terminal\": false";
	bool found_term = true;
	json = replace_once(json, "\"terminal\": false", term, &found_term);
	if (!found_term)
		json = replace_once(json, "\"terminal\": true", term, &ok);
	if (!ok) {
		free(json);
		return brig_err(err, 0, "jail run: internal: the default config changed shape"), NULL;
	}
	return json;
}

static int jail_run(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	struct jail_run_opts jo;
	char real[PATH_MAX];

	if (parse_jail_run_args(argc, argv, &jo, err) < 0 || jail_root_path(jo.dir, real, err) < 0)
		return -1;
	char *json = jail_config(real, jo.cmd, jo.ncmd, err);
	if (!json)
		return -1;
	char id[64];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(id, sizeof(id), "jail-%d-%lx", (int)getpid(), (unsigned long)ts.tv_nsec);
	struct create_opts o = {
		.bundle = real,
		.config_json = json,
		.no_pivot = jo.use_chroot,
		.foreground = true,
	};
	struct created cr;
	int r = container_run(g, id, &o, true, NULL, &cr, err);
	free(json);
	if (r < 0)
		return -1;
	int code = container_wait_and_delete(&cr, false, err);
	created_free(&cr);
	return code;
}

int cmd_jail(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	if (argc < 2)
		return brig_err(err, 0, "jail: expected build or run (see brig --help)");
	optind = 0;
	if (strcmp(argv[1], "build") == 0)
		return jail_build(argc - 1, argv + 1, err);
	if (strcmp(argv[1], "run") == 0)
		return jail_run(g, argc - 1, argv + 1, err);
	return brig_err(err, 0, "jail: unknown subcommand \"%s\" (expected build or run)", argv[1]);
}
