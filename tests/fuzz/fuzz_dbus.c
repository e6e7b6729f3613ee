/* brig — fuzz the D-Bus message reader (cgroups/cg_dbus_wire.c) with what
 * a broken or hostile peer may send: a message is sized, parsed, and its
 * body skipped by its signature, as the connection does. */
#include "fuzz.h"

#include "cgroups/cg_dbus_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdb_msg m;
	brig_error_t *err = NULL;
	size_t total;
	uint8_t *copy;

	if (size < 16)
		return 0;
	if (sdb_msg_size(data, &total, &err) < 0) {
		brig_err_free(&err);
		return 0;
	}
	if (total != size)
		return 0;
	copy = malloc(size); /* exactly: ASan sees any read past it */
	memcpy(copy, data, size);
	if (sdb_msg_parse(copy, size, &m, &err) == 0) {
		struct sdb_rd r = m.body;
		const char *sig = m.h.sig;

		while (*sig && sdb_rd_skip(&r, &sig, 0) == 0)
			;
	} else {
		if (!err || !err->msg || !*err->msg)
			abort();
		brig_err_free(&err);
	}
	free(copy);
	return 0;
}
