/* linkplant — test helper, built static so it runs in the busybox rootfs:
 * plants a hard link to a file the container cannot see, the way a
 * container holding CAP_DAC_READ_SEARCH can (open_by_handle_at on a mount
 * of the same filesystem, then linkat of the descriptor).
 *
 *   linkplant handle PATH                 (on the host) print PATH's file
 *                                         handle as TYPE:HEX
 *   linkplant link MOUNTDIR TYPE:HEX NEW  (in the container) open the
 *                                         handle through MOUNTDIR's mount
 *                                         and link it at NEW
 *
 * Exit status 0 on success; otherwise one line on stderr. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_HANDLE 128

static int print_handle(const char *path)
{
	char space[sizeof(struct file_handle) + MAX_HANDLE];
	struct file_handle *fh = (struct file_handle *)space;
	int mnt;

	fh->handle_bytes = MAX_HANDLE;
	if (name_to_handle_at(AT_FDCWD, path, fh, &mnt, 0) < 0) {
		fprintf(stderr, "linkplant: name_to_handle_at %s: %s\n", path, strerror(errno));
		return 1;
	}
	printf("%d:", fh->handle_type);
	for (unsigned i = 0; i < fh->handle_bytes; i++)
		printf("%02x", fh->f_handle[i]);
	printf("\n");
	return 0;
}

static int link_handle(const char *mountdir, const char *spec, const char *new)
{
	char space[sizeof(struct file_handle) + MAX_HANDLE];
	struct file_handle *fh = (struct file_handle *)space;
	char *colon;
	int mfd, fd;
	size_t n = 0;

	fh->handle_type = (int)strtol(spec, &colon, 10);
	if (*colon != ':')
		return fprintf(stderr, "linkplant: bad handle %s\n", spec), 1;
	for (const char *p = colon + 1; p[0] && p[1] && n < MAX_HANDLE; p += 2) {
		unsigned b;
		if (sscanf(p, "%2x", &b) != 1)
			return fprintf(stderr, "linkplant: bad handle %s\n", spec), 1;
		fh->f_handle[n++] = (unsigned char)b;
	}
	fh->handle_bytes = (unsigned)n;
	mfd = open(mountdir, O_RDONLY | O_DIRECTORY);
	if (mfd < 0)
		return fprintf(stderr, "linkplant: open %s: %s\n", mountdir, strerror(errno)), 1;
	fd = open_by_handle_at(mfd, fh, O_PATH);
	if (fd < 0)
		return fprintf(stderr, "linkplant: open_by_handle_at: %s\n", strerror(errno)), 1;
	if (linkat(fd, "", AT_FDCWD, new, AT_EMPTY_PATH) < 0)
		return fprintf(stderr, "linkplant: linkat %s: %s\n", new, strerror(errno)), 1;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "handle"))
		return print_handle(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "link"))
		return link_handle(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: linkplant handle PATH | linkplant link MOUNTDIR TYPE:HEX NEW\n");
	return 2;
}
