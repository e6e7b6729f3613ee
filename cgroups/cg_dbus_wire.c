/* brig — cgroups/cg_dbus_wire.c: marshalling of D-Bus messages (the
 * "Message Protocol" of the D-Bus specification) and the property lists
 * of cg_dbus.h.  No I/O here: cg_dbus.c moves the bytes.
 *
 * Every read checks its bounds against the message it reads: a peer's
 * lengths, offsets and signatures are never trusted.
 */
#include "cgroups/cg_dbus_wire.h"

#include <endian.h>
#include <string.h>

/* ---- property lists ------------------------------------------------------ */

static void prop_clear(struct sdb_prop *p)
{
	switch (p->type) {
	case SDB_T_STRING:
		free(p->str);
		break;
	case SDB_T_BYTES:
		free(p->bytes);
		break;
	case SDB_T_UINT32S:
		free(p->u32s);
		break;
	case SDB_T_STRINGS:
	case SDB_T_PAIRS: {
		size_t n = p->type == SDB_T_PAIRS ? 2 * p->n_strs : p->n_strs;

		for (size_t i = 0; i < n; i++)
			free(p->strs[i]);
		free(p->strs);
		break;
	}
	default:
		break;
	}
	{
		char *name = p->name;
		enum sdb_type t = p->type;

		memset(p, 0, sizeof(*p));
		p->name = name;
		p->type = t;
	}
}

void sdb_props_free(struct sdb_props *l)
{
	for (size_t i = 0; i < l->n; i++) {
		prop_clear(&l->p[i]);
		free(l->p[i].name);
	}
	free(l->p);
	l->p = NULL;
	l->n = 0;
}

const struct sdb_prop *sdb_props_find(const struct sdb_props *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->p[i].name, name) == 0)
			return &l->p[i];
	return NULL;
}

struct sdb_prop *sdb_props_add(struct sdb_props *l, const char *name, enum sdb_type t)
{
	struct sdb_prop *p = (struct sdb_prop *)sdb_props_find(l, name);

	if (p) {
		prop_clear(p);
	} else {
		l->p = xrealloc(l->p, (l->n + 1) * sizeof(*l->p));
		p = &l->p[l->n++];
		memset(p, 0, sizeof(*p));
		p->name = xstrdup(name);
	}
	p->type = t;
	return p;
}

void sdb_props_str(struct sdb_props *l, const char *name, const char *v)
{
	sdb_props_add(l, name, SDB_T_STRING)->str = xstrdup(v);
}

void sdb_props_bool(struct sdb_props *l, const char *name, bool v)
{
	sdb_props_add(l, name, SDB_T_BOOL)->b = v;
}

void sdb_props_u64(struct sdb_props *l, const char *name, uint64_t v)
{
	sdb_props_add(l, name, SDB_T_UINT64)->u = v;
}

void sdb_props_u32s(struct sdb_props *l, const char *name, const uint32_t *v, size_t n)
{
	struct sdb_prop *p = sdb_props_add(l, name, SDB_T_UINT32S);

	p->u32s = xcalloc(n ? n : 1, sizeof(*v));
	if (n)
		memcpy(p->u32s, v, n * sizeof(*v));
	p->n_u32s = n;
}

void sdb_props_bytes(struct sdb_props *l, const char *name, const uint8_t *v, size_t n)
{
	struct sdb_prop *p = sdb_props_add(l, name, SDB_T_BYTES);

	p->bytes = xmalloc(n ? n : 1);
	if (n)
		memcpy(p->bytes, v, n);
	p->n_bytes = n;
}

static char **strs_dup(char *const *v, size_t n)
{
	char **out = xcalloc(n ? n : 1, sizeof(*out));

	for (size_t i = 0; i < n; i++)
		out[i] = xstrdup(v[i]);
	return out;
}

void sdb_props_pairs(struct sdb_props *l, const char *name, char *const *pairs, size_t n)
{
	struct sdb_prop *p = sdb_props_add(l, name, SDB_T_PAIRS);

	p->strs = strs_dup(pairs, 2 * n);
	p->n_strs = n;
}

void sdb_props_strs(struct sdb_props *l, const char *name, char *const *v, size_t n)
{
	struct sdb_prop *p = sdb_props_add(l, name, SDB_T_STRINGS);

	p->strs = strs_dup(v, n);
	p->n_strs = n;
}

