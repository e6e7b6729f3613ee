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
 * never load the wrong filter.  Files are written to a temp name
 * and renamed: concurrent starts never see half a file.  The directory
 * is kept small after each write (a miss; a hit never pays for it): a
 * temp file older than a minute is a killed writer's and goes, and of
 * more than SECCOMP_CACHE_MAX filters the oldest go first (those of an
 * earlier build of brig are never looked up again).
 *
 * File layout (native endianness, the file never leaves the host):
 *   "BRIGBPF1" | u32 kernel_flags | u32 uses_notify | u32 text_len |
 *   u32 n_insns | text | n_insns * struct sock_filter
 */
#include "seccomp_cache.h"

#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define MAGIC "BRIGBPF1"
#define MAX_INSNS 65536 /* well above BPF_MAXINSNS (4096) */

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

/* ---- read / write ------------------------------------------------------------ */

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

int seccomp_cache_read(int dirfd, const char *text, struct sec_bpf *out)
{
	char name[32];
	cleanup_close int fd = -1;
	struct hdr h;
	size_t tlen = strlen(text);

	if (dirfd < 0)
		return -1;
	file_name(text, name);
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || read_full(fd, &h, sizeof h) < 0 ||
	    memcmp(h.magic, MAGIC, 8) != 0 || h.text_len != tlen ||
	    h.n_insns == 0 || h.n_insns > MAX_INSNS)
		return -1;
	cleanup_free char *t = xmalloc(tlen + 1);
	if (read_full(fd, t, tlen) < 0 || memcmp(t, text, tlen) != 0)
		return -1;
	struct sock_filter *prog = xcalloc(h.n_insns, sizeof *prog);
	if (read_full(fd, prog, h.n_insns * sizeof *prog) < 0) {
		free(prog);
		return -1;
	}
	out->prog = prog;
	out->n_insns = h.n_insns;
	out->kernel_flags = h.kernel_flags;
	out->uses_notify = h.uses_notify != 0;
	return 0;
}

static int write_full(int fd, const void *p, size_t n)
{
	return brig_write_all(fd, p, n);
}

int seccomp_cache_open(const char *dir)
{
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0 || errno != ENOENT)
		return fd;
	cleanup_free char *d = xstrdup(dir);
	for (char *p = d + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(d, 0711);
		*p = '/';
	}
	mkdir(d, 0700);
	return open(d, O_PATH | O_DIRECTORY | O_CLOEXEC);
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

void seccomp_cache_prune(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	time_t now = time(NULL);
	struct entry *v = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	DIR *d;

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

		if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (ends_with(e->d_name, len, ".tmp")) {
			if (now - st.st_mtime > 60)
				unlinkat(dirfd, e->d_name, 0);
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
			unlinkat(dirfd, v[i].name, 0);
	}
	free(v);
}

void seccomp_cache_write(int dirfd, const char *text, const struct sec_bpf *bpf)
{
	char name[32], tmp[64];
	uint64_t r = 0;
	struct hdr h = {
		.kernel_flags = bpf->kernel_flags,
		.uses_notify = bpf->uses_notify,
		.text_len = (uint32_t)strlen(text),
		.n_insns = (uint32_t)bpf->n_insns,
	};
	memcpy(h.magic, MAGIC, 8);

	if (dirfd < 0)
		return;
	file_name(text, name);
	/* a random temp name: the pid is 1 in every container's init, and a
	 * writer killed before its rename must not block the next one */
	if (getrandom(&r, sizeof r, GRND_NONBLOCK) != sizeof r)
		r = (uint64_t)getpid() << 32 ^ (uint64_t)time(NULL);
	snprintf(tmp, sizeof tmp, "%s.%016llx.tmp", name, (unsigned long long)r);
	int fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return; /* a cache: failing to fill it costs only time */
	if (write_full(fd, &h, sizeof h) < 0 || write_full(fd, text, h.text_len) < 0 ||
	    write_full(fd, bpf->prog, bpf->n_insns * sizeof *bpf->prog) < 0 ||
	    close(fd) < 0 || renameat(dirfd, tmp, dirfd, name) < 0)
		unlinkat(dirfd, tmp, 0);
	seccomp_cache_prune(dirfd);
}
