/* brig — fuzz spec_state_parse (state.json).  What parses must survive a
 * round trip: written back out and parsed again, it must still parse. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	brig_error_t *err = NULL;
	struct spec_state *s = spec_state_parse((const char *)data, size, &err);
	fuzz_check(s, &err);
	if (s) {
		char *text = spec_state_to_json(s, true);
		struct spec_state *again =
			spec_state_parse(text, strlen(text), &err);
		if (!again)
			abort();
		spec_state_free(again);
		free(text);
	}
	spec_state_free(s);
	return 0;
}
