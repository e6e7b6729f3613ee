/* brig — security/seccomp_cache.c: compiled seccomp filters kept on disk.
 *
 * Compiling a large profile with libseccomp (a rule per syscall, then the
 * BPF generation) costs ~10 ms of CPU at every start; the kernel only
 * needs the BPF program.  A filter is stored as
 *     <cache dir>/<hash>.bpf
 * where hash is a 64-bit FNV-1a of a key text: what made the program
 * (brig's version and build id, libseccomp's version, the machine) and
 * the profile, as its canonical text (every field that shapes the
 * program) or, for `create`, as its JSON text as it stands in
 * config.json (a hit then needs no parsing; a profile spelt another way
 * is compiled once more).  The file holds the key text itself, compared
 * byte for byte on a hit, so a hash collision can only cost a recompile,
 * never load the wrong filter.
 *
 * A filter loaded from here is what confines the container, and the key
 * text is no secret (brig's build id and the profile), so nothing is
 * taken on its name alone:
 *  - the directory is opened once, without following a symlink, and used
 *    only if it is ours (owner = euid) and nobody else can write it; else
 *    the cache is off for this command: nothing read, nothing written.
 *    Every later access is relative to that descriptor, which the init
 *    inherits: the directory checked is the directory used;
 *  - an entry is opened without following a symlink and used only if it
 *    is a regular file of ours, not writable by group or others, with one
 *    link; what is checked (fstat) is the descriptor then read;
 *  - every entry is sealed with a keyed hash (SipHash-2-4-128, siphash.c)
 *    of all that precedes the seal, under a random key kept in <dir>/key
 *    (0600, read by the process that checked the directory, on the host:
 *    the init, which may be in a user namespace whose ids are not mapped
 *    yet, cannot tell owners apart and relies on the seal).  An entry
 *    planted while the directory was open to others, damaged, or cut
 *    short by a crash fails the seal and is compiled afresh; so is a
 *    program that is not well-formed BPF (1..BPF_MAXINSNS instructions,
 *    the last a return) or flags seccomp(2) does not take from a cache.
 * Anything refused leaves a note (seccomp_cache_report) for --debug.
 *
 * Files are written to a temp name (O_EXCL, 0600) and renamed: concurrent
 * starts never see half a file; no fsync, as a torn file after a crash
 * fails its seal and is rewritten (and /run is a tmpfs).  The directory
 * is kept small after each write (a miss; a hit never pays for it): a
 * temp file older than a minute is a killed writer's and goes, and of
 * more than SECCOMP_CACHE_MAX filters the oldest go first (those of an
 * earlier build of brig are never looked up again); names are unlinked
 * relative to the directory's descriptor (unlinkat follows no symlink).
 *
 * File layout (native endianness, the file never leaves the host):
 *   "BRIGBPF2" | u32 kernel_flags | u32 uses_notify | u32 text_len |
 *   u32 n_insns | text | n_insns * struct sock_filter | seal (16 bytes)
 */
#include "seccomp_cache.h"
#include "siphash.h"
#include "base/io.h"

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <linux/seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define MAGIC "BRIGBPF2"
#define KEY_NAME "key"

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif
/* what a cached filter may ask of seccomp(2) (seccomp.c sets no other) */
#define CACHED_FLAGS (SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW | \
		      SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)

struct sec_seccomp_cache {
	int dirfd;   /* O_PATH, checked; -1: the cache is off */
	char *path;  /* for the notes */
	uint8_t key[SIPHASH_KEY_LEN];
	char note[320]; /* why the directory, or the last entry, was not used */
};

struct hdr {
	char magic[8];
	uint32_t kernel_flags;
	uint32_t uses_notify;
	uint32_t text_len;
	uint32_t n_insns;
};

/* ---- canonical text ------------------------------------------------------- */

struct buf {
	char *p;
	size_t len, cap;
};

static void put(struct buf *b, const char *s)
{
	size_t n = strlen(s) + 1; /* with a separator */
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, s, n - 1);
	b->p[b->len + n - 1] = '\x1f';
	b->len += n;
	b->p[b->len] = '\0';
}

static void put_u64(struct buf *b, bool set, uint64_t v)
{
	char tmp[32];
	if (set)
		snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
	else
		strcpy(tmp, "-");
	put(b, tmp);
}

