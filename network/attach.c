/* brig — network/attach.c: a container's networks, ADD at create and DEL
 * at delete, recorded in network.json (see network.h).
 *
 * The record is written before each step that makes something: the
 * namespace's path before the namespace, a network (its list as it is
 * now) before its first ADD, its result after its last.  net_detach
 * then undoes what the record names, whatever step brig was killed at:
 * DEL of a network that was only half added is what the specification
 * asks plugins to accept. */
#include "network/network.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STATE_FILE "network.json"

int net_state_write(int dirfd, const struct spec_net_state *s, brig_error_t **err)
{
	cleanup_free char *text = spec_net_state_to_json(s);
	int fd = openat(dirfd, STATE_FILE ".tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return brig_err(err, errno, "write " STATE_FILE);
	if (brig_write_all(fd, text, strlen(text)) < 0) {
		int e = errno;
		close(fd);
		unlinkat(dirfd, STATE_FILE ".tmp", 0);
		return brig_err(err, e, "write " STATE_FILE);
	}
	close(fd);
	if (renameat(dirfd, STATE_FILE ".tmp", dirfd, STATE_FILE) < 0)
		return brig_err(err, errno, "write " STATE_FILE);
	return 0;
}

int net_state_read(int dirfd, struct spec_net_state *s, brig_error_t **err)
{
	int fd = openat(dirfd, STATE_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	cleanup_free char *text = NULL;
	size_t len = 0;

	memset(s, 0, sizeof(*s));
	if (fd < 0)
		return errno == ENOENT ? 0 : brig_err(err, errno, "read " STATE_FILE);
	text = brig_read_fd(fd, &len);
	close(fd);
	if (!text)
		return brig_err(err, errno, "read " STATE_FILE);
	return spec_net_state_parse(text, len, s, err) < 0 ? -1 : 1;
}

char **net_state_ips(const struct spec_net_state *s, size_t *n)
{
	char **all = NULL;

	*n = 0;
	for (size_t i = 0; i < s->n; i++) {
		char **ips = NULL;
		size_t k = 0;

		if (!s->a[i].result ||
		    spec_cni_result_ips(s->a[i].result, strlen(s->a[i].result), &ips, &k, NULL) < 0)
			continue;
		all = xrealloc(all, (*n + k) * sizeof(*all));
		memcpy(all + *n, ips, k * sizeof(*ips));
		*n += k;
		free(ips);
	}
	return all;
}

/* The list that publishes the ports: the first that can. */
static size_t ports_list(struct spec_cni_list *lists, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t p = 0; p < lists[i].n; p++)
			if (lists[i].plugins[p].port_mappings)
				return i;
	return n;
}

/* ADD each plugin of l in order, each given the one before's result. */
static int add_list(const struct spec_cni_list *l, const struct net_call *call,
		    const struct spec_cni_port *ports, size_t n_ports, char **result,
		    brig_error_t **err)
{
	char *prev = NULL;

	for (size_t p = 0; p < l->n; p++) {
		cleanup_free char *in = spec_cni_plugin_input(l, p, prev, ports, n_ports);
		char *out = NULL;

		if (net_plugin_run(l->plugins[p].type, call, in, &out, err) < 0) {
			free(prev);
			return brig_err_prefix(err, "network \"%s\"", l->name);
		}
		free(prev);
		prev = out;
	}
	*result = prev;
	return 0;
}

int net_attach(const struct net_attach_opts *o, const char *netns, brig_error_t **err)
{
	struct spec_cni_list *lists = xcalloc(o->n_networks + 1, sizeof(*lists));
	char **texts = xcalloc(o->n_networks + 1, sizeof(*texts));
	struct spec_net_state s = {.netns = xstrdup(netns)};
	size_t with_ports, loaded = 0;
	int r = -1;

	/* every list read (the built-ins written) before anything is made */
	for (; loaded < o->n_networks; loaded++)
		if (net_load(o->dir, o->networks[loaded], &texts[loaded], &lists[loaded], err) < 0)
			goto out;
	with_ports = ports_list(lists, o->n_networks);
	if (o->n_ports && with_ports == o->n_networks) {
		brig_err(err, 0, "-p: no network given publishes ports (nat does)");
		goto out;
	}
	if (o->n_ports) {
		s.ports = xcalloc(o->n_ports, sizeof(*s.ports));
		memcpy(s.ports, o->ports, o->n_ports * sizeof(*s.ports));
		s.n_ports = o->n_ports;
	}
	s.a = xcalloc(o->n_networks + 1, sizeof(*s.a));
	if (net_state_write(o->state_dirfd, &s, err) < 0 || net_netns_create(netns, err) < 0)
		goto out;
	for (size_t i = 0; i < o->n_networks; i++) {
		struct spec_net_attachment *a = &s.a[s.n++];
		char ifname[24];
		bool pm = i == with_ports;

		snprintf(ifname, sizeof(ifname), "eth%zu", i);
		a->network = xstrdup(o->networks[i]);
		a->ifname = xstrdup(ifname);
		a->conflist = xstrdup(texts[i]);
		if (net_state_write(o->state_dirfd, &s, err) < 0)
			goto out;
		struct net_call call = {"ADD", o->id, netns, ifname};
		if (add_list(&lists[i], &call, pm ? o->ports : NULL, pm ? o->n_ports : 0,
			     &a->result, err) < 0 ||
		    net_state_write(o->state_dirfd, &s, err) < 0 ||
		    net_rules(&lists[i], true, err) < 0)
			goto out;
	}
	r = 0;
out:
	for (size_t i = 0; i < loaded; i++) {
		spec_cni_list_free(&lists[i]);
		free(texts[i]);
	}
	free(lists);
	free(texts);
	spec_net_state_free(&s);
	return r;
}

/* DEL each plugin of a's list, newest first. */
static int del_one(const char *id, const struct spec_net_state *s, size_t i, bool pm,
		   brig_error_t **err)
{
	const struct spec_net_attachment *a = &s->a[i];
	struct spec_cni_list l;
	struct net_call call = {"DEL", id, s->netns, a->ifname};
	int r = 0;

	if (spec_cni_parse_list(a->conflist, strlen(a->conflist), a->network, &l, err) < 0)
		return -1;
	for (size_t p = l.n; p-- > 0;) {
		cleanup_free char *in = spec_cni_plugin_input(&l, p, a->result, pm ? s->ports : NULL,
							      pm ? s->n_ports : 0);
		cleanup_free char *out = NULL;
		brig_error_t *e = NULL;

		if (net_plugin_run(l.plugins[p].type, &call, in, &out, &e) < 0) {
			if (r == 0)
				*err = e, r = -1;
			else
				brig_err_free(&e);
		}
	}
	spec_cni_list_free(&l);
	return r;
}

int net_detach(const char *id, int dirfd, brig_error_t **err)
{
	struct spec_net_state s;
	brig_error_t *e = NULL;
	size_t with_ports = SIZE_MAX;
	int r = net_state_read(dirfd, &s, err);

	if (r <= 0)
		return r;
	r = 0;
	/* the ports went to the first list that could take them */
	for (size_t i = 0; i < s.n && with_ports == SIZE_MAX; i++) {
		struct spec_cni_list l;
		if (spec_cni_parse_list(s.a[i].conflist, strlen(s.a[i].conflist), "", &l, NULL) == 0) {
			if (ports_list(&l, 1) == 0)
				with_ports = i;
			spec_cni_list_free(&l);
		}
	}
	for (size_t i = s.n; i-- > 0;) {
		if (del_one(id, &s, i, i == with_ports, &e) < 0 && r == 0) {
			*err = e, e = NULL, r = -1;
		}
		brig_err_free(&e);
	}
	if (s.netns && net_netns_remove(s.netns, &e) < 0 && r == 0)
		*err = e, e = NULL, r = -1;
	brig_err_free(&e);
	if (r == 0)
		unlinkat(dirfd, STATE_FILE, 0);
	spec_net_state_free(&s);
	return r;
}
