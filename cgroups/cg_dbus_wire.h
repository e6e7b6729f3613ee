/* brig — cgroups/cg_dbus_wire.h: the D-Bus message format, shared by the
 * connection (cg_dbus.c) and the unit tests.  Private to cgroups/.
 *
 * Writing is always little-endian; reading takes either byte order, as
 * the specification asks of every peer.  Alignment is counted from the
 * start of the message; a body starts 8-aligned, so counting from the
 * start of the body is the same.
 */
#ifndef BRIG_CG_DBUS_WIRE_H
#define BRIG_CG_DBUS_WIRE_H

#include "cgroups/cg_dbus.h"

/* The largest message we accept (the specification allows 128 MiB; what
 * systemd sends us is a few hundred bytes, its signals a few KiB). */
#define SDB_MAX_MSG (4u << 20)
/* Nesting of containers in a signature we skip (the spec allows 64). */
#define SDB_MAX_DEPTH 32

enum sdb_msg_type {
	SDB_METHOD_CALL = 1,
	SDB_METHOD_RETURN = 2,
	SDB_ERROR = 3,
	SDB_SIGNAL = 4,
};

/* Header field codes. */
enum sdb_field {
	SDB_F_PATH = 1,
	SDB_F_INTERFACE = 2,
	SDB_F_MEMBER = 3,
	SDB_F_ERROR_NAME = 4,
	SDB_F_REPLY_SERIAL = 5,
	SDB_F_DESTINATION = 6,
	SDB_F_SENDER = 7,
	SDB_F_SIGNATURE = 8,
};

/* ---- writing ------------------------------------------------------------ */

void sdb_put_bytes(struct sdb_buf *b, const void *p, size_t n);
void sdb_align(struct sdb_buf *b, size_t a);
void sdb_put_u8(struct sdb_buf *b, uint8_t v);
void sdb_put_u16(struct sdb_buf *b, uint16_t v);
void sdb_put_u32(struct sdb_buf *b, uint32_t v);
void sdb_put_u64(struct sdb_buf *b, uint64_t v);
/* s and o: u32 length, bytes, NUL */
void sdb_put_str(struct sdb_buf *b, const char *s);
/* g: u8 length, bytes, NUL */
void sdb_put_sig(struct sdb_buf *b, const char *s);
/* An array: sdb_array_begin writes the length slot and the padding to the
 * elements' alignment, and returns where the length goes; sdb_array_end
 * fills it in with the bytes written since. */
size_t sdb_array_begin(struct sdb_buf *b, size_t elem_align, size_t *start);
void sdb_array_end(struct sdb_buf *b, size_t len_at, size_t start);
/* a(sv) of props */
void sdb_put_props(struct sdb_buf *b, const struct sdb_props *props);

/* A whole message: the header with these fields (NULL ones left out),
 * then body (of signature sig, may be NULL/empty).  reply_serial 0: none. */
struct sdb_hdr {
	uint8_t type, flags;
	uint32_t serial, reply_serial;
	const char *path, *iface, *member, *error_name, *dest, *sender, *sig;
};
void sdb_msg_build(struct sdb_buf *out, const struct sdb_hdr *h,
		   const struct sdb_buf *body);

/* ---- reading ------------------------------------------------------------ */

struct sdb_rd {
	const uint8_t *p;
	size_t len, pos;
	bool be; /* big-endian message */
};

int sdb_rd_align(struct sdb_rd *r, size_t a);
int sdb_rd_u8(struct sdb_rd *r, uint8_t *v);
int sdb_rd_u32(struct sdb_rd *r, uint32_t *v);
/* s or o; *s points into the message, NUL-terminated */
int sdb_rd_str(struct sdb_rd *r, const char **s);
int sdb_rd_sig(struct sdb_rd *r, const char **s);
/* Skip one complete type of *sig (advanced past it) in r. */
int sdb_rd_skip(struct sdb_rd *r, const char **sig, int depth);

/* The size of the message whose first 16 bytes are hdr (-1: not a
 * message we take: bad endianness or version, or over SDB_MAX_MSG). */
int sdb_msg_size(const uint8_t hdr[16], size_t *total, brig_error_t **err);

/* A parsed message: strings point into the buffer it was parsed from. */
struct sdb_msg {
	struct sdb_hdr h;
	struct sdb_rd body; /* at the start of the body */
};
int sdb_msg_parse(const uint8_t *p, size_t len, struct sdb_msg *m,
		  brig_error_t **err);

/* The path of the first unix:path= address in a D-Bus address list,
 * unescaped (to free), or NULL (cg_dbus_open.c). */
char *sdb_address_path(const char *addr);

#endif
