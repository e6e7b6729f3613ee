/* brig — runtime/cli_container.c: the command line of create, run, start,
 * state, kill, delete and spec.  Each cmd_* turns argv into a struct and
 * calls the lifecycle (commands.c, create.c); the parsers are unit-tested
 * (tests/unit/test_cli.c).  Help is cli.c's. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static int one_id(int argc, char **argv, const char *cmd, const char **id,
		  brig_error_t **err)
{
	if (optind >= argc)
		return brig_err(err, 0, "%s: missing container id (usage: brig %s [options] ID)",
				cmd, cmd);
	*id = argv[optind];
	return 0;
}

/* ---- numbers and signals --------------------------------------------- */

static const struct { const char *name; int sig; } signames[] = {
	{"HUP", SIGHUP}, {"INT", SIGINT}, {"QUIT", SIGQUIT}, {"ILL", SIGILL},
	{"TRAP", SIGTRAP}, {"ABRT", SIGABRT}, {"IOT", SIGIOT}, {"BUS", SIGBUS},
	{"FPE", SIGFPE}, {"KILL", SIGKILL}, {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},
	{"USR2", SIGUSR2}, {"PIPE", SIGPIPE}, {"ALRM", SIGALRM}, {"TERM", SIGTERM},
	{"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD}, {"CONT", SIGCONT}, {"STOP", SIGSTOP},
	{"TSTP", SIGTSTP}, {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU}, {"URG", SIGURG},
	{"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},
	{"WINCH", SIGWINCH}, {"IO", SIGIO}, {"POLL", SIGPOLL}, {"PWR", SIGPWR},
	{"SYS", SIGSYS},
};

int parse_preserve_fds(const char *s, int *n)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || end == s || v < 0 || v > 65536)
		return -1;
	*n = (int)v;
	return 0;
}

int parse_signal(const char *s, int *sig)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*s && !*end) {
		if (n <= 0 || n >= NSIG)
			return -1;
		*sig = (int)n;
		return 0;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < ARRAY_SIZE(signames); i++)
		if (strcasecmp(s, signames[i].name) == 0) {
			*sig = signames[i].sig;
			return 0;
		}
	if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
		long off = s[5] ? strtol(s + 5, &end, 10) : 0;
		if (s[5] && *end)
			return -1;
		n = (strncasecmp(s, "RTMIN", 5) == 0 ? SIGRTMIN : SIGRTMAX) + off;
		if (n < SIGRTMIN || n > SIGRTMAX)
			return -1;
		*sig = (int)n;
		return 0;
	}
	return -1;
}


/* ---- create / run ------------------------------------------------------- */

enum { OPT_PID_FILE = 256, OPT_CONSOLE, OPT_NO_PIVOT, OPT_NO_KEYRING,
       OPT_PRESERVE, OPT_KEEP, OPT_NO_SUBREAPER, OPT_LOG_PATH, OPT_LOG_MAX_SIZE,
       OPT_LOG_MAX_FILES, OPT_NETWORK, OPT_RESTART };

