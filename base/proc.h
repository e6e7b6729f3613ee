/* brig — base/proc.h: processes and procfs.
 *
 * pidfd_open without a libc wrapper; a wait status turned into the code a
 * shell would show (and into words for a message); one parser for the
 * lines of /proc/<pid>/mountinfo, with the kernel's octal escapes undone,
 * and one for the lines of /proc/<pid>/cgroup. */
#ifndef BRIG_BASE_PROC_H
#define BRIG_BASE_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* pidfd_open(2): a descriptor that polls readable once pid has exited.
 * -1 with errno set (ENOSYS before Linux 5.3). */
int brig_pidfd_open(pid_t pid);

/* A wait status as a shell reports it: the exit code (0-255), 128 + the
 * signal that killed the process, or 255 for anything else. */
int brig_wait_code(int status);

/* A wait status in words, for messages: "exit status N" or "killed by
 * signal N".  Writes into buf (32 bytes are enough) and returns it. */
const char *brig_wait_describe(int status, char *buf, size_t size);

/* One line of /proc/<pid>/mountinfo, split in place (proc(5)).  The
 * fields point into the line; root, mountpoint and source are unescaped. */
struct brig_mountinfo {
	char *root;       /* field 4: the mount's root within its filesystem */
	char *mountpoint; /* field 5 */
	char *fstype;     /* the first field after " - " */
	char *source;     /* NULL when the line ends early */
	char *super;      /* super options; NULL when the line ends early */
};

/* Split line (its trailing newline is dropped).  Returns 0, or -1 when
 * the line has no " - " separator or fewer than five fields before it, or
 * no filesystem type after it. */
int brig_mountinfo_parse(char *line, struct brig_mountinfo *mi);

/* Undo the kernel's escaping of space, tab, newline and backslash as
 * "\ooo" (three octal digits), in place. */
void brig_mountinfo_unescape(char *s);

/* One line of /proc/<pid>/cgroup, "id:controllers:path" (cgroups(7)),
 * split in place; its trailing newline is dropped.  cgroup2's line is
 * "0::path" (controllers ""); the path may itself hold colons. */
struct brig_cgroup_line {
	char *id;
	char *controllers; /* "cpu,cpuacct", "name=systemd", "" */
	char *path;
};

/* Returns 0, or -1 for a line without two colons. */
int brig_cgroup_line_parse(char *line, struct brig_cgroup_line *cl);

#endif
