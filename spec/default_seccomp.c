/* brig — spec/default_seccomp.c: the default seccomp profile of `brig spec`.
 *
 * The profile's source is the readable data file
 * spec/seccomp-default.profile (syntax described at its top), embedded by
 * the build as a C string; this file turns it into the "seccomp" member of
 * config.json's "linux".  A malformed line is a bug in the repository, not
 * a user error: it aborts, and the unit tests run this code. */
#include "default_seccomp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "seccomp_default_profile.h"

#define MAX_WORDS 512

static void gen_s(yajl_gen g, const char *s)
{
	yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void bad(const char *line)
{
	fprintf(stderr, "brig: built-in seccomp profile: malformed line: %s\n", line);
	abort();
}

/* Split line (modified in place) into words. */
static size_t split(char *line, char **w)
{
	size_t n = 0;
	for (char *save = NULL, *t = strtok_r(line, " \t", &save); t && n < MAX_WORDS;
	     t = strtok_r(NULL, " \t", &save))
		w[n++] = t;
	return n;
}

static void gen_arg(yajl_gen g, char *spec, const char *line)
{
	char *f[4] = {0};
	size_t n = 0;
	for (char *save = NULL, *t = strtok_r(spec, ",", &save); t && n < 4;
	     t = strtok_r(NULL, ",", &save))
		f[n++] = t;
	if (n < 3)
		bad(line);
	char op[32];
	snprintf(op, sizeof op, "SCMP_CMP_%s", f[1]);
	yajl_gen_map_open(g);
	gen_s(g, "index");
	yajl_gen_integer(g, strtoll(f[0], NULL, 0));
	gen_s(g, "value");
	yajl_gen_number(g, f[2], strlen(f[2]));
	gen_s(g, "valueTwo");
	yajl_gen_number(g, n > 3 ? f[3] : "0", strlen(n > 3 ? f[3] : "0"));
	gen_s(g, "op");
	gen_s(g, op);
	yajl_gen_map_close(g);
}

/* The head of a rule line: "ACTION [ERRNO] [ARG...]". */
static void gen_head(yajl_gen g, char *head, const char *line)
{
	char *w[MAX_WORDS];
	size_t n = split(head, w), i = 1;
	if (n < 1)
		bad(line);
	gen_s(g, "action");
	gen_s(g, w[0]);
	if (i < n && !strchr(w[i], ',')) {
		gen_s(g, "errnoRet");
		yajl_gen_integer(g, strtoll(w[i++], NULL, 10));
	}
	if (i < n) {
		gen_s(g, "args");
		yajl_gen_array_open(g);
		for (; i < n; i++)
			gen_arg(g, w[i], line);
		yajl_gen_array_close(g);
	}
}

void spec_gen_default_seccomp(yajl_gen g)
{
	char *text = strdup(seccomp_default_profile);
	char *lines[1024];
	size_t nl = 0;
	struct utsname u;
	const char *machine = uname(&u) == 0 ? u.machine : "";
	char *w[MAX_WORDS];

	if (!text)
		abort();
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l && nl < 1024;
	     l = strtok_r(NULL, "\n", &save))
		lines[nl++] = l;

	gen_s(g, "seccomp");
	yajl_gen_map_open(g);
	/* defaultAction, defaultErrnoRet, architectures first, as Docker's */
	for (size_t i = 0; i < nl; i++) {
		if (strncmp(lines[i], "default ", 8) != 0)
			continue;
		char *copy = strdup(lines[i]);
		size_t n = split(copy, w);
		if (n < 2)
			bad(lines[i]);
		gen_s(g, "defaultAction");
		gen_s(g, w[1]);
		if (n > 2) {
			gen_s(g, "defaultErrnoRet");
			yajl_gen_integer(g, strtoll(w[2], NULL, 10));
		}
		free(copy);
	}
	gen_s(g, "architectures");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < nl; i++) {
		if (strncmp(lines[i], "arch ", 5) != 0)
			continue;
		char *copy = strdup(lines[i]);
		size_t n = split(copy, w);
		if (n >= 3 && strcmp(w[1], machine) == 0)
			for (size_t k = 2; k < n; k++)
				gen_s(g, w[k]);
		free(copy);
	}
	yajl_gen_array_close(g);

	gen_s(g, "syscalls");
	yajl_gen_array_open(g);
	const char *prev_head = NULL;
	for (size_t i = 0; i < nl; i++) {
		char *colon = strchr(lines[i], ':');
		if (!colon)
			continue; /* default / arch lines */
		*colon = '\0';
		const char *head = lines[i];
		/* consecutive lines with the same head are one entry */
		if (!prev_head || strcmp(prev_head, head) != 0) {
			if (prev_head) {
				yajl_gen_array_close(g);
				char *h = strdup(prev_head);
				gen_head(g, h, prev_head);
				free(h);
				yajl_gen_map_close(g);
			}
			yajl_gen_map_open(g);
			gen_s(g, "names");
			yajl_gen_array_open(g);
			prev_head = head;
		}
		size_t n = split(colon + 1, w);
		if (n == 0)
			bad(head);
		for (size_t k = 0; k < n; k++)
			gen_s(g, w[k]);
	}
	if (prev_head) {
		yajl_gen_array_close(g);
		char *h = strdup(prev_head);
		gen_head(g, h, prev_head);
		free(h);
		yajl_gen_map_close(g);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	free(text);
}
