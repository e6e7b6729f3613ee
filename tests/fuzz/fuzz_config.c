/* brig — fuzz spec_parse_config (config.json). */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	brig_error_t *err = NULL;
	struct spec_config *c =
		spec_parse_config((const char *)data, size, "config.json", &err);
	fuzz_check(c, &err);
	spec_free(c);
	return 0;
}
