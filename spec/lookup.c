/* brig — spec/: small lookups the other modules share. */
#include "spec.h"

#include <string.h>

static const char *const ns_names[SPEC_NS_COUNT] = {
	[SPEC_NS_PID] = "pid",
	[SPEC_NS_NETWORK] = "network",
	[SPEC_NS_MOUNT] = "mount",
	[SPEC_NS_IPC] = "ipc",
	[SPEC_NS_UTS] = "uts",
	[SPEC_NS_USER] = "user",
	[SPEC_NS_CGROUP] = "cgroup",
	[SPEC_NS_TIME] = "time",
};

const char *spec_ns_name(enum spec_ns_type t)
{
	if ((unsigned)t >= SPEC_NS_COUNT)
		return "unknown";
	return ns_names[t];
}

const struct spec_namespace *spec_find_ns(const struct spec_config *c,
					  enum spec_ns_type t)
{
	if (!c || !c->linux)
		return NULL;
	for (size_t i = 0; i < c->linux->n_namespaces; i++)
		if (c->linux->namespaces[i].type == t)
			return &c->linux->namespaces[i];
	return NULL;
}

bool spec_mount_is_bind(const struct spec_mount *m)
{
	if (m->type && strcmp(m->type, "bind") == 0)
		return true;
	for (size_t i = 0; i < m->options.n; i++)
		if (strcmp(m->options.v[i], "bind") == 0 || strcmp(m->options.v[i], "rbind") == 0)
			return true;
	return false;
}

const char *spec_getenv(const struct spec_strv *env, const char *key)
{
	size_t klen;
	const char *found = NULL;

	if (!env || !env->v || !key)
		return NULL;
	klen = strlen(key);
	/* the last assignment wins, as when execve's environment is read */
	for (size_t i = 0; i < env->n; i++) {
		const char *e = env->v[i];
		if (e && strncmp(e, key, klen) == 0 && e[klen] == '=')
			found = e + klen + 1;
	}
	return found;
}
