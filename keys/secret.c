#include "keys/secret.h"

#include <string.h>

bool ct_memeq(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a, *y = b;
	uint8_t d = 0;
	for (size_t i = 0; i < n; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

void secret_wipe(void *p, size_t n)
{
	if (!p)
		return;
	volatile uint8_t *v = p;
	while (n--)
		*v++ = 0;
}

static int xdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

enum hex_status hex_decode(const char *s, size_t n, bool odd_ok, uint8_t *out, size_t max,
			   size_t *out_len, size_t *pos)
{
	size_t i = 0, o = 0;
	*out_len = 0;
	if (n % 2 && !odd_ok)
		return HEX_ODD;
	if ((n + 1) / 2 > max)
		return HEX_TOO_LONG;
	if (n % 2) {
		int d = xdigit(s[0]);
		if (d < 0) {
			*pos = 0;
			return HEX_BAD_DIGIT;
		}
		out[o++] = (uint8_t)d;
		i = 1;
	}
	for (; i < n; i += 2) {
		int hi = xdigit(s[i]), lo = xdigit(s[i + 1]);
		if (hi < 0 || lo < 0) {
			*pos = hi < 0 ? i : i + 1;
			secret_wipe(out, o);
			return HEX_BAD_DIGIT;
		}
		out[o++] = (uint8_t)(hi << 4 | lo);
	}
	*out_len = o;
	return HEX_OK;
}

bool hex_decode_spaced(const char *s, uint8_t *out, size_t max, size_t *out_len)
{
	const char *p = s;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return true;
		int hi = xdigit(p[0]);
		int lo = hi < 0 ? -1 : xdigit(p[1]);
		if (hi < 0 || lo < 0)
			return false;
		if (p[2] && p[2] != ' ' && p[2] != '\t')
			return false;
		if (*out_len >= max)
			return false;
		out[(*out_len)++] = (uint8_t)(hi << 4 | lo);
		p += 2;
	}
}
