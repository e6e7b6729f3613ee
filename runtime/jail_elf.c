/* brig — runtime/jail_elf.c: read an ELF file's loader and the libraries
 * it needs (PT_INTERP, DT_NEEDED, DT_RPATH, DT_RUNPATH), and find those
 * libraries the way ld.so does — without running anything. */
#include "jail_elf.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>


void jail_elf_free(struct jail_elf *e)
{
	free(e->interp);
	for (size_t i = 0; i < e->n_needed; i++)
		free(e->needed[i]);
	free(e->needed);
	free(e->rpath);
	free(e->runpath);
	memset(e, 0, sizeof(*e));
}

/* A NUL-terminated string at file offset off, or NULL when out of bounds. */
static char *str_at(const unsigned char *m, size_t size, uint64_t off)
{
	if (off >= size)
		return NULL;
	const unsigned char *end = memchr(m + off, '\0', size - off);
	return end ? xstrdup((const char *)m + off) : NULL;
}

/* File offset of a virtual address, through the PT_LOAD segments. */
static bool vaddr_to_off(const Elf64_Phdr *ph, size_t n, uint64_t va, uint64_t *off)
{
	for (size_t i = 0; i < n; i++) {
		if (ph[i].p_type == PT_LOAD && va >= ph[i].p_vaddr &&
		    va < ph[i].p_vaddr + ph[i].p_filesz) {
			*off = va - ph[i].p_vaddr + ph[i].p_offset;
			return true;
		}
	}
	return false;
}

static int parse(const char *path, const unsigned char *m, size_t size,
		 struct jail_elf *out, brig_error_t **err)
{
	const Elf64_Ehdr *eh = (const void *)m;
	const Elf64_Phdr *ph;
	const Elf64_Phdr *dyn = NULL;
	uint64_t strtab_va = 0, strtab_off = 0;
	bool has_strtab = false;

	if (size < EI_NIDENT || memcmp(m, ELFMAG, SELFMAG) != 0)
		return brig_err(err, 0, "%s: not an ELF file", path);
	if (m[EI_CLASS] != ELFCLASS64)
		return brig_err(err, 0, "%s: a 32-bit ELF file; jail build reads 64-bit ones only", path);
	if (m[EI_DATA] != ELFDATA2LSB)
		return brig_err(err, 0, "%s: a big-endian ELF file", path);
	if (size < sizeof(*eh) || eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    eh->e_phoff > size || eh->e_phnum > (size - eh->e_phoff) / sizeof(Elf64_Phdr))
		return brig_err(err, 0, "%s: truncated or corrupt ELF program headers", path);
	out->machine = eh->e_machine;
	ph = (const void *)(m + eh->e_phoff);
	for (size_t i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_INTERP) {
			if (ph[i].p_offset >= size || !(out->interp = str_at(m, size, ph[i].p_offset)))
				return brig_err(err, 0, "%s: corrupt PT_INTERP", path);
		} else if (ph[i].p_type == PT_DYNAMIC) {
			dyn = &ph[i];
		}
	}
	if (!dyn)
		return 0; /* static */
	if (dyn->p_offset > size || dyn->p_filesz > size - dyn->p_offset)
		return brig_err(err, 0, "%s: corrupt PT_DYNAMIC", path);
	const Elf64_Dyn *d = (const void *)(m + dyn->p_offset);
	size_t nd = dyn->p_filesz / sizeof(Elf64_Dyn);
	for (size_t i = 0; i < nd && d[i].d_tag != DT_NULL; i++)
		if (d[i].d_tag == DT_STRTAB) {
			strtab_va = d[i].d_un.d_ptr;
			has_strtab = true;
		}
	if (!has_strtab)
		return 0;
	if (!vaddr_to_off(ph, eh->e_phnum, strtab_va, &strtab_off))
		return brig_err(err, 0, "%s: DT_STRTAB outside the loaded segments", path);
	for (size_t i = 0; i < nd && d[i].d_tag != DT_NULL; i++) {
		char *s;
		if (d[i].d_tag != DT_NEEDED && d[i].d_tag != DT_RPATH && d[i].d_tag != DT_RUNPATH)
			continue;
		s = str_at(m, size, strtab_off + d[i].d_un.d_val);
		if (!s)
			return brig_err(err, 0, "%s: a dynamic entry points outside the file", path);
		if (d[i].d_tag == DT_NEEDED) {
			out->needed = xrealloc(out->needed, (out->n_needed + 1) * sizeof(char *));
			out->needed[out->n_needed++] = s;
		} else if (d[i].d_tag == DT_RPATH) {
			free(out->rpath);
			out->rpath = s;
		} else {
			free(out->runpath);
			out->runpath = s;
		}
	}
	return 0;
}

