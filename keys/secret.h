/* Small helpers for key material: constant-time comparison, wiping, and a
 * hex decoder whose errors never say which digit was wrong (only where). */
#ifndef ESPREKEY_SECRET_H
#define ESPREKEY_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* true when the n bytes are equal; the time depends only on n. */
bool ct_memeq(const void *a, const void *b, size_t n);

/* Overwrites n bytes with zeros in a way the compiler may not drop. */
void secret_wipe(void *p, size_t n);

enum hex_status {
	HEX_OK,
	HEX_BAD_DIGIT, /* *pos = offset of the first non-hex character */
	HEX_ODD,       /* odd number of digits where that is not allowed */
	HEX_TOO_LONG,  /* more bytes than the output buffer holds */
};

/* Decodes n hex digits (no prefix, no separators) into out (max bytes).
 * With odd_ok an odd count is read as if a leading 0 were there
 * (Wireshark's esp_sa "0x" keys). */
enum hex_status hex_decode(const char *s, size_t n, bool odd_ok, uint8_t *out, size_t max,
			   size_t *out_len, size_t *pos);

/* Decodes space-separated two-digit hex bytes ("a6 67 47 47"), appending to
 * out at *out_len.  Returns false on anything else (without saying what). */
bool hex_decode_spaced(const char *s, uint8_t *out, size_t max, size_t *out_len);

#endif
