/* brig — base/proc.c: processes and procfs (see proc.h). */
#include "base/proc.h"

#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int brig_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

int brig_wait_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

const char *brig_wait_describe(int status, char *buf, size_t size)
{
	if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, size, "exit status %d", WEXITSTATUS(status));
	return buf;
}

static int is_octal(char c, char max)
{
	return c >= '0' && c <= max;
}

void brig_mountinfo_unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && is_octal(s[1], '3') && is_octal(s[2], '7') &&
		    is_octal(s[3], '7')) {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

int brig_mountinfo_parse(char *line, struct brig_mountinfo *mi)
{
	char *field[5], *save = NULL, *sep, *tok;
	int n = 0;

	memset(mi, 0, sizeof(*mi));
	line[strcspn(line, "\n")] = '\0';
	/* the optional fields before " - " vary in number; the kernel
	 * escapes spaces in paths, so the first " - " is the separator */
	sep = strstr(line, " - ");
	if (sep == NULL)
		return -1;
	*sep = '\0';
	for (tok = strtok_r(line, " ", &save); tok && n < 5; tok = strtok_r(NULL, " ", &save))
		field[n++] = tok;
	if (n < 5)
		return -1;
	save = NULL;
	mi->fstype = strtok_r(sep + 3, " ", &save);
	if (mi->fstype == NULL)
		return -1;
	mi->source = strtok_r(NULL, " ", &save);
	mi->super = mi->source ? strtok_r(NULL, " ", &save) : NULL;
	mi->root = field[3];
	mi->mountpoint = field[4];
	brig_mountinfo_unescape(mi->root);
	brig_mountinfo_unescape(mi->mountpoint);
	if (mi->source)
		brig_mountinfo_unescape(mi->source);
	return 0;
}

int brig_cgroup_line_parse(char *line, struct brig_cgroup_line *cl)
{
	char *c1, *c2;

	line[strcspn(line, "\n")] = '\0';
	c1 = strchr(line, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (c2 == NULL)
		return -1;
	*c1 = *c2 = '\0';
	*cl = (struct brig_cgroup_line){ line, c1 + 1, c2 + 1 };
	return 0;
}
