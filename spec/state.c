/* brig — state.json: the container's state as runc prints it, plus brig's
 * own bookkeeping.
 *
 * Layout (keys in the order runc's `runc state` prints them):
 *
 *   {
 *     "ociVersion": "1.3.0",
 *     "id": "c1",
 *     "pid": 4242,                 always; 0 when status is "stopped"
 *     "status": "running",
 *     "bundle": "/path/to/bundle",
 *     "rootfs": "/path/to/bundle/rootfs",
 *     "created": "2024-01-01T00:00:00.000000000Z",
 *     "annotations": { ... },      only when non-empty
 *     "owner": "",
 *     "restartCount": 2,           brig's: only when the log monitor has
 *                                  restarted it (run -d --restart)
 *     "brig": {                    only in the internal form (state.json)
 *       "startTime": 123456,       /proc/<pid>/stat field 22
 *       "cgroupPath": "...",       omitted when NULL
 *       "useSystemd": false,
 *       "detached": true,
 *       "exitCode": 0,             present exactly when has_exit
 *       "finished": "...",         omitted when NULL
 *       "configPath": "..."        omitted when NULL
 *     }
 *   }
 *
 * The internal form keeps the stored pid even when stopped, so a later
 * command still knows which process it was; the public form prints 0 then,
 * as runc does.  Strings are written by gen.c's helpers, as valid UTF-8.
 */
#include "spec.h"
#include "gen.h"
#include "json.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

/* ---- status ------------------------------------------------------------------ */

static const char *const status_names[SPEC_STATUS_COUNT] = {
	[SPEC_STATUS_CREATING] = "creating",
	[SPEC_STATUS_CREATED] = "created",
	[SPEC_STATUS_RUNNING] = "running",
	[SPEC_STATUS_PAUSED] = "paused",
	[SPEC_STATUS_STOPPED] = "stopped",
};

const char *spec_status_name(enum spec_status s)
{
	return (unsigned)s < SPEC_STATUS_COUNT ? status_names[s] : "unknown";
}

int spec_status_parse(const char *name, enum spec_status *s)
{
	for (size_t i = 0; i < SPEC_STATUS_COUNT; i++)
		if (strcmp(name, status_names[i]) == 0) {
			*s = (enum spec_status)i;
			return 0;
		}
	return -1;
}

/* ---- generating ------------------------------------------------------------- */

/* uint64 written exactly (yajl_gen_integer is signed). */
static void gen_kv_u64(yajl_gen g, const char *k, uint64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%" PRIu64, v);
	gen_key(g, k);
	yajl_gen_number(g, buf, (size_t)n);
}

static void gen_internal(yajl_gen g, const struct spec_state *s)
{
	gen_key(g, "brig");
	yajl_gen_map_open(g);
	gen_kv_u64(g, "startTime", s->start_time);
	if (s->cgroup_path)
		gen_kv_str(g, "cgroupPath", s->cgroup_path);
	gen_kv_bool(g, "useSystemd", s->use_systemd);
	gen_kv_bool(g, "detached", s->detached);
	if (s->has_exit)
		gen_kv_int(g, "exitCode", s->exit_code);
	if (s->finished)
		gen_kv_str(g, "finished", s->finished);
	if (s->config_path)
		gen_kv_str(g, "configPath", s->config_path);
	yajl_gen_map_close(g);
}

char *spec_state_to_json(const struct spec_state *s, bool internal)
{
	yajl_gen g = gen_new("  ");
	pid_t pid = s->pid;

	if (!internal && s->status == SPEC_STATUS_STOPPED)
		pid = 0;

	yajl_gen_map_open(g);
	gen_kv_str(g, "ociVersion", s->oci_version ? s->oci_version : BRIG_OCI_VERSION);
	gen_kv_str(g, "id", s->id);
	gen_kv_int(g, "pid", pid);
	gen_kv_str(g, "status", spec_status_name(s->status));
	gen_kv_str(g, "bundle", s->bundle);
	gen_kv_str(g, "rootfs", s->rootfs);
	gen_kv_str(g, "created", s->created);
	if (s->annotations.n > 0) {
		gen_key(g, "annotations");
		yajl_gen_map_open(g);
		for (size_t i = 0; i < s->annotations.n; i++)
			gen_kv_str(g, s->annotations.v[i].key, s->annotations.v[i].value);
		yajl_gen_map_close(g);
	}
	gen_kv_str(g, "owner", s->owner);
	/* never for a container runc could have made: the public form
	 * stays runc's */
	if (s->restart_count > 0)
		gen_kv_int(g, "restartCount", s->restart_count);
	if (internal)
		gen_internal(g, s);
	yajl_gen_map_close(g);

	return gen_finish(g);
}