int jail_elf_read(const char *path, struct jail_elf *out, brig_error_t **err)
{
	struct stat sb;
	void *m;
	int fd, r;

	memset(out, 0, sizeof(*out));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return brig_err(err, errno, "%s", path);
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return brig_err(err, 0, "%s: not a regular file", path);
	}
	if (sb.st_size == 0) {
		close(fd);
		return brig_err(err, 0, "%s: not an ELF file (empty)", path);
	}
	m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return brig_err(err, errno, "mmap %s", path);
	r = parse(path, m, (size_t)sb.st_size, out, err);
	munmap(m, (size_t)sb.st_size);
	if (r < 0)
		jail_elf_free(out);
	return r;
}

/* Is path an ELF object for machine? */
static bool elf_for(const char *path, uint16_t machine)
{
	unsigned char h[sizeof(Elf64_Ehdr)];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, h, sizeof(h));
	close(fd);
	if (n != (ssize_t)sizeof(h) || memcmp(h, ELFMAG, SELFMAG) != 0 || h[EI_CLASS] != ELFCLASS64)
		return false;
	return ((const Elf64_Ehdr *)(const void *)h)->e_machine == machine;
}

/* Search a colon-separated list, with $ORIGIN / ${ORIGIN} replaced. */
static char *search_list(const char *list, const char *origin, const char *name, uint16_t machine)
{
	cleanup_free char *copy = xstrdup(list);
	char *save = NULL;

	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		cleanup_free char *d = NULL;
		const char *o = strstr(dir, "$ORIGIN");
		size_t skip = 7;
		if (!o && (o = strstr(dir, "${ORIGIN}")))
			skip = 9;
		if (o)
			d = xasprintf("%.*s%s%s", (int)(o - dir), dir, origin, o + skip);
		else
			d = xstrdup(dir);
		char *p = xasprintf("%s/%s", d, name);
		if (elf_for(p, machine))
			return p;
		free(p);
	}
	return NULL;
}

char *jail_elf_find(const char *name, const struct jail_elf *who, const char *who_path,
		    const char *const *sys)
{
	cleanup_free char *origin = xstrdup(who_path);
	char *slash = strrchr(origin, '/');
	char *p;

	if (slash)
		*(slash == origin ? slash + 1 : slash) = '\0';
	if (strchr(name, '/'))
		return elf_for(name, who->machine) ? xstrdup(name) : NULL;
	if (who->rpath && !who->runpath && (p = search_list(who->rpath, origin, name, who->machine)))
		return p;
	if (who->runpath && (p = search_list(who->runpath, origin, name, who->machine)))
		return p;
	for (; sys && *sys; sys++) {
		p = xasprintf("%s/%s", *sys, name);
		if (elf_for(p, who->machine))
			return p;
		free(p);
	}
	return NULL;
}

static void add_dir(char ***v, size_t *n, const char *d)
{
	if (!brig_strv_contains(*v, d))
		brig_strv_append(v, n, d);
}

static void read_conf(const char *conf, char ***v, size_t *n, int depth)
{
	FILE *f = depth < 8 ? fopen(conf, "re") : NULL;
	char *line = NULL;
	size_t cap = 0;

	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		char *s = line;
		s[strcspn(s, "#\n")] = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		for (char *e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t');)
			*--e = '\0';
		if (!*s)
			continue;
		if (strncmp(s, "include", 7) == 0 && (s[7] == ' ' || s[7] == '\t')) {
			glob_t g;
			s += 8;
			while (*s == ' ' || *s == '\t')
				s++;
			if (glob(s, 0, NULL, &g) == 0) {
				for (size_t i = 0; i < g.gl_pathc; i++)
					read_conf(g.gl_pathv[i], v, n, depth + 1);
				globfree(&g);
			}
		} else if (s[0] == '/') {
			add_dir(v, n, s);
		}
	}
	free(line);
	fclose(f);
}

char **jail_elf_system_dirs(const char *conf)
{
	static const char *const base[] = {
		"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64",
		"/usr/lib64", "/lib", "/usr/lib",
	};
	char **v = xcalloc(1, sizeof(char *));
	size_t n = 0;

	for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++)
		add_dir(&v, &n, base[i]);
	if (conf)
		read_conf(conf, &v, &n, 0);
	return v;
}
