/* brig — runtime/cgcmds.c: the commands built on the container's cgroup:
 * update, pause, resume, ps.  (events is events.c.) */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/proc.h"
#include "cgroups/cgroups.h"

/* Open container id (NULL: none was given; locked when lock), and its
 * cgroup.  The container's status must be one that allowed() accepts
 * (NULL: any), which allowed_names lists for the message ("running or
 * paused"). */
static struct container *open_with_cgroup(const struct brig_globals *g,
					  const char *id, const char *cmd,
					  bool (*allowed)(enum spec_status),
					  const char *allowed_names,
					  bool lock, struct cg_manager **cg,
					  brig_error_t **err)
{
	struct container *ct;
	enum spec_status status;

	if (id == NULL) {
		brig_err(err, 0, "%s: missing container id (usage: brig %s [options] ID)",
			 cmd, cmd);
		return NULL;
	}
	ct = container_open(g, id, lock, err);
	if (ct == NULL)
		return NULL;
	status = container_status(ct);
	if (allowed && !allowed(status)) {
		brig_err(err, 0, "%s: container \"%s\" is %s, not %s", cmd, ct->id,
			 spec_status_name(status), allowed_names);
		container_free(ct);
		return NULL;
	}
	if (ct->state->cgroup_path == NULL) {
		brig_err(err, 0, "%s: container \"%s\" has no cgroup", cmd, ct->id);
		container_free(ct);
		return NULL;
	}
	*cg = cg_load(BRIG_CGROUP_ROOT, ct->state->cgroup_path, err);
	if (*cg == NULL) {
		container_free(ct);
		return NULL;
	}
	return ct;
}

/* ---- update ---------------------------------------------------------------- */

/* A size as runc reads it (docker's RAMInBytes): a decimal number, maybe
 * with a fraction, then an optional k/m/g/t/p (binary multiples), an
 * optional "i" and an optional "b"; "-1" is unlimited. */
int parse_ram_size(const char *s, int64_t *out)
{
	static const char units[] = "kmgtp";
	const char *p = s, *u;
	double v, mult = 1;
	char *end;

	if (strcmp(s, "-1") == 0) {
		*out = -1;
		return 0;
	}
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	v = strtod(p, &end);
	if (errno || end == p)
		return -1;
	p = end;
	if (*p == ' ')
		p++;
	if (*p && (u = strchr(units, (char)(*p | 0x20))) != NULL) {
		for (long i = 0; i <= u - units; i++)
			mult *= 1024;
		p++;
	}
	if (*p == 'i' || *p == 'I')
		p++;
	if (*p == 'b' || *p == 'B')
		p++;
	if (*p || v * mult > 9.2e18)
		return -1;
	*out = (int64_t)(v * mult);
	return 0;
}

enum { U_MEM = 256, U_SWAP, U_RES, U_KMEM, U_KTCP, U_SHARES, U_QUOTA,
       U_PERIOD, U_BURST, U_RTP, U_RTR, U_CPUS, U_MEMS, U_PIDS, U_BLKIO,
       U_L3, U_MBW };

static int parse_u64(const char *flag, const char *s, uint64_t max,
		     uint64_t *v, brig_error_t **err)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno || !*s || *end || *s == '-' || *v > max)
		return brig_err(err, 0, "update: invalid value for --%s: \"%s\"", flag, s);
	return 0;
}

static int parse_i64(const char *flag, const char *s, int64_t *v,
		     brig_error_t **err)
{
	char *end;

	errno = 0;
	*v = strtoll(s, &end, 10);
	if (errno || !*s || *end)
		return brig_err(err, 0, "update: invalid value for --%s: \"%s\"", flag, s);
	return 0;
}

static int size_flag(const char *flag, const char *s, spec_opt_i64 *o,
		     brig_error_t **err)
{
	if (parse_ram_size(s, &o->v) < 0)
		return brig_err(err, 0, "update: invalid value for --%s: \"%s\" "
				"(a size like 512m, 1g, or -1)", flag, s);
	o->set = true;
	return 0;
}

