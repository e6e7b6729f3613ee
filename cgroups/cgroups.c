/* brig — cgroups/: path resolution and dispatch to the backend table
 * (layout detection is cg_detect.c).
 *
 * Path.  An absolute cgroupsPath is taken from each hierarchy's root, a
 * relative one from brig's own cgroup in each hierarchy (/proc/self/cgroup;
 * "/" under a fake root).  Without cgroupsPath the container goes to
 * "/brig/<id>" (absolute, so a pure v2 host never needs controllers
 * enabled in the cgroup brig itself runs in).  A ".." that climbs above a
 * hierarchy's root is refused, not clamped: the path would not mean what
 * it says.  The systemd form "slice:prefix:name" is refused.
 *
 * Existing cgroups.  The container's cgroup is made by brig, or, when it
 * exists already, joined only if it is empty: no process and no
 * sub-cgroup, in every hierarchy, and not frozen (nor under a frozen
 * parent: the init would hang there).  A populated one is refused: the
 * processes in it are not the container's, yet kill --all, delete and
 * pause act on the whole cgroup (runc 1.1 joins it with a deprecation
 * warning and 1.2 refuses it; Docker, Podman and containerd's CRI always
 * ask for a new leaf).  A joined cgroup is never removed: delete kills
 * what is in it (nothing was when the container joined), removes the
 * sub-cgroups made since, and leaves the cgroup to its owner.
 *
 * cg_path() is what state.json keeps: the path, or when a relative path
 * resolved differently per hierarchy, "<path>;<hierarchy>=<path>;..."
 * listing the ones that differ from the first ("unified" names the v2
 * one), then ";+<hierarchy>" for each joined hierarchy.  It is written
 * before the first mkdir, and a later delete acts on it alone.
 */
#include "cgroups/cg_internal.h"
#include "cgroups/cg_systemd.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

void cg_set_rel(struct cg_hier *h, const char *rel)
{
	free(h->rel);
	free(h->dir);
	h->rel = cg_clean_path(rel);
	h->dir = strcmp(h->rel, "/") == 0 ? xstrdup(h->mnt)
					  : xasprintf("%s%s", h->mnt, h->rel);
}

static const char *hier_key(const struct cg_hier *h)
{
	return h->v2 ? "unified" : h->name;
}

static void encode_path(struct cg_manager *m)
{
	char *p = xstrdup(m->h[0].rel);

	for (size_t i = 1; i < m->n; i++) {
		char *n;

		if (strcmp(m->h[i].rel, m->h[0].rel) == 0)
			continue;
		n = xasprintf("%s;%s=%s", p, hier_key(&m->h[i]), m->h[i].rel);
		free(p);
		p = n;
	}
	for (size_t i = 0; i < m->n; i++) {
		char *n;

		if (!m->h[i].joined)
			continue;
		n = xasprintf("%s;+%s", p, hier_key(&m->h[i]));
		free(p);
		p = n;
	}
	if (m->sd) {
		char *n = xasprintf("%s;systemd=%s%s", p, m->sd->u.unit,
				    m->sd->user ? ";user" : "");
		free(p);
		p = n;
	}
	free(m->path);
	m->path = p;
}

static struct cg_manager *manager_new(const char *root, brig_error_t **err)
{
	struct cg_manager *m = xcalloc(1, sizeof(*m));

	m->root = cg_clean_path(root ? root : CG_ROOT);
	m->borrow_fd = -1;
	if (cg_detect(m, err) < 0) {
		cg_free(m);
		return NULL;
	}
	return m;
}

/* A frozen cgroup (or one under a frozen parent) would hold the init
 * before it can report, and create would wait for ever: refused, as
 * runc does.  Looked at where the container's cgroup is, or the nearest
 * existing parent of where it will be made. */
