/* brig — spec/service.h: service.json, the options a container was run
 * with under a log monitor (`run -d --log-path`, `--restart`,
 * `create --log-path`), kept in its state directory so that `brig start`
 * can run it again after it stopped, as `docker start` does: same
 * networks, ports, log and restart policy.  The bundle is state.json's. */
#ifndef BRIG_SPEC_SERVICE_H
#define BRIG_SPEC_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "cni.h"
#include "spec.h"

struct spec_service {
	char *log_path;    /* absolute; NULL: container.log in the state directory */
	int64_t log_max_size; /* 0: no rotation */
	int log_max_files;    /* 0: the default */
	char *restart;     /* "no", "always", "on-failure", "on-failure:N" */
	char *pid_file;    /* absolute, or NULL */
	char *network_dir; /* absolute, or NULL: the default */
	bool systemd_cgroup, no_pivot, no_new_keyring;
	struct spec_strv networks; /* --network, in order */
	struct spec_cni_port *ports;
	size_t n_ports;
	/* "DEV:INO" of the directories the log and the pid file were in at
	 * the first run (a rerun refuses others), or NULL */
	char *log_dir, *pid_file_dir;
};

char *spec_service_to_json(const struct spec_service *s);
/* Errors name service.json and the JSON path. */
int spec_service_parse(const char *text, size_t len, struct spec_service *s,
		       brig_error_t **err);
void spec_service_free(struct spec_service *s);

/* stdio.json, beside a checkpoint's images: what the init's descriptors
 * 0, 1 and 2 were ("pipe:[123]", "/dev/null"), so that restore hands
 * CRIU its own for the pipes: {"stdio": [...]}. */
char *spec_stdio_to_json(const char *const fds[3]);
int spec_stdio_parse(const char *text, size_t len, struct spec_strv *out, brig_error_t **err);

#endif
