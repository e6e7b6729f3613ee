/* brig — security/selfexe.c: a binary no container can write through
 * (CVE-2019-5736 and its CAP_SYS_PTRACE variant).
 *
 * Until execve, the container's init and an exec'd process are brig, and
 * /proc/<pid>/exe of each is brig's binary.  Non-dumpable keeps out a
 * container without CAP_SYS_PTRACE on the host, not one with it: such a
 * process opens /proc/<pid>/exe (even O_PATH), keeps it, and writes the
 * binary once no brig runs it any more (ETXTBSY only lasts that long).
 *
 * So the commands that put a process into a container run from a copy of
 * brig that cannot be written through any route, re-executed at start:
 *   1. an overlay mount with two lower layers and no upper (the binary's
 *      directory over /dev, or an empty tmpfs), made with the new mount API and
 *      never attached anywhere: its superblock is read-only, and no
 *      remount can make an overlay without an upper layer writable.  It
 *      shares the page cache with the original: nothing is copied.
 *   2. where that is not allowed (not root, no overlay), a memfd copy
 *      with every seal (write, grow, shrink, and the seals themselves).
 * A binary that is already safe is used as it is: one on a read-only
 * mount, a sealed memfd (after the re-exec), or, for a caller that is not
 * root, a file the caller cannot write (a container of an unprivileged
 * user cannot then write it either). */
#include "security.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ALL_SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

/* Set before the re-exec and removed at once after: a binary still unsafe
 * then means the re-exec did not help, and looping would not either. */
#define REEXEC_ENV "_BRIG_SEALED_EXE"

extern char **environ;

static bool is_sealed_memfd(int fd)
{
	int seals = fcntl(fd, F_GET_SEALS);
	return seals >= 0 && (seals & ALL_SEALS) == ALL_SEALS;
}

static bool exe_is_safe(void)
{
	struct statvfs sv;
	struct stat st;
	cleanup_close int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (is_sealed_memfd(fd))
		return true;
	if (fstatvfs(fd, &sv) == 0 && (sv.f_flag & ST_RDONLY))
		return true;
	/* Not root: what the caller cannot write, its containers cannot */
	if (geteuid() != 0 && fstat(fd, &st) == 0 && st.st_uid != geteuid() &&
	    faccessat(AT_FDCWD, "/proc/self/exe", W_OK, AT_EACCESS) < 0)
		return true;
	return false;
}

static int fsopen_(const char *fs)
{
	return (int)syscall(SYS_fsopen, fs, FSOPEN_CLOEXEC);
}

static int fsconfig_(int fd, unsigned cmd, const char *key, const char *value)
{
	return (int)syscall(SYS_fsconfig, fd, cmd, key, value, 0);
}

static int fsmount_(int fd, unsigned attrs)
{
	return (int)syscall(SYS_fsmount, fd, FSMOUNT_CLOEXEC, attrs);
}

/* A detached mount of an empty, read-only tmpfs: the overlay's second
 * lower layer (an overlay without an upper layer needs two). */
static int empty_tmpfs(void)
{
	cleanup_close int fs = fsopen_("tmpfs");

	if (fs < 0 || fsconfig_(fs, FSCONFIG_SET_STRING, "size", "4k") < 0 ||
	    fsconfig_(fs, FSCONFIG_SET_STRING, "nr_inodes", "1") < 0 ||
	    fsconfig_(fs, FSCONFIG_CMD_CREATE, NULL, NULL) < 0)
		return -1;
	return fsmount_(fs, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID |
				    MOUNT_ATTR_NOEXEC);
}

/* Escape ':' ',' and '\\' for the old "lowerdir=a:b" form. */
static char *escape_layer(const char *s)
{
	char *out = xcalloc(2 * strlen(s) + 1, 1), *o = out;

	for (; *s; s++) {
		if (*s == ':' || *s == ',' || *s == '\\')
			*o++ = '\\';
		*o++ = *s;
	}
	return out;
}

