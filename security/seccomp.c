/* brig — security/seccomp.c: linux.seccomp through libseccomp.
 *
 * sec_seccomp_compile() checks every name, action, operator and
 * architecture (sec_seccomp_get, seccomp_get.c, calls it on a cache
 * miss).  sec_seccomp_load() runs in the child as the last step before
 * execve, or brig's stub loads the program (sec_seccomp_program).
 *
 * Translation follows runc:
 *  - SCMP_ACT_ERRNO and SCMP_ACT_TRACE take errnoRet (default EPERM); an
 *    errnoRet on any other action is an error (config-linux.md: MUST fail);
 *  - syscall names this libseccomp does not know are skipped silently;
 *  - a rule whose action equals the default action is skipped (libseccomp
 *    refuses it, and it changes nothing);
 *  - args with distinct indexes are ANDed in one rule; when an index
 *    repeats, every arg of that entry becomes a rule of its own (ORed),
 *    exactly as runc does;
 *  - rules are added with seccomp_rule_add_array (not _exact) so that
 *    libseccomp can rewrite them per architecture (x86 socketcall, ipc);
 *  - SCMP_FLTATR_CTL_NNP is 0: the runtime sets no_new_privs itself, when
 *    the spec asks for it.
 * Architectures the spec lists but libseccomp 2.5 does not know
 * (loongarch64, m68k, sh, sheb) are skipped: no process on a host this
 * libseccomp runs on can make syscalls in those ABIs.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include "security/security.h"
#include "seccomp_cache.h"

/* SCMP_FLTATR_CTL_WAITKILL is an enum value (libseccomp >= 2.6.0), so
 * #ifdef cannot see it. */
#if SCMP_VER_MAJOR > 2 || (SCMP_VER_MAJOR == 2 && SCMP_VER_MINOR >= 6)
#define HAVE_SCMP_WAITKILL 1
#else
#define HAVE_SCMP_WAITKILL 0
#endif

#define SC_PATH "linux.seccomp"
#define SC_MAX_ARGS 6 /* syscall arguments a filter can look at */

/* A filter: libseccomp's context as compiled here, or only the BPF
 * program (plus `kernel_flags` for seccomp(2)) once exported for the
 * cache or read back from it (seccomp_get.c). */
struct sec_seccomp {
	scmp_filter_ctx ctx; /* NULL when taken from the cache */
	bool uses_notify;
	unsigned int kernel_flags; /* SECCOMP_FILTER_FLAG_* the load implies */
	struct sec_bpf bpf;  /* the program, when exported or cached */
};

/* ---- names --------------------------------------------------------------- */

struct arch_name {
	const char *name;
	uint32_t token; /* 0: known to the spec, unknown to this libseccomp */
};

#ifndef SCMP_ARCH_LOONGARCH64
#define SCMP_ARCH_LOONGARCH64 0
#endif
#ifndef SCMP_ARCH_M68K
#define SCMP_ARCH_M68K 0
#endif
#ifndef SCMP_ARCH_SH
#define SCMP_ARCH_SH 0
#endif
#ifndef SCMP_ARCH_SHEB
#define SCMP_ARCH_SHEB 0
#endif