static const struct option update_longopts[] = {
	{"resources", required_argument, NULL, 'r'},
	{"memory", required_argument, NULL, U_MEM},
	{"memory-swap", required_argument, NULL, U_SWAP},
	{"memory-reservation", required_argument, NULL, U_RES},
	{"kernel-memory", required_argument, NULL, U_KMEM},
	{"kernel-memory-tcp", required_argument, NULL, U_KTCP},
	{"cpu-share", required_argument, NULL, U_SHARES},
	{"cpu-shares", required_argument, NULL, U_SHARES},
	{"cpu-quota", required_argument, NULL, U_QUOTA},
	{"cpu-period", required_argument, NULL, U_PERIOD},
	{"cpu-burst", required_argument, NULL, U_BURST},
	{"cpu-rt-period", required_argument, NULL, U_RTP},
	{"cpu-rt-runtime", required_argument, NULL, U_RTR},
	{"cpuset-cpus", required_argument, NULL, U_CPUS},
	{"cpuset-mems", required_argument, NULL, U_MEMS},
	{"pids-limit", required_argument, NULL, U_PIDS},
	{"blkio-weight", required_argument, NULL, U_BLKIO},
	{"l3-cache-schema", required_argument, NULL, U_L3},
	{"mem-bw-schema", required_argument, NULL, U_MBW},
	{NULL, 0, NULL, 0},
};
const struct cli_options cli_opts_update = {"+r:", update_longopts};