static const struct option create_longopts[] = {
	{"bundle", required_argument, NULL, 'b'},
	{"pid-file", required_argument, NULL, OPT_PID_FILE},
	{"console-socket", required_argument, NULL, OPT_CONSOLE},
	{"no-pivot", no_argument, NULL, OPT_NO_PIVOT},
	{"no-new-keyring", no_argument, NULL, OPT_NO_KEYRING},
	{"preserve-fds", required_argument, NULL, OPT_PRESERVE},
	{"detach", no_argument, NULL, 'd'},
	{"keep", no_argument, NULL, OPT_KEEP},
	{"no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER},
	{"log-path", required_argument, NULL, OPT_LOG_PATH},
	{"log-max-size", required_argument, NULL, OPT_LOG_MAX_SIZE},
	{"log-max-files", required_argument, NULL, OPT_LOG_MAX_FILES},
	{"network", required_argument, NULL, OPT_NETWORK},
	{"publish", required_argument, NULL, 'p'},
	{"restart", required_argument, NULL, OPT_RESTART},
	{NULL, 0, NULL, 0},
};

const struct cli_options cli_opts_create = {"+b:p:", create_longopts};
const struct cli_options cli_opts_run = {"+b:dp:", create_longopts};

/* --network NAME: a list in the network directory, bridged:IFACE, none
 * or host (network/network.h); host and none stand alone. */
static int add_network(struct create_opts *o, const char *name, brig_error_t **err)
{
	bool special = strcmp(name, "host") == 0 || strcmp(name, "none") == 0;

	if (!special && !net_name_ok(name, true))
		return brig_err(err, 0, "--network: not a network name: \"%s\"", name);
	for (size_t i = 0; i < o->n_networks; i++) {
		if (strcmp(o->networks[i], name) == 0)
			return brig_err(err, 0, "--network %s: given twice", name);
		if (special || strcmp(o->networks[i], "host") == 0 ||
		    strcmp(o->networks[i], "none") == 0)
			return brig_err(err, 0, "--network %s: host and none stand alone",
					special ? name : o->networks[i]);
	}
	o->networks = xrealloc(o->networks, (o->n_networks + 1) * sizeof(*o->networks));
	o->networks[o->n_networks++] = name;
	return 0;
}

static int add_port(struct create_opts *o, const char *spec, brig_error_t **err)
{
	struct spec_cni_port p;

	if (net_parse_port(spec, &p, err) < 0)
		return -1;
	for (size_t i = 0; i < o->n_ports; i++)
		if (o->ports[i].host_port == p.host_port && strcmp(o->ports[i].proto, p.proto) == 0 &&
		    strcmp(o->ports[i].host_ip, p.host_ip) == 0)
			return brig_err(err, 0, "-p %s: host port %d/%s published twice", spec,
					p.host_port, p.proto);
	o->ports = xrealloc(o->ports, (o->n_ports + 1) * sizeof(*o->ports));
	o->ports[o->n_ports++] = p;
	return 0;
}

static int parse_create_flags(int argc, char **argv, bool is_run,
			      struct create_opts *o, brig_error_t **err)
{
	const struct cli_options *spec = is_run ? &cli_opts_run : &cli_opts_create;
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, spec->shortopts, spec->longopts, NULL)) != -1) {
		switch (c) {
		case 'b': o->bundle = optarg; break;
		case OPT_PID_FILE: o->pid_file = optarg; break;
		case OPT_CONSOLE: o->console_socket = optarg; break;
		case OPT_NO_PIVOT: o->no_pivot = true; break;
		case OPT_NO_KEYRING: o->no_new_keyring = true; break;
		case OPT_NO_SUBREAPER: break;
		case OPT_LOG_PATH: o->logged = true; o->log_path = optarg; break;
		case OPT_NETWORK:
			if (add_network(o, optarg, err) < 0)
				return -1;
			break;
		case 'p':
			if (add_port(o, optarg, err) < 0)
				return -1;
			break;
		case OPT_LOG_MAX_SIZE: {
			int64_t n;
			o->logged = true;
			if (parse_ram_size(optarg, &n) < 0 || n <= 0)
				return brig_err(err, 0, "--log-max-size: invalid size \"%s\"", optarg);
			/* room for a record's timestamp and tags and some text */
			if (n < 1024)
				return brig_err(err, 0, "--log-max-size: at least 1k, got \"%s\"", optarg);
			o->log_max_size = n;
			break;
		}
		case OPT_LOG_MAX_FILES: {
			char *end;
			long n = strtol(optarg, &end, 10);
			o->logged = true;
			if (*end || n < 1 || n > 1000)
				return brig_err(err, 0, "--log-max-files: invalid number \"%s\"", optarg);
			o->log_max_files = (int)n;
			break;
		}
		case OPT_RESTART:
			/* kept by the log monitor, which outlives brig */
			if (restart_parse(optarg, &o->restart, err) < 0)
				return -1;
			o->logged = o->restart.mode != RESTART_NO || o->logged;
			break;
		case OPT_PRESERVE:
			if (parse_preserve_fds(optarg, &o->preserve_fds) < 0)
				return brig_err(err, 0, "--preserve-fds: invalid number \"%s\"", optarg);
			break;
		case 'd':
			if (!is_run)
				goto bad;
			o->detach = true;
			break;
		case OPT_KEEP:
			if (!is_run)
				goto bad;
			o->keep = true;
			break;
		default:
		bad:
			return brig_err(err, 0, "%s: invalid option \"%s\" (see brig --help)",
					is_run ? "run" : "create", cli_refused(argv));
		}
	}
	return 0;
}