static void put_strv(struct buf *b, const struct spec_strv *v)
{
	put_u64(b, true, v->n);
	for (size_t i = 0; i < v->n; i++)
		put(b, v->v[i] ? v->v[i] : "");
}

/* dl_iterate_phdr callback: the NT_GNU_BUILD_ID note of the first object
 * (brig itself), in hex. */
static int build_id_note(struct dl_phdr_info *info, size_t size, void *data)
{
	char *out = data;

	(void)size;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const char *p, *end;

		if (ph->p_type != PT_NOTE)
			continue;
		p = (const char *)(info->dlpi_addr + ph->p_vaddr);
		end = p + ph->p_memsz;
		while ((size_t)(end - p) >= sizeof(ElfW(Nhdr))) {
			const ElfW(Nhdr) *n = (const void *)p;
			const char *name = p + sizeof(*n);
			const unsigned char *desc =
				(const unsigned char *)name + ((n->n_namesz + 3) & ~3u);

			if ((const char *)desc + n->n_descsz > end)
				break;
			if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 &&
			    memcmp(name, "GNU", 4) == 0) {
				for (size_t j = 0; j < n->n_descsz && j < 32; j++)
					snprintf(out + 2 * j, 3, "%02x", desc[j]);
				return 1;
			}
			p = (const char *)desc + ((n->n_descsz + 3) & ~3u);
		}
	}
	return 1;
}

/* What built the program a cache entry holds: brig's version and build
 * id (the parser and the compiler that read the profile), libseccomp's
 * version and the machine. */
static char *maker(const char *libseccomp_version)
{
	static char id[65];
	struct utsname u;

	if (!id[0] && (dl_iterate_phdr(build_id_note, id), !id[0]))
		strcpy(id, "-");
	return xasprintf("%s\x1f%s\x1f%s\x1f%s", BRIG_VERSION, id, libseccomp_version,
			 uname(&u) == 0 ? u.machine : "?");
}

char *seccomp_cache_text(const struct spec_seccomp *s, const char *libseccomp_version)
{
	struct buf b = {0};
	cleanup_free char *by = maker(libseccomp_version);

	put(&b, "brig-seccomp-2");
	put(&b, by);
	put(&b, s->default_action ? s->default_action : "");
	put_u64(&b, s->default_errno_ret.set, s->default_errno_ret.v);
	put_strv(&b, &s->architectures);
	put_strv(&b, &s->flags);
	put_u64(&b, true, s->n_syscalls);
	for (size_t i = 0; i < s->n_syscalls; i++) {
		const struct spec_seccomp_syscall *sc = &s->syscalls[i];
		put_strv(&b, &sc->names);
		put(&b, sc->action ? sc->action : "");
		put_u64(&b, sc->errno_ret.set, sc->errno_ret.v);
		put_u64(&b, true, sc->n_args);
		for (size_t k = 0; k < sc->n_args; k++) {
			put_u64(&b, true, sc->args[k].index);
			put_u64(&b, true, sc->args[k].value);
			put_u64(&b, true, sc->args[k].value_two);
			put(&b, sc->args[k].op ? sc->args[k].op : "");
		}
	}
	return b.p ? b.p : xstrdup("");
}

char *seccomp_cache_json_text(const char *json, size_t len, const char *libseccomp_version)
{
	cleanup_free char *by = maker(libseccomp_version);

	/* JSON text holds no NUL and no raw control character: the
	 * separator cannot occur in it */
	return xasprintf("brig-seccomp-json-2\x1f%s\x1f%.*s", by, (int)len, json);
}

static void file_name(const char *text, char out[32])
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	snprintf(out, 32, "%016llx.bpf", (unsigned long long)h);
}

/* ---- trust --------------------------------------------------------------------- */

static int note(struct sec_seccomp_cache *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int note(struct sec_seccomp_cache *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->note, sizeof c->note, fmt, ap);
	va_end(ap);
	return -1;
}

/* Why the file st describes may not be trusted, or NULL: it must be of
 * type `type`, ours, with none of the `forbidden` mode bits, and (a
 * regular file) have one link. */
