/* brig — cgroups/: linux.resources.unified, v2 files written by name.
 *
 * A key is a file of the container's v2 cgroup (on a hybrid host, of its
 * cgroup in the unified tree), and only a controller's file:
 * "<controller>.<file>" where the controller is listed in the cgroup's own
 * cgroup.controllers.  The core files (cgroup.procs, cgroup.threads,
 * cgroup.subtree_control, cgroup.type, cgroup.kill, cgroup.freeze,
 * cgroup.max.*) are refused: through them a config could move any host
 * process into the container's cgroup, where delete kills it, or change
 * what the cgroup is.  A key never names another directory ('/', a
 * leading '.'), and the file is opened relative to the cgroup's directory,
 * never through a symlink.  Every key is checked before any is written, so
 * an update with one bad key changes nothing. */
#include "cgroups/cg_internal.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

/* The key as a JSON string body, for the path in messages. */
static char *json_key(const char *k)
{
	size_t n = strlen(k);
	char *out = xmalloc(n * 6 + 1), *o = out;

	for (const unsigned char *p = (const unsigned char *)k; *p; p++) {
		if (*p == '"' || *p == '\\') {
			*o++ = '\\';
			*o++ = (char)*p;
		} else if (*p < 0x20 || *p == 0x7f) {
			o += sprintf(o, "\\u%04x", *p);
		} else {
			*o++ = (char)*p;
		}
	}
	*o = '\0';
	return out;
}

static int refuse(brig_error_t **err, const char *k, const char *why)
{
	cleanup_free char *jk = json_key(k);

	return brig_err(err, 0, "linux.resources.unified[\"%s\"]: %s", jk, why);
}

static int check_key(const char *k, const char *ctrls, const char *dir,
		     brig_error_t **err)
{
	size_t cl;
	cleanup_free char *ctrl = NULL;

	if (k == NULL || *k == '\0')
		return refuse(err, "", "not a file name");
	if (strchr(k, '/'))
		return refuse(err, k, "not a file name (has a '/')");
	if (k[0] == '.')
		return refuse(err, k, "not a file name (starts with '.')");
	cl = strcspn(k, ".");
	for (size_t i = 0; i < cl; i++)
		if (!islower((unsigned char)k[i]) && !isdigit((unsigned char)k[i]) &&
		    k[i] != '_')
			cl = 0;
	if (cl == 0 || k[cl] != '.' || k[cl + 1] == '\0')
		return refuse(err, k, "not of the form <controller>.<file>");
	ctrl = xasprintf("%.*s", (int)cl, k);
	if (strcmp(ctrl, "cgroup") == 0)
		return refuse(err, k, "cgroup core files (cgroup.*) cannot be written "
			      "through unified");
	if (!cg_word_in(ctrls, ctrl)) {
		cleanup_free char *jk = json_key(k);

		return brig_err(err, 0, "linux.resources.unified[\"%s\"]: the controller "
				"\"%s\" is not enabled in the container's cgroup "
				"(%s has: %s)", jk, ctrl, dir, *ctrls ? ctrls : "none");
	}
	return 0;
}

int cg_check_unified(struct cg_hier *h, const struct spec_kv_list *kv,
		     brig_error_t **err)
{
	cleanup_free char *ctrls = NULL;

	if (kv->n == 0)
		return 0;
	ctrls = cg_read(h->dir, "cgroup.controllers");
	if (ctrls == NULL)
		return brig_err(err, errno, "linux.resources.unified: read %s/"
				"cgroup.controllers", h->dir);
	for (size_t i = 0; i < kv->n; i++)
		if (check_key(kv->v[i].key, ctrls, h->dir, err) < 0)
			return -1;
	return 0;
}

int cg_apply_unified(struct cg_hier *h, const struct spec_kv_list *kv,
		     brig_error_t **err)
{
	cleanup_close int dfd = -1;

	if (cg_check_unified(h, kv, err) < 0)
		return -1;
	if (kv->n == 0)
		return 0;
	dfd = open(h->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return brig_err(err, errno, "linux.resources.unified: open %s", h->dir);
	for (size_t i = 0; i < kv->n; i++) {
		const char *k = kv->v[i].key, *v = kv->v[i].value;

		if (cg_write_at(dfd, h->dir, k, v ? v : "", err) < 0) {
			cleanup_free char *jk = json_key(k);

			return brig_err_prefix(err, "linux.resources.unified[\"%s\"]", jk);
		}
	}
	return 0;
}