/* Socket activation, as runc does it: descriptors 3 .. 3+LISTEN_FDS-1
 * meant for us (LISTEN_PID) go to the container, before --preserve-fds,
 * with LISTEN_FDS and LISTEN_PID=1 in its environment. */
static int listen_fds(void)
{
	const char *pid = getenv("LISTEN_PID"), *n = getenv("LISTEN_FDS");
	char *end;
	long v;

	if (!pid || !n || strtol(pid, &end, 10) != (long)getpid() || *end)
		return 0;
	v = strtol(n, &end, 10);
	return *end || v < 0 || v > 65536 ? 0 : (int)v;
}

/* After the options: which inherited descriptors go to the container. */
static int keep_fds(struct create_opts *o, brig_error_t **err)
{
	o->listen_fds = listen_fds();
	return brig_close_inherited_fds(o->listen_fds + o->preserve_fds, err);
}

int cli_parse_create(int argc, char **argv, bool is_run, struct create_opts *o,
		     const char **id, brig_error_t **err)
{
	if (parse_create_flags(argc, argv, is_run, o, err) < 0)
		return -1;
	if (o->n_ports && o->n_networks == 0)
		return brig_err(err, 0, "-p: publishing a port needs a network (--network nat)");
	if (o->n_networks && brig_rootless() && strcmp(o->networks[0], "host") != 0 &&
	    strcmp(o->networks[0], "none") != 0)
		return brig_err(err, 0, "--network %s: needs root (the CNI plugins configure the "
				"host's network); rootless, use none or host", o->networks[0]);
	return one_id(argc, argv, is_run ? "run" : "create", id, err);
}

/* What parsing allocated (the --network and -p lists). */
static void create_opts_done(struct create_opts *o)
{
	free(o->networks);
	free(o->ports);
}

int cmd_create(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	struct create_opts o __attribute__((cleanup(create_opts_done))) = {0};
	const char *id = NULL;

	if (cli_parse_create(argc, argv, false, &o, &id, err) < 0 || keep_fds(&o, err) < 0)
		return -1;
	if (o.logged)
		return monitor_launch(g, id, &o, false, err);
	return container_create_only(g, id, &o, err);
}

int cmd_run(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	struct create_opts o __attribute__((cleanup(create_opts_done))) = {0};
	const char *id = NULL;

	if (cli_parse_create(argc, argv, true, &o, &id, err) < 0 || keep_fds(&o, err) < 0)
		return -1;
	o.foreground = !o.detach;
	if (o.logged)
		return monitor_launch(g, id, &o, true, err);
	return container_run_foreground(g, id, &o, err);
}

/* ---- start, state -------------------------------------------------------- */

int cmd_start(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	const char *id = NULL;
	struct container *ct;
	int r;

	if (getopt_long(argc, argv, "+", (struct option[]){{0}}, NULL) != -1)
		return brig_err(err, 0, "start: invalid option \"%s\"", cli_refused(argv));
	if (one_id(argc, argv, "start", &id, err) < 0)
		return -1;
	ct = container_open(g, id, true, err);
	if (!ct)
		return -1;
	if (service_startable(ct)) {
		/* a service that stopped: run again under a new log monitor */
		container_free(ct);
		return service_start(g, id, err);
	}
	r = container_start(ct, err);
	container_free(ct);
	return r;
}

