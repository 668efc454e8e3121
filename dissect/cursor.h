/* A bounds-checked reading cursor with a sticky error (after knot's wire_ctx).
 * Every read past the end returns 0 and sets `err`; parsers read a whole header
 * straight down and check `err` once.  Nothing here allocates or casts byte
 * pointers to wider types (misaligned loads are undefined behaviour). */
#ifndef ESPREKEY_CURSOR_H
#define ESPREKEY_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cursor {
	const uint8_t *pos;
	const uint8_t *end;
	bool err;
};

static inline struct cursor cur_init(const void *data, size_t len)
{
	const uint8_t *p = data;
	return (struct cursor){ .pos = p, .end = p + len, .err = false };
}

static inline size_t cur_left(const struct cursor *c)
{
	return c->err ? 0 : (size_t)(c->end - c->pos);
}

static inline bool cur_need(struct cursor *c, size_t n)
{
	if (c->err || (size_t)(c->end - c->pos) < n) {
		c->err = true;
		return false;
	}
	return true;
}

static inline uint8_t cur_u8(struct cursor *c)
{
	if (!cur_need(c, 1))
		return 0;
	return *c->pos++;
}

static inline uint16_t cur_u16(struct cursor *c)
{
	if (!cur_need(c, 2))
		return 0;
	uint16_t v = (uint16_t)(c->pos[0] << 8 | c->pos[1]);
	c->pos += 2;
	return v;
}

static inline uint16_t cur_u16le(struct cursor *c)
{
	if (!cur_need(c, 2))
		return 0;
	uint16_t v = (uint16_t)(c->pos[1] << 8 | c->pos[0]);
	c->pos += 2;
	return v;
}

static inline uint32_t cur_u32(struct cursor *c)
{
	if (!cur_need(c, 4))
		return 0;
	uint32_t v = (uint32_t)c->pos[0] << 24 | (uint32_t)c->pos[1] << 16 |
		     (uint32_t)c->pos[2] << 8 | c->pos[3];
	c->pos += 4;
	return v;
}

static inline uint32_t cur_u32le(struct cursor *c)
{
	if (!cur_need(c, 4))
		return 0;
	uint32_t v = (uint32_t)c->pos[3] << 24 | (uint32_t)c->pos[2] << 16 |
		     (uint32_t)c->pos[1] << 8 | c->pos[0];
	c->pos += 4;
	return v;
}

static inline uint64_t cur_u64(struct cursor *c)
{
	uint64_t hi = cur_u32(c);
	return hi << 32 | cur_u32(c);
}

/* Returns a pointer to the next n bytes and consumes them, or NULL. */
static inline const uint8_t *cur_take(struct cursor *c, size_t n)
{
	if (!cur_need(c, n))
		return NULL;
	const uint8_t *p = c->pos;
	c->pos += n;
	return p;
}

static inline void cur_skip(struct cursor *c, size_t n)
{
	(void)cur_take(c, n);
}

static inline bool cur_copy(struct cursor *c, void *dst, size_t n)
{
	const uint8_t *p = cur_take(c, n);
	if (p)
		memcpy(dst, p, n);
	return p != NULL;
}

/* A sub-cursor over the next n bytes (ISAKMP payloads, L2TP AVPs, ...): the
 * parent moves past them; a short parent yields an errored, empty child. */
static inline struct cursor cur_sub(struct cursor *c, size_t n)
{
	const uint8_t *p = cur_take(c, n);
	if (!p)
		return (struct cursor){ .pos = c->end, .end = c->end, .err = true };
	return cur_init(p, n);
}

/* Reads from the end, for trailers such as ESP's ICV, pad length and next header. */
static inline const uint8_t *cur_take_tail(struct cursor *c, size_t n)
{
	if (!cur_need(c, n))
		return NULL;
	c->end -= n;
	return c->end;
}

static inline uint8_t cur_tail_u8(struct cursor *c)
{
	const uint8_t *p = cur_take_tail(c, 1);
	return p ? *p : 0;
}

#endif
