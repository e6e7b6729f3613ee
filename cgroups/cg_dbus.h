/* brig — cgroups/cg_dbus.h: a small client of the D-Bus wire protocol,
 * for the few calls the systemd cgroup driver makes to systemd's manager
 * (org.freedesktop.systemd1, /org/freedesktop/systemd1,
 * org.freedesktop.systemd1.Manager).  Private to cgroups/.
 *
 * Why our own and not libsystemd's sd-bus: docs/design.md ("The systemd
 * cgroup driver").  What it speaks (the D-Bus specification): a unix
 * socket, SASL EXTERNAL with our uid, little-endian messages, method calls
 * and their replies or errors, and the JobRemoved signal.  No
 * introspection, no unix fds, no object server.
 *
 * Synchronous: every call sends and reads until its reply arrives (with a
 * timeout), keeping the JobRemoved signals read meanwhile for
 * sdb_wait_job.
 */
#ifndef BRIG_CG_DBUS_H
#define BRIG_CG_DBUS_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/error.h"

/* One unit property, as StartTransientUnit and SetUnitProperties take
 * them: a(sv).  The value's D-Bus type is one of these. */
enum sdb_type {
	SDB_T_STRING,    /* s  */
	SDB_T_BOOL,      /* b  */
	SDB_T_BYTE,      /* y  */
	SDB_T_INT16,     /* n  */
	SDB_T_UINT16,    /* q  */
	SDB_T_INT32,     /* i  */
	SDB_T_UINT32,    /* u  */
	SDB_T_INT64,     /* x  */
	SDB_T_UINT64,    /* t  */
	SDB_T_DOUBLE,    /* d  */
	SDB_T_BYTES,     /* ay: bytes/n_bytes (AllowedCPUs, AllowedMemoryNodes) */
	SDB_T_UINT32S,   /* au: u32s/n (PIDs) */
	SDB_T_STRINGS,   /* as: strs/n */
	SDB_T_PAIRS,     /* a(ss): strs/n holds 2*n strings (DeviceAllow) */
};

struct sdb_prop {
	char *name;
	enum sdb_type type;
	union {
		char *str;        /* SDB_T_STRING */
		bool b;           /* SDB_T_BOOL */
		uint64_t u;       /* the unsigned integer types */
		int64_t i;        /* the signed integer types */
		double d;         /* SDB_T_DOUBLE */
		struct { uint8_t *bytes; size_t n_bytes; };
		struct { uint32_t *u32s; size_t n_u32s; };
		struct { char **strs; size_t n_strs; }; /* STRINGS; PAIRS: n pairs */
	};
};

/* A growing list of properties (owns everything in it). */
struct sdb_props {
	struct sdb_prop *p;
	size_t n;
};
void sdb_props_free(struct sdb_props *l);
/* Append; the value is copied.  Replaces an earlier one of the same name
 * (a later source wins: annotations over resources). */
struct sdb_prop *sdb_props_add(struct sdb_props *l, const char *name, enum sdb_type t);
void sdb_props_str(struct sdb_props *l, const char *name, const char *v);
void sdb_props_bool(struct sdb_props *l, const char *name, bool v);
void sdb_props_u64(struct sdb_props *l, const char *name, uint64_t v);
void sdb_props_u32s(struct sdb_props *l, const char *name, const uint32_t *v, size_t n);
void sdb_props_bytes(struct sdb_props *l, const char *name, const uint8_t *v, size_t n);
void sdb_props_strs(struct sdb_props *l, const char *name, char *const *v, size_t n);
/* a(ss): pairs[0..2n) */
void sdb_props_pairs(struct sdb_props *l, const char *name, char *const *pairs, size_t n);
const struct sdb_prop *sdb_props_find(const struct sdb_props *l, const char *name);

struct sdb;

