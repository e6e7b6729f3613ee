/* probe — test helper, built static so it runs in the busybox rootfs:
 * makes each named system call with harmless arguments and prints one line
 * per call, "NAME: ok" or "NAME: errno N", so a test can see what the
 * container's seccomp filter allowed.
 *
 *   probe NAME...   NAME one of: keyctl add_key request_key bpf
 *                   perf_event_open open_by_handle_at kexec_load
 *                   userfaultfd unshare_user unshare_files clone3 getpid
 *                   mkdir:PATH chroot:PATH euid (prints geteuid())
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLONE_NEWUSER
#define CLONE_NEWUSER 0x10000000
#endif
#ifndef CLONE_FILES
#define CLONE_FILES 0x00000400
#endif

static long call(const char *name)
{
	static char zero[256];
	if (!strcmp(name, "keyctl"))
		return syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0);
	if (!strcmp(name, "add_key"))
		return syscall(SYS_add_key, "user", "brig-probe", "x", 1, -3);
	if (!strcmp(name, "request_key"))
		return syscall(SYS_request_key, "user", "brig-probe", NULL, 0);
	if (!strcmp(name, "bpf"))
		return syscall(SYS_bpf, 0 /* BPF_MAP_CREATE */, zero, 64);
	if (!strcmp(name, "perf_event_open"))
		return syscall(SYS_perf_event_open, zero, 0, -1, -1, 0);
	if (!strcmp(name, "open_by_handle_at"))
		return syscall(SYS_open_by_handle_at, -100, zero, 0);
	if (!strcmp(name, "kexec_load"))
		return syscall(SYS_kexec_load, 0, 0, NULL, 0);
	if (!strcmp(name, "userfaultfd"))
		return syscall(SYS_userfaultfd, 0);
	if (!strcmp(name, "unshare_user"))
		return syscall(SYS_unshare, CLONE_NEWUSER);
	if (!strcmp(name, "unshare_files"))
		return syscall(SYS_unshare, CLONE_FILES);
	if (!strcmp(name, "clone3"))
		return syscall(SYS_clone3, NULL, 0);
	if (!strcmp(name, "getpid"))
		return syscall(SYS_getpid);
	if (!strncmp(name, "mkdir:", 6))
		return syscall(SYS_mkdir, name + 6, 0755);
	if (!strncmp(name, "chroot:", 7))
		return syscall(SYS_chroot, name + 7);
	if (!strcmp(name, "euid"))
		return syscall(SYS_geteuid);
	errno = EINVAL;
	return -2;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		errno = 0;
		long r = call(argv[i]);
		if (r == -2 && errno == EINVAL) {
			printf("%s: unknown probe\n", argv[i]);
			return 2;
		}
		if (r < 0)
			printf("%s: errno %d\n", argv[i], errno);
		else if (!strcmp(argv[i], "euid"))
			printf("%s: %ld\n", argv[i], r);
		else
			printf("%s: ok\n", argv[i]);
	}
	return 0;
}
