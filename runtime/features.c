/* brig — runtime/features.c: `brig features`. */
#include "runtime.h"

int cmd_features(const struct brig_globals *g, int argc, char **argv, brig_error_t **err)
{
	(void)g; (void)argc; (void)argv;
	return brig_err(err, 0, "features: not yet");
}
