/* brig — rootfs/: mount option strings to mount(2)/mount_setattr(2)
 * flags.  Pure: no system calls, so the unit tests cover it fully. */
#include "rootfs/rootfs.h"

#include <string.h>
#include <sys/mount.h>

enum opt_kind {
	OPT_NOP,       /* accepted, no effect ("defaults") */
	OPT_FLAG,      /* MS_* flag set or cleared */
	OPT_PROP,      /* propagation */
	OPT_REC_ATTR,  /* MOUNT_ATTR_* set or cleared recursively */
	OPT_BIND,
	OPT_RBIND,
	OPT_IDMAP,
	OPT_RIDMAP,
	OPT_TMPCOPYUP, /* handled by mounts.c, never passed to the kernel */
};

struct opt_def {
	const char *name;
	enum opt_kind kind;
	bool clear;
	unsigned long value;
};

static const struct opt_def opt_defs[] = {
	{ "defaults", OPT_NOP, false, 0 },
	{ "ro", OPT_FLAG, false, MS_RDONLY },
	{ "rw", OPT_FLAG, true, MS_RDONLY },
	{ "nosuid", OPT_FLAG, false, MS_NOSUID },
	{ "suid", OPT_FLAG, true, MS_NOSUID },
	{ "nodev", OPT_FLAG, false, MS_NODEV },
	{ "dev", OPT_FLAG, true, MS_NODEV },
	{ "noexec", OPT_FLAG, false, MS_NOEXEC },
	{ "exec", OPT_FLAG, true, MS_NOEXEC },
	{ "sync", OPT_FLAG, false, MS_SYNCHRONOUS },
	{ "async", OPT_FLAG, true, MS_SYNCHRONOUS },
	{ "dirsync", OPT_FLAG, false, MS_DIRSYNC },
	{ "remount", OPT_FLAG, false, MS_REMOUNT },
	{ "mand", OPT_FLAG, false, MS_MANDLOCK },
	{ "nomand", OPT_FLAG, true, MS_MANDLOCK },
	{ "noatime", OPT_FLAG, false, MS_NOATIME },
	{ "atime", OPT_FLAG, true, MS_NOATIME },
	{ "nodiratime", OPT_FLAG, false, MS_NODIRATIME },
	{ "diratime", OPT_FLAG, true, MS_NODIRATIME },
	{ "relatime", OPT_FLAG, false, MS_RELATIME },
	{ "norelatime", OPT_FLAG, true, MS_RELATIME },
	{ "strictatime", OPT_FLAG, false, MS_STRICTATIME },
	{ "nostrictatime", OPT_FLAG, true, MS_STRICTATIME },
	{ "nosymfollow", OPT_FLAG, false, MS_NOSYMFOLLOW },
	{ "symfollow", OPT_FLAG, true, MS_NOSYMFOLLOW },
	{ "iversion", OPT_FLAG, false, MS_I_VERSION },
	{ "noiversion", OPT_FLAG, true, MS_I_VERSION },
	{ "lazytime", OPT_FLAG, false, MS_LAZYTIME },
	{ "nolazytime", OPT_FLAG, true, MS_LAZYTIME },
	{ "silent", OPT_FLAG, false, MS_SILENT },
	{ "loud", OPT_FLAG, true, MS_SILENT },

	{ "bind", OPT_BIND, false, 0 },
	{ "rbind", OPT_RBIND, false, 0 },

	{ "shared", OPT_PROP, false, MS_SHARED },
	{ "rshared", OPT_PROP, false, MS_SHARED | MS_REC },
	{ "slave", OPT_PROP, false, MS_SLAVE },
	{ "rslave", OPT_PROP, false, MS_SLAVE | MS_REC },
	{ "private", OPT_PROP, false, MS_PRIVATE },
	{ "rprivate", OPT_PROP, false, MS_PRIVATE | MS_REC },
	{ "unbindable", OPT_PROP, false, MS_UNBINDABLE },
	{ "runbindable", OPT_PROP, false, MS_UNBINDABLE | MS_REC },

	{ "rro", OPT_REC_ATTR, false, MOUNT_ATTR_RDONLY },
	{ "rrw", OPT_REC_ATTR, true, MOUNT_ATTR_RDONLY },
	{ "rnosuid", OPT_REC_ATTR, false, MOUNT_ATTR_NOSUID },
	{ "rsuid", OPT_REC_ATTR, true, MOUNT_ATTR_NOSUID },
	{ "rnodev", OPT_REC_ATTR, false, MOUNT_ATTR_NODEV },
	{ "rdev", OPT_REC_ATTR, true, MOUNT_ATTR_NODEV },
	{ "rnoexec", OPT_REC_ATTR, false, MOUNT_ATTR_NOEXEC },
	{ "rexec", OPT_REC_ATTR, true, MOUNT_ATTR_NOEXEC },
	{ "rnodiratime", OPT_REC_ATTR, false, MOUNT_ATTR_NODIRATIME },
	{ "rdiratime", OPT_REC_ATTR, true, MOUNT_ATTR_NODIRATIME },
	{ "rrelatime", OPT_REC_ATTR, false, MOUNT_ATTR_RELATIME },
	{ "rnorelatime", OPT_REC_ATTR, true, MOUNT_ATTR_RELATIME },
	{ "rnoatime", OPT_REC_ATTR, false, MOUNT_ATTR_NOATIME },
	{ "ratime", OPT_REC_ATTR, true, MOUNT_ATTR_NOATIME },
	{ "rstrictatime", OPT_REC_ATTR, false, MOUNT_ATTR_STRICTATIME },
	{ "rnostrictatime", OPT_REC_ATTR, true, MOUNT_ATTR_STRICTATIME },
	{ "rnosymfollow", OPT_REC_ATTR, false, MOUNT_ATTR_NOSYMFOLLOW },
	{ "rsymfollow", OPT_REC_ATTR, true, MOUNT_ATTR_NOSYMFOLLOW },

	{ "idmap", OPT_IDMAP, false, 0 },
	{ "ridmap", OPT_RIDMAP, false, 0 },
	{ "tmpcopyup", OPT_TMPCOPYUP, false, 0 },
};