static const char *untrusted(const struct stat *st, mode_t type, mode_t forbidden,
			     char *buf, size_t n)
{
	if (S_ISLNK(st->st_mode))
		return "a symlink";
	if ((st->st_mode & S_IFMT) != type)
		return type == S_IFDIR ? "not a directory" : "not a regular file";
	if (st->st_uid != geteuid()) {
		snprintf(buf, n, "owned by uid %u, not %u", (unsigned)st->st_uid,
			 (unsigned)geteuid());
		return buf;
	}
	if (st->st_mode & forbidden) {
		snprintf(buf, n, "%s by group or others (mode %04o)",
			 forbidden & (S_IRGRP | S_IROTH) ? "readable or writable" : "writable",
			 (unsigned)(st->st_mode & 07777));
		return buf;
	}
	if (type == S_IFREG && st->st_nlink != 1) {
		snprintf(buf, n, "%ju links", (uintmax_t)st->st_nlink);
		return buf;
	}
	return NULL;
}

static int read_full(int fd, void *p, size_t n)
{
	size_t off = 0;
	while (off < n) {
		ssize_t r = read(fd, (char *)p + off, n - off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		off += (size_t)r;
	}
	return 0;
}

/* Open `name` in the directory for reading, without following a symlink
 * or blocking on a fifo, and check it: the descriptor, or -1 with *why. */
static int open_checked(struct sec_seccomp_cache *c, const char *name, mode_t forbidden,
			struct stat *st, char *buf, size_t n, const char **why)
{
	int fd = openat(c->dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	*why = NULL;
	if (fd < 0) {
		if (errno != ENOENT)
			*why = errno == ELOOP ? "a symlink" : strerror(errno);
		return -1;
	}
	if (fstat(fd, st) < 0)
		*why = strerror(errno);
	else
		*why = untrusted(st, S_IFREG, forbidden, buf, n);
	if (*why) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A temp name next to `name`, random: the pid is 1 in every container's
 * init, and a writer killed before its rename must not block the next. */
static void temp_name(const char *name, char *out, size_t n)
{
	uint64_t r = 0;

	if (getrandom(&r, sizeof r, GRND_NONBLOCK) != sizeof r)
		r = (uint64_t)getpid() << 32 ^ (uint64_t)time(NULL);
	snprintf(out, n, "%s.%016llx.tmp", name, (unsigned long long)r);
}

/* Write a new file `name` (0600) through a temp file and a rename, which
 * replaces whatever had that name (a symlink itself, not its target)
 * unless flags says RENAME_NOREPLACE. */
static int write_file(int dirfd, const char *name, const void *p, size_t n, unsigned flags)
{
	char tmp[64];
	int fd, e;

	temp_name(name, tmp, sizeof tmp);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (brig_write_all(fd, p, n) < 0 || close(fd) < 0 ||
	    renameat2(dirfd, tmp, dirfd, name, flags) < 0) {
		e = errno;
		unlinkat(dirfd, tmp, 0);
		errno = e;
		return -1;
	}
	return 0;
}

/* The key that seals the entries: read, or made (random) when missing.
 * One that is not ours and private (planted while the directory was open
 * to others), or not KEY_LEN bytes, is replaced; the entries it sealed
 * then fail their seal and are compiled again. */
static int load_key(struct sec_seccomp_cache *c)
{
	for (int tries = 0; tries < 3; tries++) {
		char buf[64];
		const char *why;
		struct stat st;
		int fd = open_checked(c, KEY_NAME, 077, &st, buf, sizeof buf, &why);

		if (fd >= 0) {
			int r = st.st_size == SIPHASH_KEY_LEN ? read_full(fd, c->key, SIPHASH_KEY_LEN) : -1;

			close(fd);
			if (r == 0)
				return 0;
		}
		if (fd >= 0 || why) {
			if (unlinkat(c->dirfd, KEY_NAME, 0) < 0 && errno != ENOENT)
				return note(c, "%s not used: its key: %s", c->path, strerror(errno));
		}
		if (getrandom(c->key, SIPHASH_KEY_LEN, GRND_NONBLOCK) != SIPHASH_KEY_LEN)
			return note(c, "%s not used: no random key: %s", c->path, strerror(errno));
		if (write_file(c->dirfd, KEY_NAME, c->key, SIPHASH_KEY_LEN, RENAME_NOREPLACE) == 0)
			return 0;
		if (errno != EEXIST)
			return note(c, "%s not used: write its key: %s", c->path, strerror(errno));
		/* another brig made one first: read that */
	}
	return note(c, "%s not used: its key keeps changing", c->path);
}

struct sec_seccomp_cache *sec_seccomp_cache_open(const char *dir)
{
	struct sec_seccomp_cache *c = xcalloc(1, sizeof *c);
	const char *why = NULL;
	char buf[96];
	struct stat st;
	int fd;

	c->dirfd = -1;
	c->path = xstrdup(dir);
	/* O_PATH | O_NOFOLLOW: a symlink is opened as itself, and refused */
	fd = open(dir, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		cleanup_free char *d = xstrdup(dir);
		for (char *p = d + 1; *p; p++) {
			if (*p != '/')
				continue;
			*p = '\0';
			mkdir(d, 0711);
			*p = '/';
		}
		mkdir(d, 0700);
		fd = open(dir, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		why = strerror(errno);
	else if (fstat(fd, &st) < 0)
		why = strerror(errno);
	else
		why = untrusted(&st, S_IFDIR, S_IWGRP | S_IWOTH, buf, sizeof buf);
	if (why) {
		note(c, "%s not used: %s", dir, why);
		if (fd >= 0)
			close(fd);
		return c;
	}
	c->dirfd = fd;
	if (load_key(c) < 0) {
		close(fd);
		c->dirfd = -1;
	}
	return c;
}

bool seccomp_cache_on(const struct sec_seccomp_cache *c)
{
	return c && c->dirfd >= 0;
}

void sec_seccomp_cache_free(struct sec_seccomp_cache *c)
{
	if (!c)
		return;
	if (c->dirfd >= 0)
		close(c->dirfd);
	explicit_bzero(c->key, sizeof c->key);
	free(c->path);
	free(c);
}

char *seccomp_cache_report(const struct sec_seccomp_cache *c, bool hit)
{
	if (hit)
		return xstrdup("seccomp filter from the cache");
	if (!c)
		return xstrdup("seccomp filter compiled (no cache)");
	if (c->dirfd < 0)
		return xasprintf("seccomp filter compiled, not cached: %s", c->note);
	if (c->note[0])
		return xasprintf("seccomp filter compiled and cached; %s", c->note);
	return xstrdup("seccomp filter compiled and cached");
}

/* ---- read / write ------------------------------------------------------------ */

/* The entry's note: why it was not used. */
static int refuse(struct sec_seccomp_cache *c, const char *name, const char *why)
{
	return note(c, "%s/%s not used: %s", c->path, name, why);
}

/* A program seccomp(2) would take as it is: 1..BPF_MAXINSNS instructions,
 * the last a return (the kernel checks the rest, jumps included), flags
 * brig sets, and a listener asked for exactly when the profile notifies
 * (else its fd would be left open for the container). */
static bool well_formed(const struct hdr *h, const struct sock_filter *last)
{
	bool listener = h->kernel_flags & SECCOMP_FILTER_FLAG_NEW_LISTENER;

	return h->n_insns >= 1 && h->n_insns <= BPF_MAXINSNS &&
	       (h->kernel_flags & ~(uint32_t)CACHED_FLAGS) == 0 &&
	       h->uses_notify == (uint32_t)listener &&
	       BPF_CLASS(last->code) == BPF_RET;
}

int seccomp_cache_read(struct sec_seccomp_cache *c, const char *text, struct sec_bpf *out)
{
	const size_t tlen = strlen(text), fixed = sizeof(struct hdr) + tlen + SIPHASH_TAG_LEN;
	const size_t max = fixed + BPF_MAXINSNS * sizeof(struct sock_filter);
	char name[32], buf[96];
	uint8_t tag[SIPHASH_TAG_LEN];
	cleanup_close int fd = -1;
	const char *why;
	struct stat st;
	struct hdr h;

	if (!seccomp_cache_on(c))
		return -1;
	c->note[0] = '\0';
	file_name(text, name);
	fd = open_checked(c, name, S_IWGRP | S_IWOTH, &st, buf, sizeof buf, &why);
	if (fd < 0)
		return why ? refuse(c, name, why) : -1;
	if (st.st_size < (off_t)fixed + (off_t)sizeof(struct sock_filter) || st.st_size > (off_t)max)
		return refuse(c, name, "not the size of a filter for this key");
	size_t size = (size_t)st.st_size;
	cleanup_free uint8_t *f = xmalloc(size);
	if (read_full(fd, f, size) < 0)
		return refuse(c, name, "cut short");
	memcpy(&h, f, sizeof h);
	if (memcmp(h.magic, MAGIC, 8) != 0 || h.text_len != tlen)
		return refuse(c, name, "not a filter for this key");
	if (size != fixed + (size_t)h.n_insns * sizeof(struct sock_filter))
		return refuse(c, name, "its size does not match its header");
	siphash_128(c->key, f, size - SIPHASH_TAG_LEN, tag);
	/* the tag is no secret once the entry is out: a plain compare */
	if (memcmp(tag, f + size - SIPHASH_TAG_LEN, SIPHASH_TAG_LEN) != 0)
		return refuse(c, name, "fails its integrity check");
	if (memcmp(f + sizeof h, text, tlen) != 0)
		return refuse(c, name, "holds another key text (a hash collision)");
	struct sock_filter *prog = xmalloc((size_t)h.n_insns * sizeof *prog);
	memcpy(prog, f + sizeof h + tlen, (size_t)h.n_insns * sizeof *prog);
	if (!well_formed(&h, &prog[h.n_insns - 1])) {
		free(prog);
		return refuse(c, name, "not a well-formed filter");
	}
	out->prog = prog;
	out->n_insns = h.n_insns;
	out->kernel_flags = h.kernel_flags;
	out->uses_notify = h.uses_notify != 0;
	return 0;
}

struct entry {
	char name[32];
	struct timespec mtime;
};

static int older_first(const void *a, const void *b)
{
	const struct timespec *x = &((const struct entry *)a)->mtime;
	const struct timespec *y = &((const struct entry *)b)->mtime;

	if (x->tv_sec != y->tv_sec)
		return x->tv_sec < y->tv_sec ? -1 : 1;
	return x->tv_nsec < y->tv_nsec ? -1 : x->tv_nsec > y->tv_nsec;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len > n && memcmp(s + len - n, suffix, n) == 0;
}

void seccomp_cache_prune(struct sec_seccomp_cache *c)
{
	time_t now = time(NULL);
	struct entry *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	DIR *d;
	int fd;

	if (!seccomp_cache_on(c))
		return;
	/* the checked directory itself: "." of its O_PATH descriptor */
	fd = openat(c->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		struct stat st;

		if (fstatat(c->dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (ends_with(e->d_name, len, ".tmp")) {
			if (now - st.st_mtime > 60)
				unlinkat(c->dirfd, e->d_name, 0);
			continue;
		}
		if (!ends_with(e->d_name, len, ".bpf") || len >= sizeof v->name)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			v = xrealloc(v, cap * sizeof *v);
		}
		memcpy(v[n].name, e->d_name, len + 1);
		v[n++].mtime = st.st_mtim;
	}
	closedir(d);
	if (n > SECCOMP_CACHE_MAX) {
		qsort(v, n, sizeof *v, older_first);
		for (size_t i = 0; i < n - SECCOMP_CACHE_MAX; i++)
			unlinkat(c->dirfd, v[i].name, 0);
	}
	free(v);
}

void seccomp_cache_write(struct sec_seccomp_cache *c, const char *text, const struct sec_bpf *bpf)
{
	struct hdr h = {
		.kernel_flags = bpf->kernel_flags,
		.uses_notify = bpf->uses_notify,
		.text_len = (uint32_t)strlen(text),
		.n_insns = (uint32_t)bpf->n_insns,
	};
	size_t prog_len = bpf->n_insns * sizeof *bpf->prog;
	size_t size = sizeof h + h.text_len + prog_len + SIPHASH_TAG_LEN;
	char name[32];

	/* an untrusted directory is never written */
	if (!seccomp_cache_on(c) || bpf->n_insns == 0 || bpf->n_insns > BPF_MAXINSNS)
		return;
	memcpy(h.magic, MAGIC, 8);
	cleanup_free uint8_t *f = xmalloc(size);
	memcpy(f, &h, sizeof h);
	memcpy(f + sizeof h, text, h.text_len);
	memcpy(f + sizeof h + h.text_len, bpf->prog, prog_len);
	siphash_128(c->key, f, size - SIPHASH_TAG_LEN, f + size - SIPHASH_TAG_LEN);
	file_name(text, name);
	/* a cache: failing to fill it costs only time */
	(void)write_file(c->dirfd, name, f, size, 0);
	seccomp_cache_prune(c);
}
