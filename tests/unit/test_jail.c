/* Unit tests for runtime/jail_elf.c (the ELF reader of `brig jail build`)
 * and runtime/jail_dir.c (its paths below DIR, never through a symlink). */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/jail_dir.h"
#include "runtime/jail_elf.h"

static char tmpdir[64];

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* A minimal x86-64 ELF: one PT_LOAD covering the file, PT_INTERP,
 * PT_DYNAMIC with DT_STRTAB, two DT_NEEDED and a DT_RUNPATH. */
static size_t make_elf(unsigned char *buf, size_t cap, const char *runpath_tag_name,
		       bool with_dynamic)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
	Elf64_Phdr *ph = (Elf64_Phdr *)(buf + sizeof(*eh));
	size_t off = sizeof(*eh) + 3 * sizeof(*ph);
	const char interp[] = "/lib64/ld-test.so.2";
	const char strtab[] = "\0libfoo.so.1\0libbar.so.2\0$ORIGIN/lib:/nonexistent";
	size_t interp_off, str_off, dyn_off;

	memset(buf, 0, cap);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_DYN;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = with_dynamic ? 3 : 1;

	interp_off = off;
	memcpy(buf + off, interp, sizeof(interp));
	off += sizeof(interp);
	str_off = off;
	memcpy(buf + off, strtab, sizeof(strtab));
	off += sizeof(strtab);
	off = (off + 7) & ~(size_t)7;
	dyn_off = off;
	Elf64_Dyn *d = (Elf64_Dyn *)(buf + off);
	/* strtab at vaddr 0x1000 + str_off: PT_LOAD maps file 0 at 0x1000 */
	d[0].d_tag = DT_NEEDED;
	d[0].d_un.d_val = 1;
	d[1].d_tag = DT_STRTAB;
	d[1].d_un.d_ptr = 0x1000 + str_off;
	d[2].d_tag = DT_NEEDED;
	d[2].d_un.d_val = 13;
	d[3].d_tag = strcmp(runpath_tag_name, "rpath") == 0 ? DT_RPATH : DT_RUNPATH;
	d[3].d_un.d_val = 25;
	d[4].d_tag = DT_NULL;
	off += 5 * sizeof(*d);

	ph[0].p_type = PT_LOAD;
	ph[0].p_offset = 0;
	ph[0].p_vaddr = 0x1000;
	ph[0].p_filesz = off;
	ph[0].p_memsz = off;
	if (with_dynamic) {
		ph[1].p_type = PT_INTERP;
		ph[1].p_offset = interp_off;
		ph[1].p_filesz = sizeof(interp);
		ph[2].p_type = PT_DYNAMIC;
		ph[2].p_offset = dyn_off;
		ph[2].p_vaddr = 0x1000 + dyn_off;
		ph[2].p_filesz = 5 * sizeof(*d);
	}
	return off;
}

