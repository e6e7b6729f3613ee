/* brig — fuzz spec_parse_process (process.json for `exec --process`). */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	brig_error_t *err = NULL;
	struct spec_process *p =
		spec_parse_process((const char *)data, size, "process.json", &err);
	fuzz_check(p, &err);
	spec_process_free(p);
	return 0;
}
