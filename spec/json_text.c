/* brig — spec/: JSON text to yajl tree, with errors that say where.
 *
 * One pass of yajl's streaming parser in strict mode (no comments) builds
 * the tree itself, as struct yajl_val_s nodes, so that the getters of
 * json.c and the yajl_tree.h macros work on it, while it tracks nesting
 * depth and rejects strings holding NUL characters or invalid UTF-8, and
 * reports where the text went wrong (yajl_tree_parse() does none of it).
 *
 * Nodes and strings come from an arena that j_free() releases at once: no
 * malloc per node.  A large document's chunks are mapped, so its pages go
 * back to the kernel (and out of the caller's memory cgroup) the moment
 * the tree is done with, instead of staying in the heap under what is
 * allocated after them; a small one's are malloc'd (see SMALL_TREE).
 * The tree of a 15 KB seccomp profile takes about a third of the memory
 * yajl_tree_parse() takes for it.
 */
#include "json.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <yajl/yajl_parse.h>

enum check_fail { CHECK_OK, CHECK_DEPTH, CHECK_NUL, CHECK_UTF8 };

/* ---- arena -------------------------------------------------------------- */

#define ARENA_MAGIC 0x4a415245u /* "JARE" */
#define CHUNK_MIN (64 * 1024)
/* A document whose tree fits in this comes from malloc: mapping and
 * unmapping a chunk per small document (every state.json of a `list`,
 * from several threads: each munmap is a TLB shootdown on the others)
 * costs more than it gives back. */
#define SMALL_TREE (16 * 1024)

struct chunk {
	struct chunk *next;
	size_t size, used;
	bool mapped;
};

/* The first chunk starts with this header; the root node follows it, so
 * j_free() finds the arena from the tree it was given. */
struct arena {
	struct chunk first;
	unsigned magic;
	struct chunk *cur;
};

#define ALIGN8(n) (((n) + 7) & ~(size_t)7)
#define ROOT_OFF ALIGN8(sizeof(struct arena))

/* A chunk for `need` bytes, of at least `min`: mapped when large. */
static struct chunk *chunk_new(size_t need, size_t min)
{
	size_t size = need + ALIGN8(sizeof(struct arena));
	struct chunk *k;

	if (min <= SMALL_TREE && size <= SMALL_TREE) {
		size = size < min ? min : size;
		k = xmalloc(size);
		k->mapped = false;
	} else {
		size = size > min ? (size + 4095) & ~(size_t)4095 : min;
		k = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
		if (k == MAP_FAILED)
			abort(); /* as xmalloc does */
		k->mapped = true;
	}
	k->next = NULL;
	k->size = size;
	k->used = ROOT_OFF;
	return k;
}

/* For a document of len bytes: its tree takes about four times that
 * (more for many short values: then more chunks). */
static struct arena *arena_new(size_t len)
{
	size_t min = 4 * len + 1024 <= SMALL_TREE ? 4 * len + 1024 : CHUNK_MIN;
	struct arena *a = (struct arena *)chunk_new(0, min);
	a->magic = ARENA_MAGIC;
	a->cur = &a->first;
	return a;
}

static void *arena_alloc(struct arena *a, size_t n)
{
	struct chunk *k = a->cur;
	void *p;

	n = ALIGN8(n);
	if (k->size - k->used < n) {
		k = chunk_new(n, a->first.mapped ? CHUNK_MIN : SMALL_TREE);
		a->cur->next = k;
		a->cur = k;
	}
	p = (char *)k + k->used;
	k->used += n;
	return p;
}

static void arena_free(struct arena *a)
{
	struct chunk *k = &a->first;

	while (k) {
		struct chunk *next = k->next;
		if (k->mapped)
			munmap(k, k->size);
		else
			free(k);
		k = next;
	}
}

void j_free(yajl_val tree)
{
	struct arena *a;

	if (tree == NULL)
		return;
	a = (struct arena *)((char *)tree - ROOT_OFF);
	if (a->magic != ARENA_MAGIC)
		abort();
	arena_free(a);
}

/* ---- building ------------------------------------------------------------ */

/* An open object or array: its node, where its members start on the
 * member stack, and (for an object) the key its next member goes under. */
struct frame {
	yajl_val node;
	size_t base;
	const char *key;    /* pending key in this object */
	const char *as_key; /* the key this container goes under in its parent */
};

struct member {
	const char *key;
	yajl_val val;
};

