/* brig — spec/cni.c: the JSON of CNI (see cni.h).
 *
 * A plugin's object is kept as text and rebuilt for its stdin with what
 * the specification says the runtime adds (name, cniVersion, prevResult,
 * runtimeConfig): everything else in it is the plugin's business and is
 * passed on as written.
 */
#include "cni.h"
#include "gen.h"
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a tree back to text ------------------------------------------------ */

static void gen_value(yajl_gen g, yajl_val v)
{
	if (v == NULL || YAJL_IS_NULL(v)) {
		yajl_gen_null(g);
	} else if (YAJL_IS_STRING(v)) {
		gen_str(g, YAJL_GET_STRING(v));
	} else if (YAJL_IS_NUMBER(v)) {
		yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r));
	} else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
		yajl_gen_bool(g, YAJL_IS_TRUE(v));
	} else if (YAJL_IS_ARRAY(v)) {
		yajl_gen_array_open(g);
		for (size_t i = 0; i < v->u.array.len; i++)
			gen_value(g, v->u.array.values[i]);
		yajl_gen_array_close(g);
	} else {
		yajl_gen_map_open(g);
		for (size_t i = 0; i < v->u.object.len; i++) {
			gen_key(g, v->u.object.keys[i]);
			gen_value(g, v->u.object.values[i]);
		}
		yajl_gen_map_close(g);
	}
}

static char *compact(yajl_val v)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (!g)
		abort();
	gen_value(g, v);
	return gen_finish(g);
}

/* ---- lists ---------------------------------------------------------------- */

/* The subnet of a host-local IPAM: ranges[0][0].subnet, else subnet. */
static void ipam_subnet(yajl_val v, char **out)
{
	yajl_val ipam = NULL, ranges = NULL, r0, s;
	struct jctx c;

	j_init(&c, "plugin", NULL);
	if (j_obj(&c, v, "ipam", false, &ipam) == 1) {
		if (j_arr(&c, ipam, "ranges", false, &ranges) == 1 && ranges->u.array.len &&
		    YAJL_IS_ARRAY(r0 = ranges->u.array.values[0]) && r0->u.array.len &&
		    j_str(&c, r0->u.array.values[0], "subnet", false, out) == 1) {
			j_fini(&c);
			return;
		}
		if (j_get(&c, ipam, "subnet", false, &s) == 1 && YAJL_IS_STRING(s))
			*out = xstrdup(YAJL_GET_STRING(s));
	}
	j_fini(&c);
}

static int parse_plugin(struct jctx *c, yajl_val v, void *elem)
{
	struct spec_cni_plugin *p = elem;
	yajl_val caps = NULL;

	if (j_str(c, v, "type", true, &p->type) < 0)
		return -1;
	if (!p->type[0] || strchr(p->type, '/') || strcmp(p->type, "..") == 0 ||
	    strcmp(p->type, ".") == 0)
		return j_fail_at(c, "type", "not a plugin name: \"%s\"", p->type);
	if (j_obj(c, v, "capabilities", false, &caps) < 0 ||
	    (caps && j_bool(c, caps, "portMappings", false, &p->port_mappings) < 0))
		return -1;
	if (j_str(c, v, "bridge", false, &p->bridge) < 0 ||
	    j_str(c, v, "master", false, &p->master) < 0 ||
	    j_bool(c, v, "ipMasq", false, &p->ip_masq) < 0 ||
	    j_bool(c, v, "isGateway", false, &p->is_gateway) < 0)
		return -1;
	ipam_subnet(v, &p->subnet);
	p->json = compact(v);
	return 0;
}

int spec_cni_parse_list(const char *text, size_t len, const char *file,
			struct spec_cni_list *l, brig_error_t **err)
{
	yajl_val top = j_parse(text, len, file, err);
	struct jctx c;
	int r = -1;

	memset(l, 0, sizeof(*l));
	if (!top)
		return -1;
	j_init(&c, file, err);
	if (j_check_dup_keys(&c, top) < 0 || j_str(&c, top, "name", true, &l->name) < 0 ||
	    j_str(&c, top, "cniVersion", true, &l->cni_version) < 0 ||
	    j_str(&c, top, "brigType", false, &l->brig_type) < 0)
		goto out;
	if (j_objarray(&c, top, "plugins", true, sizeof(*l->plugins), (void **)&l->plugins,
		       &l->n, parse_plugin) < 0)
		goto out;
	if (l->n == 0) {
		j_fail_at(&c, "plugins", "no plugins");
		goto out;
	}
	r = 0;
out:
	j_fini(&c);
	j_free(top);
	if (r < 0)
		spec_cni_list_free(l);
	return r;
}

