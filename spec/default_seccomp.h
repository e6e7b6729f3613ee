/* brig — spec/default_seccomp.h: private to spec/.  Emits the
 * "seccomp" member (key and object) of the default config's "linux". */
#ifndef BRIG_SPEC_DEFAULT_SECCOMP_H
#define BRIG_SPEC_DEFAULT_SECCOMP_H

#include <yajl/yajl_gen.h>

void spec_gen_default_seccomp(yajl_gen g);

#endif
