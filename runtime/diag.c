/* brig — runtime/diag.c: warnings, debug lines and errors, on stderr and in
 * the --log file (text, or the JSON lines containerd and Podman read back);
 * and the descriptors brig inherited. */
#include "runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static bool log_json, debug;
static int log_fd = -1;

static void log_line(const char *level, const char *msg)
{
	cleanup_free char *ts = NULL;
	cleanup_free char *line = NULL;

	if (log_fd < 0)
		return;
	ts = timestamp_now();
	if (log_json) {
		cleanup_free char *q = spec_json_quote(msg);
		line = xasprintf("{\"level\":\"%s\",\"msg\":%s,\"time\":\"%s\"}\n",
				 level, q, ts);
	} else {
		line = xasprintf("time=\"%s\" level=%s msg=\"%s\"\n", ts, level, msg);
	}
	(void)brig_write_all(log_fd, line, strlen(line));
}

void brig_warn(const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) >= 0) {
		fprintf(stderr, "brig: warning: %s\n", msg);
		log_line("warning", msg);
		free(msg);
	}
	va_end(ap);
}

void brig_err_warn(brig_error_t **err, const char *fmt, ...)
{
	va_list ap;
	char *context = NULL;

	if (err == NULL || *err == NULL)
		return;
	if (fmt == NULL) {
		brig_warn("%s", (*err)->msg);
	} else {
		va_start(ap, fmt);
		if (vasprintf(&context, fmt, ap) >= 0)
			brig_warn("%s: %s", context, (*err)->msg);
		va_end(ap);
		free(context);
	}
	brig_err_free(err);
}

void brig_debug(const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	if (!debug)
		return;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) >= 0) {
		fprintf(stderr, "brig: debug: %s\n", msg);
		log_line("debug", msg);
		free(msg);
	}
	va_end(ap);
}

void brig_report_error(const char *msg)
{
	fprintf(stderr, "brig: %s\n", msg);
	log_line("error", msg);
}

void brig_log_setup(const char *path, bool json, bool debug_lines)
{
	log_json = json;
	debug = debug_lines;
	if (!path)
		return;
	log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (log_fd < 0)
		fprintf(stderr, "brig: warning: open log %s: %s\n", path, strerror(errno));
}

bool brig_in_userns(void)
{
	static int in = -1;
	char buf[128] = "";
	unsigned long a, b, n;

	if (in < 0) {
		FILE *f = fopen("/proc/self/uid_map", "re");
		/* the initial user namespace maps all ids onto themselves */
		in = !(f && fgets(buf, sizeof(buf), f) && sscanf(buf, "%lu %lu %lu", &a, &b, &n) == 3 &&
		       a == 0 && b == 0 && n == 4294967295UL && !fgets(buf, sizeof(buf), f));
		if (f)
			fclose(f);
	}
	return in;
}

int brig_close_inherited_fds(int keep, brig_error_t **err)
{
	unsigned first = 3 + (unsigned)keep;

	/* what is kept is the caller's: none of brig's own may take a gap */
	for (int fd = 3; fd < (int)first; fd++)
		if (fd == log_fd || fcntl(fd, F_GETFD) < 0)
			return brig_err(err, EBADF, "--preserve-fds %d: descriptor %d is not open", keep, fd);

	int keep_log[1] = {log_fd};
	if (close_fds_except((int)first, keep_log, 1) < 0)
		return brig_err(err, errno, "close the descriptors brig inherited");
	return 0;
}
