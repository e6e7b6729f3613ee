/* brig — spec/: linux.seccomp.  Names stay strings here; security/
 * translates them with libseccomp.  Only the spelling is checked. */
#include "parse.h"

static const char *const actions[] = {
	"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
	"SCMP_ACT_TRAP", "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE",
	"SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", NULL
};

static const char *const arches[] = {
	"SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32",
	"SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64", "SCMP_ARCH_LOONGARCH64",
	"SCMP_ARCH_M68K", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64",
	"SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64",
	"SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC", "SCMP_ARCH_PPC64",
	"SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
	"SCMP_ARCH_SH", "SCMP_ARCH_SHEB", "SCMP_ARCH_PARISC",
	"SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", NULL
};

static const char *const flags[] = {
	"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
	"SECCOMP_FILTER_FLAG_SPEC_ALLOW",
	"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", NULL
};

static const char *const operators[] = {
	"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ",
	"SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL
};

/* A system call has six arguments (seccomp_data.args[6]). */
#define SYSCALL_ARGS 6

static int parse_arg(struct jctx *c, yajl_val v, void *elem)
{
	struct spec_seccomp_arg *a = elem;
	if (j_u32(c, v, "index", true, &a->index) < 0)
		return -1;
	if (a->index >= SYSCALL_ARGS)
		return j_fail_at(c, "index", "value %u out of range (0..%d)",
				 a->index, SYSCALL_ARGS - 1);
	if (j_u64(c, v, "value", true, UINT64_MAX, &a->value) < 0 ||
	    j_u64(c, v, "valueTwo", false, UINT64_MAX, &a->value_two) < 0 ||
	    j_enum(c, v, "op", true, operators, "seccomp operator", &a->op,
		   NULL) < 0)
		return -1;
	return 0;
}

static int parse_syscall(struct jctx *c, yajl_val v, void *elem)
{
	struct spec_seccomp_syscall *s = elem;
	if (j_strv(c, v, "names", true, &s->names) < 0)
		return -1;
	if (s->names.n == 0)
		return j_fail_at(c, "names", "must contain at least one entry");
	if (j_enum(c, v, "action", true, actions, "seccomp action", &s->action,
		   NULL) < 0 ||
	    j_opt_u64(c, v, "errnoRet", UINT32_MAX, &s->errno_ret) < 0 ||
	    j_objarray(c, v, "args", false, sizeof(struct spec_seccomp_arg),
		       (void **)&s->args, &s->n_args, parse_arg) < 0)
		return -1;
	return 0;
}

int spec_parse_seccomp_listener(struct jctx *c, yajl_val v, struct spec_seccomp *s)
{
	s->deferred = true;
	if (j_str(c, v, "listenerPath", false, &s->listener_path) < 0 ||
	    j_str(c, v, "listenerMetadata", false, &s->listener_metadata) < 0)
		return -1;
	if (s->listener_metadata && !s->listener_path)
		return j_fail_at(c, "listenerMetadata",
				 "set without listenerPath");
	return 0;
}

int spec_parse_seccomp_obj(struct jctx *c, yajl_val v, struct spec_seccomp *s)
{
	if (j_enum(c, v, "defaultAction", true, actions, "seccomp action",
		   &s->default_action, NULL) < 0 ||
	    j_opt_u64(c, v, "defaultErrnoRet", UINT32_MAX,
		      &s->default_errno_ret) < 0 ||
	    j_strv_enum(c, v, "architectures", arches, "seccomp architecture",
			&s->architectures) < 0 ||
	    j_strv_enum(c, v, "flags", flags, "seccomp flag", &s->flags) < 0 ||
	    spec_parse_seccomp_listener(c, v, s) < 0)
		return -1;
	s->deferred = false;
	if (j_objarray(c, v, "syscalls", false,
		       sizeof(struct spec_seccomp_syscall),
		       (void **)&s->syscalls, &s->n_syscalls, parse_syscall) < 0)
		return -1;
	return 0;
}