struct build {
	int depth;
	enum check_fail fail;
	yajl_handle h;
	struct j_span *span; /* or NULL */
	int span_depth;      /* the span object's depth while it is open */
	struct arena *a;
	yajl_val root;
	struct frame frames[J_MAX_DEPTH + 1];
	struct member *st; /* members of the open containers */
	size_t n, cap;
};

static yajl_val node_new(struct build *b, yajl_type t)
{
	yajl_val v = arena_alloc(b->a, sizeof(*v));
	memset(v, 0, sizeof(*v));
	v->type = t;
	return v;
}

static char *str_copy(struct build *b, const unsigned char *s, size_t len)
{
	char *p = arena_alloc(b->a, len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* Inside a container nested in a shallow span object: nothing is built. */
static bool skipped(const struct build *b)
{
	return b->span_depth && b->span->shallow && b->depth > b->span_depth;
}

/* A finished value goes to the open container, or becomes the root. */
static void add(struct build *b, yajl_val v, const char *key)
{
	if (b->depth == 0) {
		b->root = v;
		return;
	}
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->st = xrealloc(b->st, b->cap * sizeof(*b->st));
	}
	b->st[b->n].key = key;
	b->st[b->n].val = v;
	b->n++;
}

/* The key a scalar or a new container goes under: the open object's
 * pending one, or none in an array. */
static const char *take_key(struct build *b)
{
	struct frame *f;
	const char *k;

	if (b->depth == 0)
		return NULL;
	f = &b->frames[b->depth];
	k = f->key;
	f->key = NULL;
	return k;
}

static int open_container(struct build *b, yajl_type t)
{
	yajl_val v;
	const char *k;

	if (b->depth + 1 > J_MAX_DEPTH) {
		b->fail = CHECK_DEPTH;
		return 0;
	}
	k = take_key(b);
	/* a container in a shallow span object is only counted */
	v = b->span_depth && b->span->shallow && b->depth >= b->span_depth ? NULL
									  : node_new(b, t);
	/* the object top.k1.k2 starts at its '{', just consumed (the top may
	 * be an array: then its members have no key) */
	if (b->span && b->depth == 2 && t == yajl_t_object && k &&
	    b->frames[2].as_key && strcmp(k, b->span->k2) == 0 &&
	    strcmp(b->frames[2].as_key, b->span->k1) == 0) {
		b->span->off = yajl_get_bytes_consumed(b->h) - 1;
		b->span_depth = 3;
	}
	b->depth++;
	b->frames[b->depth] = (struct frame){ v, b->n, NULL, k };
	return 1;
}

static int on_start_map(void *ctx) { return open_container(ctx, yajl_t_object); }
static int on_start_array(void *ctx) { return open_container(ctx, yajl_t_array); }

static int close_container(void *ctx)
{
	struct build *b = ctx;
	struct frame *f = &b->frames[b->depth];
	yajl_val v = f->node;
	size_t n = b->n - f->base;
	struct member *m = n ? b->st + f->base : NULL; /* st may be NULL */
	yajl_val *vals;

	if (v == NULL) { /* skipped */
		b->depth--;
		return 1;
	}
	vals = n ? arena_alloc(b->a, n * sizeof(*vals)) : NULL;

	for (size_t i = 0; i < n; i++)
		vals[i] = m[i].val;
	if (v->type == yajl_t_object) {
		const char **keys = n ? arena_alloc(b->a, n * sizeof(*keys)) : NULL;
		for (size_t i = 0; i < n; i++)
			keys[i] = m[i].key;
		v->u.object.keys = keys;
		v->u.object.values = vals;
		v->u.object.len = n;
	} else {
		v->u.array.values = vals;
		v->u.array.len = n;
	}
	b->n = f->base;
	if (b->span_depth == b->depth) {
		b->span->len = yajl_get_bytes_consumed(b->h) - b->span->off;
		b->span_depth = 0;
	}
	b->depth--;
	add(b, v, f->as_key);
	return 1;
}

static int on_null(void *ctx)
{
	struct build *b = ctx;
	if (skipped(b))
		return 1;
	add(b, node_new(b, yajl_t_null), take_key(b));
	return 1;
}

static int on_boolean(void *ctx, int yes)
{
	struct build *b = ctx;
	if (skipped(b))
		return 1;
	add(b, node_new(b, yes ? yajl_t_true : yajl_t_false), take_key(b));
	return 1;
}

/* As yajl's tree: the text in .r, and .i with YAJL_NUMBER_INT_VALID when
 * it is a plain integer that fits a long long (.d is not filled: nothing
 * in brig reads a fraction). */
static int on_number(void *ctx, const char *s, size_t len)
{
	struct build *b = ctx;
	yajl_val v;
	const char *p = s, *end = s + len;
	bool neg = false, ok = true;
	unsigned long long mag = 0;

	if (skipped(b))
		return 1;
	v = node_new(b, yajl_t_number);

	v->u.number.r = str_copy(b, (const unsigned char *)s, len);
	if (p < end && *p == '-') {
		neg = true;
		p++;
	}
	if (p == end)
		ok = false;
	for (; ok && p < end; p++) {
		if (*p < '0' || *p > '9' || mag > (ULLONG_MAX - 9) / 10)
			ok = false;
		else
			mag = mag * 10 + (unsigned)(*p - '0');
	}
	if (ok && mag <= (unsigned long long)LLONG_MAX) {
		v->u.number.i = neg ? -(long long)mag : (long long)mag;
		v->u.number.flags = YAJL_NUMBER_INT_VALID;
	}
	add(b, v, take_key(b));
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

static bool string_ok(struct build *b, const unsigned char *s, size_t len)
{
	if (memchr(s, '\0', len)) {
		b->fail = CHECK_NUL;
		return false;
	}
	if (!utf8_valid(s, len)) {
		b->fail = CHECK_UTF8;
		return false;
	}
	return true;
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
	struct build *b = ctx;
	yajl_val v;

	if (!string_ok(b, s, len))
		return 0;
	if (skipped(b))
		return 1;
	v = node_new(b, yajl_t_string);
	v->u.string = str_copy(b, s, len);
	add(b, v, take_key(b));
	return 1;
}

static int on_map_key(void *ctx, const unsigned char *s, size_t len)
{
	struct build *b = ctx;

	if (!string_ok(b, s, len))
		return 0;
	if (!skipped(b))
		b->frames[b->depth].key = str_copy(b, s, len);
	return 1;
}

static const yajl_callbacks build_callbacks = {
	.yajl_null = on_null,
	.yajl_boolean = on_boolean,
	.yajl_number = on_number,
	.yajl_string = on_string,
	.yajl_start_map = on_start_map,
	.yajl_map_key = on_map_key,
	.yajl_end_map = close_container,
	.yajl_start_array = on_start_array,
	.yajl_end_array = close_container,
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

yajl_val j_parse(const char *json, size_t len, const char *name,
		 brig_error_t **err)
{
	return j_parse_span(json, len, name, NULL, err);
}

yajl_val j_parse_span(const char *json, size_t len, const char *name,
		      struct j_span *span, brig_error_t **err)
{
	struct build b = { .span = span };
	yajl_handle h;
	yajl_status st;
	size_t off, line, col;
	char *reason;

	if (json == NULL || all_space(json, len)) {
		brig_err(err, 0, "%s: empty document (expected a JSON object)",
			 name);
		return NULL;
	}
	if (span)
		span->off = span->len = 0;
	b.a = arena_new(len);
	h = yajl_alloc(&build_callbacks, NULL, &b);
	if (!h)
		abort();
	b.h = h;
	st = yajl_parse(h, (const unsigned char *)json, len);
	if (st == yajl_status_ok) {
		st = yajl_complete_parse(h);
		off = len; /* premature end: point just past the text */
	} else {
		size_t used = yajl_get_bytes_consumed(h);
		off = used ? used - 1 : 0; /* the byte that stopped it */
	}
	free(b.st);
	if (st == yajl_status_ok) {
		yajl_free(h);
		/* the root is the arena's first node (see struct arena) */
		if (!YAJL_IS_OBJECT(b.root)) {
			j_free(b.root);
			brig_err(err, 0, "%s: expected a JSON object at the top level",
				 name);
			return NULL;
		}
		return b.root;
	}
	line_col(json, len, off, &line, &col);
	if (b.fail == CHECK_DEPTH) {
		reason = xasprintf("nested deeper than %d levels", J_MAX_DEPTH);
	} else if (b.fail == CHECK_NUL) {
		reason = xstrdup("string contains a NUL character");
	} else if (b.fail == CHECK_UTF8) {
		reason = xstrdup("string is not valid UTF-8");
	} else {
		unsigned char *e = yajl_get_error(h, 0, NULL, 0);
		reason = xstrdup(e ? (char *)e : "parse error");
		if (e)
			yajl_free_error(h, e);
		reason[strcspn(reason, "\n")] = '\0';
	}
	yajl_free(h);
	arena_free(b.a);
	brig_err(err, 0, "%s: invalid JSON at line %zu, column %zu: %s", name,
		 line, col, reason);
	free(reason);
	return NULL;
}