/* ---- parsing ---------------------------------------------------------------- */

static yajl_val field(yajl_val obj, const char *key)
{
	for (size_t i = 0; i < obj->u.object.len; i++)
		if (strcmp(obj->u.object.keys[i], key) == 0)
			return obj->u.object.values[i];
	return NULL;
}

/* Each getter: absent (or null) leaves *out alone and returns 0; a value of
 * the wrong type sets the error and returns -1.  `path` names the key in
 * the message ("state.json: brig.startTime: expected an integer"). */

static int get_str(yajl_val obj, const char *key, const char *path, char **out,
		   brig_error_t **err)
{
	yajl_val v = field(obj, key);
	if (!v || YAJL_IS_NULL(v))
		return 0;
	if (!YAJL_IS_STRING(v))
		return brig_err(err, 0, "state.json: %s: expected a string", path);
	free(*out);
	*out = xstrdup(v->u.string);
	return 0;
}

static int get_bool(yajl_val obj, const char *key, const char *path, bool *out,
		    brig_error_t **err)
{
	yajl_val v = field(obj, key);
	if (!v || YAJL_IS_NULL(v))
		return 0;
	if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
		return brig_err(err, 0, "state.json: %s: expected a boolean", path);
	*out = YAJL_IS_TRUE(v);
	return 0;
}

static int get_int(yajl_val obj, const char *key, const char *path, long long min,
		   long long max, long long *out, bool *present, brig_error_t **err)
{
	yajl_val v = field(obj, key);
	if (!v || YAJL_IS_NULL(v))
		return 0;
	if (!YAJL_IS_INTEGER(v))
		return brig_err(err, 0, "state.json: %s: expected an integer", path);
	if (v->u.number.i < min || v->u.number.i > max)
		return brig_err(err, 0, "state.json: %s: %lld out of range", path,
				v->u.number.i);
	*out = v->u.number.i;
	if (present)
		*present = true;
	return 0;
}

static int get_u64(yajl_val obj, const char *key, const char *path, uint64_t *out,
		   brig_error_t **err)
{
	yajl_val v = field(obj, key);
	const char *r;
	char *end;
	unsigned long long n;

	if (!v || YAJL_IS_NULL(v))
		return 0;
	r = YAJL_IS_NUMBER(v) ? v->u.number.r : NULL;
	if (!r || *r < '0' || *r > '9')
		return brig_err(err, 0, "state.json: %s: expected an unsigned integer", path);
	errno = 0;
	n = strtoull(r, &end, 10);
	if (*end != '\0')
		return brig_err(err, 0, "state.json: %s: expected an unsigned integer", path);
	if (errno == ERANGE)
		return brig_err(err, 0, "state.json: %s: %s out of range", path, r);
	*out = n;
	return 0;
}

static int parse_annotations(yajl_val root, struct spec_state *s, brig_error_t **err)
{
	yajl_val v = field(root, "annotations");
	if (!v || YAJL_IS_NULL(v))
		return 0;
	if (!YAJL_IS_OBJECT(v))
		return brig_err(err, 0, "state.json: annotations: expected an object");
	if (v->u.object.len == 0)
		return 0;
	s->annotations.v = xcalloc(v->u.object.len, sizeof(*s->annotations.v));
	for (size_t i = 0; i < v->u.object.len; i++) {
		yajl_val val = v->u.object.values[i];
		if (!YAJL_IS_STRING(val))
			return brig_err(err, 0, "state.json: annotations.%s: expected a string",
					v->u.object.keys[i]);
		s->annotations.v[i].key = xstrdup(v->u.object.keys[i]);
		s->annotations.v[i].value = xstrdup(val->u.string);
		s->annotations.n++;
	}
	return 0;
}

