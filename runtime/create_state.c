/* brig — runtime/create_state.c: the state directory of a container being
 * created (<root>/<id>: state.json, the copy of config.json, exec.fifo) and
 * the --pid-file. */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The state's "owner": the caller's name from /etc/passwd, as runc reads
 * it (fgetpwent, not getpwuid: no NSS modules in a static binary). */
static char *owner_name(void)
{
	cleanup_fclose FILE *f = fopen("/etc/passwd", "re");
	uid_t uid = geteuid();
	struct passwd *pw;

	while (f && (pw = fgetpwent(f)) != NULL)
		if (pw->pw_uid == uid)
			return xstrdup(pw->pw_name);
	return xstrdup("");
}

int write_pid_file(const char *path, pid_t pid, const struct dir_ident *dir,
		   brig_error_t **err)
{
	cleanup_free char *name = NULL;
	cleanup_free char *tmp = NULL;
	cleanup_close int dfd = dir_open_parent(path, &name, err);
	cleanup_close int fd = -1;
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%d", (int)pid);

	if (dfd < 0)
		return brig_err_prefix(err, "--pid-file");
	if (dir_ident_check(dfd, dir, "--pid-file", path, err) < 0)
		return -1;
	/* a new file of ours, renamed over the name: whatever a container
	 * planted there (a symlink to a host file) is replaced, not written */
	fd = safefile_tmp(dfd, "brig-pid", 0644, &tmp, err);
	if (fd < 0)
		return brig_err_prefix(err, "--pid-file: %s", path);
	if (brig_write_all(fd, buf, (size_t)n) < 0 || renameat(dfd, tmp, dfd, name) < 0) {
		int e = errno;
		unlinkat(dfd, tmp, 0);
		return brig_err(err, e, "--pid-file: write %s", path);
	}
	return 0;
}

/* The state's copy of the config: the very text that was parsed. */
static int copy_config(struct container *ct, const char *text, size_t len,
		       brig_error_t **err)
{
	int fd = openat(ct->dir_fd, "config.json",
			O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0 || brig_write_all(fd, text, len) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return brig_err(err, e, "write %s/config.json", ct->dir);
	}
	close(fd);
	return 0;
}

/* <root>/<id>, locked, with its state in memory ("creating"). */
struct container *container_new_state(const struct brig_globals *g, const char *id,
				      const struct spec_config *c, const char *bundle,
				      const char *rootfs, const struct create_opts *o,
				      brig_error_t **err)
{
	/* a restart (restart.c) reuses the directory it holds locked */
	struct container *ct = o->reuse ? o->reuse : container_new(g, id, err);

	if (!ct)
		return NULL;
	spec_state_free(ct->state);
	ct->state = xcalloc(1, sizeof(*ct->state));
	ct->state->oci_version = xstrdup(BRIG_OCI_VERSION);
	ct->state->id = xstrdup(id);
	ct->state->status = SPEC_STATUS_CREATING;
	ct->state->bundle = xstrdup(bundle);
	ct->state->rootfs = xstrdup(rootfs);
	ct->state->created = timestamp_now();
	ct->state->owner = owner_name();
	ct->state->detached = o->detach;
	ct->state->config_path = xasprintf("%s/config.json", ct->dir);
	for (size_t i = 0; i < c->annotations.n; i++) {
		/* shallow share: freed with the config, so copy */
		struct spec_kv_list *a = &ct->state->annotations;
		a->v = xrealloc(a->v, (a->n + 1) * sizeof(*a->v));
		a->v[a->n].key = xstrdup(c->annotations.v[i].key);
		a->v[a->n].value = xstrdup(c->annotations.v[i].value);
		a->n++;
	}
	return ct;
}

/* The state directory's files: config.json as read, state.json, and
 * (fifo: a container that waits for start) exec.fifo. */
int container_write_state(struct container *ct, const char *text, size_t text_len, bool fifo,
			  brig_error_t **err)
{
	fault_point("statedir");
	if (copy_config(ct, text, text_len, err) < 0 || container_save(ct, err) < 0)
		return -1;
	if (!fifo)
		return 0;
	/* 0600: opened here (open_exec_fifo) and by `start`, both ours */
	if (mkfifoat(ct->dir_fd, "exec.fifo", 0600) < 0)
		return brig_err(err, errno, "mkfifo %s/exec.fifo", ct->dir);
	return 0;
}
