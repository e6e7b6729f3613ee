/* brig — spec/ private: writing JSON with yajl_gen, shared by state.c
 * (state.json), default.c (`brig spec`) and features.c (`brig features`),
 * and spec_json_quote for JSON made by hand.
 *
 * Strings are written as valid UTF-8: invalid bytes become U+FFFD (as
 * Go's encoder does), since yajl would otherwise write JSON that no
 * parser, including ours, reads back. */
#include "gen.h"

#include <stdlib.h>
#include <string.h>

/* ---- UTF-8 ---------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at p (n bytes left), 0 when invalid
 * (bad lead byte, truncated, overlong, surrogate, above U+10FFFF). */
static size_t utf8_seq_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t len;
	uint32_t cp, min;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2; cp = c & 0x1f; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3; cp = c & 0x0f; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4; cp = c & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* A copy of s with every invalid byte replaced by U+FFFD, or NULL when s
 * is already valid (the common case: no allocation). */
static char *utf8_sanitize(const char *s, size_t len, size_t *out_len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, l;
	char *out, *o;

	while (i < len && (l = utf8_seq_len(p + i, len - i)) != 0)
		i += l;
	if (i == len)
		return NULL;

	o = out = xmalloc(len * 3 + 1); /* each bad byte grows to 3 bytes */
	for (i = 0; i < len;) {
		l = utf8_seq_len(p + i, len - i);
		if (l == 0) {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		} else {
			memcpy(o, p + i, l);
			o += l;
			i += l;
		}
	}
	*o = '\0';
	*out_len = (size_t)(o - out);
	return out;
}

/* ---- spec_json_quote --------------------------------------------------------- */

char *spec_json_quote(const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p;
	size_t len, i, l, cap;
	char *out, *o;

	if (!s)
		return xstrdup("null");
	len = strlen(s);
	p = (const unsigned char *)s;
	cap = len * 6 + 3; /* worst case: every byte as \u00XX, plus quotes */
	o = out = xmalloc(cap);
	*o++ = '"';
	for (i = 0; i < len;) {
		unsigned char c = p[i];
		if (c >= 0x80) {
			l = utf8_seq_len(p + i, len - i);
			if (l == 0) {
				memcpy(o, "\\ufffd", 6);
				o += 6;
				i++;
			} else {
				memcpy(o, p + i, l);
				o += l;
				i += l;
			}
			continue;
		}
		i++;
		switch (c) {
		case '"':  *o++ = '\\'; *o++ = '"'; break;
		case '\\': *o++ = '\\'; *o++ = '\\'; break;
		case '\b': *o++ = '\\'; *o++ = 'b'; break;
		case '\f': *o++ = '\\'; *o++ = 'f'; break;
		case '\n': *o++ = '\\'; *o++ = 'n'; break;
		case '\r': *o++ = '\\'; *o++ = 'r'; break;
		case '\t': *o++ = '\\'; *o++ = 't'; break;
		default:
			if (c < 0x20 || c == 0x7f) {
				memcpy(o, "\\u00", 4);
				o[4] = hex[c >> 4];
				o[5] = hex[c & 0xf];
				o += 6;
			} else {
				*o++ = (char)c;
			}
		}
	}
	*o++ = '"';
	*o = '\0';
	return out;
}

/* ---- yajl_gen helpers ------------------------------------------------------ */

yajl_gen gen_new(const char *indent)
{
	yajl_gen g = yajl_gen_alloc(NULL);

	if (!g)
		abort();
	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, indent);
	return g;
}

char *gen_finish(yajl_gen g)
{
	const unsigned char *buf;
	size_t len;
	char *out;

	if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
		abort(); /* only a bug in the caller's calls can get here */
	out = xmalloc(len + 1);
	memcpy(out, buf, len);
	out[len] = '\0';
	yajl_gen_free(g);
	return out;
}

void gen_str(yajl_gen g, const char *s)
{
	size_t len, clean_len = 0;
	cleanup_free char *clean = NULL;

	if (!s)
		s = "";
	len = strlen(s);
	clean = utf8_sanitize(s, len, &clean_len);
	if (clean)
		yajl_gen_string(g, (const unsigned char *)clean, clean_len);
	else
		yajl_gen_string(g, (const unsigned char *)s, len);
}

void gen_key(yajl_gen g, const char *k)
{
	yajl_gen_string(g, (const unsigned char *)k, strlen(k));
}

void gen_kv_str(yajl_gen g, const char *k, const char *v)
{
	gen_key(g, k);
	gen_str(g, v);
}

void gen_kv_int(yajl_gen g, const char *k, long long v)
{
	gen_key(g, k);
	yajl_gen_integer(g, v);
}

void gen_kv_bool(yajl_gen g, const char *k, bool v)
{
	gen_key(g, k);
	yajl_gen_bool(g, v);
}

void gen_kv_strv(yajl_gen g, const char *k, const char *const *list,
		 bool (*skip)(const char *))
{
	if (!list)
		return;
	gen_key(g, k);
	yajl_gen_array_open(g);
	for (; *list; list++)
		if (!skip || !skip(*list))
			gen_str(g, *list);
	yajl_gen_array_close(g);
}