/* ---- writing ------------------------------------------------------------- */

void sdb_buf_free(struct sdb_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void sdb_put_bytes(struct sdb_buf *b, const void *p, size_t n)
{
	if (n == 0)
		return; /* b->p may still be NULL */
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

void sdb_align(struct sdb_buf *b, size_t a)
{
	static const uint8_t zeros[8];

	sdb_put_bytes(b, zeros, (a - b->len % a) % a);
}

void sdb_put_u8(struct sdb_buf *b, uint8_t v)
{
	sdb_put_bytes(b, &v, 1);
}

void sdb_put_u16(struct sdb_buf *b, uint16_t v)
{
	sdb_align(b, 2);
	v = htole16(v);
	sdb_put_bytes(b, &v, 2);
}

void sdb_put_u32(struct sdb_buf *b, uint32_t v)
{
	sdb_align(b, 4);
	v = htole32(v);
	sdb_put_bytes(b, &v, 4);
}

void sdb_put_u64(struct sdb_buf *b, uint64_t v)
{
	sdb_align(b, 8);
	v = htole64(v);
	sdb_put_bytes(b, &v, 8);
}

void sdb_put_str(struct sdb_buf *b, const char *s)
{
	size_t n = strlen(s);

	sdb_put_u32(b, (uint32_t)n);
	sdb_put_bytes(b, s, n + 1);
}

void sdb_put_sig(struct sdb_buf *b, const char *s)
{
	size_t n = strlen(s);

	sdb_put_u8(b, (uint8_t)n);
	sdb_put_bytes(b, s, n + 1);
}

size_t sdb_array_begin(struct sdb_buf *b, size_t elem_align, size_t *start)
{
	size_t at;

	sdb_put_u32(b, 0);
	at = b->len - 4;
	/* the padding to the first element is there even when there is none */
	sdb_align(b, elem_align);
	*start = b->len;
	return at;
}

void sdb_array_end(struct sdb_buf *b, size_t len_at, size_t start)
{
	uint32_t n = htole32((uint32_t)(b->len - start));

	memcpy(b->p + len_at, &n, 4);
}

static const char *const type_sig[] = {
	[SDB_T_STRING] = "s", [SDB_T_BOOL] = "b", [SDB_T_BYTE] = "y",
	[SDB_T_INT16] = "n", [SDB_T_UINT16] = "q", [SDB_T_INT32] = "i",
	[SDB_T_UINT32] = "u", [SDB_T_INT64] = "x", [SDB_T_UINT64] = "t",
	[SDB_T_DOUBLE] = "d", [SDB_T_BYTES] = "ay", [SDB_T_UINT32S] = "au",
	[SDB_T_STRINGS] = "as", [SDB_T_PAIRS] = "a(ss)",
};

static void put_prop_value(struct sdb_buf *b, const struct sdb_prop *p)
{
	size_t at, start;
	uint64_t bits;

	switch (p->type) {
	case SDB_T_STRING: sdb_put_str(b, p->str); break;
	case SDB_T_BOOL: sdb_put_u32(b, p->b ? 1 : 0); break;
	case SDB_T_BYTE: sdb_put_u8(b, (uint8_t)p->u); break;
	case SDB_T_INT16: sdb_put_u16(b, (uint16_t)p->i); break;
	case SDB_T_UINT16: sdb_put_u16(b, (uint16_t)p->u); break;
	case SDB_T_INT32: sdb_put_u32(b, (uint32_t)p->i); break;
	case SDB_T_UINT32: sdb_put_u32(b, (uint32_t)p->u); break;
	case SDB_T_INT64: sdb_put_u64(b, (uint64_t)p->i); break;
	case SDB_T_UINT64: sdb_put_u64(b, p->u); break;
	case SDB_T_DOUBLE:
		memcpy(&bits, &p->d, 8);
		sdb_put_u64(b, bits);
		break;
	case SDB_T_BYTES:
		at = sdb_array_begin(b, 1, &start);
		sdb_put_bytes(b, p->bytes, p->n_bytes);
		sdb_array_end(b, at, start);
		break;
	case SDB_T_UINT32S:
		at = sdb_array_begin(b, 4, &start);
		for (size_t i = 0; i < p->n_u32s; i++)
			sdb_put_u32(b, p->u32s[i]);
		sdb_array_end(b, at, start);
		break;
	case SDB_T_STRINGS:
		at = sdb_array_begin(b, 4, &start);
		for (size_t i = 0; i < p->n_strs; i++)
			sdb_put_str(b, p->strs[i]);
		sdb_array_end(b, at, start);
		break;
	case SDB_T_PAIRS:
		at = sdb_array_begin(b, 8, &start);
		for (size_t i = 0; i < p->n_strs; i++) {
			sdb_align(b, 8);
			sdb_put_str(b, p->strs[2 * i]);
			sdb_put_str(b, p->strs[2 * i + 1]);
		}
		sdb_array_end(b, at, start);
		break;
	}
}

void sdb_put_props(struct sdb_buf *b, const struct sdb_props *props)
{
	size_t start, at = sdb_array_begin(b, 8, &start);

	for (size_t i = 0; props && i < props->n; i++) {
		sdb_align(b, 8); /* each (sv) struct */
		sdb_put_str(b, props->p[i].name);
		sdb_put_sig(b, type_sig[props->p[i].type]);
		put_prop_value(b, &props->p[i]);
	}
	sdb_array_end(b, at, start);
}

static void put_field_str(struct sdb_buf *b, uint8_t code, const char *sig, const char *v)
{
	if (!v)
		return;
	sdb_align(b, 8);
	sdb_put_u8(b, code);
	sdb_put_sig(b, sig);
	if (sig[0] == 'g')
		sdb_put_sig(b, v);
	else
		sdb_put_str(b, v);
}

void sdb_msg_build(struct sdb_buf *out, const struct sdb_hdr *h,
		   const struct sdb_buf *body)
{
	size_t body_len = body ? body->len : 0, at, start;

	out->len = 0;
	sdb_put_u8(out, 'l');
	sdb_put_u8(out, h->type);
	sdb_put_u8(out, h->flags);
	sdb_put_u8(out, 1); /* protocol version */
	sdb_put_u32(out, (uint32_t)body_len);
	sdb_put_u32(out, h->serial);
	at = sdb_array_begin(out, 8, &start);
	put_field_str(out, SDB_F_PATH, "o", h->path);
	put_field_str(out, SDB_F_INTERFACE, "s", h->iface);
	put_field_str(out, SDB_F_MEMBER, "s", h->member);
	put_field_str(out, SDB_F_ERROR_NAME, "s", h->error_name);
	if (h->reply_serial) {
		sdb_align(out, 8);
		sdb_put_u8(out, SDB_F_REPLY_SERIAL);
		sdb_put_sig(out, "u");
		sdb_put_u32(out, h->reply_serial);
	}
	put_field_str(out, SDB_F_DESTINATION, "s", h->dest);
	put_field_str(out, SDB_F_SENDER, "s", h->sender);
	if (h->sig && h->sig[0])
		put_field_str(out, SDB_F_SIGNATURE, "g", h->sig);
	sdb_array_end(out, at, start);
	sdb_align(out, 8); /* the body starts 8-aligned */
	if (body_len)
		sdb_put_bytes(out, body->p, body_len);
}

/* ---- reading ------------------------------------------------------------- */

int sdb_rd_align(struct sdb_rd *r, size_t a)
{
	size_t pad = (a - r->pos % a) % a;

	if (pad > r->len - r->pos)
		return -1;
	r->pos += pad;
	return 0;
}

static int rd_fixed(struct sdb_rd *r, size_t n, void *v)
{
	if (sdb_rd_align(r, n) < 0 || n > r->len - r->pos)
		return -1;
	memcpy(v, r->p + r->pos, n);
	r->pos += n;
	return 0;
}

int sdb_rd_u8(struct sdb_rd *r, uint8_t *v)
{
	return rd_fixed(r, 1, v);
}

int sdb_rd_u32(struct sdb_rd *r, uint32_t *v)
{
	if (rd_fixed(r, 4, v) < 0)
		return -1;
	*v = r->be ? be32toh(*v) : le32toh(*v);
	return 0;
}

/* n bytes and a NUL, none inside */
static int rd_chars(struct sdb_rd *r, size_t n, const char **s)
{
	const char *p = (const char *)r->p + r->pos;

	if (n >= r->len - r->pos || p[n] != '\0' || memchr(p, '\0', n))
		return -1;
	*s = p;
	r->pos += n + 1;
	return 0;
}

int sdb_rd_str(struct sdb_rd *r, const char **s)
{
	uint32_t n;

	if (sdb_rd_u32(r, &n) < 0)
		return -1;
	return rd_chars(r, n, s);
}

int sdb_rd_sig(struct sdb_rd *r, const char **s)
{
	uint8_t n;

	if (sdb_rd_u8(r, &n) < 0)
		return -1;
	return rd_chars(r, n, s);
}

static size_t type_align(char c)
{
	switch (c) {
	case 'y': case 'g': case 'v': return 1;
	case 'n': case 'q': return 2;
	case 'x': case 't': case 'd': case '(': case '{': return 8;
	default: return 4; /* b i u h s o a */
	}
}

/* Advance *sig past one complete type, reading nothing. */
static int sig_next(const char **sig, int depth)
{
	char c = **sig;

	if (depth > SDB_MAX_DEPTH || c == '\0')
		return -1;
	(*sig)++;
	if (c == 'a')
		return sig_next(sig, depth + 1);
	if (c == '(' || c == '{') {
		char close = c == '(' ? ')' : '}';

		while (**sig != close)
			if (sig_next(sig, depth + 1) < 0)
				return -1;
		(*sig)++;
		return 0;
	}
	return strchr("ybnqiuxtdhsogv", c) ? 0 : -1;
}

static int skip_array(struct sdb_rd *r, const char **sig, int depth)
{
	const char *elem = *sig;
	uint32_t n;

	if (sdb_rd_u32(r, &n) < 0 || sdb_rd_align(r, type_align(*elem)) < 0 ||
	    n > r->len - r->pos || sig_next(sig, depth + 1) < 0)
		return -1;
	r->pos += n; /* the elements are not looked at */
	return 0;
}

int sdb_rd_skip(struct sdb_rd *r, const char **sig, int depth)
{
	const char *s;
	char c = **sig;
	uint8_t fixed[8];

	if (depth > SDB_MAX_DEPTH || c == '\0')
		return -1;
	(*sig)++;
	switch (c) {
	case 'y': return rd_fixed(r, 1, fixed);
	case 'n': case 'q': return rd_fixed(r, 2, fixed);
	case 'b': case 'i': case 'u': case 'h': return rd_fixed(r, 4, fixed);
	case 'x': case 't': case 'd': return rd_fixed(r, 8, fixed);
	case 's': case 'o': return sdb_rd_str(r, &s);
	case 'g': return sdb_rd_sig(r, &s);
	case 'a': return skip_array(r, sig, depth);
	case 'v':
		if (sdb_rd_sig(r, &s) < 0 || sdb_rd_skip(r, &s, depth + 1) < 0)
			return -1;
		return *s == '\0' ? 0 : -1; /* one complete type exactly */
	case '(':
	case '{': {
		char close = c == '(' ? ')' : '}';

		if (sdb_rd_align(r, 8) < 0)
			return -1;
		while (**sig != close)
			if (sdb_rd_skip(r, sig, depth + 1) < 0)
				return -1;
		(*sig)++;
		return 0;
	}
	default:
		return -1;
	}
}

int sdb_msg_size(const uint8_t hdr[16], size_t *total, brig_error_t **err)
{
	struct sdb_rd r = { hdr, 16, 4, hdr[0] == 'B' };
	uint32_t body_len, fields_len;
	uint64_t n;

	if ((hdr[0] != 'l' && hdr[0] != 'B') || hdr[3] != 1)
		return brig_err(err, 0, "D-Bus: not a message of protocol version 1");
	sdb_rd_u32(&r, &body_len);
	r.pos = 12;
	sdb_rd_u32(&r, &fields_len);
	n = 16 + (uint64_t)fields_len;
	n = (n + 7) / 8 * 8 + body_len;
	if (n > SDB_MAX_MSG)
		return brig_err(err, 0, "D-Bus: a message of %llu bytes (limit %u)",
				(unsigned long long)n, SDB_MAX_MSG);
	*total = (size_t)n;
	return 0;
}

/* The value of one header field, when its signature is the one the
 * specification gives it; other fields are skipped. */
static int rd_field(struct sdb_rd *r, uint8_t code, const char *sig, struct sdb_hdr *h)
{
	static const char *const want[] = {
		[SDB_F_PATH] = "o", [SDB_F_INTERFACE] = "s", [SDB_F_MEMBER] = "s",
		[SDB_F_ERROR_NAME] = "s", [SDB_F_REPLY_SERIAL] = "u",
		[SDB_F_DESTINATION] = "s", [SDB_F_SENDER] = "s",
		[SDB_F_SIGNATURE] = "g",
	};
	const char **slot[] = {
		[SDB_F_PATH] = &h->path, [SDB_F_INTERFACE] = &h->iface,
		[SDB_F_MEMBER] = &h->member, [SDB_F_ERROR_NAME] = &h->error_name,
		[SDB_F_DESTINATION] = &h->dest, [SDB_F_SENDER] = &h->sender,
		[SDB_F_SIGNATURE] = &h->sig,
	};
	const char *s = sig;

	if (code == 0 || code >= ARRAY_SIZE(want)) {
		if (sdb_rd_skip(r, &s, 1) < 0 || *s)
			return -1;
		return 0;
	}
	if (strcmp(sig, want[code]) != 0)
		return -1; /* a known field of the wrong type: not a valid message */
	if (code == SDB_F_REPLY_SERIAL)
		return sdb_rd_u32(r, &h->reply_serial);
	if (code == SDB_F_SIGNATURE)
		return sdb_rd_sig(r, slot[code]);
	return sdb_rd_str(r, slot[code]);
}

static int bad_msg(brig_error_t **err, const char *what)
{
	return brig_err(err, 0, "D-Bus: malformed message: %s", what);
}

static int check_required(const struct sdb_hdr *h, brig_error_t **err)
{
	switch (h->type) {
	case SDB_METHOD_CALL:
		if (!h->path || !h->member)
			return bad_msg(err, "a call without a path or member");
		break;
	case SDB_METHOD_RETURN:
		if (!h->reply_serial)
			return bad_msg(err, "a reply without a reply serial");
		break;
	case SDB_ERROR:
		if (!h->reply_serial || !h->error_name)
			return bad_msg(err, "an error without a name or reply serial");
		break;
	case SDB_SIGNAL:
		if (!h->path || !h->iface || !h->member)
			return bad_msg(err, "a signal without a path, interface or member");
		break;
	}
	return 0;
}

int sdb_msg_parse(const uint8_t *p, size_t len, struct sdb_msg *m,
		  brig_error_t **err)
{
	struct sdb_rd r = { p, len, 0, len > 0 && p[0] == 'B' };
	uint32_t body_len, fields_len;
	size_t total, end;

	memset(m, 0, sizeof(*m));
	if (len < 16 || sdb_msg_size(p, &total, err) < 0)
		return len < 16 ? bad_msg(err, "shorter than a header") : -1;
	if (total != len)
		return bad_msg(err, "its length is not its header's");
	m->h.type = p[1];
	m->h.flags = p[2];
	r.pos = 4;
	sdb_rd_u32(&r, &body_len);
	sdb_rd_u32(&r, &m->h.serial);
	sdb_rd_u32(&r, &fields_len);
	if (m->h.serial == 0)
		return bad_msg(err, "serial 0");
	end = 16 + (size_t)fields_len; /* within len: sdb_msg_size said so */
	r.len = end;
	while (r.pos < end) {
		uint8_t code;
		const char *sig;

		if (sdb_rd_align(&r, 8) < 0 || sdb_rd_u8(&r, &code) < 0 ||
		    sdb_rd_sig(&r, &sig) < 0 || rd_field(&r, code, sig, &m->h) < 0)
			return bad_msg(err, "a header field");
	}
	if (check_required(&m->h, err) < 0)
		return -1;
	if (!m->h.sig)
		m->h.sig = "";
	m->body.p = p + (end + 7) / 8 * 8;
	m->body.len = body_len;
	m->body.be = r.be;
	return 0;
}