const char *const rootfs_known_mount_options[] = {
	"defaults", "ro", "rw", "nosuid", "suid", "nodev", "dev", "noexec",
	"exec", "sync", "async", "dirsync", "remount", "mand", "nomand",
	"noatime", "atime", "nodiratime", "diratime", "relatime",
	"norelatime", "strictatime", "nostrictatime", "nosymfollow",
	"symfollow", "iversion", "noiversion", "lazytime", "nolazytime",
	"silent", "loud", "bind", "rbind", "shared", "rshared", "slave",
	"rslave", "private", "rprivate", "unbindable", "runbindable", "rro",
	"rrw", "rnosuid", "rsuid", "rnodev", "rdev", "rnoexec", "rexec",
	"rnodiratime", "rdiratime", "rrelatime", "rnorelatime", "rnoatime",
	"ratime", "rstrictatime", "rnostrictatime", "rnosymfollow",
	"rsymfollow", "idmap", "ridmap", "tmpcopyup", NULL,
};

_Static_assert(ARRAY_SIZE(rootfs_known_mount_options) == ARRAY_SIZE(opt_defs) + 1,
	       "rootfs_known_mount_options and opt_defs disagree");

static const struct opt_def *find_opt(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(opt_defs); i++)
		if (strcmp(opt_defs[i].name, name) == 0)
			return &opt_defs[i];
	return NULL;
}

/* The atime mode is a 3-bit field of mount_setattr: setting a mode needs
 * the whole field in attr_clr; clearing one falls back to relatime. */
static void rec_attr(struct rootfs_mount_opts *o, bool clear, uint64_t v)
{
	bool atime = v == MOUNT_ATTR_RELATIME || (v & MOUNT_ATTR__ATIME) == v;

	if (atime) {
		o->attr_set &= ~(uint64_t)MOUNT_ATTR__ATIME;
		if (!clear)
			o->attr_set |= v;
		o->attr_clr |= MOUNT_ATTR__ATIME;
		return;
	}
	if (clear) {
		o->attr_clr |= v;
		o->attr_set &= ~v;
	} else {
		o->attr_set |= v;
		o->attr_clr &= ~v;
	}
}

static void data_append(char **data, size_t *len, const char *s)
{
	size_t n = strlen(s);

	*data = xrealloc(*data, *len + n + 2);
	if (*len)
		(*data)[(*len)++] = ',';
	memcpy(*data + *len, s, n + 1);
	*len += n;
}

int rootfs_parse_mount_options(const struct spec_strv *options,
			       struct rootfs_mount_opts *out, brig_error_t **err)
{
	size_t data_len = 0;

	(void)err; /* nothing is refused here: unknown options are fs data */
	memset(out, 0, sizeof(*out));
	if (options == NULL)
		return 0;
	for (size_t i = 0; i < options->n; i++) {
		const char *name = options->v[i];
		const struct opt_def *d;

		if (name == NULL || *name == '\0')
			continue;
		d = find_opt(name);
		if (d == NULL) {
			data_append(&out->data, &data_len, name);
			continue;
		}
		switch (d->kind) {
		case OPT_NOP:
		case OPT_TMPCOPYUP:
			break;
		case OPT_FLAG:
			if (d->clear) {
				out->flags &= ~d->value;
				out->clear |= d->value;
			} else {
				out->flags |= d->value;
				out->clear &= ~d->value;
			}
			break;
		case OPT_PROP:
			out->propagation = d->value;
			break;
		case OPT_REC_ATTR:
			rec_attr(out, d->clear, d->value);
			break;
		case OPT_BIND:
			out->bind = true;
			out->flags |= MS_BIND;
			break;
		case OPT_RBIND:
			out->rbind = true;
			out->flags |= MS_BIND | MS_REC;
			break;
		case OPT_IDMAP:
			out->idmap = true;
			break;
		case OPT_RIDMAP:
			out->ridmap = true;
			break;
		}
	}
	return 0;
}

void rootfs_mount_opts_free(struct rootfs_mount_opts *o)
{
	if (o == NULL)
		return;
	free(o->data);
	o->data = NULL;
}