static int refuse_frozen(const struct cg_hier *h, const char *what, brig_error_t **err)
{
	bool v1 = !h->v2 && cg_word_in(h->name, "freezer");
	cleanup_free char *dir = xstrdup(h->dir), *st = NULL;
	size_t ml = strlen(h->mnt);
	bool frozen;

	if (!h->v2 && !v1)
		return 0;
	while (strlen(dir) > ml && access(dir, F_OK) != 0)
		*strrchr(dir, '/') = '\0';
	if (strlen(dir) <= ml) /* the root cgroup is never frozen */
		return 0;
	if (v1) {
		st = cg_read(dir, "freezer.state");
		frozen = st && strcmp(st, "THAWED") != 0;
	} else {
		st = cg_read(dir, "cgroup.events");
		frozen = st && (strncmp(st, "frozen 1", 8) == 0 || strstr(st, "\nfrozen 1"));
		if (frozen) {
			free(st);
			st = xstrdup("frozen");
		}
	}
	if (frozen)
		return brig_err(err, 0, "%scgroup %s is frozen (%s: %s): thaw it first",
				what, h->rel, dir, st);
	return 0;
}

/* Which of the container's cgroups exist already (joined), refusing any
 * that holds a process or a sub-cgroup, or is frozen. */
static int probe_existing(struct cg_manager *m, const char *what, brig_error_t **err)
{
	for (size_t i = 0; i < m->n; i++) {
		brig_error_t *e = NULL;
		int r = cg_probe(m->h[i].dir, &e);

		if (r >= 0) {
			m->h[i].joined = r == 1;
			if (refuse_frozen(&m->h[i], what, err) < 0)
				return -1;
			continue;
		}
		if (r == -2) {
			brig_err(err, 0, "%scgroup %s %s: brig runs a container only in "
				 "a new or an empty cgroup", what, m->h[i].rel, e->msg);
			brig_err_free(&e);
			return -1;
		}
		*err = e;
		return brig_err_prefix(err, "%scgroup %s", what, m->h[i].rel);
	}
	return 0;
}

int cg_check_path(const char *cgroups_path, bool systemd, brig_error_t **err)
{
	struct cg_sd_unit u;

	if (systemd) {
		if (cg_sd_parse_path(cgroups_path, "x", false, &u, err) < 0)
			return -1;
		cg_sd_unit_free(&u);
		return 0;
	}
	if (cgroups_path && cgroups_path[0] != '/' && strchr(cgroups_path, ':'))
		return brig_err(err, 0, "linux.cgroupsPath: \"%s\" is a systemd cgroup "
				"path (slice:prefix:name): it needs --systemd-cgroup",
				cgroups_path);
	/* ';' separates the recorded path's tokens (encode_path): one in
	 * the path would be read back at delete as ";systemd=<unit>" (stop
	 * it) or ";pids=<another cgroup>" */
	if (cgroups_path && strchr(cgroups_path, ';'))
		return brig_err(err, 0, "linux.cgroupsPath: \"%s\": ';' is not allowed "
				"in a cgroup path", cgroups_path);
	return 0;
}

struct cg_manager *cg_new_systemd(const char *root, const char *cgroups_path,
				  const char *id, const struct spec_kv_list *annotations,
				  brig_error_t **err)
{
	struct cg_manager *m = manager_new(root, err);

	if (m == NULL)
		return NULL;
	if (cg_sd_init(m, cgroups_path, id, annotations, err) < 0 ||
	    probe_existing(m, "linux.cgroupsPath: ", err) < 0) {
		cg_free(m);
		return NULL;
	}
	/* an empty one there already is a unit of that name systemd is
	 * still collecting: the unit's, not joined */
	for (size_t i = 0; i < m->n; i++)
		m->h[i].joined = false;
	encode_path(m);
	return m;
}

