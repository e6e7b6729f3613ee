/* brig — spec/: the top of config.json: ociVersion, root, mounts, hooks,
 * annotations; process and linux are delegated. */
#include "parse.h"
#include "base/io.h"

#include <errno.h>
#include <string.h>

/* ociVersion is SemVer; brig reads 1.x (and the 0.x drafts the spec's own
 * examples still carry), and refuses a major version it does not know. */
static int check_version(struct jctx *c, const char *v)
{
	const char *p = v;
	unsigned long major;
	char *end;

	while (*p >= '0' && *p <= '9')
		p++;
	if (p == v || *p != '.')
		return j_fail_at(c, "ociVersion", "invalid version \"%s\"", v);
	errno = 0;
	major = strtoul(v, &end, 10);
	if (errno || major > 1)
		return j_fail_at(c, "ociVersion",
				 "unsupported version \"%s\" (brig supports 1.x)",
				 v);
	return 0;
}

static int parse_root(struct jctx *c, yajl_val v, struct spec_root *r)
{
	if (j_str(c, v, "path", true, &r->path) < 0 ||
	    j_bool(c, v, "readonly", false, &r->readonly) < 0)
		return -1;
	if (!r->path[0])
		return j_fail_at(c, "path", "must not be empty");
	return 0;
}

int spec_parse_idmap(struct jctx *c, yajl_val v, void *elem)
{
	struct spec_idmap *m = elem;
	if (j_u32(c, v, "containerID", true, &m->container_id) < 0 ||
	    j_u32(c, v, "hostID", true, &m->host_id) < 0 ||
	    j_u32(c, v, "size", true, &m->size) < 0)
		return -1;
	return 0;
}

static int parse_mount(struct jctx *c, yajl_val v, void *elem)
{
	struct spec_mount *m = elem;
	int ru, rg;

	if (j_str(c, v, "destination", true, &m->destination) < 0 ||
	    j_str(c, v, "type", false, &m->type) < 0 ||
	    j_str(c, v, "source", false, &m->source) < 0 ||
	    j_strv(c, v, "options", false, &m->options) < 0)
		return -1;
	/* Linux: a relative destination is relative to "/" (config.md) */
	if (!m->destination[0])
		return j_fail_at(c, "destination", "must not be empty");
	ru = j_objarray(c, v, "uidMappings", false, sizeof(struct spec_idmap),
			(void **)&m->uid_mappings, &m->n_uid_mappings,
			spec_parse_idmap);
	if (ru < 0)
		return -1;
	rg = j_objarray(c, v, "gidMappings", false, sizeof(struct spec_idmap),
			(void **)&m->gid_mappings, &m->n_gid_mappings,
			spec_parse_idmap);
	if (rg < 0)
		return -1;
	if (ru > 0 && rg == 0)
		return j_fail(c, "uidMappings given without gidMappings");
	if (rg > 0 && ru == 0)
		return j_fail(c, "gidMappings given without uidMappings");
	return 0;
}

static int parse_hook(struct jctx *c, yajl_val v, void *elem)
{
	struct spec_hook *h = elem;
	if (j_str(c, v, "path", true, &h->path) < 0 ||
	    j_check_abs(c, "path", h->path) < 0 ||
	    j_strv(c, v, "args", false, &h->args) < 0 ||
	    j_strv(c, v, "env", false, &h->env) < 0 ||
	    j_opt_i64(c, v, "timeout", 1, INT64_MAX, &h->timeout) < 0)
		return -1;
	return 0;
}

static int parse_hooks(struct jctx *c, yajl_val v, struct spec_hooks *h)
{
	static const struct {
		const char *key;
		size_t off;
	} lists[] = {
		{ "prestart", offsetof(struct spec_hooks, prestart) },
		{ "createRuntime", offsetof(struct spec_hooks, create_runtime) },
		{ "createContainer", offsetof(struct spec_hooks, create_container) },
		{ "startContainer", offsetof(struct spec_hooks, start_container) },
		{ "poststart", offsetof(struct spec_hooks, poststart) },
		{ "poststop", offsetof(struct spec_hooks, poststop) },
	};
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
		struct spec_hook_list *l =
			(struct spec_hook_list *)((char *)h + lists[i].off);
		if (j_objarray(c, v, lists[i].key, false, sizeof(struct spec_hook),
			       (void **)&l->v, &l->n, parse_hook) < 0)
			return -1;
	}
	return 0;
}

