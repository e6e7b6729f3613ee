/* brig — runtime/cli.h: the command line, apart from the lifecycle.
 *
 * One table of commands (cli.c): each entry has its name, its getopt
 * options, a one-line summary for `brig --help`, the usage text that
 * `brig <command> --help` and `brig help <command>` print, and the handler
 * main.c calls.  A handler (cmd_*) only turns argv into a struct and calls
 * a lifecycle function that takes that struct (container_create_only,
 * container_run, container_exec, container_kill, container_delete, ...;
 * declared in runtime.h, which does not include this header).
 * Private to runtime/, like runtime.h. */
#ifndef BRIG_CLI_H
#define BRIG_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "runtime.h"

/* A command's getopt_long options: "+" first (stop at the first operand). */
struct cli_options {
	const char *shortopts;
	const struct option *longopts;
};

typedef int (*cli_handler)(const struct brig_globals *g, int argc, char **argv,
			   brig_error_t **err);

enum cli_flags {
	CLI_NO_ROOT = 1 << 0,     /* needs no state root (spec, features) */
	CLI_KEEPS_FDS = 1 << 1,   /* closes inherited fds itself, after --preserve-fds */
	CLI_HELP = 1 << 2,        /* help itself: no root, nothing to check */
	CLI_PASSES_ARGS = 1 << 3, /* operands after the first are a command line */
	CLI_LONG_ONLY = 1 << 4,   /* a long option may have one dash (getopt_long_only) */
};

struct brig_command {
	const char *name;
	const struct cli_options *options; /* NULL: no options */
	const char *summary;               /* one line, for the command list */
	const char *usage;                 /* the whole text of its --help */
	cli_handler handler;
	unsigned flags;
	/* the exit status of its own failure: 0 for 1; exec's is 255 (its
	 * other statuses are the process's), help's is 3, as runc's */
	int fail_status;
};

/* The command named name, or NULL. */
const struct brig_command *cli_find(const char *name);
/* The table, for the command list (n entries). */
const struct brig_command *cli_commands(size_t *n);
/* Does the command's argv (argv[0] is its name) ask for its usage: -h or
 * --help among its options?  Parsed with the command's own options, so
 * `exec -e -h ID` is not.  As runc, options after operands count too
 * (`kill ID --help`), but not for a command whose operands are a command
 * line (`exec ID sh -h`, `ps ID -h`, `jail run DIR -- sh -h`) nor after "--". */
bool cli_wants_help(const struct brig_command *cmd, int argc, char **argv);
/* `brig --help`: the command list and the global options. */
void cli_print_commands(FILE *f);
/* `brig help [COMMAND]`: the list or the command's usage; an unknown
 * command is an error (exit 3, as runc). */
int cmd_help(const struct brig_globals *g, int argc, char **argv, brig_error_t **err);

/* The argument getopt_long just refused ("--bogus", "-z"), for the
 * handler's one line (getopt's own message is off: opterr is 0). */
const char *cli_refused(char **argv);

/* ---- the handlers (argv[0] is the command's name) ------------------------ */
int cmd_create(const struct brig_globals *g, int argc, char **argv, brig_error_t **err);
int cmd_run(const struct brig_globals *g, int argc, char **argv, brig_error_t **err);
int cmd_start(const struct brig_globals *g, int argc, char **argv, brig_error_t **err);
int cmd_state(const struct brig_globals *g, int argc, char **argv, brig_error_t **err);
int cmd_kill(const struct brig_globals *g, int argc, char **argv, brig_error_t **err);
int cmd_delete(const struct brig_globals *g, int argc, char **argv, brig_error_t **err);
int cmd_stop(const struct brig_globals *g, int argc, char **argv, brig_error_t **err);
int cmd_spec(const struct brig_globals *g, int argc, char **argv, brig_error_t **err);
int cmd_exec(const struct brig_globals *g, int argc, char **argv, brig_error_t **err);
int cmd_list(const struct brig_globals *g, int argc, char **argv, brig_error_t **err);
int cmd_logs(const struct brig_globals *g, int argc, char **argv, brig_error_t **err);
int cmd_jail(const struct brig_globals *g, int argc, char **argv, brig_error_t **err);
int cmd_features(const struct brig_globals *g, int argc, char **argv, brig_error_t **err);
/* cli_network.c: port, network */
int cmd_port(const struct brig_globals *g, int argc, char **argv, brig_error_t **err);
int cmd_network(const struct brig_globals *g, int argc, char **argv, brig_error_t **err);
/* cgcmds.c, events.c: the commands built on the container's cgroup */
int cmd_update(const struct brig_globals *g, int argc, char **argv, brig_error_t **err);
int cmd_pause(const struct brig_globals *g, int argc, char **argv, brig_error_t **err);
int cmd_resume(const struct brig_globals *g, int argc, char **argv, brig_error_t **err);
int cmd_ps(const struct brig_globals *g, int argc, char **argv, brig_error_t **err);
int cmd_events(const struct brig_globals *g, int argc, char **argv, brig_error_t **err);
/* criu.c: checkpoint and restore through CRIU */
int cmd_checkpoint(const struct brig_globals *g, int argc, char **argv, brig_error_t **err);
int cmd_restore(const struct brig_globals *g, int argc, char **argv, brig_error_t **err);

/* ---- the options of each command, parsed into structs ------------------- */
/* "512m" → 536870912 as runc reads sizes; "-1" → -1. */
int parse_ram_size(const char *s, int64_t *out);
/* A Go duration ("5s", "250ms") in milliseconds, > 0. */
int parse_duration_ms(const char *s, int64_t *ms);
extern const struct cli_options cli_opts_create, cli_opts_run, cli_opts_kill,
	cli_opts_delete, cli_opts_spec, cli_opts_exec, cli_opts_list, cli_opts_logs,
	cli_opts_update, cli_opts_ps, cli_opts_events, cli_opts_stop, cli_opts_checkpoint,
	cli_opts_restore;

/* create and run (is_run: -d, --keep); *id: the container id. */
int cli_parse_create(int argc, char **argv, bool is_run, struct create_opts *o,
		     const char **id, brig_error_t **err);

int cli_parse_kill(int argc, char **argv, struct kill_opts *o, brig_error_t **err);
/* stop.c */
int cli_parse_stop(int argc, char **argv, int *timeout, const char **id, brig_error_t **err);

int cli_parse_delete(int argc, char **argv, struct delete_opts *o, brig_error_t **err);

/* exec's options (exec.c); cli_exec_opts_free releases the lists. */
int cli_parse_exec(int argc, char **argv, struct exec_opts *o, brig_error_t **err);
void cli_exec_opts_free(struct exec_opts *o);

#endif