static int parse_internal(yajl_val root, struct spec_state *s, brig_error_t **err)
{
	yajl_val b = field(root, "brig");
	long long code = 0;

	if (!b || YAJL_IS_NULL(b))
		return 0;
	if (!YAJL_IS_OBJECT(b))
		return brig_err(err, 0, "state.json: brig: expected an object");
	if (get_u64(b, "startTime", "brig.startTime", &s->start_time, err) < 0 ||
	    get_str(b, "cgroupPath", "brig.cgroupPath", &s->cgroup_path, err) < 0 ||
	    get_bool(b, "useSystemd", "brig.useSystemd", &s->use_systemd, err) < 0 ||
	    get_bool(b, "detached", "brig.detached", &s->detached, err) < 0 ||
	    get_int(b, "exitCode", "brig.exitCode", INT32_MIN, INT32_MAX, &code,
		    &s->has_exit, err) < 0 ||
	    get_str(b, "finished", "brig.finished", &s->finished, err) < 0 ||
	    get_str(b, "configPath", "brig.configPath", &s->config_path, err) < 0)
		return -1;
	s->exit_code = (int)code;
	return 0;
}

static int parse_state(yajl_val root, struct spec_state *s, brig_error_t **err)
{
	static const char *const required[] = { "ociVersion", "id", "status", "bundle" };
	long long pid = 0, restarts = 0;
	cleanup_free char *status = NULL;

	if (!YAJL_IS_OBJECT(root))
		return brig_err(err, 0, "state.json: expected an object");
	for (size_t i = 0; i < ARRAY_SIZE(required); i++)
		if (!field(root, required[i]))
			return brig_err(err, 0, "state.json: %s: missing", required[i]);

	if (get_str(root, "ociVersion", "ociVersion", &s->oci_version, err) < 0 ||
	    get_str(root, "id", "id", &s->id, err) < 0 ||
	    get_int(root, "pid", "pid", 0, INT32_MAX, &pid, NULL, err) < 0 ||
	    get_str(root, "status", "status", &status, err) < 0 ||
	    get_str(root, "bundle", "bundle", &s->bundle, err) < 0 ||
	    get_str(root, "rootfs", "rootfs", &s->rootfs, err) < 0 ||
	    get_str(root, "created", "created", &s->created, err) < 0 ||
	    get_str(root, "owner", "owner", &s->owner, err) < 0 ||
	    get_int(root, "restartCount", "restartCount", 0, INT32_MAX, &restarts, NULL,
		    err) < 0 ||
	    parse_annotations(root, s, err) < 0 ||
	    parse_internal(root, s, err) < 0)
		return -1;
	s->pid = (pid_t)pid;
	s->restart_count = (int)restarts;
	if (!s->id || !status)
		return brig_err(err, 0, "state.json: %s: must not be null",
				s->id ? "status" : "id");
	/* Only "creating" and "paused" as recorded matter: the live status is
	 * read from the process and the freezer (container_status). A value
	 * brig never writes reads as "created", as before the enum, so that
	 * list still shows such a container and delete -f still removes it. */
	if (spec_status_parse(status, &s->status) < 0)
		s->status = SPEC_STATUS_CREATED;
	return 0;
}

/* A key twice in state.json, its annotations or brig's object is refused,
 * as in config.json. */
static int check_dups(yajl_val root, brig_error_t **err)
{
	static const char *const sub[] = { "annotations", "brig" };
	struct jctx c;
	int rc;

	j_init(&c, "state.json", err);
	rc = j_check_dup_keys(&c, root);
	for (size_t i = 0; rc == 0 && i < ARRAY_SIZE(sub); i++) {
		yajl_val v = field(root, sub[i]);
		if (v && YAJL_IS_OBJECT(v)) {
			size_t saved = j_push_key(&c, sub[i]);
			rc = j_check_dup_keys(&c, v);
			j_pop(&c, saved);
		}
	}
	j_fini(&c);
	return rc;
}

struct spec_state *spec_state_parse(const char *json, size_t len, brig_error_t **err)
{
	struct spec_state *s;
	/* j_parse: strict JSON, bounded nesting, no NUL characters, errors
	 * with line and column */
	yajl_val root = j_parse(json, len, "state.json", err);

	if (!root)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	if (check_dups(root, err) < 0 || parse_state(root, s, err) < 0) {
		j_free(root);
		spec_state_free(s);
		return NULL;
	}
	j_free(root);
	return s;
}

void spec_state_free(struct spec_state *s)
{
	if (!s)
		return;
	free(s->oci_version);
	free(s->id);
	free(s->bundle);
	free(s->rootfs);
	free(s->created);
	free(s->owner);
	for (size_t i = 0; i < s->annotations.n; i++) {
		free(s->annotations.v[i].key);
		free(s->annotations.v[i].value);
	}
	free(s->annotations.v);
	free(s->cgroup_path);
	free(s->finished);
	free(s->config_path);
	free(s);
}
