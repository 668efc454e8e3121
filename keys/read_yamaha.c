/* Yamaha RTX/NVR "show ipsec sa gateway N detail" console output
 * (keys-and-protocols.md §1.3).  Blocks are separated by dashed lines:
 *
 *   SA[1] Duration: 10675s
 *   Local ID: 198.51.100.1
 *   Remote ID: 192.0.2.10
 *   Protocol: IKE
 *   Algorithm: AES-CBC, SHA-1, MODP 1024bit
 *   SPI: 6b ce fd 8a d5 30 9b 02 0c f3 87 52 4a 87 6e 77    <- CKY-I | CKY-R
 *   Key: 00 11 ...                                           <- Ka
 *   ----------------------------------------------------
 *   SA[2] Duration: 1719s
 *   Direction: send
 *   Protocol: ESP (Mode: transport)
 *   Algorithm: AES-CBC (for Auth.: HMAC-SHA)
 *   SPI: a6 67 47 47
 *   Key: <enc bytes> [<auth bytes>]       <- one line (split by sizes) ...
 *   [Key: <auth bytes>]                   <- ... or two
 *
 * Keys are masked ("** ** ** (confidential) **") except on the serial
 * console; masked blocks are skipped without error and counted.  A Key line
 * may continue on following lines holding only hex bytes.  ESP records
 * match by SPI only (protocol Any): the router's Local/Remote IDs need not
 * be the addresses on the wire (NAT). */
#include <string.h>

#include "keys/readers.h"
#include "keys/secret.h"

enum yproto { YP_NONE, YP_IKE, YP_ESP, YP_OTHER };

#define YKEY_MAX 128

struct yamaha_block {
	bool open;
	unsigned start_line;
	enum yproto proto;
	char alg[128];
	unsigned alg_line;
	uint8_t spi[16];
	size_t spi_len;
	bool has_spi;
	unsigned spi_line;
	uint8_t key[2][YKEY_MAX];
	size_t key_len[2];
	unsigned key_line[2];
	int nkeys;
	bool masked;
	bool in_key; /* the previous line was a Key line or its continuation */
};

static const char *const known_labels[] = {
	"Duration", "Local ID", "Remote ID", "Direction", "Protocol", "Algorithm", "SPI", "Key",
};

static bool is_dashes(const char *s)
{
	size_t n = strspn(s, "-");
	return n >= 3 && s[n] == '\0';
}

/* The label before ':' if the line has the "Label: value" shape. */
static bool split_label(const char *line, char *label, size_t max, const char **value)
{
	const char *c = strchr(line, ':');
	if (!c || c == line || (size_t)(c - line) >= max)
		return false;
	for (const char *p = line; p < c; p++)
		if (!g_ascii_isalnum(*p) && *p != ' ' && *p != '.' && *p != '[' && *p != ']' &&
		    *p != '-' && *p != '_')
			return false;
	size_t n = (size_t)(c - line);
	while (n && line[n - 1] == ' ')
		n--;
	memcpy(label, line, n);
	label[n] = '\0';
	const char *v = c + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	*value = v;
	return true;
}

static bool is_hex_run(const char *s)
{
	uint8_t tmp[YKEY_MAX];
	size_t n = 0;
	bool ok = hex_decode_spaced(s, tmp, sizeof tmp, &n) && n > 0;
	secret_wipe(tmp, sizeof tmp);
	return ok;
}

bool yamaha_claims(struct keyfile *kf, const char *line)
{
	struct yamaha_block *b = kf->yb;
	bool open = b && b->open;
	if (is_dashes(line) || strncmp(line, "SA[", 3) == 0)
		return true;
	if (open && b->in_key && is_hex_run(line))
		return true;
	char label[64];
	const char *v;
	if (!split_label(line, label, sizeof label, &v))
		return false;
	for (size_t i = 0; i < G_N_ELEMENTS(known_labels); i++)
		if (strcmp(label, known_labels[i]) == 0)
			return true;
	/* other "Label: value" lines of an open block are the router's too */
	return open && strchr(line, ',') == NULL;
}