/* An overlay of dir over lower2, without upper layer, as an fsmount fd. */
static int overlay_of(const char *dir, const char *lower2)
{
	cleanup_close int fs = fsopen_("overlay");

	if (fs < 0)
		return -1;
	/* "lowerdir+" (Linux 6.8) takes any path; older kernels the list */
	if (fsconfig_(fs, FSCONFIG_SET_STRING, "lowerdir+", dir) < 0 ||
	    fsconfig_(fs, FSCONFIG_SET_STRING, "lowerdir+", lower2) < 0) {
		cleanup_free char *a = escape_layer(dir);
		cleanup_free char *b = escape_layer(lower2);
		cleanup_free char *both = xasprintf("%s:%s", a, b);
		close(fs);
		fs = fsopen_("overlay");
		if (fs < 0 || fsconfig_(fs, FSCONFIG_SET_STRING, "lowerdir", both) < 0)
			return -1;
	}
	if (fsconfig_(fs, FSCONFIG_CMD_CREATE, NULL, NULL) < 0)
		return -1;
	return fsmount_(fs, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID);
}

/* The binary through a read-only overlay of its own directory: an O_PATH
 * fd to execveat, or -1.  The binary is looked up in its directory, the
 * upper of the two lower layers: what the other one holds never shows.
 * That one is /dev, which is there and apart from where binaries live
 * (overlay refuses layers inside each other); else an empty tmpfs, a
 * superblock more (kernel memory charged to the caller: scenario 8). */
static int overlay_copy(const char *exe)
{
	const char *slash = strrchr(exe, '/');
	cleanup_close int empty = -1, mnt = -1;
	char lower2[64];

	if (exe[0] != '/' || !slash || !slash[1])
		return -1;
	cleanup_free char *dir = slash == exe ? xstrdup("/") : strndup(exe, (size_t)(slash - exe));
	if (strncmp(dir, "/dev", 4) != 0 && strcmp(dir, "/") != 0)
		mnt = overlay_of(dir, "/dev");
	if (mnt < 0) {
		empty = empty_tmpfs();
		if (empty < 0)
			return -1;
		snprintf(lower2, sizeof(lower2), "/proc/self/fd/%d", empty);
		mnt = overlay_of(dir, lower2);
	}
	if (mnt < 0)
		return -1;
	return openat(mnt, slash + 1, O_PATH | O_NOFOLLOW | O_CLOEXEC);
}

/* A sealed memfd holding a copy of the binary, or -1. */
static int memfd_copy(void)
{
	cleanup_close int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	cleanup_close int fd = -1;
	struct stat st;
	off_t off = 0;

	if (src < 0 || fstat(src, &st) < 0)
		return -1;
	fd = memfd_create("brig", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -1;
	while (off < st.st_size) {
		ssize_t n = sendfile(fd, src, NULL, (size_t)(st.st_size - off));
		if (n <= 0)
			return -1;
		off += n;
	}
	if (fcntl(fd, F_ADD_SEALS, ALL_SEALS) < 0)
		return -1;
	return steal_fd(fd);
}

int sec_exe_ensure_safe(char **argv, brig_error_t **err)
{
	bool again = getenv(REEXEC_ENV) != NULL;
	char exe[4096];
	ssize_t n;
	int fd;

	if (again) {
		/* execveat(AT_EMPTY_PATH) names the process after the fd on
		 * older kernels ("3"): give it back its name for ps and pkill */
		const char *base = strrchr(argv[0], '/');
		unsetenv(REEXEC_ENV);
		prctl(PR_SET_NAME, base ? base + 1 : argv[0], 0, 0, 0);
	}
	if (exe_is_safe())
		return 0;
	if (again)
		return brig_err(err, 0, "cannot run from a copy of brig that containers cannot "
				"write (CVE-2019-5736): the re-executed binary is still writable");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	fd = -1;
	if (geteuid() == 0 && n > 0 && !strstr(exe, " (deleted)"))
		fd = overlay_copy(exe);
	if (fd < 0)
		fd = memfd_copy();
	if (fd < 0)
		return brig_err(err, errno, "cannot make a copy of brig that containers cannot "
				"write (CVE-2019-5736): neither a read-only overlay nor a sealed memfd");
	setenv(REEXEC_ENV, "1", 1);
	syscall(SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
	int e = errno;
	unsetenv(REEXEC_ENV);
	close(fd);
	return brig_err(err, e, "re-execute brig from its protected copy");
}
