/* brig — spec/cni_state.c: network.json, a container's networks as they
 * were attached (see cni.h).  Written before each step of an attach, so
 * that a `delete --force` after brig was killed anywhere in it knows
 * what to undo. */
#include "cni.h"
#include "cni_json.h"
#include "gen.h"
#include "json.h"

#include <stdlib.h>
#include <string.h>

static void gen_raw(yajl_gen g, const char *k, const char *text)
{
	gen_key(g, k);
	if (text)
		gen_str(g, text);
	else
		yajl_gen_null(g);
}

void cni_gen_ports(yajl_gen g, const struct spec_cni_port *p, size_t n)
{
	gen_key(g, "ports");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		yajl_gen_map_open(g);
		gen_kv_str(g, "hostIP", p[i].host_ip);
		gen_kv_int(g, "hostPort", p[i].host_port);
		gen_kv_int(g, "containerPort", p[i].container_port);
		gen_kv_str(g, "protocol", p[i].proto);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
}

char *spec_net_state_to_json(const struct spec_net_state *s)
{
	yajl_gen g = gen_new("  ");

	yajl_gen_map_open(g);
	gen_kv_bool(g, "host", s->host);
	gen_raw(g, "netns", s->netns);
	gen_key(g, "networks");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < s->n; i++) {
		yajl_gen_map_open(g);
		gen_kv_str(g, "network", s->a[i].network);
		gen_kv_str(g, "ifname", s->a[i].ifname);
		gen_kv_str(g, "conflist", s->a[i].conflist);
		gen_raw(g, "result", s->a[i].result);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	cni_gen_ports(g, s->ports, s->n_ports);
	yajl_gen_map_close(g);
	return gen_finish(g);
}

static int parse_attachment(struct jctx *c, yajl_val v, void *elem)
{
	struct spec_net_attachment *a = elem;

	return j_str(c, v, "network", true, &a->network) < 0 ||
			       j_str(c, v, "ifname", true, &a->ifname) < 0 ||
			       j_str(c, v, "conflist", true, &a->conflist) < 0 ||
			       j_str(c, v, "result", false, &a->result) < 0
		       ? -1
		       : 0;
}

static int copy_str(struct jctx *c, yajl_val v, const char *key, char *buf, size_t size)
{
	char *s = NULL;
	int r = j_str(c, v, key, true, &s);

	if (r < 0)
		return -1;
	if (strlen(s) >= size) {
		free(s);
		return j_fail_at(c, key, "too long");
	}
	strcpy(buf, s);
	free(s);
	return 0;
}

static int parse_port(struct jctx *c, yajl_val v, void *elem)
{
	struct spec_cni_port *p = elem;
	int64_t hp = 0, cp = 0;

	if (copy_str(c, v, "hostIP", p->host_ip, sizeof(p->host_ip)) < 0 ||
	    copy_str(c, v, "protocol", p->proto, sizeof(p->proto)) < 0 ||
	    j_i64(c, v, "hostPort", true, 1, 65535, &hp) < 0 ||
	    j_i64(c, v, "containerPort", true, 1, 65535, &cp) < 0)
		return -1;
	p->host_port = (int)hp;
	p->container_port = (int)cp;
	return 0;
}

int cni_parse_ports(struct jctx *c, yajl_val obj, struct spec_cni_port **p, size_t *n)
{
	return j_objarray(c, obj, "ports", false, sizeof(**p), (void **)p, n, parse_port);
}

int spec_net_state_parse(const char *text, size_t len, struct spec_net_state *s,
			 brig_error_t **err)
{
	yajl_val top = j_parse(text, len, "network.json", err);
	struct jctx c;
	int r = -1;

	memset(s, 0, sizeof(*s));
	if (!top)
		return -1;
	j_init(&c, "network.json", err);
	if (j_bool(&c, top, "host", false, &s->host) >= 0 &&
	    j_str(&c, top, "netns", false, &s->netns) >= 0 &&
	    j_objarray(&c, top, "networks", false, sizeof(*s->a), (void **)&s->a, &s->n,
		       parse_attachment) >= 0 &&
	    cni_parse_ports(&c, top, &s->ports, &s->n_ports) >= 0)
		r = 0;
	j_fini(&c);
	j_free(top);
	if (r < 0)
		spec_net_state_free(s);
	return r;
}

void spec_net_state_free(struct spec_net_state *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->a[i].network);
		free(s->a[i].ifname);
		free(s->a[i].conflist);
		free(s->a[i].result);
	}
	free(s->a);
	free(s->ports);
	free(s->netns);
	memset(s, 0, sizeof(*s));
}
