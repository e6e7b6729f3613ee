/* brig — runtime/cli_network.c: `port` (a container's published ports,
 * as `docker port` prints them) and `network ls|create|rm` (the lists of
 * the network directory; network/netdir.c). */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

int cmd_port(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	struct spec_net_state s;
	struct container *ct;
	int r;

	if (argc != 2)
		return brig_err(err, 0, "port: usage: brig port ID");
	ct = container_open(g, argv[1], false, err);
	if (!ct)
		return -1;
	r = netsetup_state(ct, &s, err);
	container_free(ct);
	if (r < 0)
		return -1;
	for (size_t i = 0; i < s.n_ports; i++) {
		const struct spec_cni_port *p = &s.ports[i];
		bool v6 = strchr(p->host_ip, ':') != NULL;
		printf("%d/%s -> %s%s%s:%d\n", p->container_port, p->proto, v6 ? "[" : "",
		       p->host_ip[0] ? p->host_ip : "0.0.0.0", v6 ? "]" : "", p->host_port);
	}
	spec_net_state_free(&s);
	return 0;
}

/* ---- network ---------------------------------------------------------------- */

static int network_ls(const struct brig_globals *g, brig_error_t **err)
{
	size_t n = 0;
	char **names = net_names(brig_network_dir(g), &n, err);

	if (!names)
		return -1;
	printf("%-20s %-10s %-18s %s\n", "NAME", "TYPE", "SUBNET", "INTERFACE");
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *path = xasprintf("%s/%s.conflist", brig_network_dir(g), names[i]);
		cleanup_free char *text = brig_read_file(path, NULL);
		struct spec_cni_list l;
		brig_error_t *e = NULL;

		if (!text || spec_cni_parse_list(text, strlen(text), path, &l, &e) < 0) {
			printf("%-20s %-10s %s\n", names[i], "?", e ? e->msg : strerror(errno));
			brig_err_free(&e);
		} else {
			const struct spec_cni_plugin *p = &l.plugins[0];
			printf("%-20s %-10s %-18s %s\n", names[i], net_type_of(&l),
			       p->subnet ? p->subnet : "-",
			       p->bridge ? p->bridge : p->master ? p->master : "-");
			spec_cni_list_free(&l);
		}
		free(names[i]);
	}
	free(names);
	/* the built-ins not written yet */
	for (size_t i = 0; i < net_n_builtins; i++) {
		cleanup_free char *path = xasprintf("%s/%s.conflist", brig_network_dir(g), net_builtins[i].name);
		if (strchr(net_builtins[i].name, ':') == NULL &&
		    strcmp(net_builtins[i].name, "none") != 0 &&
		    strcmp(net_builtins[i].name, "host") != 0 && access(path, F_OK) == 0)
			continue;
		printf("%-20s %-10s %s\n", net_builtins[i].name, "built-in", net_builtins[i].what);
	}
	return 0;
}

static const struct option create_opts[] = {
	{"type", required_argument, NULL, 't'},
	{"subnet", required_argument, NULL, 's'},
	{"bridge", required_argument, NULL, 'b'},
	{"parent", required_argument, NULL, 'p'},
	{NULL, 0, NULL, 0},
};

static int network_create(const struct brig_globals *g, int argc, char **argv,
			  brig_error_t **err)
{
	static const char *const types[] = {"nat", "host-only", "internal", "bridged"};
	struct net_create_opts o = {0};
	const char *type = NULL;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", create_opts, NULL)) != -1) {
		switch (c) {
		case 't': type = optarg; break;
		case 's': o.subnet = optarg; break;
		case 'b': o.bridge = optarg; break;
		case 'p': o.parent = optarg; break;
		default: return brig_err(err, 0, "network create: invalid option \"%s\" (see brig network --help)",
				cli_refused(argv));
		}
	}
	if (optind != argc - 1)
		return brig_err(err, 0, "network create: usage: brig network create NAME --type TYPE");
	if (!type)
		return brig_err(err, 0, "network create: --type nat|host-only|internal|bridged is required");
	for (o.type = 0; o.type < 4 && strcmp(types[o.type], type) != 0; o.type++)
		;
	if (o.type == 4)
		return brig_err(err, 0, "network create: --type %s: expected nat, host-only, "
				"internal or bridged", type);
	if (o.parent && o.type != NET_BRIDGED)
		return brig_err(err, 0, "network create: --parent is for --type bridged");
	if (o.subnet && net_check_subnet(o.subnet, err) < 0)
		return -1;
	return net_create(brig_network_dir(g), argv[optind], &o, err);
}

/* Does an attachment's name (as given to --network) name the file
 * network.conflist?  bridged:IF lives in bridged-IF.conflist. */
static bool names_file(const char *attached, const char *network)
{
	if (strncmp(attached, "bridged:", 8) == 0)
		return strncmp(network, "bridged-", 8) == 0 && strcmp(attached + 8, network + 8) == 0;
	return strcmp(attached, network) == 0;
}

/* A container under this state root whose network.json names network
 * (containers of another --root are not seen: there is no daemon that
 * knows them all). */
static const char *user_of(const struct brig_globals *g, const char *network, char **ids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		brig_error_t *e = NULL;
		struct container *ct = container_open(g, ids[i], false, &e);
		struct spec_net_state s;
		bool uses = false;

		brig_err_free(&e);
		if (!ct)
			continue;
		if (netsetup_state(ct, &s, &e) > 0) {
			for (size_t k = 0; k < s.n; k++)
				uses = uses || names_file(s.a[k].network, network);
			spec_net_state_free(&s);
		}
		brig_err_free(&e);
		container_free(ct);
		if (uses)
			return ids[i];
	}
	return NULL;
}

static int network_rm(const struct brig_globals *g, const char *name, brig_error_t **err)
{
	size_t n = 0;
	char **ids = container_list_ids(g, &n);
	const char *user = user_of(g, name, ids, n);
	int r;

	if (user)
		r = brig_err(err, 0, "network rm %s: container \"%s\" is attached to it", name, user);
	else
		r = net_remove(brig_network_dir(g), name, err);
	brig_strv_free(ids);
	return r;
}

int cmd_network(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (sub && (strcmp(sub, "ls") == 0 || strcmp(sub, "list") == 0) && argc == 2)
		return network_ls(g, err);
	if (sub && strcmp(sub, "create") == 0)
		return network_create(g, argc - 1, argv + 1, err);
	if (sub && (strcmp(sub, "rm") == 0 || strcmp(sub, "remove") == 0) && argc == 3)
		return network_rm(g, argv[2], err);
	return brig_err(err, 0, "network: expected ls, create NAME --type TYPE, or rm NAME "
			"(see brig network --help)");
}