static void block_reset(struct yamaha_block *b)
{
	secret_wipe(b, sizeof *b);
}

/* Yamaha's names for ESP algorithms (the "ipsec sa policy" keywords as shown). */
struct yname {
	const char *name;
	int alg;
	size_t key_len; /* 0 = any valid length */
};

static const struct yname yenc[] = {
	{ "DES-CBC", ESP_ENC_DES_CBC, 8 },
	{ "3DES-CBC", ESP_ENC_3DES_CBC, 24 },
	{ "AES-CBC", ESP_ENC_AES_CBC, 0 },
	{ "AES128-CBC", ESP_ENC_AES_CBC, 16 },
	{ "AES192-CBC", ESP_ENC_AES_CBC, 24 },
	{ "AES256-CBC", ESP_ENC_AES_CBC, 32 },
	{ "AES-GCM", ESP_ENC_AES_GCM_16, 0 },
	{ "AES128-GCM", ESP_ENC_AES_GCM_16, 20 },
	{ "AES256-GCM", ESP_ENC_AES_GCM_16, 36 },
	{ "NULL", ESP_ENC_NULL, 0 },
};

static const struct yname yauth[] = {
	{ "HMAC-MD5", ESP_AUTH_HMAC_MD5_96, 16 },
	{ "MD5-HMAC", ESP_AUTH_HMAC_MD5_96, 16 },
	{ "HMAC-SHA", ESP_AUTH_HMAC_SHA1_96, 20 },
	{ "HMAC-SHA1", ESP_AUTH_HMAC_SHA1_96, 20 },
	{ "HMAC-SHA-1", ESP_AUTH_HMAC_SHA1_96, 20 },
	{ "SHA-HMAC", ESP_AUTH_HMAC_SHA1_96, 20 },
	{ "HMAC-SHA256", ESP_AUTH_HMAC_SHA256_128, 32 },
	{ "HMAC-SHA2-256", ESP_AUTH_HMAC_SHA256_128, 32 },
	{ "SHA256-HMAC", ESP_AUTH_HMAC_SHA256_128, 32 },
};

static const struct yname *find_name(const struct yname *t, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (g_ascii_strcasecmp(t[i].name, s) == 0)
			return &t[i];
	return NULL;
}

static void trim_copy(char *dst, size_t max, const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= max)
		n = max - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* "AES-CBC (for Auth.: HMAC-SHA)" -> "AES-CBC", "HMAC-SHA";
 * "AES-CBC, SHA-1, MODP 1024bit" -> "AES-CBC", "". */
static void split_alg(const char *alg, char *enc, char *auth, size_t max)
{
	size_t n = strcspn(alg, "(,");
	trim_copy(enc, max, alg, n);
	auth[0] = '\0';
	const char *a = strstr(alg, "Auth");
	if (a && (a = strchr(a, ':')) != NULL) {
		a++;
		trim_copy(auth, max, a, strcspn(a, ")"));
	}
}

static bool flush_ike(struct keyfile *kf, struct yamaha_block *b)
{
	if (!b->has_spi || b->spi_len != 16)
		return kf_fail_at(kf, b->has_spi ? b->spi_line : b->start_line,
				  "IKE SA block needs an SPI line of 16 bytes (CKY-I | CKY-R)%s",
				  b->has_spi ? "" : ", found none");
	if (b->nkeys != 1)
		return kf_fail_at(kf, b->key_line[1], "IKE SA block has more than one Key line");
	size_t n = b->key_len[0];
	char enc[64], auth[64];
	split_alg(b->alg, enc, auth, sizeof enc);
	size_t want = 0;
	const struct yname *y = find_name(yenc, G_N_ELEMENTS(yenc), enc);
	if (y && y->alg != ESP_ENC_AES_GCM_16 && y->alg != ESP_ENC_NULL)
		want = y->key_len ? y->key_len : (strcmp(y->name, "AES-CBC") == 0 ? 16 : 0);
	if (want && n != want)
		return kf_fail_at(kf, b->key_line[0], "IKE key is %zu bytes but \"%s\" needs %zu", n,
				  enc, want);
	if (n != 8 && n != 16 && n != 24 && n != 32)
		return kf_fail_at(kf, b->key_line[0],
				  "IKE key must be 8, 16, 24 or 32 bytes (the cipher key), got %zu", n);
	struct ikev1_key *k = kf_ikev1(kf, b->spi);
	if (!k->has_cky_r) {
		memcpy(k->cky_r, b->spi + 8, 8);
		k->has_cky_r = true;
	}
	if (!k->ka_len) {
		memcpy(k->ka, b->key[0], n);
		k->ka_len = n;
		k->ka_source = kf_source(kf, b->start_line);
	}
	return true;
}