static int parse_config(struct jctx *c, yajl_val top, struct spec_config *cfg)
{
	yajl_val v = NULL;
	size_t saved;
	int r;

	if (j_str(c, top, "ociVersion", true, &cfg->oci_version) < 0 ||
	    check_version(c, cfg->oci_version) < 0)
		return -1;

	if ((r = j_obj(c, top, "root", false, &v)) < 0)
		return -1;
	if (r > 0) {
		cfg->root = xcalloc(1, sizeof(*cfg->root));
		saved = j_push_key(c, "root");
		r = parse_root(c, v, cfg->root);
		j_pop(c, saved);
		if (r < 0)
			return -1;
	}

	if (j_objarray(c, top, "mounts", false, sizeof(struct spec_mount),
		       (void **)&cfg->mounts, &cfg->n_mounts, parse_mount) < 0)
		return -1;

	if ((r = j_obj(c, top, "process", false, &v)) < 0)
		return -1;
	if (r > 0) {
		cfg->process = xcalloc(1, sizeof(*cfg->process));
		saved = j_push_key(c, "process");
		r = spec_parse_process_obj(c, v, cfg->process);
		j_pop(c, saved);
		if (r < 0)
			return -1;
	}

	if (j_str(c, top, "hostname", false, &cfg->hostname) < 0 ||
	    j_str(c, top, "domainname", false, &cfg->domainname) < 0 ||
	    j_kv(c, top, "annotations", &cfg->annotations) < 0)
		return -1;

	if ((r = j_obj(c, top, "hooks", false, &v)) < 0)
		return -1;
	if (r > 0) {
		saved = j_push_key(c, "hooks");
		r = parse_hooks(c, v, &cfg->hooks);
		j_pop(c, saved);
		if (r < 0)
			return -1;
	}

	if ((r = j_obj(c, top, "linux", false, &v)) < 0)
		return -1;
	if (r > 0) {
		cfg->linux = xcalloc(1, sizeof(*cfg->linux));
		saved = j_push_key(c, "linux");
		r = spec_parse_linux_obj(c, v, cfg->linux);
		j_pop(c, saved);
		if (r < 0)
			return -1;
	}
	/* windows, solaris, vm, zos, freebsd: not for this platform */
	return 0;
}

static struct spec_config *parse_text(const char *json, size_t len, const char *name,
				      bool seccomp_deferred, brig_error_t **err)
{
	struct spec_config *cfg;
	struct jctx c;
	yajl_val top;
	/* deferred: of linux.seccomp only its listener fields (scalars) are
	 * read now, and where its text lies */
	struct j_span span = { "linux", "seccomp", true, 0, 0 };
	int r;

	if (!name)
		name = "config.json";
	top = j_parse_span(json, len, name, seccomp_deferred ? &span : NULL, err);
	if (!top)
		return NULL;
	cfg = xcalloc(1, sizeof(*cfg));
	j_init(&c, name, err);
	c.seccomp_deferred = seccomp_deferred;
	r = parse_config(&c, top, cfg);
	j_fini(&c);
	j_free(top);
	if (r < 0) {
		spec_free(cfg);
		return NULL;
	}
	if (cfg->linux && cfg->linux->seccomp && cfg->linux->seccomp->deferred) {
		cfg->linux->seccomp->json_off = span.off;
		cfg->linux->seccomp->json_len = span.len;
	}
	return cfg;
}

struct spec_config *spec_parse_config(const char *json, size_t len,
				      const char *name, brig_error_t **err)
{
	return parse_text(json, len, name, false, err);
}

struct spec_config *spec_parse_config_deferred(const char *json, size_t len,
					       const char *name, brig_error_t **err)
{
	return parse_text(json, len, name, true, err);
}

/* The whole document is parsed again (its other parts are small next to
 * a seccomp profile), so errors and their JSON paths read as they would
 * from spec_parse_config. */
struct spec_seccomp *spec_parse_seccomp(const char *json, size_t len,
					const char *name, brig_error_t **err)
{
	struct spec_config *cfg = parse_text(json, len, name, false, err);
	struct spec_seccomp *s = NULL;

	if (cfg && cfg->linux)
		s = steal_ptr(cfg->linux->seccomp);
	spec_free(cfg);
	return s;
}

struct spec_config *spec_load_bundle(const char *bundle, brig_error_t **err)
{
	cleanup_free char *path = NULL;
	cleanup_free char *text = NULL;
	size_t len = 0;

	if (!bundle || !*bundle)
		bundle = ".";
	path = xasprintf("%s/config.json", bundle);
	text = brig_read_file(path, &len);
	if (!text) {
		brig_err(err, errno, "config.json: open %s", path);
		return NULL;
	}
	return spec_parse_config(text, len, "config.json", err);
}
