/* Wireshark esp_sa UAT records, as Wireshark 4.x reads them
 * (epan/dissectors/packet-ipsec.c, keys-and-protocols.md §2.1):
 *
 *   "IPv4","198.51.100.1","192.0.2.10","0x9d477b6e","AES-CBC [RFC3602]","0x<key>",
 *   "HMAC-SHA-1-96 [RFC2404]","0x<key>"[,"32-bit"|"64-bit","<ESN high, hex>"]
 *
 * Addresses: "*", IPv4 with "*" octets, IPv6 with "*" nibbles, optional
 * "/prefix".  SPI: "*", "0x1234****" (wildcard digits in the 0x%08x form), or
 * anything strtoul(s, NULL, 0) reads (hex with 0x, decimal, octal with 0).
 * Keys: "0x"+hex (odd length reads as a leading 0), "0x" alone = empty, else
 * the ASCII bytes themselves. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "keys/readers.h"
#include "keys/secret.h"

static bool parse_prefix(const char *s, unsigned max, unsigned *out)
{
	if (!*s)
		return false;
	unsigned v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > max)
			return false;
	}
	*out = v;
	return true;
}

static void apply_prefix(struct addr_match *m, unsigned bits, unsigned nbytes)
{
	for (unsigned i = 0; i < nbytes; i++) {
		unsigned have = bits > i * 8 ? bits - i * 8 : 0;
		uint8_t pm = have >= 8 ? 0xff : (uint8_t)(0xff << (8 - have));
		m->mask[i] &= pm;
		m->value[i] &= m->mask[i];
	}
}

static bool parse_ipv4(const char *s, struct addr_match *m)
{
	unsigned octet = 0;
	const char *p = s;
	m->family = 4;
	for (;;) {
		if (octet >= 4)
			return false;
		if (*p == '*') {
			m->value[octet] = 0;
			m->mask[octet] = 0;
			p++;
		} else {
			unsigned v = 0, digits = 0;
			while (*p >= '0' && *p <= '9') {
				v = v * 10 + (unsigned)(*p++ - '0');
				if (++digits > 3 || v > 255)
					return false;
			}
			if (!digits)
				return false;
			m->value[octet] = (uint8_t)v;
			m->mask[octet] = 0xff;
		}
		octet++;
		if (*p == '\0')
			break;
		if (*p++ != '.')
			return false;
	}
	return octet == 4;
}

/* One IPv6 group of 1-4 hex digits or '*' nibbles, right-aligned as
 * Wireshark's expander does ("*" is "000*"). */
static bool parse_group(const char *s, size_t n, uint8_t val[2], uint8_t mask[2])
{
	if (n == 0 || n > 4)
		return false;
	uint16_t v = 0, mk = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int d;
		if (c == '*') {
			d = -2;
		} else if (c >= '0' && c <= '9') {
			d = c - '0';
		} else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
			d = (c | 0x20) - 'a' + 10;
		} else {
			return false;
		}
		v = (uint16_t)(v << 4 | (d < 0 ? 0 : d));
		mk = (uint16_t)(mk << 4 | (d < 0 ? 0 : 0xf));
	}
	/* leading (padded) nibbles are fixed zeros */
	mk = (uint16_t)(mk | (n < 4 ? (0xffff << (4 * n)) : 0));
	val[0] = (uint8_t)(v >> 8);
	val[1] = (uint8_t)v;
	mask[0] = (uint8_t)(mk >> 8);
	mask[1] = (uint8_t)mk;
	return true;
}

static bool parse_ipv6(const char *s, struct addr_match *m)
{
	uint8_t hv[16], hm[16], tv[16], tm[16];
	unsigned nh = 0, nt = 0; /* groups before and after "::" */
	bool dbl = false;
	const char *p = s;
	m->family = 6;
	if (p[0] == ':' && p[1] == ':') {
		dbl = true;
		p += 2;
	} else if (*p == ':') {
		return false;
	}
	while (*p) {
		const char *e = p;
		while (*e && *e != ':')
			e++;
		unsigned *cnt = dbl ? &nt : &nh;
		if (*cnt >= 8)
			return false;
		uint8_t *gv = dbl ? tv : hv, *gm = dbl ? tm : hm;
		if (!parse_group(p, (size_t)(e - p), gv + 2 * *cnt, gm + 2 * *cnt))
			return false;
		(*cnt)++;
		if (!*e)
			break;
		if (e[1] == ':') {
			if (dbl)
				return false;
			dbl = true;
			p = e + 2;
		} else {
			p = e + 1;
			if (!*p)
				return false; /* trailing single ':' */
		}
	}
	if (dbl ? nh + nt > 7 : nh != 8)
		return false;
	memset(m->value, 0, 16);
	memset(m->mask, 0xff, 16);
	memcpy(m->value, hv, 2 * nh);
	memcpy(m->mask, hm, 2 * nh);
	memcpy(m->value + 16 - 2 * nt, tv, 2 * nt);
	memcpy(m->mask + 16 - 2 * nt, tm, 2 * nt);
	return true;
}