int cmd_state(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	const char *id = NULL;
	struct container *ct;

	if (getopt_long(argc, argv, "+", (struct option[]){{0}}, NULL) != -1)
		return brig_err(err, 0, "state: invalid option \"%s\"", cli_refused(argv));
	if (one_id(argc, argv, "state", &id, err) < 0)
		return -1;
	ct = container_open(g, id, false, err);
	if (!ct)
		return -1;
	ct->state->status = container_status(ct);
	if (ct->state->status == SPEC_STATUS_STOPPED)
		ct->state->pid = 0;
	cleanup_free char *json = spec_state_to_json(ct->state, false);
	puts(json);
	container_free(ct);
	return 0;
}

/* ---- kill, delete ------------------------------------------------------- */

static const struct option kill_longopts[] = {
	{"all", no_argument, NULL, 'a'},
	{NULL, 0, NULL, 0},
};
const struct cli_options cli_opts_kill = {"+a", kill_longopts};

int cli_parse_kill(int argc, char **argv, struct kill_opts *o, brig_error_t **err)
{
	int c;

	*o = (struct kill_opts){.sig = SIGTERM};
	while ((c = getopt_long(argc, argv, cli_opts_kill.shortopts, cli_opts_kill.longopts,
				NULL)) != -1) {
		if (c != 'a')
			return brig_err(err, 0, "kill: invalid option \"%s\"", cli_refused(argv));
		o->all = true;
	}
	if (one_id(argc, argv, "kill", &o->id, err) < 0)
		return -1;
	if (optind + 1 < argc && parse_signal(argv[optind + 1], &o->sig) < 0)
		return brig_err(err, 0, "kill: invalid signal \"%s\"", argv[optind + 1]);
	return 0;
}

int cmd_kill(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	struct kill_opts o;

	if (cli_parse_kill(argc, argv, &o, err) < 0)
		return -1;
	return container_kill(g, &o, err);
}

static const struct option delete_longopts[] = {
	{"force", no_argument, NULL, 'f'},
	{NULL, 0, NULL, 0},
};
const struct cli_options cli_opts_delete = {"+f", delete_longopts};

int cli_parse_delete(int argc, char **argv, struct delete_opts *o, brig_error_t **err)
{
	int c;

	*o = (struct delete_opts){0};
	while ((c = getopt_long(argc, argv, cli_opts_delete.shortopts, cli_opts_delete.longopts,
				NULL)) != -1) {
		if (c != 'f')
			return brig_err(err, 0, "delete: invalid option \"%s\"", cli_refused(argv));
		o->force = true;
	}
	return one_id(argc, argv, "delete", &o->id, err);
}

int cmd_delete(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	struct delete_opts o;

	if (cli_parse_delete(argc, argv, &o, err) < 0)
		return -1;
	return container_delete(g, &o, err);
}

/* ---- spec --------------------------------------------------------------- */

static const struct option spec_longopts[] = {
	{"bundle", required_argument, NULL, 'b'},
	{"rootless", no_argument, NULL, 'r'},
	{"service", no_argument, NULL, 's'},
	{NULL, 0, NULL, 0},
};
const struct cli_options cli_opts_spec = {"+b:", spec_longopts};

int cmd_spec(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	const char *bundle = ".";
	bool rootless = false, service = false;
	int c;
	(void)g;

	while ((c = getopt_long(argc, argv, cli_opts_spec.shortopts,
				cli_opts_spec.longopts, NULL)) != -1) {
		if (c == 'b')
			bundle = optarg;
		else if (c == 'r')
			rootless = true;
		else if (c == 's')
			service = true;
		else
			return brig_err(err, 0, "spec: invalid option \"%s\"", cli_refused(argv));
	}
	cleanup_free char *path = xasprintf("%s/config.json", bundle);
	cleanup_free char *json = service ? spec_service_config(rootless, getuid(), getgid())
					  : spec_default_config(rootless, getuid(), getgid());
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (errno == EEXIST)
			return brig_err(err, 0, "spec: %s exists; remove it first", path);
		return brig_err(err, errno, "spec: create %s", path);
	}
	if (brig_write_all(fd, json, strlen(json)) < 0 || brig_write_all(fd, "\n", 1) < 0) {
		int e = errno;
		close(fd);
		unlink(path);
		return brig_err(err, e, "spec: write %s", path);
	}
	close(fd);
	return 0;
}
