/* Loading key files: split into lines, pick the reader for each line's shape,
 * stage records, commit them all if no line was bad. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "keys/keystore.h"
#include "keys/readers.h"
#include "keys/secret.h"

/* ---- errors and helpers for the readers ---- */

static bool kf_vfail(struct keyfile *kf, unsigned line, const char *fmt, va_list ap)
{
	if (kf->failed)
		return false;
	kf->failed = true;
	char *msg = g_strdup_vprintf(fmt, ap);
	g_set_error(kf->err, KEYS_ERROR, KEYS_ERROR_PARSE, "%s:%u: %s", kf->origin, line, msg);
	g_free(msg);
	return false;
}

bool kf_fail(struct keyfile *kf, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kf_vfail(kf, kf->line, fmt, ap);
	va_end(ap);
	return false;
}

bool kf_fail_at(struct keyfile *kf, unsigned line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kf_vfail(kf, line, fmt, ap);
	va_end(ap);
	return false;
}

const char *kf_source(struct keyfile *kf, unsigned line)
{
	char buf[512];
	g_snprintf(buf, sizeof buf, "%s:%u", kf->origin, line ? line : kf->line);
	return keystore_intern(kf->ks, buf);
}

struct ikev1_key *kf_ikev1(struct keyfile *kf, const uint8_t cky_i[8])
{
	for (guint i = 0; i < kf->ikev1->len; i++) {
		struct ikev1_key *k = kf->ikev1->pdata[i];
		if (memcmp(k->cky_i, cky_i, 8) == 0)
			return k;
	}
	struct ikev1_key *k = g_new0(struct ikev1_key, 1);
	memcpy(k->cky_i, cky_i, 8);
	g_ptr_array_add(kf->ikev1, k);
	return k;
}

struct esp_key *kf_new_esp(struct keyfile *kf)
{
	struct esp_key *k = g_new0(struct esp_key, 1);
	g_ptr_array_add(kf->esp, k);
	return k;
}

static int xval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int uat_split(struct keyfile *kf, char *buf, struct uat_field *f, int max)
{
	char *p = buf;
	int n = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		char *start, *w;
		bool quoted = false;
		if (*p == '"') {
			quoted = true;
			start = w = ++p;
			for (;;) {
				if (!*p)
					return kf_fail(kf, "unterminated quoted string in field %d", n + 1), -1;
				if (*p == '"')
					break;
				if (*p == '\\') {
					if (p[1] == 'x' && xval(p[2]) >= 0 && xval(p[3]) >= 0) {
						*w++ = (char)(xval(p[2]) << 4 | xval(p[3]));
						p += 4;
						continue;
					}
					if (p[1] == '\\' || p[1] == '"') {
						*w++ = p[1];
						p += 2;
						continue;
					}
					return kf_fail(kf, "bad escape in quoted field %d (expected \\xNN, \\\\ or \\\")",
						       n + 1), -1;
				}
				*w++ = *p++;
			}
			p++; /* closing quote */
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p && *p != ',')
				return kf_fail(kf, "unexpected text after the closing quote of field %d", n + 1), -1;
		} else {
			start = p;
			while (*p && *p != ',')
				p++;
			w = p;
			while (w > start && (w[-1] == ' ' || w[-1] == '\t'))
				w--;
		}
		char sep = *p;
		size_t len = (size_t)(w - start);
		*w = '\0';
		if (n < max)
			f[n] = (struct uat_field){ .s = start, .len = len, .quoted = quoted };
		n++;
		if (sep != ',')
			return n;
		p++;
	}
}

bool parse_cookie(struct keyfile *kf, const char *s, size_t len, const char *what, uint8_t out[8])
{
	size_t n, pos;
	if (len != 16 || hex_decode(s, len, false, out, 8, &n, &pos) != HEX_OK)
		return kf_fail(kf, "%s \"%.40s\" must be 8 bytes (16 hex digits)", what, s);
	return true;
}

bool parse_hex_key(struct keyfile *kf, const char *s, size_t len, const char *what, uint8_t *out,
		   size_t max, size_t *out_len)
{
	size_t pos = 0;
	if (len == 0)
		return kf_fail(kf, "%s is empty", what);
	switch (hex_decode(s, len, false, out, max, out_len, &pos)) {
	case HEX_OK:
		return true;
	case HEX_BAD_DIGIT:
		return kf_fail(kf, "%s: not a hex digit at position %zu", what, pos + 1);
	case HEX_ODD:
		return kf_fail(kf, "%s has an odd number of hex digits (%zu)", what, len);
	case HEX_TOO_LONG:
		return kf_fail(kf, "%s is too long (%zu bytes, at most %zu)", what, (len + 1) / 2, max);
	}
	return false;
}

/* ---- line classification ---- */

static bool starts_word(const char *s, const char *w)
{
	size_t n = strlen(w);
	return g_ascii_strncasecmp(s, w, n) == 0 && (s[n] == ' ' || s[n] == '\t');
}

static bool is_esp_sa_start(const char *s)
{
	if (*s == '"')
		return true;
	static const char *const protos[] = { "IPv4", "IPv6", "Any" };
	for (size_t i = 0; i < G_N_ELEMENTS(protos); i++) {
		size_t n = strlen(protos[i]);
		if (strncmp(s, protos[i], n) == 0) {
			const char *p = s + n;
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p == ',')
				return true;
		}
	}
	return false;
}