struct cg_manager *cg_new(const char *root, const char *cgroups_path,
			  const char *id, brig_error_t **err)
{
	struct cg_manager *m;
	cleanup_free char *rel = NULL;
	const char *what = "";
	bool relative = false;

	if (cgroups_path && *cgroups_path) {
		if (cg_check_path(cgroups_path, false, err) < 0)
			return NULL;
		relative = cgroups_path[0] != '/';
		rel = xstrdup(cgroups_path);
		what = "linux.cgroupsPath: ";
	} else {
		if (id == NULL || *id == '\0' || strchr(id, '/') ||
		    strcmp(id, ".") == 0 || strcmp(id, "..") == 0) {
			brig_err(err, 0, "invalid container id for a cgroup name: \"%s\"",
				 id ? id : "");
			return NULL;
		}
		rel = xasprintf("/brig/%s", id);
	}
	m = manager_new(root, err);
	if (m == NULL)
		return NULL;
	for (size_t i = 0; i < m->n; i++) {
		cleanup_free char *own = relative ? cg_own_cgroup(m, &m->h[i]) : NULL;
		cleanup_free char *r = cg_resolve_path(own ? own : "/", rel);

		if (r == NULL) {
			brig_err(err, 0, "linux.cgroupsPath: \"%s\" climbs above the root "
				 "of the %s cgroup hierarchy%s%s", cgroups_path,
				 m->h[i].v2 ? "unified" : m->h[i].name,
				 relative ? " from brig's own cgroup " : "",
				 relative ? own : "");
			goto fail;
		}
		if (strcmp(r, "/") == 0) {
			brig_err(err, 0, "linux.cgroupsPath: \"%s\" is the root cgroup",
				 cgroups_path);
			goto fail;
		}
		cg_set_rel(&m->h[i], r);
	}
	if (probe_existing(m, what, err) < 0)
		goto fail;
	encode_path(m);
	return m;
fail:
	cg_free(m);
	return NULL;
}

struct cg_manager *cg_load(const char *root, const char *path,
			   brig_error_t **err)
{
	struct cg_manager *m;
	cleanup_free char *tmp = NULL;
	char *save = NULL, *tok;

	if (path == NULL || path[0] != '/') {
		brig_err(err, 0, "invalid recorded cgroup path \"%s\"", path ? path : "");
		return NULL;
	}
	m = manager_new(root, err);
	if (m == NULL)
		return NULL;
	tmp = xstrdup(path);
	tok = strtok_r(tmp, ";", &save);
	for (size_t i = 0; i < m->n; i++)
		cg_set_rel(&m->h[i], tok);
	while ((tok = strtok_r(NULL, ";", &save)) != NULL) {
		char *eq = strchr(tok, '=');

		if (strncmp(tok, "systemd=", 8) == 0) {
			/* only a unit brig could have made: delete stops it */
			if (!cg_sd_unit_name_ok(tok + 8)) {
				brig_err(err, 0, "invalid recorded systemd unit \"%s\"", tok + 8);
				cg_free(m);
				return NULL;
			}
			cg_sd_load(m, tok + 8, m->sd && m->sd->user);
			continue;
		}
		if (strcmp(tok, "user") == 0) {
			if (m->sd)
				m->sd->user = true;
			continue;
		}
		if (tok[0] == '+') {
			for (size_t i = 0; i < m->n; i++)
				if (strcmp(hier_key(&m->h[i]), tok + 1) == 0)
					m->h[i].joined = true;
			continue;
		}
		if (eq == NULL)
			continue;
		*eq = '\0';
		for (size_t i = 0; i < m->n; i++)
			if (strcmp(hier_key(&m->h[i]), tok) == 0)
				cg_set_rel(&m->h[i], eq + 1);
	}
	encode_path(m);
	return m;
}

void cg_free(struct cg_manager *m)
{
	if (m == NULL)
		return;
	if (m->borrow_fd >= 0) /* returned by cg_spawn_end or cg_spawn_undo */
		close(m->borrow_fd);
	cg_sd_free(m);
	for (size_t i = 0; i < m->n; i++) {
		free(m->h[i].name);
		free(m->h[i].mnt);
		free(m->h[i].rel);
		free(m->h[i].dir);
		free(m->h[i].mroot);
	}
	free(m->h);
	free(m->root);
	free(m->path);
	free(m->v2_controllers);
	free(m);
}

enum cg_layout cg_layout(const struct cg_manager *m) { return m->layout; }
const char *cg_path(const struct cg_manager *m) { return m->path; }

const char *cg_freezer_dir(struct cg_manager *m)
{
	struct cg_hier *h = m->layout == CG_LAYOUT_V2 ? cg_unified(m) : cg_ctrl(m, "freezer");

	return h ? h->dir : NULL;
}