static int setup(void **state)
{
	(void)state;
	strcpy(tmpdir, "/tmp/brig-test-jail.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_reads_synthetic_dynamic(void **state)
{
	unsigned char buf[4096];
	char path[128];
	struct jail_elf e;
	brig_error_t *err = NULL;
	(void)state;

	size_t n = make_elf(buf, sizeof(buf), "runpath", true);
	snprintf(path, sizeof(path), "%s/prog", tmpdir);
	write_file(path, buf, n);
	assert_int_equal(jail_elf_read(path, &e, &err), 0);
	assert_int_equal(e.machine, EM_X86_64);
	assert_string_equal(e.interp, "/lib64/ld-test.so.2");
	assert_int_equal(e.n_needed, 2);
	assert_string_equal(e.needed[0], "libfoo.so.1");
	assert_string_equal(e.needed[1], "libbar.so.2");
	assert_string_equal(e.runpath, "$ORIGIN/lib:/nonexistent");
	assert_null(e.rpath);
	jail_elf_free(&e);
}

static void test_rpath_and_origin_lookup(void **state)
{
	unsigned char buf[4096];
	char path[128], libdir[128], lib[160];
	struct jail_elf e;
	brig_error_t *err = NULL;
	(void)state;

	size_t n = make_elf(buf, sizeof(buf), "rpath", true);
	snprintf(path, sizeof(path), "%s/prog", tmpdir);
	write_file(path, buf, n);
	snprintf(libdir, sizeof(libdir), "%s/lib", tmpdir);
	assert_int_equal(mkdir(libdir, 0755), 0);
	snprintf(lib, sizeof(lib), "%s/libfoo.so.1", libdir);
	write_file(lib, buf, n); /* any x86-64 ELF will do as the library */
	assert_int_equal(jail_elf_read(path, &e, &err), 0);
	assert_string_equal(e.rpath, "$ORIGIN/lib:/nonexistent");

	char *found = jail_elf_find("libfoo.so.1", &e, path, NULL);
	assert_non_null(found);
	assert_string_equal(found, lib);
	free(found);
	/* not there, and not in the system dirs either */
	const char *sys[] = {"/nonexistent-dir", NULL};
	assert_null(jail_elf_find("libbar.so.2", &e, path, sys));
	/* a non-ELF file of the right name is skipped */
	snprintf(lib, sizeof(lib), "%s/libbar.so.2", libdir);
	write_file(lib, "not elf", 7);
	assert_null(jail_elf_find("libbar.so.2", &e, path, sys));
	/* a different machine is skipped */
	((Elf64_Ehdr *)buf)->e_machine = EM_AARCH64;
	write_file(lib, buf, n);
	assert_null(jail_elf_find("libbar.so.2", &e, path, sys));
	jail_elf_free(&e);
}

static void test_static_has_no_needs(void **state)
{
	unsigned char buf[4096];
	char path[128];
	struct jail_elf e;
	brig_error_t *err = NULL;
	(void)state;

	size_t n = make_elf(buf, sizeof(buf), "runpath", false);
	snprintf(path, sizeof(path), "%s/static", tmpdir);
	write_file(path, buf, n);
	assert_int_equal(jail_elf_read(path, &e, &err), 0);
	assert_null(e.interp);
	assert_int_equal(e.n_needed, 0);
	jail_elf_free(&e);
}

static void test_bad_files(void **state)
{
	unsigned char buf[4096];
	char path[128];
	struct jail_elf e;
	brig_error_t *err = NULL;
	(void)state;

	snprintf(path, sizeof(path), "%s/text", tmpdir);
	write_file(path, "#!/bin/sh\necho hi\n", 18);
	assert_int_equal(jail_elf_read(path, &e, &err), -1);
	assert_non_null(strstr(err->msg, "not an ELF file"));
	assert_non_null(strstr(err->msg, path));
	brig_err_free(&err);

	snprintf(path, sizeof(path), "%s/empty", tmpdir);
	write_file(path, "", 0);
	assert_int_equal(jail_elf_read(path, &e, &err), -1);
	brig_err_free(&err);

	/* truncated in the middle of the program headers */
	make_elf(buf, sizeof(buf), "runpath", true);
	snprintf(path, sizeof(path), "%s/trunc", tmpdir);
	write_file(path, buf, sizeof(Elf64_Ehdr) + 10);
	assert_int_equal(jail_elf_read(path, &e, &err), -1);
	assert_non_null(strstr(err->msg, "corrupt"));
	brig_err_free(&err);

	/* DT_NEEDED pointing past the end of the file */
	size_t n = make_elf(buf, sizeof(buf), "runpath", true);
	Elf64_Phdr *ph = (Elf64_Phdr *)(buf + sizeof(Elf64_Ehdr));
	Elf64_Dyn *d = (Elf64_Dyn *)(buf + ph[2].p_offset);
	d[0].d_un.d_val = 1u << 30;
	snprintf(path, sizeof(path), "%s/badneeded", tmpdir);
	write_file(path, buf, n);
	assert_int_equal(jail_elf_read(path, &e, &err), -1);
	assert_non_null(strstr(err->msg, "outside"));
	brig_err_free(&err);

	/* 32-bit */
	n = make_elf(buf, sizeof(buf), "runpath", true);
	buf[EI_CLASS] = ELFCLASS32;
	snprintf(path, sizeof(path), "%s/elf32", tmpdir);
	write_file(path, buf, n);
	assert_int_equal(jail_elf_read(path, &e, &err), -1);
	assert_non_null(strstr(err->msg, "32-bit"));
	brig_err_free(&err);

	assert_int_equal(jail_elf_read("/nonexistent/file", &e, &err), -1);
	brig_err_free(&err);
}

/* This very test program is dynamic: its loader and libc are found. */
static void test_self(void **state)
{
	struct jail_elf e;
	brig_error_t *err = NULL;
	char self[4096];
	(void)state;

	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = '\0';
	assert_int_equal(jail_elf_read(self, &e, &err), 0);
	assert_non_null(e.interp);
	bool has_libc = false;
	char **sys = jail_elf_system_dirs("/etc/ld.so.conf");
	for (size_t i = 0; i < e.n_needed; i++) {
		if (strcmp(e.needed[i], "libc.so.6") == 0)
			has_libc = true;
		char *f = jail_elf_find(e.needed[i], &e, self, (const char *const *)sys);
		if (!f)
			print_error("not found: %s\n", e.needed[i]);
		assert_non_null(f);
		free(f);
	}
	assert_true(has_libc);
	brig_strv_free(sys);
	jail_elf_free(&e);
}

static void test_system_dirs_conf(void **state)
{
	char conf[128], d[128], inc[160];
	(void)state;

	snprintf(d, sizeof(d), "%s/conf.d", tmpdir);
	assert_int_equal(mkdir(d, 0755), 0);
	snprintf(inc, sizeof(inc), "%s/a.conf", d);
	write_file(inc, "# comment\n/opt/a/lib  \n\n/usr/lib\n", 33);
	snprintf(conf, sizeof(conf), "%s/ld.so.conf", tmpdir);
	char text[256];
	int len = snprintf(text, sizeof(text), "include %s/*.conf\n/opt/b/lib # b\n", d);
	write_file(conf, text, (size_t)len);

	char **v = jail_elf_system_dirs(conf);
	size_t n = 0;
	bool a = false, b = false;
	int usr_lib = 0;
	for (; v[n]; n++) {
		a = a || strcmp(v[n], "/opt/a/lib") == 0;
		b = b || strcmp(v[n], "/opt/b/lib") == 0;
		usr_lib += strcmp(v[n], "/usr/lib") == 0;
	}
	assert_string_equal(v[0], "/lib/x86_64-linux-gnu");
	assert_true(a);
	assert_true(b);
	assert_int_equal(usr_lib, 1); /* no duplicates */
	brig_strv_free(v);
}

/* ---- jail_dir.c ------------------------------------------------------- */

static void test_bad_path(void **state)
{
	(void)state;
	assert_null(jail_dir_bad_path("/lib/x86_64-linux-gnu/libc.so.6"));
	assert_null(jail_dir_bad_path("x/librel.so"));
	assert_null(jail_dir_bad_path("/usr/bin/../lib/libfoo.so"));
	assert_null(jail_dir_bad_path("//a/./b"));
	assert_non_null(jail_dir_bad_path("../x/evil.so"));
	assert_non_null(jail_dir_bad_path("/../lib64/ld.so"));
	assert_non_null(jail_dir_bad_path("/a/../../x"));
	assert_non_null(jail_dir_bad_path("a/../../x"));
	assert_non_null(jail_dir_bad_path("/lib/"));
	assert_non_null(jail_dir_bad_path("/lib/.."));
	assert_non_null(jail_dir_bad_path("/lib/."));
	assert_non_null(jail_dir_bad_path("/"));
	assert_non_null(jail_dir_bad_path(""));
}

static int open_top(char *top, size_t len)
{
	snprintf(top, len, "%s/top", tmpdir);
	assert_int_equal(mkdir(top, 0755), 0);
	int fd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	return fd;
}

/* A planted symlink below DIR leads nowhere: not as a directory on the
 * way, not as the name opened or created. */
static void test_mkpath_no_symlinks(void **state)
{
	char top[128], host[128], link[160], p[200];
	brig_error_t *err = NULL;
	struct stat st;
	(void)state;

	int t = open_top(top, sizeof(top));
	snprintf(host, sizeof(host), "%s/host", tmpdir);
	assert_int_equal(mkdir(host, 0755), 0);
	snprintf(link, sizeof(link), "%s/lib", top);
	assert_int_equal(symlink(host, link), 0);
	assert_int_equal(jail_dir_mkpath(t, "lib/x86_64-linux-gnu", "DIR", &err), -1);
	assert_non_null(strstr(err->msg, "DIR/lib is a symlink"));
	brig_err_free(&err);
	snprintf(p, sizeof(p), "%s/x86_64-linux-gnu", host);
	assert_int_equal(stat(p, &st), -1);

	/* the last name: neither opened nor created through */
	snprintf(p, sizeof(p), "%s/passwd", host);
	snprintf(link, sizeof(link), "%s/passwd", top);
	assert_int_equal(symlink(p, link), 0);
	assert_int_equal(jail_dir_openat(t, "passwd", O_WRONLY | O_CREAT | O_EXCL, 0644), -1);
	assert_int_equal(stat(p, &st), -1);
	assert_int_equal(jail_dir_openat(t, "passwd", O_WRONLY | O_CREAT, 0644), -1);
	assert_int_equal(stat(p, &st), -1);
	assert_int_equal(jail_dir_openat(t, "lib", O_RDONLY | O_DIRECTORY, 0), -1);
	assert_true(errno == ELOOP || errno == ENOTDIR);
	assert_int_equal(jail_dir_openat(t, "lib", O_RDONLY, 0), -1);
	assert_int_equal(errno, ELOOP);
	/* one name only */
	assert_int_equal(jail_dir_openat(t, "a/b", O_RDONLY, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(jail_dir_openat(t, "..", O_RDONLY, 0), -1);
	assert_int_equal(errno, EINVAL);
	close(t);
}

/* ".." goes back to where the walk was, and never above DIR; what is made
 * is 0755 whatever the umask. */
static void test_mkpath_dotdot(void **state)
{
	char top[128], p[200];
	brig_error_t *err = NULL;
	struct stat st;
	char *base = NULL;
	(void)state;

	int t = open_top(top, sizeof(top));
	mode_t old = umask(002);
	int fd = jail_dir_mkpath(t, "/usr/bin/../lib", "DIR", &err);
	umask(old);
	assert_true(fd >= 0);
	close(fd);
	snprintf(p, sizeof(p), "%s/usr/bin", top);
	assert_int_equal(stat(p, &st), 0);
	snprintf(p, sizeof(p), "%s/usr/lib", top);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);

	assert_int_equal(jail_dir_mkpath(t, "a/../../x", "DIR", &err), -1);
	assert_non_null(strstr(err->msg, "climbs above DIR"));
	brig_err_free(&err);
	snprintf(p, sizeof(p), "%s/x", tmpdir);
	assert_int_equal(stat(p, &st), -1);

	fd = jail_dir_parent(t, "x/librel.so", "DIR", &base, &err);
	assert_true(fd >= 0);
	assert_string_equal(base, "librel.so");
	free(base);
	close(fd);
	snprintf(p, sizeof(p), "%s/x", top);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(jail_dir_parent(t, "/lib/..", "DIR", &base, &err), -1);
	brig_err_free(&err);

	/* a directory others may write is not walked through (sticky: yes) */
	snprintf(p, sizeof(p), "%s/open", top);
	assert_int_equal(mkdir(p, 0777), 0);
	assert_int_equal(chmod(p, 0777), 0);
	assert_int_equal(jail_dir_mkpath(t, "open/sub", "DIR", &err), -1);
	assert_non_null(strstr(err->msg, "DIR/open is writable by its group or others"));
	brig_err_free(&err);
	assert_int_equal(chmod(p, 01777), 0);
	fd = jail_dir_mkpath(t, "open/sub", "DIR", &err);
	assert_true(fd >= 0);
	close(fd);
	close(t);
}

static void test_dir_open_and_top(void **state)
{
	char top[128], p[240], link[200];
	brig_error_t *err = NULL;
	bool made;
	(void)state;

	snprintf(top, sizeof(top), "%s/new/jail", tmpdir);
	mode_t old = umask(077);
	int fd = jail_dir_open(top, true, &made, &err);
	umask(old);
	assert_true(fd >= 0);
	assert_true(made);
	assert_int_equal(jail_dir_check_top(fd, made, top, &err), 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	close(fd);
	/* again: there already, the caller's */
	fd = jail_dir_open(top, true, &made, &err);
	assert_true(fd >= 0);
	assert_false(made);
	assert_int_equal(jail_dir_check_top(fd, made, top, &err), 0);
	close(fd);
	/* group-writable and existing: refused */
	assert_int_equal(chmod(top, 0775), 0);
	fd = jail_dir_open(top, true, &made, &err);
	assert_true(fd >= 0);
	assert_int_equal(jail_dir_check_top(fd, made, top, &err), -1);
	assert_non_null(strstr(err->msg, "mode 0775"));
	brig_err_free(&err);
	close(fd);
	/* "made" but not empty: swapped in after the mkdir, judged as it is */
	snprintf(p, sizeof(p), "%s/file", top);
	write_file(p, "x", 1);
	fd = jail_dir_open(top, true, &made, &err);
	assert_true(fd >= 0);
	assert_int_equal(jail_dir_check_top(fd, true, top, &err), -1);
	assert_non_null(strstr(err->msg, "mode 0775"));
	brig_err_free(&err);
	close(fd);
	/* the host's root */
	fd = jail_dir_open("/", false, NULL, &err);
	assert_true(fd >= 0);
	assert_int_equal(jail_dir_check_top(fd, false, "/", &err), -1);
	brig_err_free(&err);
	close(fd);
	/* a symlink of the caller's is followed; another user's is not */
	snprintf(link, sizeof(link), "%s/link", tmpdir);
	assert_int_equal(symlink("new/jail", link), 0);
	fd = jail_dir_open(link, false, NULL, &err);
	assert_true(fd >= 0);
	close(fd);
	if (geteuid() == 0) {
		assert_int_equal(lchown(link, 4242, 4242), 0);
		assert_int_equal(jail_dir_open(link, false, NULL, &err), -1);
		assert_non_null(strstr(err->msg, "is a symlink owned by uid 4242"));
		brig_err_free(&err);
		snprintf(p, sizeof(p), "%s/x", link);
		assert_int_equal(jail_dir_open(p, true, NULL, &err), -1);
		assert_non_null(strstr(err->msg, "on its way"));
		brig_err_free(&err);
	}
}

/* The same again with openat2 pretended missing. */
static int fallback_setup(void **state)
{
	jail_dir_force_fallback = true;
	return setup(state);
}

static int fallback_teardown(void **state)
{
	jail_dir_force_fallback = false;
	return teardown(state);
}

#define FALLBACK_TEST(f) { #f " (no openat2)", f, fallback_setup, fallback_teardown, NULL }

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reads_synthetic_dynamic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rpath_and_origin_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_static_has_no_needs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_files, setup, teardown),
		cmocka_unit_test(test_self),
		cmocka_unit_test_setup_teardown(test_system_dirs_conf, setup, teardown),
		cmocka_unit_test(test_bad_path),
		cmocka_unit_test_setup_teardown(test_mkpath_no_symlinks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkpath_dotdot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dir_open_and_top, setup, teardown),
		FALLBACK_TEST(test_mkpath_no_symlinks),
		FALLBACK_TEST(test_mkpath_dotdot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
