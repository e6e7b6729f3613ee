/* brig — fuzz a seccomp profile: the input is linux.seccomp of a config;
 * what parses is compiled with libseccomp (never loaded). */
#include "fuzz.h"
#include "security/security.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	brig_error_t *err = NULL;
	size_t len;
	char *json = fuzz_wrap("{\"ociVersion\":\"1.3.0\",\"linux\":{\"seccomp\":",
			       data, size, "}}", &len);
	struct spec_config *c = spec_parse_config(json, len, "config.json", &err);
	fuzz_check(c, &err);
	if (c && c->linux && c->linux->seccomp) {
		struct sec_seccomp *f = sec_seccomp_compile(c->linux->seccomp, &err);
		fuzz_check(f, &err);
		sec_seccomp_free(f);
	}
	spec_free(c);
	free(json);
	return 0;
}
