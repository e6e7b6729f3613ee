/* brig — fuzz rootfs_parse_mount_options: the input split on commas and
 * NUL bytes is the mount's "options" list. */
#include "fuzz.h"
#include "rootfs/rootfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spec_strv v = { xcalloc(size + 2, sizeof(char *)), 0 };
	struct rootfs_mount_opts o = { 0 };
	brig_error_t *err = NULL;
	size_t start = 0;
	int rc;

	for (size_t i = 0; i <= size; i++) {
		if (i == size || data[i] == ',' || data[i] == '\0') {
			char *s = xmalloc(i - start + 1);
			memcpy(s, data + start, i - start);
			s[i - start] = '\0';
			v.v[v.n++] = s;
			start = i + 1;
		}
	}
	rc = rootfs_parse_mount_options(&v, &o, &err);
	fuzz_check(rc == 0 ? &o : NULL, &err);
	rootfs_mount_opts_free(&o);
	for (size_t i = 0; i < v.n; i++)
		free(v.v[i]);
	free(v.v);
	return 0;
}
