/* brig — runtime/seccomp_listener.c: hand the seccomp notify fd to the
 * agent at linux.seccomp.listenerPath (config-linux.md, "The Container
 * Process State"): one AF_UNIX stream connection, the JSON process state
 * as payload, the fd with SCM_RIGHTS in the first sendmsg, then close.
 *
 * The init loads a filter that uses SCMP_ACT_NOTIFY while it still talks
 * to `create` (see init.c), passes the fd up, and this runs in `create`,
 * which can reach listenerPath on the host (the init has pivoted away). */
#include "runtime.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/fdpass.h"

static char *process_state(const struct spec_seccomp *s, const char *state_json,
			   pid_t pid)
{
	cleanup_free char *meta = s->listener_metadata
		? spec_json_quote(s->listener_metadata) : NULL;
	return xasprintf("{\"ociVersion\":\"%s\",\"fds\":[\"seccompFd\"],\"pid\":%d,"
			 "%s%s%s\"state\":%s}",
			 BRIG_OCI_VERSION, (int)pid,
			 meta ? "\"metadata\":" : "", meta ? meta : "", meta ? "," : "",
			 state_json);
}

int seccomp_listener_send(const struct spec_seccomp *s, const char *state_json,
			  pid_t pid, int notify_fd, brig_error_t **err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	cleanup_close int sock = -1;

	if (!s->listener_path || !s->listener_path[0])
		return brig_err(err, 0, "linux.seccomp.listenerPath: required with SCMP_ACT_NOTIFY");
	if (strlen(s->listener_path) >= sizeof(addr.sun_path))
		return brig_err(err, 0, "linux.seccomp.listenerPath: path too long: %s",
				s->listener_path);
	strcpy(addr.sun_path, s->listener_path);

	cleanup_free char *json = process_state(s, state_json, pid);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return brig_err(err, errno, "linux.seccomp.listenerPath: socket");
	if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return brig_err(err, errno, "linux.seccomp.listenerPath: connect to %s",
				s->listener_path);

	size_t len = strlen(json), off = 0;
	while (off < len) {
		/* the fd goes with the first sendmsg only */
		ssize_t n = brig_send_fd(sock, json + off, len - off, off == 0 ? notify_fd : -1);
		if (n < 0)
			return brig_err(err, errno, "linux.seccomp.listenerPath: send to %s",
					s->listener_path);
		off += (size_t)n;
	}
	return 0;
}
