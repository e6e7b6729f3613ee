/* brig — cgroups/: which layout the host has, and brig's own cgroup.
 *
 * Layout.  Under the real root (/sys/fs/cgroup) the layout comes from
 * /proc/self/mountinfo: a cgroup2 mount at the root is v2, one at
 * <root>/unified next to v1 mounts is hybrid, v1 mounts alone are v1.
 * Under any other root (a fake tree in the unit tests) it comes from the
 * files present: <root>/cgroup.controllers is v2, <root>/unified/
 * cgroup.controllers is hybrid, otherwise every directory of <root> is a v1
 * hierarchy named after its controllers ("cpu,cpuacct").  Hierarchies
 * without a controller are not used, but for name=systemd.
 *
 * brig's own cgroup (for a relative cgroupsPath) is read from
 * /proc/self/cgroup, minus the mount's root when brig runs in a cgroup
 * namespace; under a fake root it is "/". */
#include "cgroups/cg_internal.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>

#include "base/proc.h"

static struct cg_hier *add_hier(struct cg_manager *m, const char *name,
				const char *mnt, const char *mroot, bool v2)
{
	struct cg_hier *h;

	for (size_t i = 0; i < m->n; i++)
		if (m->h[i].v2 == v2 && strcmp(m->h[i].name, name) == 0)
			return &m->h[i];
	m->h = xrealloc(m->h, (m->n + 1) * sizeof(*m->h));
	h = &m->h[m->n++];
	memset(h, 0, sizeof(*h));
	h->name = xstrdup(name);
	h->mnt = xstrdup(mnt);
	h->mroot = xstrdup(mroot ? mroot : "/");
	h->v2 = v2;
	return h;
}

/* The v1 hierarchy systemd keeps (name=systemd, no controller): runc puts
 * a container there too, and so does brig (its cgroup is the container's
 * in /proc/self/cgroup, and what a "cgroup" mount inside shows). */
