/* brig — fuzz spec_parse_resources (the JSON of `update -r`). */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	brig_error_t *err = NULL;
	struct spec_resources *r =
		spec_parse_resources((const char *)data, size, "resources", &err);
	fuzz_check(r, &err);
	spec_resources_free(r);
	return 0;
}