void spec_cni_list_free(struct spec_cni_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->plugins[i].type);
		free(l->plugins[i].json);
		free(l->plugins[i].bridge);
		free(l->plugins[i].master);
		free(l->plugins[i].subnet);
	}
	free(l->plugins);
	free(l->name);
	free(l->cni_version);
	free(l->brig_type);
	memset(l, 0, sizeof(*l));
}

static bool runtime_key(const char *k)
{
	return strcmp(k, "name") == 0 || strcmp(k, "cniVersion") == 0 ||
	       strcmp(k, "prevResult") == 0 || strcmp(k, "runtimeConfig") == 0;
}

static void gen_ports(yajl_gen g, const struct spec_cni_port *ports, size_t n)
{
	gen_key(g, "runtimeConfig");
	yajl_gen_map_open(g);
	gen_key(g, "portMappings");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		yajl_gen_map_open(g);
		gen_kv_int(g, "hostPort", ports[i].host_port);
		gen_kv_int(g, "containerPort", ports[i].container_port);
		gen_kv_str(g, "protocol", ports[i].proto);
		if (ports[i].host_ip[0])
			gen_kv_str(g, "hostIP", ports[i].host_ip);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
}

char *spec_cni_plugin_input(const struct spec_cni_list *l, size_t i, const char *prev_result,
			    const struct spec_cni_port *ports, size_t n_ports)
{
	const struct spec_cni_plugin *p = &l->plugins[i];
	/* both were parsed before (the list, the previous plugin's result) */
	yajl_val obj = j_parse(p->json, strlen(p->json), "plugin", NULL);
	yajl_val prev = prev_result ? j_parse(prev_result, strlen(prev_result), "result", NULL) : NULL;
	yajl_gen g = yajl_gen_alloc(NULL);

	if (!g || !obj)
		abort();
	yajl_gen_map_open(g);
	gen_kv_str(g, "cniVersion", l->cni_version);
	gen_kv_str(g, "name", l->name);
	for (size_t k = 0; k < obj->u.object.len; k++) {
		if (runtime_key(obj->u.object.keys[k]))
			continue;
		gen_key(g, obj->u.object.keys[k]);
		gen_value(g, obj->u.object.values[k]);
	}
	if (prev) {
		gen_key(g, "prevResult");
		gen_value(g, prev);
	}
	if (p->port_mappings && n_ports)
		gen_ports(g, ports, n_ports);
	yajl_gen_map_close(g);
	j_free(obj);
	j_free(prev);
	return gen_finish(g);
}

/* ---- results -------------------------------------------------------------- */

int spec_cni_result_ips(const char *text, size_t len, char ***ips, size_t *n,
			brig_error_t **err)
{
	yajl_val top = j_parse(text, len, "CNI result", err), arr = NULL;
	struct jctx c;
	int r = -1;

	*ips = NULL;
	*n = 0;
	if (!top)
		return -1;
	j_init(&c, "CNI result", err);
	if (j_arr(&c, top, "ips", false, &arr) < 0)
		goto out;
	j_push_key(&c, "ips");
	for (size_t i = 0; arr && i < arr->u.array.len; i++) {
		size_t saved = j_push_idx(&c, i);
		char *addr = NULL;

		if (j_str(&c, arr->u.array.values[i], "address", true, &addr) < 0) {
			j_pop(&c, saved);
			goto out;
		}
		j_pop(&c, saved);
		*ips = xrealloc(*ips, (*n + 1) * sizeof(**ips));
		(*ips)[(*n)++] = addr;
	}
	r = 0;
out:
	j_fini(&c);
	j_free(top);
	if (r < 0) {
		for (size_t i = 0; i < *n; i++)
			free((*ips)[i]);
		free(*ips);
		*ips = NULL;
		*n = 0;
	}
	return r;
}

char *spec_cni_error_text(const char *text, size_t len)
{
	yajl_val top = len ? j_parse(text, len, "CNI error", NULL) : NULL;
	yajl_val code = NULL, msg = NULL, details = NULL;
	struct jctx c;
	char *out = NULL;

	if (!top)
		return NULL;
	j_init(&c, "CNI error", NULL);
	if (j_get(&c, top, "code", false, &code) == 1 && YAJL_IS_NUMBER(code) &&
	    j_get(&c, top, "msg", false, &msg) == 1 && YAJL_IS_STRING(msg)) {
		if (j_get(&c, top, "details", false, &details) == 1 && YAJL_IS_STRING(details) &&
		    YAJL_GET_STRING(details)[0])
			out = xasprintf("%s: %s (CNI error %s)", YAJL_GET_STRING(msg),
					YAJL_GET_STRING(details), code->u.number.r);
		else
			out = xasprintf("%s (CNI error %s)", YAJL_GET_STRING(msg), code->u.number.r);
	}
	j_fini(&c);
	j_free(top);
	return out;
}