static bool is_named_systemd(const char *opts)
{
	cleanup_free char *tmp = xstrdup(opts);
	char *save = NULL;

	for (char *t = strtok_r(tmp, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (strcmp(t, "name=systemd") == 0)
			return true;
	return false;
}

/* Controllers of a v1 mount from its super options, or NULL for a named
 * hierarchy without controllers. */
static char *v1_controllers(const char *opts)
{
	static const char *const skip[] = { "rw", "ro", "clone_children",
		"noprefix", "xattr", "all", "none", "cpuset_v2_mode",
		"favordynmods" };
	cleanup_free char *tmp = xstrdup(opts);
	char *save = NULL, *tok, *out = NULL;

	for (tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		bool s = strchr(tok, '=') != NULL;

		for (size_t i = 0; !s && i < ARRAY_SIZE(skip); i++)
			s = strcmp(tok, skip[i]) == 0;
		if (s)
			continue;
		if (out) {
			char *n = xasprintf("%s,%s", out, tok);
			free(out);
			out = n;
		} else {
			out = xstrdup(tok);
		}
	}
	return out;
}

static int detect_mountinfo(struct cg_manager *m, brig_error_t **err)
{
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	cleanup_free char *line = NULL;
	cleanup_free char *unified = xasprintf("%s/unified", m->root);
	size_t cap = 0, rl = strlen(m->root);
	bool v2_root = false;

	if (f == NULL)
		return brig_err(err, errno, "open /proc/self/mountinfo");
	while (getline(&line, &cap, f) > 0) {
		struct brig_mountinfo mi;
		const char *mnt;

		if (brig_mountinfo_parse(line, &mi) < 0 || mi.super == NULL)
			continue;
		mnt = mi.mountpoint;
		if (strcmp(mi.fstype, "cgroup2") == 0) {
			if (strcmp(mnt, m->root) == 0) {
				v2_root = true;
				add_hier(m, "", mnt, mi.root, true);
			} else if (strcmp(mnt, unified) == 0) {
				add_hier(m, "", mnt, mi.root, true);
			}
		} else if (strcmp(mi.fstype, "cgroup") == 0 &&
			   strncmp(mnt, m->root, rl) == 0 && mnt[rl] == '/' &&
			   strchr(mnt + rl + 1, '/') == NULL) {
			cleanup_free char *ctrls = v1_controllers(mi.super);

			if (ctrls)
				add_hier(m, ctrls, mnt, mi.root, false);
			else if (is_named_systemd(mi.super))
				add_hier(m, "name=systemd", mnt, mi.root, false);
		}
	}
	if (v2_root) {
		/* Pure v2: drop anything else that was found. */
		for (size_t i = 0; i < m->n; i++) {
			if (!m->h[i].v2 || strcmp(m->h[i].mnt, m->root) != 0)
				continue;
			struct cg_hier keep = m->h[i];
			for (size_t j = 0; j < m->n; j++)
				if (j != i) {
					free(m->h[j].name);
					free(m->h[j].mnt);
					free(m->h[j].mroot);
				}
			m->h[0] = keep;
			m->n = 1;
			break;
		}
	}
	return 0;
}

static int detect_files(struct cg_manager *m, brig_error_t **err)
{
	cleanup_free char *unified = xasprintf("%s/unified", m->root);
	DIR *d;
	struct dirent *e;

	if (cg_file_exists(m->root, "cgroup.controllers")) {
		add_hier(m, "", m->root, "/", true);
		return 0;
	}
	d = opendir(m->root);
	if (d == NULL)
		return brig_err(err, errno, "open %s", m->root);
	while ((e = readdir(d)) != NULL) {
		cleanup_free char *p = NULL;
		struct stat st;

		if (e->d_name[0] == '.' || strcmp(e->d_name, "unified") == 0 ||
		    strncmp(e->d_name, "name=", 5) == 0)
			continue;
		p = xasprintf("%s/%s", m->root, e->d_name);
		/* lstat: "cpu -> cpu,cpuacct" links are the same hierarchy */
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			add_hier(m, strcmp(e->d_name, "systemd") == 0 ? "name=systemd" : e->d_name,
				 p, "/", false);
	}
	closedir(d);
	if (cg_file_exists(unified, "cgroup.controllers"))
		add_hier(m, "", unified, "/", true);
	return 0;
}

/* The real host's layout, detected once per process: `list` loads a
 * manager for every container and re-reading /proc/self/mountinfo each
 * time was most of its cost (1,000 containers: 83 ms -> see the commit).
 * Fake roots (unit tests) are never cached: their trees change. */
static struct cg_manager detected;

static void copy_hiers(struct cg_manager *to, const struct cg_manager *from)
{
	to->layout = from->layout;
	to->ops = from->ops;
	to->n = from->n;
	to->h = xcalloc(from->n, sizeof(*to->h));
	for (size_t i = 0; i < from->n; i++) {
		to->h[i].name = xstrdup(from->h[i].name);
		to->h[i].mnt = xstrdup(from->h[i].mnt);
		to->h[i].mroot = xstrdup(from->h[i].mroot);
		to->h[i].v2 = from->h[i].v2;
	}
	to->v2_controllers = from->v2_controllers ? xstrdup(from->v2_controllers) : NULL;
}

static int detect(struct cg_manager *m, bool real, brig_error_t **err)
{
	struct cg_hier *u;
	size_t nv1 = 0;

	if (real && detected.ops) {
		copy_hiers(m, &detected);
		return 0;
	}
	if ((real ? detect_mountinfo(m, err) : detect_files(m, err)) < 0)
		return -1;
	u = cg_unified(m);
	for (size_t i = 0; i < m->n; i++)
		nv1 += !m->h[i].v2;
	if (u && nv1 == 0 && strcmp(u->mnt, m->root) == 0) {
		m->layout = CG_LAYOUT_V2;
		m->ops = &cg_v2_ops;
	} else if (u && nv1 > 0) {
		m->layout = CG_LAYOUT_HYBRID;
		m->ops = &cg_hybrid_ops;
	} else if (nv1 > 0) {
		m->layout = CG_LAYOUT_V1;
		m->ops = &cg_v1_ops;
	} else {
		return brig_err(err, 0, "no cgroup hierarchy found under %s", m->root);
	}
	if (u)
		m->v2_controllers = cg_read(u->mnt, "cgroup.controllers");
	if (real)
		copy_hiers(&detected, m);
	return 0;
}

/* list loads managers from several threads: the cache is filled once */
int cg_detect(struct cg_manager *m, brig_error_t **err)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	bool real = strcmp(m->root, CG_ROOT) == 0;
	int r;

	if (!real)
		return detect(m, false, err);
	pthread_mutex_lock(&lock);
	r = detect(m, true, err);
	pthread_mutex_unlock(&lock);
	return r;
}

/* brig's own cgroup in hierarchy h, relative to the mount's root. */
char *cg_own_cgroup(const struct cg_manager *m, const struct cg_hier *h)
{
	cleanup_fclose FILE *f = NULL;
	cleanup_free char *line = NULL, *first = NULL;
	size_t cap = 0;
	char *own = NULL;

	if (strcmp(m->root, CG_ROOT) != 0)
		return xstrdup("/");
	f = fopen("/proc/self/cgroup", "re");
	if (f == NULL)
		return xstrdup("/");
	first = xstrdup(h->name);
	first[strcspn(first, ",")] = '\0';
	while (own == NULL && getline(&line, &cap, f) > 0) {
		struct brig_cgroup_line cl;

		if (brig_cgroup_line_parse(line, &cl) < 0)
			continue;
		if (h->v2 ? (strcmp(cl.id, "0") == 0 && cl.controllers[0] == '\0')
			  : cg_word_in(cl.controllers, first))
			own = xstrdup(cl.path);
	}
	if (own == NULL)
		return xstrdup("/");
	if (strcmp(h->mroot, "/") != 0) {
		size_t l = strlen(h->mroot);

		if (strncmp(own, h->mroot, l) == 0 && (own[l] == '/' || own[l] == '\0')) {
			char *s = cg_clean_path(own + l);
			free(own);
			own = s;
		}
	}
	return own;
}
