/* Hashing the small fixed-size keys of the per-packet tables (SA, flow,
 * endpoint): four bytes at a time, keys zero-padded by their builders. */
#ifndef ESPREKEY_HASH_H
#define ESPREKEY_HASH_H

#include <glib.h>
#include <stdint.h>
#include <string.h>

static inline guint key_hash(const void *key, size_t n)
{
	const uint8_t *p = key;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
	size_t i = 0;
	for (; i + 4 <= n; i += 4) {
		uint32_t w;
		memcpy(&w, p + i, 4);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
	}
	for (; i < n; i++)
		h = (h ^ p[i]) * 0xc4ceb9fe1a85ec53ull;
	return (guint)(h ^ (h >> 32));
}

#endif