static bool parse_addr_field(struct keyfile *kf, const struct uat_field *f, enum esp_sa_proto proto,
			     const char *what, struct addr_match *m)
{
	memset(m, 0, sizeof *m);
	if (proto == ESP_SA_ANY || strcmp(f->s, "*") == 0) {
		m->any = true; /* Wireshark does not look at addresses for "Any" */
		return true;
	}
	char buf[64];
	if (f->len >= sizeof buf)
		return kf_fail(kf, "bad %s address \"%.63s...\"", what, f->s);
	memcpy(buf, f->s, f->len + 1);
	unsigned maxbits = proto == ESP_SA_IPV4 ? 32 : 128, bits = maxbits;
	char *slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (!parse_prefix(slash + 1, maxbits, &bits))
			return kf_fail(kf, "bad prefix length in %s address \"%s\" (0 to %u)", what, f->s,
				       maxbits);
	}
	if (strcmp(buf, "*") == 0) {
		m->any = true;
		return true;
	}
	bool ok = proto == ESP_SA_IPV4 ? parse_ipv4(buf, m) : parse_ipv6(buf, m);
	if (!ok)
		return kf_fail(kf, "bad %s address \"%s\" for protocol %s", what, f->s,
			       proto == ESP_SA_IPV4 ? "IPv4" : "IPv6");
	apply_prefix(m, bits, proto == ESP_SA_IPV4 ? 4 : 16);
	return true;
}

static bool parse_spi(struct keyfile *kf, const struct uat_field *f, struct esp_key *k)
{
	const char *s = f->s;
	if (strcmp(s, "*") == 0) {
		k->spi = 0;
		k->spi_mask = 0;
		return true;
	}
	if (strchr(s, '*')) {
		/* Wireshark compares character-wise with "0x%08x": exactly
		 * 10 characters, hex digits or '*' after the "0x". */
		if (f->len != 10 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
			return kf_fail(kf, "bad SPI \"%s\": a wildcard SPI needs the 0x%%08x form, "
					   "e.g. \"0x1234****\"", s);
		uint32_t v = 0, mk = 0;
		for (int i = 2; i < 10; i++) {
			char c = s[i];
			int d;
			if (c == '*')
				d = -1;
			else if (c >= '0' && c <= '9')
				d = c - '0';
			else if (c >= 'a' && c <= 'f')
				d = c - 'a' + 10; /* %08x prints lower case only */
			else
				return kf_fail(kf, "bad SPI \"%s\": a wildcard SPI needs the 0x%%08x form, "
						   "e.g. \"0x1234****\"", s);
			v = v << 4 | (uint32_t)(d < 0 ? 0 : d);
			mk = mk << 4 | (d < 0 ? 0u : 0xfu);
		}
		k->spi = v;
		k->spi_mask = mk;
		return true;
	}
	char *end = NULL;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (!*s || *end || errno || v > 0xffffffffull || s[0] == '-')
		return kf_fail(kf, "bad SPI \"%s\" (expected 0x-hex, decimal, \"*\" or \"0x1234****\")",
			       s);
	k->spi = (uint32_t)v;
	k->spi_mask = 0xffffffffu;
	return true;
}

/* Wireshark's compute_ascii_key(), without printing the key on errors. */
static bool parse_esp_key(struct keyfile *kf, const struct uat_field *f, const char *what,
			  uint8_t *out, size_t max, size_t *out_len)
{
	const char *s = f->s;
	size_t n = f->len;
	*out_len = 0;
	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		size_t pos = 0;
		switch (hex_decode(s + 2, n - 2, true, out, max, out_len, &pos)) {
		case HEX_OK:
			return true;
		case HEX_BAD_DIGIT:
			return kf_fail(kf, "%s: not a hex digit at position %zu", what, pos + 3);
		case HEX_TOO_LONG:
			return kf_fail(kf, "%s is too long (%zu bytes, at most %zu)", what, n / 2, max);
		case HEX_ODD:
			break;
		}
		return false;
	}
	if (n > max)
		return kf_fail(kf, "%s is too long (%zu bytes, at most %zu)", what, n, max);
	memcpy(out, s, n); /* an ASCII key is its own bytes */
	*out_len = n;
	return true;
}

