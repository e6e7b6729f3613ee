/* brig — spec/: freeing what the parsers built.  Every function accepts
 * partly filled structs (zeroed where parsing stopped) and NULL. */
#include "parse.h"

void spec_strv_clear(struct spec_strv *v)
{
	for (size_t i = 0; v->v && i < v->n; i++)
		free(v->v[i]);
	free(v->v);
	v->v = NULL;
	v->n = 0;
}

void spec_kv_clear(struct spec_kv_list *kv)
{
	for (size_t i = 0; kv->v && i < kv->n; i++) {
		free(kv->v[i].key);
		free(kv->v[i].value);
	}
	free(kv->v);
	kv->v = NULL;
	kv->n = 0;
}

static void caps_free(struct spec_capabilities *k)
{
	if (!k)
		return;
	spec_strv_clear(&k->bounding);
	spec_strv_clear(&k->effective);
	spec_strv_clear(&k->inheritable);
	spec_strv_clear(&k->permitted);
	spec_strv_clear(&k->ambient);
	free(k);
}

void spec_process_clear(struct spec_process *p)
{
	free(p->user.additional_gids);
	free(p->user.username);
	spec_strv_clear(&p->args);
	free(p->command_line);
	spec_strv_clear(&p->env);
	free(p->cwd);
	caps_free(p->capabilities);
	for (size_t i = 0; p->rlimits && i < p->n_rlimits; i++)
		free(p->rlimits[i].type);
	free(p->rlimits);
	free(p->apparmor_profile);
	if (p->scheduler) {
		free(p->scheduler->policy);
		spec_strv_clear(&p->scheduler->flags);
		free(p->scheduler);
	}
	if (p->io_priority) {
		free(p->io_priority->class);
		free(p->io_priority);
	}
	if (p->exec_cpu_affinity) {
		free(p->exec_cpu_affinity->initial);
		free(p->exec_cpu_affinity->final);
		free(p->exec_cpu_affinity);
	}
	free(p->selinux_label);
}

void spec_process_free(struct spec_process *p)
{
	if (!p)
		return;
	spec_process_clear(p);
	free(p);
}

static void blkio_free(struct spec_blkio *b)
{
	if (!b)
		return;
	free(b->weight_device);
	free(b->throttle_read_bps);
	free(b->throttle_write_bps);
	free(b->throttle_read_iops);
	free(b->throttle_write_iops);
	free(b);
}

void spec_resources_free(struct spec_resources *r)
{
	if (!r)
		return;
	for (size_t i = 0; r->devices && i < r->n_devices; i++)
		free(r->devices[i].access);
	free(r->devices);
	free(r->memory);
	if (r->cpu) {
		free(r->cpu->cpus);
		free(r->cpu->mems);
		free(r->cpu);
	}
	blkio_free(r->block_io);
	for (size_t i = 0; r->hugepage_limits && i < r->n_hugepage_limits; i++)
		free(r->hugepage_limits[i].page_size);
	free(r->hugepage_limits);
	for (size_t i = 0; r->net_priorities && i < r->n_net_priorities; i++)
		free(r->net_priorities[i].name);
	free(r->net_priorities);
	for (size_t i = 0; r->rdma && i < r->n_rdma; i++)
		free(r->rdma[i].device);
	free(r->rdma);
	spec_kv_clear(&r->unified);
	free(r);
}

void spec_seccomp_free(struct spec_seccomp *s)
{
	if (!s)
		return;
	free(s->default_action);
	spec_strv_clear(&s->architectures);
	spec_strv_clear(&s->flags);
	free(s->listener_path);
	free(s->listener_metadata);
	for (size_t i = 0; s->syscalls && i < s->n_syscalls; i++) {
		struct spec_seccomp_syscall *sc = &s->syscalls[i];
		spec_strv_clear(&sc->names);
		free(sc->action);
		for (size_t k = 0; sc->args && k < sc->n_args; k++)
			free(sc->args[k].op);
		free(sc->args);
	}
	free(s->syscalls);
	free(s);
}

void spec_linux_free(struct spec_linux *l)
{
	if (!l)
		return;
	for (size_t i = 0; l->namespaces && i < l->n_namespaces; i++)
		free(l->namespaces[i].path);
	free(l->namespaces);
	free(l->uid_mappings);
	free(l->gid_mappings);
	for (size_t i = 0; l->devices && i < l->n_devices; i++)
		free(l->devices[i].path);
	free(l->devices);
	for (size_t i = 0; l->net_devices && i < l->n_net_devices; i++) {
		free(l->net_devices[i].host_name);
		free(l->net_devices[i].name);
	}
	free(l->net_devices);
	free(l->cgroups_path);
	spec_resources_free(l->resources);
	if (l->intel_rdt) {
		free(l->intel_rdt->clos_id);
		free(l->intel_rdt->l3_cache_schema);
		free(l->intel_rdt->mem_bw_schema);
		spec_strv_clear(&l->intel_rdt->schemata);
		free(l->intel_rdt);
	}
	if (l->memory_policy) {
		free(l->memory_policy->mode);
		free(l->memory_policy->nodes);
		spec_strv_clear(&l->memory_policy->flags);
		free(l->memory_policy);
	}
	spec_kv_clear(&l->sysctl);
	spec_seccomp_free(l->seccomp);
	free(l->rootfs_propagation);
	spec_strv_clear(&l->masked_paths);
	spec_strv_clear(&l->readonly_paths);
	free(l->mount_label);
	if (l->personality) {
		free(l->personality->domain);
		spec_strv_clear(&l->personality->flags);
		free(l->personality);
	}
	free(l);
}

static void hook_list_clear(struct spec_hook_list *l)
{
	for (size_t i = 0; l->v && i < l->n; i++) {
		free(l->v[i].path);
		spec_strv_clear(&l->v[i].args);
		spec_strv_clear(&l->v[i].env);
	}
	free(l->v);
}

void spec_free(struct spec_config *c)
{
	if (!c)
		return;
	free(c->oci_version);
	if (c->root) {
		free(c->root->path);
		free(c->root);
	}
	for (size_t i = 0; c->mounts && i < c->n_mounts; i++) {
		struct spec_mount *m = &c->mounts[i];
		free(m->destination);
		free(m->type);
		free(m->source);
		spec_strv_clear(&m->options);
		free(m->uid_mappings);
		free(m->gid_mappings);
	}
	free(c->mounts);
	spec_process_free(c->process);
	free(c->hostname);
	free(c->domainname);
	hook_list_clear(&c->hooks.prestart);
	hook_list_clear(&c->hooks.create_runtime);
	hook_list_clear(&c->hooks.create_container);
	hook_list_clear(&c->hooks.start_container);
	hook_list_clear(&c->hooks.poststart);
	hook_list_clear(&c->hooks.poststop);
	spec_kv_clear(&c->annotations);
	spec_linux_free(c->linux);
	free(c);
}