struct cg_hier *cg_unified(struct cg_manager *m)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->h[i].v2)
			return &m->h[i];
	return NULL;
}

struct cg_hier *cg_ctrl(struct cg_manager *m, const char *ctrl)
{
	struct cg_hier *u = cg_unified(m);

	for (size_t i = 0; i < m->n; i++)
		if (!m->h[i].v2 && cg_word_in(m->h[i].name, ctrl))
			return &m->h[i];
	/* On v2 everything is in the one tree (a missing controller shows as
	 * a missing file); on hybrid only what the unified root offers. */
	if (u && (m->layout == CG_LAYOUT_V2 || cg_word_in(m->v2_controllers, ctrl)))
		return u;
	return NULL;
}

int cg_enter(struct cg_manager *m, pid_t pid, brig_error_t **err)
{
	if (m->ops->enter(m, pid, err) < 0)
		return brig_err_prefix(err, "join cgroup %s", m->h[0].rel);
	return 0;
}

int cg_apply(struct cg_manager *m, const struct spec_resources *r,
	     brig_error_t **err)
{
	if (r == NULL)
		return 0;
	return m->ops->apply(m, r, err);
}

int cg_update(struct cg_manager *m, const struct spec_resources *r,
	      brig_error_t **err)
{
	/* Every renderer writes only the fields that are set, and the v1
	 * memory one orders limit and memsw against the current values: an
	 * update is an apply of a partial resources object.  All or nothing:
	 * what was written before a failure is written back. */
	if (m->ops->update)
		return r ? m->ops->update(m, r, err) : 0;
	cg_journal_begin();
	if (cg_apply(m, r, err) < 0) {
		cg_journal_rollback();
		return brig_err_prefix(err, "update cgroup %s", m->h[0].rel);
	}
	cg_journal_commit();
	return 0;
}

int cg_freeze(struct cg_manager *m, brig_error_t **err)
{
	return m->ops->freeze(m, err);
}

int cg_thaw(struct cg_manager *m, brig_error_t **err)
{
	return m->ops->thaw(m, err);
}

bool cg_is_frozen(struct cg_manager *m)
{
	return m->ops->is_frozen(m);
}

int cg_pids(struct cg_manager *m, pid_t **pids, size_t *n, brig_error_t **err)
{
	return m->ops->pids(m, pids, n, err);
}

int cg_kill_all(struct cg_manager *m, int sig, brig_error_t **err)
{
	cleanup_free pid_t *pids = NULL;
	struct cg_hier *u = cg_unified(m);
	brig_error_t *ferr = NULL;
	bool frozen;
	size_t n = 0;
	int ret = 0;

	/* v2: cgroup.kill does it atomically, forks included (5.14+). */
	if (sig == SIGKILL && m->layout == CG_LAYOUT_V2 &&
	    cg_file_exists(u->dir, "cgroup.kill"))
		return cg_write(u->dir, "cgroup.kill", "1", err);
	/* Otherwise freeze so nothing forks between reading and signalling;
	 * go on unfrozen when there is no freezer. */
	frozen = m->ops->freeze(m, &ferr) == 0;
	brig_err_free(&ferr);
	if (m->ops->pids(m, &pids, &n, err) < 0)
		ret = -1;
	for (size_t i = 0; ret == 0 && i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			ret = brig_err(err, errno, "kill %d", (int)pids[i]);
	if (frozen) {
		m->ops->thaw(m, &ferr);
		brig_err_free(&ferr);
	}
	return ret;
}

int cg_destroy(struct cg_manager *m, brig_error_t **err)
{
	m->rmdir_budget_ms = CG_RMDIR_BUDGET_MS;
	return m->ops->destroy(m, err);
}

bool cg_is_default_path(const char *rel)
{
	return strncmp(rel, "/brig/", 6) == 0 && strchr(rel + 6, '/') == NULL;
}

void cg_rmdir_default_parent(const char *mnt, const char *rel)
{
	cleanup_free char *p = NULL;

	if (!cg_is_default_path(rel))
		return;
	p = xasprintf("%s/brig", mnt);
	rmdir(p); /* fails while other containers live there: fine */
}
