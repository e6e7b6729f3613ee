/* brig — spec/: JSON text to yajl tree, with errors that say where.
 *
 * yajl_tree_parse() neither reports an offset nor bounds its recursion
 * and it accepts comments, so the text is first run through a streaming
 * yajl parser in strict mode that tracks nesting depth and rejects
 * strings holding NUL characters (which the tree would silently cut).
 * Only a document that passes is handed to yajl_tree_parse().
 */
#include "json.h"

#include <string.h>
#include <yajl/yajl_parse.h>

enum check_fail { CHECK_OK, CHECK_DEPTH, CHECK_NUL, CHECK_UTF8 };

struct check {
	int depth;
	enum check_fail fail;
};

static int on_open(void *ctx)
{
	struct check *k = ctx;
	if (++k->depth > J_MAX_DEPTH) {
		k->fail = CHECK_DEPTH;
		return 0;
	}
	return 1;
}

static int on_close(void *ctx)
{
	struct check *k = ctx;
	k->depth--;
	return 1;
}

/* Strict UTF-8 (RFC 3629): yajl's own check lets overlong forms, encoded
 * surrogates and code points above U+10FFFF through, and decodes a lone
 * "\udc00" escape into such a surrogate. */
static bool utf8_valid(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		size_t n;
		uint32_t cp, min;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2, cp = c & 0x0f, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return false;
		}
		if (len - i - 1 < n)
			return false;
		for (size_t j = 1; j <= n; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
	struct check *k = ctx;
	if (memchr(s, '\0', len)) {
		k->fail = CHECK_NUL;
		return 0;
	}
	if (!utf8_valid(s, len)) {
		k->fail = CHECK_UTF8;
		return 0;
	}
	return 1;
}

static const yajl_callbacks check_callbacks = {
	.yajl_string = on_string,
	.yajl_start_map = on_open,
	.yajl_map_key = on_string,
	.yajl_end_map = on_close,
	.yajl_start_array = on_open,
	.yajl_end_array = on_close,
};

/* 1-based line and column of byte `off` (a column counts bytes). */
static void line_col(const char *s, size_t len, size_t off, size_t *line,
		     size_t *col)
{
	size_t l = 1, start = 0;
	if (off > len)
		off = len;
	for (size_t i = 0; i < off; i++) {
		if (s[i] == '\n') {
			l++;
			start = i + 1;
		}
	}
	*line = l;
	*col = off - start + 1;
}

static bool all_space(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!strchr(" \t\r\n", s[i]))
			return false;
	return true;
}

/* Strict streaming check; 0 when the text is one valid JSON value. */
static int check_text(const char *json, size_t len, const char *name,
		      brig_error_t **err)
{
	struct check k = { 0, CHECK_OK };
	yajl_handle h = yajl_alloc(&check_callbacks, NULL, &k);
	yajl_status st;
	size_t off, line, col;
	char *reason;

	if (!h)
		abort();
	st = yajl_parse(h, (const unsigned char *)json, len);
	if (st == yajl_status_ok) {
		st = yajl_complete_parse(h);
		off = len; /* premature end: point just past the text */
	} else {
		size_t used = yajl_get_bytes_consumed(h);
		off = used ? used - 1 : 0; /* the byte that stopped it */
	}
	if (st == yajl_status_ok) {
		yajl_free(h);
		return 0;
	}
	line_col(json, len, off, &line, &col);
	if (k.fail == CHECK_DEPTH) {
		reason = xasprintf("nested deeper than %d levels", J_MAX_DEPTH);
	} else if (k.fail == CHECK_NUL) {
		reason = xstrdup("string contains a NUL character");
	} else if (k.fail == CHECK_UTF8) {
		reason = xstrdup("string is not valid UTF-8");
	} else {
		unsigned char *e = yajl_get_error(h, 0, NULL, 0);
		reason = xstrdup(e ? (char *)e : "parse error");
		if (e)
			yajl_free_error(h, e);
		reason[strcspn(reason, "\n")] = '\0';
	}
	yajl_free(h);
	brig_err(err, 0, "%s: invalid JSON at line %zu, column %zu: %s", name,
		 line, col, reason);
	free(reason);
	return -1;
}

yajl_val j_parse(const char *json, size_t len, const char *name,
		 brig_error_t **err)
{
	char errbuf[256] = "";
	char *copy;
	yajl_val tree;

	if (json == NULL || all_space(json, len)) {
		brig_err(err, 0, "%s: empty document (expected a JSON object)",
			 name);
		return NULL;
	}
	if (check_text(json, len, name, err) < 0)
		return NULL;
	/* yajl_tree_parse wants a NUL-terminated string; the check above
	 * guarantees there is no NUL byte inside the text. */
	copy = xmalloc(len + 1);
	memcpy(copy, json, len);
	copy[len] = '\0';
	tree = yajl_tree_parse(copy, errbuf, sizeof(errbuf));
	free(copy);
	if (!tree) {
		errbuf[strcspn(errbuf, "\n")] = '\0';
		brig_err(err, 0, "%s: invalid JSON: %s", name,
			 errbuf[0] ? errbuf : "parse error");
		return NULL;
	}
	if (!YAJL_IS_OBJECT(tree)) {
		yajl_tree_free(tree);
		brig_err(err, 0, "%s: expected a JSON object at the top level",
			 name);
		return NULL;
	}
	return tree;
}
