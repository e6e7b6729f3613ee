/* brig — runtime/criu.h: what checkpoint (criu.c) and restore
 * (criu_restore.c) share; internal to the two. */
#ifndef BRIG_RUNTIME_CRIU_H
#define BRIG_RUNTIME_CRIU_H

#include "runtime.h"

#define CRIU "criu"
/* restore's hooks: the container brig, as CRIU's action script, runs them for */
#define ACTION_ROOT "BRIG_CRIU_ROOT"
#define ACTION_ID "BRIG_CRIU_ID"
/* CRIU's key for /dev/console, an external mount with a terminal */
#define CRIU_CONSOLE_KEY "console"

/* CRIU's options file, named by the annotation (runc's) */
#define CRIU_CONF_ANNOTATION "org.criu.config"

/* the command line of criu, built up */
struct criu_args {
	char **v;
	size_t n;
};

void criu_add(struct criu_args *a, const char *s);
void __attribute__((format(printf, 2, 3))) criu_addf(struct criu_args *a, const char *fmt, ...);
/* What dump and restore share: directories, log, and runc's flags. */
void criu_common_args(struct criu_args *a, const struct criu_opts *o, const struct spec_config *c,
		      const char *log, int conf_fd);
/* The annotation org.criu.config (NULL: none; empty: no options file). */
const char *criu_conf_annotation(const struct spec_config *c);
/* Open the options file it names, for CRIU to read as CRIU_CONF_FD (*fd
 * -1: none).  It must be outside what the container may write (its
 * rootfs, its bind mounts' sources, /proc) and be root's or ours alone:
 * CRIU runs its action-script as root. */
int criu_conf_open(const struct spec_config *c, const char *bundle, int *fd, brig_error_t **err);
/* An image, work or parent directory must be outside what the container
 * may write too (restore runs what its images say as root): each
 * directory on the way, and it, if there. */
int criu_dir_check(const struct spec_config *c, const char *bundle, const char *path,
		   const char *flag, brig_error_t **err);
/* The pre-dumps restore reads back (the images' "parent" links): each as
 * the image directory, none missing. */
int criu_parents_check(const struct spec_config *c, const char *bundle, const char *image,
		       brig_error_t **err);
/* where criu_child_main puts it in CRIU */
#define CRIU_CONF_FD 255
/* CRIU's key for a namespace joined by path: the same at dump and restore. */
const char *criu_ext_ns_key(enum spec_ns_type t);

struct criu_child {
	char **argv;
	const char *rootfs;   /* restore: bound at root_dir in a mount namespace of its own */
	const char *root_dir;
	bool root_ro;         /* restore: root.readonly, the bind made read-only */
	bool nnp;             /* restore: process.noNewPrivileges, CRIU's own */
	const struct cg_spawn *sp; /* restore: the container's cgroups, or NULL */
	int conf_fd;               /* CRIU's options file (criu_conf_open), or -1 */
};

/* The child that runs criu (ns_exec_spawn). */
int criu_child_main(void *arg);
/* Wait for criu; its failure as one line naming its first error and its log. */
int criu_wait(pid_t pid, const char *what, const char *log, brig_error_t **err);
/* mkdir, then checked: one made by another since the parser looked is refused. */
int criu_make_dir(const char *path, const char *flag, brig_error_t **err);
/* CRIU's log: in the work directory, else the images'. */
char *criu_log_path(const struct criu_opts *o, const char *name);
/* The config.json brig saved for the container. */
struct spec_config *criu_saved_config(struct container *ct, brig_error_t **err);

#endif
