/* brig — spec/service.c: service.json (see service.h). */
#include "service.h"
#include "cni_json.h"
#include "gen.h"
#include "json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void gen_opt_str(yajl_gen g, const char *k, const char *v)
{
	if (v)
		gen_kv_str(g, k, v);
}

char *spec_service_to_json(const struct spec_service *s)
{
	yajl_gen g = gen_new("  ");

	yajl_gen_map_open(g);
	gen_opt_str(g, "logPath", s->log_path);
	gen_kv_int(g, "logMaxSize", s->log_max_size);
	gen_kv_int(g, "logMaxFiles", s->log_max_files);
	gen_kv_str(g, "restart", s->restart ? s->restart : "no");
	gen_opt_str(g, "pidFile", s->pid_file);
	gen_opt_str(g, "networkDir", s->network_dir);
	gen_kv_bool(g, "systemdCgroup", s->systemd_cgroup);
	gen_kv_bool(g, "noPivot", s->no_pivot);
	gen_kv_bool(g, "noNewKeyring", s->no_new_keyring);
	gen_kv_strv(g, "networks", (const char *const *)s->networks.v, NULL);
	cni_gen_ports(g, s->ports, s->n_ports);
	gen_opt_str(g, "logDir", s->log_dir);
	gen_opt_str(g, "pidFileDir", s->pid_file_dir);
	yajl_gen_map_close(g);
	return gen_finish(g);
}

int spec_service_parse(const char *text, size_t len, struct spec_service *s,
		       brig_error_t **err)
{
	yajl_val top = j_parse(text, len, "service.json", err);
	struct jctx c;
	int64_t files = 0;
	int r = -1;

	memset(s, 0, sizeof(*s));
	if (!top)
		return -1;
	j_init(&c, "service.json", err);
	if (j_str(&c, top, "logPath", false, &s->log_path) >= 0 &&
	    j_check_abs(&c, "logPath", s->log_path) >= 0 &&
	    j_i64(&c, top, "logMaxSize", false, 0, INT64_MAX, &s->log_max_size) >= 0 &&
	    j_i64(&c, top, "logMaxFiles", false, 0, 1000, &files) >= 0 &&
	    j_str(&c, top, "restart", true, &s->restart) >= 0 &&
	    j_str(&c, top, "pidFile", false, &s->pid_file) >= 0 &&
	    j_check_abs(&c, "pidFile", s->pid_file) >= 0 &&
	    j_str(&c, top, "networkDir", false, &s->network_dir) >= 0 &&
	    j_check_abs(&c, "networkDir", s->network_dir) >= 0 &&
	    j_bool(&c, top, "systemdCgroup", false, &s->systemd_cgroup) >= 0 &&
	    j_bool(&c, top, "noPivot", false, &s->no_pivot) >= 0 &&
	    j_bool(&c, top, "noNewKeyring", false, &s->no_new_keyring) >= 0 &&
	    j_strv(&c, top, "networks", false, &s->networks) >= 0 &&
	    cni_parse_ports(&c, top, &s->ports, &s->n_ports) >= 0 &&
	    j_str(&c, top, "logDir", false, &s->log_dir) >= 0 &&
	    j_str(&c, top, "pidFileDir", false, &s->pid_file_dir) >= 0)
		r = 0;
	s->log_max_files = (int)files;
	j_fini(&c);
	j_free(top);
	if (r < 0)
		spec_service_free(s);
	return r;
}

void spec_service_free(struct spec_service *s)
{
	free(s->log_path);
	free(s->restart);
	free(s->pid_file);
	free(s->network_dir);
	for (size_t i = 0; i < s->networks.n; i++)
		free(s->networks.v[i]);
	free(s->networks.v);
	free(s->ports);
	free(s->log_dir);
	free(s->pid_file_dir);
	memset(s, 0, sizeof(*s));
}

char *spec_stdio_to_json(const char *const fds[3])
{
	yajl_gen g = gen_new("  ");

	yajl_gen_map_open(g);
	gen_key(g, "stdio");
	yajl_gen_array_open(g);
	for (int i = 0; i < 3; i++)
		gen_str(g, fds[i] ? fds[i] : "");
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	return gen_finish(g);
}

int spec_stdio_parse(const char *text, size_t len, struct spec_strv *out, brig_error_t **err)
{
	yajl_val top = j_parse(text, len, "stdio.json", err);
	struct jctx c;
	int r = -1;

	memset(out, 0, sizeof(*out));
	if (!top)
		return -1;
	j_init(&c, "stdio.json", err);
	if (j_strv(&c, top, "stdio", true, out) >= 0)
		r = out->n == 3 ? 0 : j_fail_at(&c, "stdio", "expected 3 entries, got %zu", out->n);
	j_fini(&c);
	j_free(top);
	return r;
}