/* The flags as a partial linux.resources object. */
static int update_flags(int argc, char **argv, struct spec_resources *r,
			const char **file, brig_error_t **err)
{
	struct spec_memory *mem = r->memory;
	struct spec_cpu *cpu = r->cpu;
	spec_opt_i64 ignored;
	uint64_t u;
	int c;

	while ((c = getopt_long(argc, argv, cli_opts_update.shortopts,
				cli_opts_update.longopts, NULL)) != -1) {
		const char *f = "";
		int rc = 0;

		for (size_t i = 0; update_longopts[i].name; i++)
			if (update_longopts[i].val == c) {
				f = update_longopts[i].name;
				break;
			}

		switch (c) {
		case 'r': *file = optarg; break;
		case U_MEM: rc = size_flag(f, optarg, &mem->limit, err); break;
		case U_SWAP: rc = size_flag(f, optarg, &mem->swap, err); break;
		case U_RES: rc = size_flag(f, optarg, &mem->reservation, err); break;
		case U_KMEM: /* the kernel dropped kmem limits: accepted, ignored */
			rc = size_flag(f, optarg, &ignored, err);
			break;
		case U_KTCP: rc = size_flag(f, optarg, &mem->kernel_tcp, err); break;
		case U_SHARES:
			rc = parse_u64("cpu-share", optarg, UINT64_MAX, &cpu->shares.v, err);
			cpu->shares.set = true;
			break;
		case U_QUOTA:
			rc = parse_i64("cpu-quota", optarg, &cpu->quota.v, err);
			cpu->quota.set = true;
			break;
		case U_PERIOD:
			rc = parse_u64("cpu-period", optarg, UINT64_MAX, &cpu->period.v, err);
			cpu->period.set = true;
			break;
		case U_BURST:
			rc = parse_u64("cpu-burst", optarg, UINT64_MAX, &cpu->burst.v, err);
			cpu->burst.set = true;
			break;
		case U_RTP:
			rc = parse_u64("cpu-rt-period", optarg, UINT64_MAX,
				       &cpu->realtime_period.v, err);
			cpu->realtime_period.set = true;
			break;
		case U_RTR:
			rc = parse_i64("cpu-rt-runtime", optarg, &cpu->realtime_runtime.v, err);
			cpu->realtime_runtime.set = true;
			break;
		case U_CPUS: free(cpu->cpus); cpu->cpus = xstrdup(optarg); break;
		case U_MEMS: free(cpu->mems); cpu->mems = xstrdup(optarg); break;
		case U_PIDS:
			rc = parse_i64("pids-limit", optarg, &r->pids_limit.v, err);
			r->pids_limit.set = true;
			break;
		case U_BLKIO:
			if (parse_u64("blkio-weight", optarg, UINT16_MAX, &u, err) < 0)
				return -1;
			if (r->block_io == NULL)
				r->block_io = xcalloc(1, sizeof(*r->block_io));
			r->block_io->weight.set = true;
			r->block_io->weight.v = u;
			break;
		case U_L3:
		case U_MBW:
			return brig_err(err, 0, "update: --%s: Intel RDT is not "
					"supported by brig (no intelRdt)",
					c == U_L3 ? "l3-cache-schema" : "mem-bw-schema");
		default:
			return brig_err(err, 0, "update: invalid option \"%s\" (see brig --help)",
					cli_refused(argv));
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

static struct spec_resources *read_resources_file(const char *file,
						  brig_error_t **err)
{
	cleanup_free char *json = NULL;
	size_t len = 0;

	if (strcmp(file, "-") == 0)
		json = brig_read_fd(STDIN_FILENO, &len);
	else
		json = brig_read_file(file, &len);
	if (json == NULL) {
		brig_err(err, errno, "update: read %s", strcmp(file, "-") ? file : "stdin");
		return NULL;
	}
	return spec_parse_resources(json, len, strcmp(file, "-") ? file : "stdin", err);
}

int container_update(const struct brig_globals *g, const char *id,
		     const struct spec_resources *r, brig_error_t **err)
{
	struct cg_manager *cg = NULL;
	struct container *ct;
	int ret;

	ct = open_with_cgroup(g, id, "update", status_can_update,
			      "created or running or paused", true, &cg, err);
	if (ct == NULL)
		return -1;
	ret = cg_update(cg, r, err);
	cg_free(cg);
	container_free(ct);
	return ret;
}

int cmd_update(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	struct spec_resources *r = xcalloc(1, sizeof(*r));
	const char *file = NULL;
	int ret = -1;

	r->memory = xcalloc(1, sizeof(*r->memory));
	r->cpu = xcalloc(1, sizeof(*r->cpu));
	if (update_flags(argc, argv, r, &file, err) < 0)
		goto out;
	spec_resources_zero_unset(r);
	if (file) {
		/* runc: with -r, the other flags are ignored */
		spec_resources_free(r);
		r = read_resources_file(file, err);
		if (r == NULL)
			goto out;
	}
	ret = container_update(g, optind < argc ? argv[optind] : NULL, r, err);
out:
	spec_resources_free(r);
	return ret;
}

/* ---- pause / resume -------------------------------------------------------- */

/* Freeze (pause) or thaw (resume) the container's cgroup. */
static int freeze(const struct brig_globals *g, const char *id, bool pause,
		  brig_error_t **err)
{
	const char *cmd = pause ? "pause" : "resume";
	struct cg_manager *cg = NULL;
	struct container *ct;
	int r;

	/* a created container can be paused too, as runc's can: start
	 * refuses it then, and resume makes it created again */
	ct = open_with_cgroup(g, id, cmd,
			      pause ? status_can_pause : status_can_resume,
			      pause ? "running or created" : "paused", true, &cg, err);
	if (ct == NULL)
		return -1;
	/* A created container is paused only while its record says so (see
	 * container_status): recorded before the freeze, or no freeze. */
	bool created = pause && container_status(ct) == SPEC_STATUS_CREATED;
	if (created)
		ct->state->status = SPEC_STATUS_PAUSED;
	if (created && container_save(ct, err) < 0) {
		r = -1;
	} else if ((r = pause ? cg_freeze(cg, err) : cg_thaw(cg, err)) < 0) {
		brig_error_t *e_save = NULL;

		if (created) {
			ct->state->status = SPEC_STATUS_CREATED;
			if (container_save(ct, &e_save) < 0)
				brig_err_free(&e_save);
		}
	} else if (!created) {
		brig_error_t *e_save = NULL;

		/* resumed: created or running, as exec.fifo says.  A running
		 * container's status is read from the freezer: a record that
		 * cannot be written (full disk) does not undo the pause. */
		ct->state->status = pause ? SPEC_STATUS_PAUSED : container_status(ct);
		if (container_save(ct, &e_save) < 0)
			brig_err_warn(&e_save, "container \"%s\": state not updated", ct->id);
	}
	if (r < 0)
		brig_err_prefix(err, "%s container \"%s\"", cmd, ct->id);
	cg_free(cg);
	container_free(ct);
	return r;
}

int container_pause(const struct brig_globals *g, const char *id, brig_error_t **err)
{
	return freeze(g, id, true, err);
}

int container_resume(const struct brig_globals *g, const char *id, brig_error_t **err)
{
	return freeze(g, id, false, err);
}

/* pause and resume take no option, only the id */
static int freeze_cmd(const struct brig_globals *g, int argc, char **argv,
		      bool pause, brig_error_t **err)
{
	if (getopt_long(argc, argv, "+", (struct option[]){{0}}, NULL) != -1)
		return brig_err(err, 0, "%s: invalid option \"%s\"", pause ? "pause" : "resume",
				cli_refused(argv));
	return freeze(g, optind < argc ? argv[optind] : NULL, pause, err);
}

int cmd_pause(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	return freeze_cmd(g, argc, argv, true, err);
}

int cmd_resume(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	return freeze_cmd(g, argc, argv, false, err);
}

/* ---- ps ------------------------------------------------------------------ */

static bool has_pid(const pid_t *pids, size_t n, long pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* Which whitespace-separated column of the header is "PID". */
static int pid_column(const char *header)
{
	cleanup_free char *h = xstrdup(header);
	char *save = NULL, *tok;
	int i = 0;

	for (tok = strtok_r(h, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save), i++)
		if (strcmp(tok, "PID") == 0)
			return i;
	return -1;
}

static long field(const char *line, int col)
{
	cleanup_free char *l = xstrdup(line);
	char *save = NULL, *tok = strtok_r(l, " \t", &save);

	for (int i = 0; tok && i < col; i++)
		tok = strtok_r(NULL, " \t", &save);
	return tok ? strtol(tok, NULL, 10) : -1;
}

static int ps_table(char **args, const pid_t *pids, size_t n, brig_error_t **err)
{
	char *argv_default[] = { (char *)"ps", (char *)"-ef", NULL };
	cleanup_free char *out = NULL;
	size_t len = 0;
	int pfd[2], status, col;
	pid_t child;
	char *save = NULL, *line;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return brig_err(err, errno, "ps: pipe");
	child = fork();
	if (child < 0)
		return brig_err(err, errno, "ps: fork");
	if (child == 0) {
		dup2(pfd[1], STDOUT_FILENO);
		execvp("ps", args[1] ? args : argv_default);
		fprintf(stderr, "brig: ps: exec ps: %s\n", strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	out = brig_read_fd(pfd[0], &len);
	close(pfd[0]);
	if (waitpid(child, &status, 0) < 0 || brig_wait_code(status) != 0)
		return brig_err(err, 0, "ps: the ps command failed");
	if (out == NULL || len == 0)
		return brig_err(err, 0, "ps: no output from ps");
	line = strtok_r(out, "\n", &save);
	col = pid_column(line);
	if (col < 0)
		return brig_err(err, 0, "ps: no PID column in the output of ps");
	printf("%s\n", line);
	while ((line = strtok_r(NULL, "\n", &save)) != NULL)
		if (has_pid(pids, n, field(line, col)))
			printf("%s\n", line);
	return 0;
}

static const struct option ps_longopts[] = {
	{"format", required_argument, NULL, 'f'}, {NULL, 0, NULL, 0}};
const struct cli_options cli_opts_ps = {"+f:", ps_longopts};

int container_pids(const struct brig_globals *g, const char *id, pid_t **pids,
		   size_t *n, brig_error_t **err)
{
	struct cg_manager *cg = NULL;
	struct container *ct;
	int r = -1;

	ct = open_with_cgroup(g, id, "ps", NULL, NULL, false, &cg, err);
	if (ct == NULL)
		return -1;
	if (!status_has_processes(container_status(ct)))
		brig_err(err, 0, "ps: container \"%s\" is not running", ct->id);
	else
		r = cg_pids(cg, pids, n, err);
	cg_free(cg);
	container_free(ct);
	return r;
}

int cmd_ps(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	cleanup_free pid_t *pids = NULL;
	cleanup_free char **args = NULL;
	bool json = false;
	size_t n = 0;
	int c, first;

	while ((c = getopt_long(argc, argv, cli_opts_ps.shortopts,
				cli_opts_ps.longopts, NULL)) != -1) {
		if (c != 'f')
			return brig_err(err, 0, "ps: invalid option \"%s\" (see brig --help)",
					cli_refused(argv));
		if (strcmp(optarg, "json") == 0)
			json = true;
		else if (strcmp(optarg, "table") != 0)
			return brig_err(err, 0, "ps: invalid format \"%s\" (table or json)",
					optarg);
	}
	if (container_pids(g, optind < argc ? argv[optind] : NULL, &pids, &n, err) < 0)
		return -1;
	if (json) {
		fputc('[', stdout);
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		fputs("]\n", stdout);
		return 0;
	}
	/* ps arguments follow the id, maybe after a "--" */
	first = optind + 1;
	if (first < argc && strcmp(argv[first], "--") == 0)
		first++;
	args = xcalloc((size_t)(argc - first + 2), sizeof(char *));
	args[0] = (char *)"ps";
	for (int i = first; i < argc; i++)
		args[i - first + 1] = argv[i];
	fflush(stdout);
	return ps_table(args, pids, n, err);
}