static bool read_line(struct keyfile *kf, char *line)
{
	if (is_esp_sa_start(line)) {
		if (!yamaha_end(kf))
			return false;
		return read_esp_sa_line(kf, line);
	}
	if (starts_word(line, "skeyid_d") || starts_word(line, "skeyid_a")) {
		if (!yamaha_end(kf))
			return false;
		return read_skeyid_line(kf, line);
	}
	if (starts_word(line, "sk_d")) {
		if (!yamaha_end(kf))
			return false;
		return read_sk_d_line(kf, line);
	}
	if (yamaha_claims(kf, line))
		return yamaha_line(kf, line);
	if (strchr(line, ',') && isxdigit((unsigned char)line[0])) {
		if (!yamaha_end(kf))
			return false;
		int commas = 0;
		bool in_quote = false;
		for (const char *p = line; *p; p++) {
			if (*p == '"')
				in_quote = !in_quote;
			else if (*p == '\\' && in_quote && p[1])
				p++;
			else if (*p == ',' && !in_quote)
				commas++;
		}
		if (commas == 1)
			return read_ikev1_line(kf, line);
		if (commas == 7)
			return read_ikev2_line(kf, line);
		return kf_fail(kf, "expected 2 fields (ikev1_decryption_table) or 8 "
				   "(ikev2_decryption_table), found %d", commas + 1);
	}
	/* The line is not quoted: it may hold a key. */
	return kf_fail(kf, "unrecognised line: not an esp_sa, ikev1_decryption_table, "
			   "ikev2_decryption_table, skeyid_d/skeyid_a, sk_d or \"show ipsec sa\" line");
}

static bool load(struct keyfile *kf, char *text, size_t len)
{
	char *p = text, *end = text + len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *eol = nl ? nl : end;
		kf->line++;
		/* trim CR and whitespace */
		char *e = eol;
		while (e > p && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			e--;
		char *s = p;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		*e = '\0';
		if (memchr(s, '\0', (size_t)(e - s)) != NULL)
			return kf_fail(kf, "NUL byte in line");
		if (s == e || *s == '#') {
			/* Blank lines and comments do not end a "show ipsec sa" block. */
		} else if (!read_line(kf, s)) {
			return false;
		}
		p = eol + 1;
	}
	return yamaha_end(kf);
}

bool keystore_load_text(struct keystore *ks, const char *text, size_t len, const char *origin,
			GError **err)
{
	struct keyfile kf = {
		.ks = ks,
		.origin = origin ? origin : "<text>",
		.err = err,
		.esp = g_ptr_array_new_with_free_func(g_free),
		.ikev1 = g_ptr_array_new_with_free_func(g_free),
		.ikev2 = g_ptr_array_new_with_free_func(g_free),
		.sk_d = g_ptr_array_new_with_free_func(g_free),
	};
	/* A private, NUL-terminated, writable copy; wiped afterwards since it
	 * holds keys. */
	char *buf = g_malloc(len + 1);
	memcpy(buf, text, len);
	buf[len] = '\0';
	bool ok = load(&kf, buf, len);
	secret_wipe(buf, len + 1);
	g_free(buf);
	yamaha_free(&kf);
	if (ok)
		keystore_commit(ks, &kf);
	/* Whatever is still staged (all of it on failure) is wiped. */
	for (guint i = 0; i < kf.esp->len; i++)
		secret_wipe(kf.esp->pdata[i], kf.esp->pdata[i] ? sizeof(struct esp_key) : 0);
	for (guint i = 0; i < kf.ikev1->len; i++)
		secret_wipe(kf.ikev1->pdata[i], sizeof(struct ikev1_key));
	for (guint i = 0; i < kf.ikev2->len; i++)
		secret_wipe(kf.ikev2->pdata[i], kf.ikev2->pdata[i] ? sizeof(struct ikev2_key) : 0);
	g_ptr_array_free(kf.esp, TRUE);
	g_ptr_array_free(kf.ikev1, TRUE);
	for (guint i = 0; i < kf.sk_d->len; i++)
		secret_wipe(kf.sk_d->pdata[i], kf.sk_d->pdata[i] ? sizeof(struct ikev2_sk_d) : 0);
	g_ptr_array_free(kf.ikev2, TRUE);
	g_ptr_array_free(kf.sk_d, TRUE);
	return ok;
}

bool keystore_load_file(struct keystore *ks, const char *path, GError **err)
{
	gchar *text = NULL;
	gsize len = 0;
	GError *e = NULL;
	if (!g_file_get_contents(path, &text, &len, &e)) {
		/* GLib's own message quotes the name with curly quotes; keep the
		 * FILE: what-is-wrong shape of every other key error */
		g_set_error(err, KEYS_ERROR, KEYS_ERROR_IO, "%s: cannot read: %s", path,
			    g_strerror(e->code == G_FILE_ERROR_NOENT ? ENOENT : e->code == G_FILE_ERROR_ACCES ? EACCES : EIO));
		g_error_free(e);
		return false;
	}
	bool ok = keystore_load_text(ks, text, len, path, err);
	secret_wipe(text, len);
	g_free(text);
	return ok;
}