static bool flush_esp(struct keyfile *kf, struct yamaha_block *b)
{
	if (!b->has_spi || b->spi_len != 4)
		return kf_fail_at(kf, b->has_spi ? b->spi_line : b->start_line,
				  "ESP SA block needs an SPI line of 4 bytes%s",
				  b->has_spi ? "" : ", found none");
	if (!b->alg[0])
		return kf_fail_at(kf, b->start_line, "ESP SA block has no Algorithm line");
	char enc[64], auth[64];
	split_alg(b->alg, enc, auth, sizeof enc);
	const struct yname *ye = find_name(yenc, G_N_ELEMENTS(yenc), enc);
	if (!ye)
		return kf_fail_at(kf, b->alg_line, "unknown ESP encryption algorithm \"%s\"", enc);
	const struct yname *ya = NULL;
	if (auth[0] && !(ya = find_name(yauth, G_N_ELEMENTS(yauth), auth)))
		return kf_fail_at(kf, b->alg_line, "unknown ESP authentication algorithm \"%s\"", auth);
	enum esp_enc e = (enum esp_enc)ye->alg;
	enum esp_auth a = ya ? (enum esp_auth)ya->alg : ESP_AUTH_NULL;
	if (esp_enc_is_aead(e) && ya)
		return kf_fail_at(kf, b->alg_line, "\"%s\" authenticates by itself, but \"%s\" is given",
				  enc, auth);
	size_t auth_len = ya ? ya->key_len : 0;

	const uint8_t *ek, *ak;
	size_t el, al;
	if (b->nkeys == 2) {
		ek = b->key[0], el = b->key_len[0];
		ak = b->key[1], al = b->key_len[1];
	} else {
		size_t total = b->key_len[0];
		if (total < auth_len)
			return kf_fail_at(kf, b->key_line[0],
					  "ESP key is %zu bytes, shorter than the %zu-byte \"%s\" key", total,
					  auth_len, auth);
		ek = b->key[0], el = total - auth_len;
		ak = b->key[0] + el, al = auth_len;
	}
	bool enc_ok = ye->key_len ? el == ye->key_len : esp_enc_key_len_ok(e, el);
	if (!enc_ok || (e == ESP_ENC_NULL && el != 0)) {
		if (b->nkeys == 2)
			return kf_fail_at(kf, b->key_line[0], "ESP encryption key for \"%s\" is %zu bytes",
					  enc, el);
		return kf_fail_at(kf, b->key_line[0],
				  "ESP key is %zu bytes: does not split into a \"%s\" key and a %zu-byte "
				  "\"%s\" key",
				  b->key_len[0], enc, auth_len, auth[0] ? auth : "no authentication");
	}
	if (al != auth_len)
		return kf_fail_at(kf, b->key_line[1], "ESP authentication key for \"%s\" must be %zu bytes, got %zu",
				  auth, auth_len, al);

	struct esp_key *k = kf_new_esp(kf);
	k->proto = ESP_SA_ANY;
	k->src.any = k->dst.any = true;
	k->spi = (uint32_t)b->spi[0] << 24 | (uint32_t)b->spi[1] << 16 | (uint32_t)b->spi[2] << 8 |
		 b->spi[3];
	k->spi_mask = 0xffffffffu;
	k->enc = e;
	k->auth = a;
	memcpy(k->enc_key, ek, el);
	k->enc_key_len = el;
	memcpy(k->auth_key, ak, al);
	k->auth_key_len = al;
	k->source = kf_source(kf, b->start_line);
	return true;
}