static const struct arch_name arches[] = {
	{ "SCMP_ARCH_X86", SCMP_ARCH_X86 },
	{ "SCMP_ARCH_X86_64", SCMP_ARCH_X86_64 },
	{ "SCMP_ARCH_X32", SCMP_ARCH_X32 },
	{ "SCMP_ARCH_ARM", SCMP_ARCH_ARM },
	{ "SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64 },
	{ "SCMP_ARCH_MIPS", SCMP_ARCH_MIPS },
	{ "SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64 },
	{ "SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32 },
	{ "SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL },
	{ "SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64 },
	{ "SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32 },
	{ "SCMP_ARCH_PPC", SCMP_ARCH_PPC },
	{ "SCMP_ARCH_PPC64", SCMP_ARCH_PPC64 },
	{ "SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE },
	{ "SCMP_ARCH_S390", SCMP_ARCH_S390 },
	{ "SCMP_ARCH_S390X", SCMP_ARCH_S390X },
	{ "SCMP_ARCH_PARISC", SCMP_ARCH_PARISC },
	{ "SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64 },
	{ "SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64 },
	{ "SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64 },
	{ "SCMP_ARCH_M68K", SCMP_ARCH_M68K },
	{ "SCMP_ARCH_SH", SCMP_ARCH_SH },
	{ "SCMP_ARCH_SHEB", SCMP_ARCH_SHEB },
};

static const struct {
	const char *name;
	enum scmp_compare op;
} ops[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE },
	{ "SCMP_CMP_LT", SCMP_CMP_LT },
	{ "SCMP_CMP_LE", SCMP_CMP_LE },
	{ "SCMP_CMP_EQ", SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", SCMP_CMP_GE },
	{ "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

enum act_kind { ACT_PLAIN, ACT_WITH_ERRNO };

static const struct {
	const char *name;
	uint32_t action; /* for ACT_WITH_ERRNO: the base, errno or'ed in */
	enum act_kind kind;
} actions[] = {
	{ "SCMP_ACT_KILL", SCMP_ACT_KILL, ACT_PLAIN },
	{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, ACT_PLAIN },
	{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, ACT_PLAIN },
	{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP, ACT_PLAIN },
	{ "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), ACT_WITH_ERRNO },
	{ "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), ACT_WITH_ERRNO },
	{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, ACT_PLAIN },
	{ "SCMP_ACT_LOG", SCMP_ACT_LOG, ACT_PLAIN },
	{ "SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, ACT_PLAIN },
};

/* path names the action ("linux.seccomp.syscalls[2]" or "linux.seccomp"),
 * field the property ("action" or "defaultAction"), errno_field the errno
 * property next to it. */
static int parse_action(const char *name, const spec_opt_u64 *errno_ret,
			const char *path, const char *field,
			const char *errno_field, uint32_t *out,
			brig_error_t **err)
{
	for (size_t i = 0; name && i < ARRAY_SIZE(actions); i++) {
		if (strcmp(name, actions[i].name) != 0)
			continue;
		if (actions[i].kind == ACT_PLAIN) {
			if (errno_ret->set)
				return brig_err(err, 0, "%s.%s: %s does not take an errno return, %s only applies to SCMP_ACT_ERRNO and SCMP_ACT_TRACE",
						path, errno_field, name, errno_field);
			*out = actions[i].action;
			return 0;
		}
		uint64_t e = errno_ret->set ? errno_ret->v : EPERM;
		if (e > 0xffff)
			return brig_err(err, 0, "%s.%s: %llu is out of range (0-65535)",
					path, errno_field, (unsigned long long)e);
		*out = actions[i].action | (uint32_t)e;
		return 0;
	}
	return brig_err(err, 0, "%s.%s: unknown action \"%s\"", path, field,
			name ? name : "");
}

/* ---- compile -------------------------------------------------------------- */

static int add_arches(struct sec_seccomp *f, const struct spec_seccomp *s,
		      brig_error_t **err)
{
	for (size_t i = 0; i < s->architectures.n; i++) {
		const char *name = s->architectures.v[i];
		const struct arch_name *a = NULL;
		for (size_t j = 0; name && j < ARRAY_SIZE(arches); j++)
			if (strcmp(name, arches[j].name) == 0)
				a = &arches[j];
		if (!a)
			return brig_err(err, 0, SC_PATH ".architectures[%zu]: unknown architecture \"%s\"",
					i, name ? name : "");
		if (a->token == 0)
			continue; /* see the top of the file */
		int rc = seccomp_arch_add(f->ctx, a->token);
		if (rc < 0 && rc != -EEXIST)
			return brig_err(err, -rc, SC_PATH ".architectures[%zu]: add %s", i, name);
	}
	return 0;
}

static int set_attr(struct sec_seccomp *f, enum scmp_filter_attr attr,
		    uint32_t v, const char *what, brig_error_t **err)
{
	int rc = seccomp_attr_set(f->ctx, attr, v);
	if (rc < 0)
		return brig_err(err, -rc, SC_PATH ": set %s", what);
	return 0;
}

static __attribute__((unused)) bool profile_uses_notify(const struct spec_seccomp *s)
{
	if (s->default_action && strcmp(s->default_action, "SCMP_ACT_NOTIFY") == 0)
		return true;
	for (size_t i = 0; i < s->n_syscalls; i++)
		if (s->syscalls[i].action && strcmp(s->syscalls[i].action, "SCMP_ACT_NOTIFY") == 0)
			return true;
	return false;
}

static int set_flags(struct sec_seccomp *f, const struct spec_seccomp *s,
		     brig_error_t **err)
{
	for (size_t i = 0; i < s->flags.n; i++) {
		const char *fl = s->flags.v[i] ? s->flags.v[i] : "";
		if (strcmp(fl, "SECCOMP_FILTER_FLAG_TSYNC") == 0) {
			/* The child is single-threaded when it loads the filter. */
		} else if (strcmp(fl, "SECCOMP_FILTER_FLAG_LOG") == 0) {
			if (set_attr(f, SCMP_FLTATR_CTL_LOG, 1, fl, err) < 0)
				return -1;
			f->kernel_flags |= SECCOMP_FILTER_FLAG_LOG;
		} else if (strcmp(fl, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0) {
			if (set_attr(f, SCMP_FLTATR_CTL_SSB, 1, fl, err) < 0)
				return -1;
			f->kernel_flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
		} else if (strcmp(fl, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0) {
#if HAVE_SCMP_WAITKILL
			if (set_attr(f, SCMP_FLTATR_CTL_WAITKILL, 1, fl, err) < 0)
				return -1;
#ifdef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
			f->kernel_flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
#endif
#else
			/* The flag only changes how a notifying task waits for
			 * its supervisor; without SCMP_ACT_NOTIFY it has no
			 * effect (the kernel even refuses it without a
			 * listener), so it is ignored then.  With NOTIFY it
			 * cannot be honoured by this libseccomp: refuse rather
			 * than run with different semantics. */
			if (profile_uses_notify(s))
				return brig_err(err, 0, SC_PATH ".flags[%zu]: %s is not supported with libseccomp %u.%u.%u (needs 2.6.0)",
						i, fl, seccomp_version()->major,
						seccomp_version()->minor,
						seccomp_version()->micro);
#endif
		} else {
			return brig_err(err, 0, SC_PATH ".flags[%zu]: unknown flag \"%s\"", i, fl);
		}
	}
	return 0;
}

static int add_rule(struct sec_seccomp *f, int nr, uint32_t action,
		    unsigned n, const struct scmp_arg_cmp *cmp,
		    const char *path, const char *name, brig_error_t **err)
{
	int rc = seccomp_rule_add_array(f->ctx, action, nr, n, cmp);
	if (rc < 0)
		return brig_err(err, -rc, "%s: add rule for \"%s\"", path, name);
	return 0;
}

static int add_syscall(struct sec_seccomp *f, const struct spec_seccomp_syscall *sc,
		       size_t idx, uint32_t default_action, brig_error_t **err)
{
	char path[64];
	uint32_t action;

	snprintf(path, sizeof path, SC_PATH ".syscalls[%zu]", idx);
	if (parse_action(sc->action, &sc->errno_ret, path, "action", "errnoRet",
			 &action, err) < 0)
		return -1;
	if (action == SCMP_ACT_NOTIFY)
		f->uses_notify = true;

	unsigned count[SC_MAX_ARGS] = { 0 };
	bool repeated = false;
	cleanup_free struct scmp_arg_cmp *all = xcalloc(sc->n_args ? sc->n_args : 1, sizeof *all);
	for (size_t i = 0; i < sc->n_args; i++) {
		const struct spec_seccomp_arg *a = &sc->args[i];
		size_t k;
		if (a->index >= SC_MAX_ARGS)
			return brig_err(err, 0, "%s.args[%zu].index: %u is out of range (0-5)",
					path, i, a->index);
		for (k = 0; k < ARRAY_SIZE(ops); k++)
			if (a->op && strcmp(a->op, ops[k].name) == 0)
				break;
		if (k == ARRAY_SIZE(ops))
			return brig_err(err, 0, "%s.args[%zu].op: unknown operator \"%s\"",
					path, i, a->op ? a->op : "");
		all[i] = (struct scmp_arg_cmp){
			.arg = a->index, .op = ops[k].op,
			.datum_a = a->value, .datum_b = a->value_two,
		};
		if (++count[a->index] > 1)
			repeated = true;
	}

	/* Checked and nothing to add: libseccomp refuses a rule whose action
	 * is the default one, and such a rule changes nothing. */
	if (action == default_action)
		return 0;

	for (size_t n = 0; n < sc->names.n; n++) {
		const char *name = sc->names.v[n];
		if (!name)
			continue;
		int nr = seccomp_syscall_resolve_name(name);
		if (nr == __NR_SCMP_ERROR)
			continue; /* unknown here: skipped, as runc does */
		if (!repeated) {
			if (add_rule(f, nr, action, (unsigned)sc->n_args, all, path, name, err) < 0)
				return -1;
			continue;
		}
		for (size_t i = 0; i < sc->n_args; i++)
			if (add_rule(f, nr, action, 1, &all[i], path, name, err) < 0)
				return -1;
	}
	return 0;
}

struct sec_seccomp *sec_seccomp_compile(const struct spec_seccomp *s,
					brig_error_t **err)
{
	uint32_t def;

	if (!s) {
		brig_err(err, EINVAL, SC_PATH ": no profile");
		return NULL;
	}
	if (!s->default_action) {
		brig_err(err, 0, SC_PATH ".defaultAction: missing");
		return NULL;
	}
	if (parse_action(s->default_action, &s->default_errno_ret, SC_PATH,
			 "defaultAction", "defaultErrnoRet", &def, err) < 0)
		return NULL;
	if (def == SCMP_ACT_NOTIFY) {
		/* libseccomp refuses it; a supervisor for every syscall,
		 * execve included, is not a usable container either. */
		brig_err(err, 0, SC_PATH ".defaultAction: SCMP_ACT_NOTIFY cannot be the default action");
		return NULL;
	}

	struct sec_seccomp *f = xcalloc(1, sizeof *f);
	f->ctx = seccomp_init(def);
	if (!f->ctx) {
		free(f);
		brig_err(err, EINVAL, SC_PATH ": seccomp_init(%s) failed", s->default_action);
		return NULL;
	}

	if (set_attr(f, SCMP_FLTATR_CTL_NNP, 0, "no_new_privs attribute", err) < 0 ||
	    set_attr(f, SCMP_FLTATR_API_SYSRAWRC, 1, "raw return codes", err) < 0 ||
	    add_arches(f, s, err) < 0 || set_flags(f, s, err) < 0)
		goto fail;
	for (size_t i = 0; i < s->n_syscalls; i++)
		if (add_syscall(f, &s->syscalls[i], i, def, err) < 0)
			goto fail;
	if (f->uses_notify)
		f->kernel_flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	return f;

fail:
	sec_seccomp_free(f);
	return NULL;
}

/* ---- as a BPF program: for the cache (seccomp_get.c) and the stub ---------- */

/* Export the compiled program (libseccomp 2.5 writes it to an fd only). */
static int export_bpf(struct sec_seccomp *f, brig_error_t **err)
{
	cleanup_close int fd = memfd_create("brig-seccomp", MFD_CLOEXEC);
	struct stat sb;
	int rc;

	if (fd < 0)
		return brig_err(err, errno, SC_PATH ": memfd_create");
	rc = seccomp_export_bpf(f->ctx, fd);
	if (rc < 0)
		return brig_err(err, -rc, SC_PATH ": generate the filter");
	if (fstat(fd, &sb) < 0 || sb.st_size <= 0 || sb.st_size % sizeof(struct sock_filter))
		return brig_err(err, EINVAL, SC_PATH ": generate the filter");
	size_t n = (size_t)sb.st_size / sizeof(struct sock_filter);
	struct sock_filter *prog = xcalloc(n, sizeof *prog);
	if (pread(fd, prog, (size_t)sb.st_size, 0) != sb.st_size) {
		free(prog);
		return brig_err(err, errno, SC_PATH ": read the filter back");
	}
	f->bpf = (struct sec_bpf){
		.prog = prog, .n_insns = n,
		.kernel_flags = f->kernel_flags, .uses_notify = f->uses_notify,
	};
	return 0;
}

int seccomp_export(struct sec_seccomp *f, brig_error_t **err)
{
	if (export_bpf(f, err) < 0)
		return -1;
	seccomp_release(f->ctx); /* the program is all the child needs */
	f->ctx = NULL;
	return 0;
}

const struct sec_bpf *seccomp_bpf_of(const struct sec_seccomp *f)
{
	return &f->bpf;
}

struct sec_seccomp *seccomp_from_bpf(const struct sec_bpf *bpf)
{
	struct sec_seccomp *f = xcalloc(1, sizeof *f);

	f->bpf = *bpf;
	f->uses_notify = bpf->uses_notify;
	f->kernel_flags = bpf->kernel_flags;
	return f;
}

/* Load an exported program: what seccomp_load() does, without libseccomp. */
static int load_bpf(struct sec_seccomp *f, int *notify_fd, brig_error_t **err)
{
	struct sock_fprog prog = {
		.len = (unsigned short)f->bpf.n_insns,
		.filter = f->bpf.prog,
	};
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, f->kernel_flags, &prog);
	if (r < 0)
		return brig_err(err, errno, "load filter");
	if (f->uses_notify) {
		if (notify_fd)
			*notify_fd = (int)r;
		else
			close((int)r);
	}
	return 0;
}

int sec_seccomp_program(struct sec_seccomp *f, const void **prog, unsigned int *n_insns,
			unsigned int *flags, brig_error_t **err)
{
	if (!f->bpf.prog && export_bpf(f, err) < 0)
		return -1;
	*prog = f->bpf.prog;
	*n_insns = (unsigned int)f->bpf.n_insns;
	*flags = f->kernel_flags;
	return 0;
}

/* ---- load ------------------------------------------------------------------ */

int sec_seccomp_load(struct sec_seccomp *f, int *notify_fd, brig_error_t **err)
{
	if (notify_fd)
		*notify_fd = -1;
	if (f && f->bpf.prog)
		return load_bpf(f, notify_fd, err);
	if (!f || !f->ctx)
		return brig_err(err, EINVAL, "no filter to load");
	int rc = seccomp_load(f->ctx);
	if (rc < 0)
		return brig_err(err, -rc, "load filter");
	if (f->uses_notify) {
		int fd = seccomp_notify_fd(f->ctx);
		if (fd < 0)
			return brig_err(err, fd == -1 ? EINVAL : -fd,
					"get the notify listener fd");
		if (notify_fd)
			*notify_fd = fd;
		else
			close(fd);
	}
	return 0;
}

void sec_seccomp_free(struct sec_seccomp *f)
{
	if (!f)
		return;
	if (f->ctx)
		seccomp_release(f->ctx);
	free(f->bpf.prog);
	free(f);
}

bool sec_seccomp_uses_notify(const struct sec_seccomp *f)
{
	return f && f->uses_notify;
}

/* ---- what `brig features` reports ------------------------------------------ */

static const char *const known_flags[] = {
	"SECCOMP_FILTER_FLAG_TSYNC",
	"SECCOMP_FILTER_FLAG_LOG",
	"SECCOMP_FILTER_FLAG_SPEC_ALLOW",
	"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
};

const char **sec_seccomp_names(enum sec_seccomp_name_kind k)
{
	size_t n = k == SEC_SECCOMP_ACTIONS ? ARRAY_SIZE(actions)
		 : k == SEC_SECCOMP_OPERATORS ? ARRAY_SIZE(ops)
		 : k == SEC_SECCOMP_ARCHS ? ARRAY_SIZE(arches)
		 : ARRAY_SIZE(known_flags);
	const char **v = xcalloc(n + 1, sizeof(char *));

	for (size_t i = 0; i < n; i++)
		v[i] = k == SEC_SECCOMP_ACTIONS ? actions[i].name
		     : k == SEC_SECCOMP_OPERATORS ? ops[i].name
		     : k == SEC_SECCOMP_ARCHS ? arches[i].name
		     : known_flags[i];
	return v;
}

/* seccomp(2) with a NULL program: EFAULT means the kernel knows the flags,
 * EINVAL that it does not. */
static bool kernel_takes_flags(unsigned long flags)
{
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, NULL) < 0 && errno == EFAULT;
}

bool sec_seccomp_flag_supported(const char *flag)
{
	if (strcmp(flag, "SECCOMP_FILTER_FLAG_TSYNC") == 0)
		return true; /* the child is single-threaded: nothing to sync */
	if (strcmp(flag, "SECCOMP_FILTER_FLAG_LOG") == 0)
		return kernel_takes_flags(SECCOMP_FILTER_FLAG_LOG);
	if (strcmp(flag, "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0)
		return kernel_takes_flags(SECCOMP_FILTER_FLAG_SPEC_ALLOW);
#if HAVE_SCMP_WAITKILL && defined(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
	if (strcmp(flag, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") == 0)
		return kernel_takes_flags(SECCOMP_FILTER_FLAG_NEW_LISTENER |
					  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV);
#endif
	return false;
}

const char *sec_seccomp_version(void)
{
	static char buf[32];
	const struct scmp_version *v = seccomp_version();

	if (!buf[0])
		snprintf(buf, sizeof(buf), "%u.%u.%u", v->major, v->minor, v->micro);
	return buf;
}