bool read_esp_sa_line(struct keyfile *kf, char *line)
{
	struct uat_field f[UAT_MAX_FIELDS];
	int n = uat_split(kf, line, f, UAT_MAX_FIELDS);
	if (n < 0)
		return false;
	if (n != 8 && n != 10)
		return kf_fail(kf, "esp_sa: expected 8 or 10 fields, found %d", n);

	struct esp_key *k = kf_new_esp(kf);
	if (strcmp(f[0].s, "IPv4") == 0)
		k->proto = ESP_SA_IPV4;
	else if (strcmp(f[0].s, "IPv6") == 0)
		k->proto = ESP_SA_IPV6;
	else if (strcmp(f[0].s, "Any") == 0)
		k->proto = ESP_SA_ANY;
	else
		return kf_fail(kf, "unknown protocol \"%s\" (expected \"IPv4\", \"IPv6\" or \"Any\")",
			       f[0].s);
	if (!parse_addr_field(kf, &f[1], k->proto, "source", &k->src) ||
	    !parse_addr_field(kf, &f[2], k->proto, "destination", &k->dst) ||
	    !parse_spi(kf, &f[3], k))
		return false;

	if (!esp_enc_from_name(f[4].s, &k->enc))
		return kf_fail(kf, "unknown encryption algorithm \"%s\"", f[4].s);
	if (!esp_auth_from_name(f[6].s, &k->auth))
		return kf_fail(kf, "unknown authentication algorithm \"%s\"", f[6].s);

	uint8_t tmp[256];
	size_t len;
	if (!parse_esp_key(kf, &f[5], "encryption key", tmp, sizeof tmp, &len))
		return false;
	if (!esp_enc_key_len_ok(k->enc, len)) {
		secret_wipe(tmp, sizeof tmp);
		return kf_fail(kf, "encryption key for \"%s\" must be %s bytes, got %zu",
			       esp_enc_name(k->enc), esp_enc_key_lens_text(k->enc), len);
	}
	if (k->enc != ESP_ENC_NULL) {
		memcpy(k->enc_key, tmp, len);
		k->enc_key_len = len;
	}
	if (!parse_esp_key(kf, &f[7], "authentication key", tmp, sizeof tmp, &len))
		return false;
	if (!esp_auth_key_len_ok(k->auth, len)) {
		secret_wipe(tmp, sizeof tmp);
		return kf_fail(kf, "authentication key for \"%s\" must be %s bytes, got %zu",
			       esp_auth_name(k->auth), esp_auth_key_lens_text(k->auth), len);
	}
	if (len <= sizeof k->auth_key && k->auth >= ESP_AUTH_HMAC_SHA1_96 &&
	    k->auth <= ESP_AUTH_HMAC_RIPEMD160_96) {
		memcpy(k->auth_key, tmp, len);
		k->auth_key_len = len;
	}
	secret_wipe(tmp, sizeof tmp);

	if (esp_enc_is_aead(k->enc) && k->auth != ESP_AUTH_NULL &&
	    !(k->auth >= ESP_AUTH_ANY_64 && k->auth <= ESP_AUTH_ANY_256))
		return kf_fail(kf, "\"%s\" authenticates by itself: authentication must be \"NULL\" or "
				   "\"ANY N bit authentication [no checking]\", not \"%s\"",
			       esp_enc_name(k->enc), esp_auth_name(k->auth));

	if (n == 10) {
		if (strcmp(f[8].s, "64-bit") == 0)
			k->esn = true;
		else if (strcmp(f[8].s, "32-bit") != 0)
			return kf_fail(kf, "unknown sequence number size \"%s\" (expected \"32-bit\" or "
					   "\"64-bit\")", f[8].s);
		const char *h = f[9].s;
		if (h[0] == '0' && (h[1] == 'x' || h[1] == 'X'))
			h += 2;
		char *end = NULL;
		errno = 0;
		unsigned long long v = strtoull(h, &end, 16);
		if (!*h || *end || errno || v > 0xffffffffull || h[0] == '-' || h[0] == '+')
			return kf_fail(kf, "bad ESN high bits \"%s\" (expected up to 8 hex digits)", f[9].s);
		k->esn_high = (uint32_t)v;
	}
	k->source = kf_source(kf, 0);
	return true;
}