bool yamaha_end(struct keyfile *kf)
{
	struct yamaha_block *b = kf->yb;
	if (!b || !b->open)
		return true;
	bool ok = true;
	if (b->masked)
		kf->masked++;
	else if (b->nkeys == 0)
		; /* a listing without keys: nothing to load */
	else if (b->proto == YP_NONE)
		ok = kf_fail_at(kf, b->start_line, "\"show ipsec sa\" block has a Key but no Protocol line");
	else if (b->proto == YP_IKE)
		ok = flush_ike(kf, b);
	else if (b->proto == YP_ESP)
		ok = flush_esp(kf, b);
	block_reset(b);
	return ok;
}

void yamaha_free(struct keyfile *kf)
{
	if (kf->yb) {
		block_reset(kf->yb);
		g_free(kf->yb);
		kf->yb = NULL;
	}
}

static bool add_key_bytes(struct keyfile *kf, struct yamaha_block *b, const char *v)
{
	/* a hex continuation line counts only right after a Key line */
	if (b->nkeys == 0)
		return kf_fail(kf, "\"show ipsec sa\" block: a line of hex bytes with no Key line before it");
	int i = b->nkeys - 1;
	if (!hex_decode_spaced(v, b->key[i], YKEY_MAX, &b->key_len[i]))
		return kf_fail(kf, "Key: expected space-separated hex bytes (at most %d)", YKEY_MAX);
	return true;
}

bool yamaha_line(struct keyfile *kf, char *line)
{
	if (!kf->yb)
		kf->yb = g_new0(struct yamaha_block, 1);
	struct yamaha_block *b = kf->yb;

	if (is_dashes(line))
		return yamaha_end(kf);
	if (strncmp(line, "SA[", 3) == 0 && !yamaha_end(kf))
		return false;
	if (!b->open) {
		b->open = true;
		b->start_line = kf->line;
	}
	char label[64];
	const char *v;
	if (!split_label(line, label, sizeof label, &v)) {
		/* a continuation of the Key line (yamaha_claims checked it) */
		return add_key_bytes(kf, b, line);
	}
	b->in_key = false;
	if (strcmp(label, "Protocol") == 0) {
		if (g_ascii_strncasecmp(v, "IKE", 3) == 0)
			b->proto = YP_IKE;
		else if (g_ascii_strncasecmp(v, "ESP", 3) == 0)
			b->proto = YP_ESP;
		else
			b->proto = YP_OTHER; /* AH, IPComp: not ours */
	} else if (strcmp(label, "Algorithm") == 0) {
		trim_copy(b->alg, sizeof b->alg, v, strlen(v));
		b->alg_line = kf->line;
	} else if (strcmp(label, "Direction") == 0) {
		if (g_ascii_strcasecmp(v, "send") != 0 && g_ascii_strcasecmp(v, "receive") != 0)
			return kf_fail(kf, "unknown direction \"%.40s\" (expected \"send\" or \"receive\")", v);
	} else if (strcmp(label, "SPI") == 0) {
		b->spi_len = 0;
		if (!hex_decode_spaced(v, b->spi, sizeof b->spi, &b->spi_len) || b->spi_len == 0)
			return kf_fail(kf, "bad SPI \"%.60s\" (expected 4 or 16 space-separated hex bytes)", v);
		b->has_spi = true;
		b->spi_line = kf->line;
	} else if (strcmp(label, "Key") == 0) {
		if (strchr(v, '*')) {
			b->masked = true;
			return true;
		}
		if (b->nkeys == 2)
			return kf_fail(kf, "more than two Key lines in one SA block");
		b->key_line[b->nkeys++] = kf->line;
		if (b->nkeys == 1)
			b->key_line[1] = kf->line;
		b->in_key = true;
		return add_key_bytes(kf, b, v);
	}
	/* Duration, Local ID, Remote ID and anything else: not needed */
	return true;
}
