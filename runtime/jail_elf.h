/* brig — runtime/jail_elf.h: what `jail build` needs from an ELF file,
 * read from its program headers and dynamic section, never by running it.
 * Private to runtime/ (jail.c and tests/unit/test_jail.c). */
#ifndef BRIG_JAIL_ELF_H
#define BRIG_JAIL_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/strv.h"

struct jail_elf {
	uint16_t machine;  /* e_machine: a library must match its user */
	char *interp;      /* PT_INTERP (the dynamic loader), or NULL */
	char **needed;     /* DT_NEEDED names, in order */
	size_t n_needed;
	char *rpath;       /* DT_RPATH, or NULL */
	char *runpath;     /* DT_RUNPATH, or NULL */
};

/* Read path's ELF header, PT_INTERP and PT_DYNAMIC (64-bit, either byte
 * order of the host's). Not an ELF file, a truncated or inconsistent one:
 * an error naming the path. A static binary has no interp and no needed. */
int jail_elf_read(const char *path, struct jail_elf *out, brig_error_t **err);
void jail_elf_free(struct jail_elf *e);

/* Find the library `name` needed by the object at `who` (its real path,
 * for $ORIGIN), in the order ld.so uses: DT_RPATH (when there is no
 * DT_RUNPATH), DT_RUNPATH, then the system directories `sys` (NULL-ended).
 * A name with a '/' is taken as it is. The candidate must be an ELF file
 * for the same machine. Returns a malloc'ed path, or NULL. */
char *jail_elf_find(const char *name, const struct jail_elf *who, const char *who_path,
		    const char *const *sys);

/* The system library directories: /lib/x86_64-linux-gnu ... /usr/lib, then
 * the directories listed in conf (normally /etc/ld.so.conf, following its
 * include lines). NULL-ended; free with brig_strv_free. */
char **jail_elf_system_dirs(const char *conf);

#endif
