/* brig — runtime/list.c: `list` in runc's table and JSON formats. */
#include "runtime.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>

int cmd_list(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"quiet", no_argument, NULL, 'q'},
		{NULL, 0, NULL, 0},
	};
	bool json = false, quiet = false;
	size_t n;
	int c;

	while ((c = getopt_long(argc, argv, "+f:q", opts, NULL)) != -1) {
		if (c == 'f') {
			if (strcmp(optarg, "json") == 0)
				json = true;
			else if (strcmp(optarg, "table") != 0)
				return brig_err(err, 0, "list: --format: expected table or json");
		} else if (c == 'q') {
			quiet = true;
		} else {
			return brig_err(err, 0, "list: invalid option");
		}
	}
	char **ids = container_list_ids(g, &n);
	if (quiet) {
		for (size_t i = 0; i < n; i++)
			puts(ids[i]);
		free_strv(ids);
		return 0;
	}
	if (json)
		fputs("[", stdout);
	else
		printf("%-12s %-8s %-10s %-40s %-30s %s\n", "ID", "PID", "STATUS", "BUNDLE",
		       "CREATED", "OWNER");
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		brig_error_t *e = NULL;
		struct container *ct = container_open(g, ids[i], false, &e);
		if (!ct) {
			/* being created or deleted right now: skip it */
			brig_err_free(&e);
			continue;
		}
		const char *status = container_status(ct);
		free(ct->state->status);
		ct->state->status = xstrdup(status);
		if (strcmp(status, "stopped") == 0)
			ct->state->pid = 0;
		if (json) {
			cleanup_free char *s = spec_state_to_json(ct->state, false);
			/* compact enough: the state JSON, one object per entry */
			printf("%s%s", first ? "" : ",", s);
		} else {
			printf("%-12s %-8d %-10s %-40s %-30s %s\n", ct->id, (int)ct->state->pid, status,
			       ct->state->bundle ? ct->state->bundle : "",
			       ct->state->created ? ct->state->created : "",
			       ct->state->owner ? ct->state->owner : "");
		}
		first = false;
		container_free(ct);
	}
	if (json)
		puts("]");
	free_strv(ids);
	return 0;
}
