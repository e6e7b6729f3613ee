/* brig — runtime/cli_exec.c: the command line of `brig exec`, parsed into
 * struct exec_opts for container_exec (exec.c). */
#include "cli.h"

#include <string.h>

enum { OPT_PID_FILE = 256, OPT_CONSOLE, OPT_CWD, OPT_NNP, OPT_APPARMOR, OPT_LABEL,
       OPT_PRESERVE, OPT_IGNORE_PAUSED };

static const struct option exec_longopts[] = {
	{"process", required_argument, NULL, 'p'},
	{"detach", no_argument, NULL, 'd'},
	{"pid-file", required_argument, NULL, OPT_PID_FILE},
	{"console-socket", required_argument, NULL, OPT_CONSOLE},
	{"tty", no_argument, NULL, 't'},
	{"cwd", required_argument, NULL, OPT_CWD},
	{"env", required_argument, NULL, 'e'},
	{"user", required_argument, NULL, 'u'},
	{"additional-gids", required_argument, NULL, 'g'},
	{"cap", required_argument, NULL, 'c'},
	{"no-new-privs", no_argument, NULL, OPT_NNP},
	{"apparmor", required_argument, NULL, OPT_APPARMOR},
	{"process-label", required_argument, NULL, OPT_LABEL},
	{"preserve-fds", required_argument, NULL, OPT_PRESERVE},
	{"ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED},
	{NULL, 0, NULL, 0},
};
const struct cli_options cli_opts_exec = {"+p:dte:u:g:c:", exec_longopts};

int cli_parse_exec(int argc, char **argv, struct exec_opts *o, brig_error_t **err)
{
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, cli_opts_exec.shortopts, cli_opts_exec.longopts,
				NULL)) != -1) {
		switch (c) {
		case 'p': o->process_file = optarg; break;
		case 'd': o->detach = true; break;
		case OPT_PID_FILE: o->pid_file = optarg; break;
		case OPT_CONSOLE: o->console_socket = optarg; break;
		case 't': o->tty = true; break;
		case OPT_CWD:
			if (optarg[0] != '/')
				return brig_err(err, 0, "exec: --cwd: must be an absolute path");
			o->cwd = optarg;
			break;
		case 'e':
			if (!strchr(optarg, '=') || optarg[0] == '=')
				return brig_err(err, 0, "exec: --env: expected NAME=VALUE, got \"%s\"", optarg);
			strv_push(&o->env, optarg);
			break;
		case 'u': o->user = optarg; break;
		case 'g': strv_push(&o->gids, optarg); break;
		case 'c': strv_push(&o->caps, optarg); break;
		case OPT_NNP: o->no_new_privs = true; break;
		case OPT_APPARMOR: o->apparmor = optarg; break;
		case OPT_LABEL: o->label = optarg; break;
		case OPT_IGNORE_PAUSED: o->ignore_paused = true; break;
		case OPT_PRESERVE:
			if (parse_preserve_fds(optarg, &o->preserve_fds) < 0)
				return brig_err(err, 0, "exec: --preserve-fds: invalid number \"%s\"", optarg);
			break;
		default:
			return brig_err(err, 0, "exec: invalid option \"%s\" (see brig --help)",
					cli_refused(argv));
		}
	}
	if (optind >= argc)
		return brig_err(err, 0, "exec: missing container id "
				"(usage: brig exec [options] ID COMMAND [ARG...])");
	o->id = argv[optind];
	o->args = argv + optind + 1;
	o->nargs = argc - optind - 1;
	return 0;
}

void cli_exec_opts_free(struct exec_opts *o)
{
	strv_clear(&o->env);
	strv_clear(&o->gids);
	strv_clear(&o->caps);
}

int cmd_exec(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	struct exec_opts o;
	int ret = -1;

	/* the fds the caller passed are closed once the options say which
	 * stay (--preserve-fds) */
	if (cli_parse_exec(argc, argv, &o, err) == 0 &&
	    brig_close_inherited_fds(o.preserve_fds, err) == 0)
		ret = container_exec(g, &o, err);
	cli_exec_opts_free(&o);
	return ret;
}
