/* brig — spec/: the process object (config.json's process, and the
 * process.json of `exec --process`). */
#include "parse.h"

#include <inttypes.h>
#include <string.h>
#include <sys/resource.h>

static const struct {
	const char *name;
	int resource;
} rlimits[] = {
	{ "RLIMIT_AS", RLIMIT_AS },
	{ "RLIMIT_CORE", RLIMIT_CORE },
	{ "RLIMIT_CPU", RLIMIT_CPU },
	{ "RLIMIT_DATA", RLIMIT_DATA },
	{ "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },
	{ "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
	{ "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_STACK", RLIMIT_STACK },
};

/* Indexed by the kernel's policy numbers (SCHED_ISO = 4 is reserved). */
static const char *const sched_policies[] = {
	"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH",
	"SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE", NULL
};

static const char *const sched_flags[] = {
	"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",
	"SCHED_FLAG_DL_OVERRUN", "SCHED_FLAG_KEEP_POLICY",
	"SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN",
	"SCHED_FLAG_UTIL_CLAMP_MAX", NULL
};

/* IOPRIO_CLASS_RT = 1, BE = 2, IDLE = 3 (linux/ioprio.h) */
static const char *const ioprio_classes[] = {
	"IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE", NULL
};

static int parse_rlimit(struct jctx *c, yajl_val v, void *elem)
{
	struct spec_rlimit *rl = elem;
	size_t i;

	if (j_str(c, v, "type", true, &rl->type) < 0)
		return -1;
	for (i = 0; i < ARRAY_SIZE(rlimits); i++)
		if (strcmp(rl->type, rlimits[i].name) == 0)
			break;
	if (i == ARRAY_SIZE(rlimits))
		return j_fail_at(c, "type", "unknown rlimit \"%s\"", rl->type);
	rl->resource = rlimits[i].resource;
	if (j_u64(c, v, "soft", true, UINT64_MAX, &rl->soft) < 0 ||
	    j_u64(c, v, "hard", true, UINT64_MAX, &rl->hard) < 0)
		return -1;
	if (rl->soft > rl->hard)
		return j_fail(c, "soft limit %" PRIu64
			      " is greater than hard limit %" PRIu64,
			      rl->soft, rl->hard);
	return 0;
}

static int parse_rlimits(struct jctx *c, yajl_val v, struct spec_process *p)
{
	if (j_objarray(c, v, "rlimits", false, sizeof(struct spec_rlimit),
		       (void **)&p->rlimits, &p->n_rlimits, parse_rlimit) < 0)
		return -1;
	for (size_t i = 1; i < p->n_rlimits; i++) {
		for (size_t k = 0; k < i; k++) {
			if (p->rlimits[i].resource != p->rlimits[k].resource)
				continue;
			size_t saved = j_push_key(c, "rlimits");
			j_push_idx(c, i);
			j_fail(c, "duplicate rlimit \"%s\"", p->rlimits[i].type);
			j_pop(c, saved);
			return -1;
		}
	}
	return 0;
}

static int parse_user(struct jctx *c, yajl_val v, struct spec_user *u)
{
	yajl_val gids = NULL;
	int r;

	/* REQUIRED on POSIX platforms (config.md) */
	if (j_u32(c, v, "uid", true, &u->uid) < 0 ||
	    j_u32(c, v, "gid", true, &u->gid) < 0 ||
	    j_opt_u64(c, v, "umask", UINT32_MAX, &u->umask) < 0 ||
	    j_str(c, v, "username", false, &u->username) < 0)
		return -1;
	if ((r = j_arr(c, v, "additionalGids", false, &gids)) <= 0)
		return r;
	u->n_additional_gids = gids->u.array.len;
	u->additional_gids = xcalloc(u->n_additional_gids, sizeof(uint32_t));
	for (size_t i = 0; i < u->n_additional_gids; i++) {
		uint64_t g = 0;
		size_t saved = j_push_key(c, "additionalGids");
		j_push_idx(c, i);
		r = j_val_u64(c, gids->u.array.values[i], UINT32_MAX, &g);
		j_pop(c, saved);
		if (r < 0)
			return -1;
		u->additional_gids[i] = (uint32_t)g;
	}
	return 0;
}

static int parse_caps(struct jctx *c, yajl_val v, struct spec_capabilities *k)
{
	int r;
#define CAPSET(key, field)                                                \
	if ((r = j_strv(c, v, key, false, &k->field)) < 0)                \
		return -1;                                                \
	k->has_##field = r > 0;
	CAPSET("bounding", bounding)
	CAPSET("effective", effective)
	CAPSET("inheritable", inheritable)
	CAPSET("permitted", permitted)
	CAPSET("ambient", ambient)
#undef CAPSET
	return 0;
}

static int parse_scheduler(struct jctx *c, yajl_val v, struct spec_scheduler *s)
{
	if (j_enum(c, v, "policy", true, sched_policies, "scheduler policy",
		   &s->policy, &s->policy_num) < 0 ||
	    j_opt_i64(c, v, "nice", INT32_MIN, INT32_MAX, &s->nice) < 0 ||
	    j_opt_i64(c, v, "priority", INT32_MIN, INT32_MAX, &s->priority) < 0 ||
	    j_opt_i64(c, v, "runtime", 0, INT64_MAX, &s->runtime) < 0 ||
	    j_opt_i64(c, v, "deadline", 0, INT64_MAX, &s->deadline) < 0 ||
	    j_opt_i64(c, v, "period", 0, INT64_MAX, &s->period) < 0 ||
	    j_strv_enum(c, v, "flags", sched_flags, "scheduler flag",
			&s->flags) < 0)
		return -1;
	return 0;
}

static int parse_ioprio(struct jctx *c, yajl_val v, struct spec_io_priority *io)
{
	int idx = 0;
	if (j_enum(c, v, "class", true, ioprio_classes, "I/O priority class",
		   &io->class, &idx) < 0 ||
	    j_i64(c, v, "priority", false, 0, 7, &io->priority) < 0)
		return -1;
	io->class_num = idx + 1;
	return 0;
}

static int check_cpu_list(struct jctx *c, const char *key, const char *s)
{
	if (s && s[strspn(s, "0123456789, -")])
		return j_fail_at(c, key, "invalid CPU list \"%s\"", s);
	return 0;
}

static int parse_affinity(struct jctx *c, yajl_val v,
			  struct spec_exec_cpu_affinity *a)
{
	if (j_str(c, v, "initial", false, &a->initial) < 0 ||
	    check_cpu_list(c, "initial", a->initial) < 0 ||
	    j_str(c, v, "final", false, &a->final) < 0 ||
	    check_cpu_list(c, "final", a->final) < 0)
		return -1;
	return 0;
}

static int parse_console(struct jctx *c, yajl_val v, struct spec_process *p)
{
	p->has_console_size = true;
	if (j_u32(c, v, "height", true, &p->console_height) < 0 ||
	    j_u32(c, v, "width", true, &p->console_width) < 0)
		return -1;
	return 0;
}

int spec_parse_process_obj(struct jctx *c, yajl_val v, struct spec_process *p)
{
	yajl_val o = NULL;
	struct spec_user *user = &p->user;
	int r;

	if (j_bool(c, v, "terminal", false, &p->terminal) < 0)
		return -1;
	if ((r = j_obj(c, v, "consoleSize", false, &o)) < 0)
		return -1;
	if (r > 0) {
		size_t s = j_push_key(c, "consoleSize");
		r = parse_console(c, o, p);
		j_pop(c, s);
		if (r < 0)
			return -1;
	}
	/* process.user is optional in the schema (the spec's own FreeBSD
	 * example has none); absent means uid 0, gid 0. */
	if ((r = j_obj(c, v, "user", false, &o)) < 0)
		return -1;
	if (r > 0) {
		size_t s = j_push_key(c, "user");
		r = parse_user(c, o, user);
		j_pop(c, s);
		if (r < 0)
			return -1;
	}
	if ((r = j_strv(c, v, "args", false, &p->args)) < 0)
		return -1;
	if (r > 0 && p->args.n == 0)
		return j_fail_at(c, "args", "must contain at least one entry");
	if (j_str(c, v, "commandLine", false, &p->command_line) < 0 ||
	    j_strv(c, v, "env", false, &p->env) < 0 ||
	    j_str(c, v, "cwd", true, &p->cwd) < 0 ||
	    j_check_abs(c, "cwd", p->cwd) < 0)
		return -1;
	J_SUBOBJ(c, v, "capabilities", &p->capabilities, parse_caps);
	if (parse_rlimits(c, v, p) < 0 ||
	    j_bool(c, v, "noNewPrivileges", false, &p->no_new_privileges) < 0 ||
	    j_str(c, v, "apparmorProfile", false, &p->apparmor_profile) < 0 ||
	    j_opt_i64(c, v, "oomScoreAdj", -1000, 1000, &p->oom_score_adj) < 0)
		return -1;
	J_SUBOBJ(c, v, "scheduler", &p->scheduler, parse_scheduler);
	J_SUBOBJ(c, v, "ioPriority", &p->io_priority, parse_ioprio);
	J_SUBOBJ(c, v, "execCPUAffinity", &p->exec_cpu_affinity, parse_affinity);
	if (j_str(c, v, "selinuxLabel", false, &p->selinux_label) < 0)
		return -1;
	return 0;
}

struct spec_process *spec_parse_process(const char *json, size_t len,
					const char *name, brig_error_t **err)
{
	struct spec_process *p;
	struct jctx c;
	yajl_val top;
	int r;

	if (!name)
		name = "process.json";
	top = j_parse(json, len, name, err);
	if (!top)
		return NULL;
	p = xcalloc(1, sizeof(*p));
	j_init(&c, name, err);
	r = spec_parse_process_obj(&c, top, p);
	j_fini(&c);
	j_free(top);
	if (r < 0) {
		spec_process_free(p);
		return NULL;
	}
	return p;
}
