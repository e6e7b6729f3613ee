/* brig — fuzz the systemd driver's GVariant text parser, as annotations
 * org.systemd.property.<Name> reach it (cgroups/cg_sd_annot.c).  The input
 * is "Name=value"; whatever parses must be a value the D-Bus writer puts
 * on the wire. */
#include "fuzz.h"

#include "cgroups/cg_dbus_wire.h"
#include "cgroups/cg_systemd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = strndup((const char *)data, size), *eq;
	char *key;
	struct spec_kv kv;
	struct spec_kv_list a = { &kv, 1 };
	struct sdb_props l = {0};
	struct sdb_buf b = {0};
	brig_error_t *err = NULL;

	eq = strchr(text, '=');
	if (eq == NULL) {
		free(text);
		return 0;
	}
	*eq = '\0';
	key = malloc(strlen(text) + sizeof("org.systemd.property."));
	strcpy(key, "org.systemd.property.");
	strcat(key, text);
	kv.key = key;
	kv.value = eq + 1;
	if (cg_sd_annotation_props(&a, &l, &err) < 0) {
		if (!err || !err->msg || !*err->msg)
			abort();
		brig_err_free(&err);
	} else {
		sdb_put_props(&b, &l);
		sdb_buf_free(&b);
	}
	sdb_props_free(&l);
	free(key);
	free(text);
	return 0;
}
