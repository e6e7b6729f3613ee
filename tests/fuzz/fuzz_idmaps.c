/* brig — fuzz id maps.  brig has no text id-map parser (the maps come
 * from config.json), so the input is linux.uidMappings and
 * linux.gidMappings of a config. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	brig_error_t *err = NULL;
	size_t len;
	char *json = fuzz_wrap("{\"ociVersion\":\"1.3.0\",\"linux\":{"
			       "\"namespaces\":[{\"type\":\"user\"}],"
			       "\"uidMappings\":",
			       data, size, "}}", &len);
	struct spec_config *c = spec_parse_config(json, len, "config.json", &err);
	fuzz_check(c, &err);
	spec_free(c);
	free(json);
	return 0;
}