/* Connect to systemd's manager.  user false (root): the system bus at
 * $DBUS_SYSTEM_BUS_ADDRESS (unix:path=) when that is set (an explicit
 * choice; the host tests' mock systemd is found so), else systemd's
 * private socket /run/systemd/private when we can open it (no bus daemon
 * in between), else the system bus at /run/dbus/system_bus_socket.  user true: the user's
 * own manager, $XDG_RUNTIME_DIR/systemd/private, else the session bus
 * ($DBUS_SESSION_BUS_ADDRESS unix:path=, else $XDG_RUNTIME_DIR/bus).
 * On a bus (not a private socket), Hello and a match on JobRemoved are
 * sent, and systemd is asked to Subscribe.  *err names the socket. */
struct sdb *sdb_open(bool user, brig_error_t **err);
/* The same without waiting for the server to accept us (a private
 * socket): its answer is read before the first call goes out, and a
 * refusal is that call's error.  For a connection made early, while
 * brig does other work. */
struct sdb *sdb_open_early(bool user, brig_error_t **err);
void sdb_close(struct sdb *b);
/* The connection's socket (a child of a clone closes its copy). */
int sdb_fd(const struct sdb *b);
/* The time each call waits for its reply (default 25 s, as dbus's). */
void sdb_set_timeout(struct sdb *b, int timeout_ms);

/* StartTransientUnit(name, mode "fail", props, no aux units) -> the job
 * object path in *job (to free). */
int sdb_start_transient_unit(struct sdb *b, const char *unit,
			    const struct sdb_props *props, char **job,
			    brig_error_t **err);
/* SetUnitProperties(name, runtime, props). */
int sdb_set_unit_properties(struct sdb *b, const char *unit, bool runtime,
			   const struct sdb_props *props, brig_error_t **err);
/* StopUnit(name, "replace") -> *job.  A unit systemd does not know
 * (org.freedesktop.systemd1.NoSuchUnit) is an error of kind
 * BRIG_E_NOT_FOUND. */
int sdb_stop_unit(struct sdb *b, const char *unit, char **job,
		 brig_error_t **err);
/* AttachProcessesToUnit(name, subcgroup "/" for the unit's own, pids):
 * systemd moves them, as the caller may not (rootless exec). */
int sdb_attach_processes(struct sdb *b, const char *unit, const char *subcgroup,
			 const uint32_t *pids, size_t n, brig_error_t **err);
/* ResetFailedUnit(name); NoSuchUnit is BRIG_E_NOT_FOUND. */
int sdb_reset_failed_unit(struct sdb *b, const char *unit, brig_error_t **err);
/* Wait (up to timeout_ms) for JobRemoved of job; *result (to free, may
 * be NULL) is systemd's word: "done", "failed", "timeout", "canceled",
 * "dependency", "skipped".  0 when it arrived, whatever the result. */
int sdb_wait_job(struct sdb *b, const char *job, int timeout_ms,
		char **result, brig_error_t **err);
/* Properties.Get(interface, property) of the object at path, for a value
 * of type s (the unit's ActiveState, ...): *value to free.  On the
 * manager (path "/org/freedesktop/systemd1"), "Version". */
int sdb_get_property_string(struct sdb *b, const char *path,
			   const char *iface, const char *prop, char **value,
			   brig_error_t **err);
/* GetUnit(name) -> object path, BRIG_E_NOT_FOUND when not loaded. */
int sdb_get_unit(struct sdb *b, const char *unit, char **path,
		brig_error_t **err);

/* For the unit tests: a connection over fd (already authenticated or
 * not, as `authenticate` says), bus true when it is a bus (Hello). */
struct sdb *sdb_from_fd(int fd, bool authenticate, bool bus,
			      brig_error_t **err);
/* The same, authenticating, without waiting for the OK (sdb_open_early). */
struct sdb *sdb_from_fd_early(int fd, bool bus, brig_error_t **err);
/* The wire form of a method call (for the tests, and the one place
 * messages are built): serial, destination, path, interface, member,
 * signature and body already marshalled. */
struct sdb_buf { uint8_t *p; size_t len, cap; };
void sdb_buf_free(struct sdb_buf *b);

#endif
