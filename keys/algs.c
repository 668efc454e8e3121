/* Algorithm name tables (exact Wireshark strings) and key sizes. */
#include "keys/algs.h"

#include <gcrypt.h>
#include <string.h>

static const char *const esp_enc_names[ESP_ENC_COUNT] = {
	[ESP_ENC_NULL] = "NULL",
	[ESP_ENC_3DES_CBC] = "TripleDES-CBC [RFC2451]",
	[ESP_ENC_AES_CBC] = "AES-CBC [RFC3602]",
	[ESP_ENC_AES_CTR] = "AES-CTR [RFC3686]",
	[ESP_ENC_DES_CBC] = "DES-CBC [RFC2405]",
	[ESP_ENC_CAST5_CBC] = "CAST5-CBC [RFC2144]",
	[ESP_ENC_BLOWFISH_CBC] = "BLOWFISH-CBC [RFC2451]",
	[ESP_ENC_TWOFISH_CBC] = "TWOFISH-CBC",
	[ESP_ENC_AES_GCM] = "AES-GCM [RFC4106]",
	[ESP_ENC_AES_GCM_8] = "AES-GCM with 8 octet ICV [RFC4106]",
	[ESP_ENC_AES_GCM_12] = "AES-GCM with 12 octet ICV [RFC4106]",
	[ESP_ENC_AES_GCM_16] = "AES-GCM with 16 octet ICV [RFC4106]",
	[ESP_ENC_AES_GCM_16_IIV] = "AES-GCM with IIV and 16 octet ICV [RFC4106 & RFC8750]",
	[ESP_ENC_CHACHA20_POLY1305] = "ChaCha20 with Poly1305 [RFC7634]",
	[ESP_ENC_CHACHA20_POLY1305_IIV] = "ChaCha20 with Poly1305 and IIV [RFC7634 & RFC8750]",
};

static const char *const esp_auth_names[ESP_AUTH_COUNT] = {
	[ESP_AUTH_NULL] = "NULL",
	[ESP_AUTH_HMAC_SHA1_96] = "HMAC-SHA-1-96 [RFC2404]",
	[ESP_AUTH_HMAC_SHA256_96] = "HMAC-SHA-256-96 [draft-ietf-ipsec-ciph-sha-256-00]",
	[ESP_AUTH_HMAC_SHA256_128] = "HMAC-SHA-256-128 [RFC4868]",
	[ESP_AUTH_HMAC_SHA384_192] = "HMAC-SHA-384-192 [RFC4868]",
	[ESP_AUTH_HMAC_SHA512_256] = "HMAC-SHA-512-256 [RFC4868]",
	[ESP_AUTH_HMAC_MD5_96] = "HMAC-MD5-96 [RFC2403]",
	[ESP_AUTH_HMAC_RIPEMD160_96] = "MAC-RIPEMD-160-96 [RFC2857]",
	[ESP_AUTH_ANY_64] = "ANY 64 bit authentication [no checking]",
	[ESP_AUTH_ANY_96] = "ANY 96 bit authentication [no checking]",
	[ESP_AUTH_ANY_128] = "ANY 128 bit authentication [no checking]",
	[ESP_AUTH_ANY_192] = "ANY 192 bit authentication [no checking]",
	[ESP_AUTH_ANY_256] = "ANY 256 bit authentication [no checking]",
};

/* The index of `s` in a table of names, or -1. */
static int name_index(const char *const *names, unsigned n, const char *s)
{
	for (unsigned i = 0; i < n; i++)
		if (names[i] && strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

const char *esp_enc_name(enum esp_enc e)
{
	return (unsigned)e < ESP_ENC_COUNT ? esp_enc_names[e] : "?";
}

const char *esp_auth_name(enum esp_auth a)
{
	return (unsigned)a < ESP_AUTH_COUNT ? esp_auth_names[a] : "?";
}

bool esp_enc_from_name(const char *s, enum esp_enc *out)
{
	int i = name_index(esp_enc_names, ESP_ENC_COUNT, s);
	if (i >= 0)
		*out = (enum esp_enc)i;
	return i >= 0;
}

bool esp_auth_from_name(const char *s, enum esp_auth *out)
{
	int i = name_index(esp_auth_names, ESP_AUTH_COUNT, s);
	if (i >= 0)
		*out = (enum esp_auth)i;
	return i >= 0;
}

bool esp_enc_key_len_ok(enum esp_enc e, size_t n)
{
	switch (e) {
	case ESP_ENC_NULL:
		return true; /* Wireshark ignores the key; so do we */
	case ESP_ENC_3DES_CBC:
		return n == 24;
	case ESP_ENC_DES_CBC:
		return n == 8;
	case ESP_ENC_AES_CBC:
		return n == 16 || n == 24 || n == 32;
	case ESP_ENC_AES_CTR:
	case ESP_ENC_AES_GCM:
	case ESP_ENC_AES_GCM_8:
	case ESP_ENC_AES_GCM_12:
	case ESP_ENC_AES_GCM_16:
	case ESP_ENC_AES_GCM_16_IIV:
		return n == 20 || n == 28 || n == 36;
	case ESP_ENC_CAST5_CBC:
	case ESP_ENC_BLOWFISH_CBC:
		return n == 16;
	case ESP_ENC_TWOFISH_CBC:
		return n == 16 || n == 32;
	case ESP_ENC_CHACHA20_POLY1305:
	case ESP_ENC_CHACHA20_POLY1305_IIV:
		return n == 36;
	case ESP_ENC_COUNT:
		break;
	}
	return false;
}

const char *esp_enc_key_lens_text(enum esp_enc e)
{
	switch (e) {
	case ESP_ENC_NULL:
		return "any number of";
	case ESP_ENC_3DES_CBC:
		return "24";
	case ESP_ENC_DES_CBC:
		return "8";
	case ESP_ENC_AES_CBC:
		return "16, 24 or 32";
	case ESP_ENC_AES_CTR:
	case ESP_ENC_AES_GCM:
	case ESP_ENC_AES_GCM_8:
	case ESP_ENC_AES_GCM_12:
	case ESP_ENC_AES_GCM_16:
	case ESP_ENC_AES_GCM_16_IIV:
		return "20, 28 or 36 (AES key + 4-byte salt)";
	case ESP_ENC_CAST5_CBC:
	case ESP_ENC_BLOWFISH_CBC:
		return "16";
	case ESP_ENC_TWOFISH_CBC:
		return "16 or 32";
	case ESP_ENC_CHACHA20_POLY1305:
	case ESP_ENC_CHACHA20_POLY1305_IIV:
		return "36 (key + 4-byte salt)";
	case ESP_ENC_COUNT:
		break;
	}
	return "?";
}

/* RFC 2403/2404/2857/4868 fix the HMAC key length to the hash's output
 * length; Wireshark accepts any, but a wrong length is always a copy error. */
static size_t esp_auth_key_len(enum esp_auth a)
{
	switch (a) {
	case ESP_AUTH_HMAC_SHA1_96:
	case ESP_AUTH_HMAC_RIPEMD160_96:
		return 20;
	case ESP_AUTH_HMAC_SHA256_96:
	case ESP_AUTH_HMAC_SHA256_128:
		return 32;
	case ESP_AUTH_HMAC_SHA384_192:
		return 48;
	case ESP_AUTH_HMAC_SHA512_256:
		return 64;
	case ESP_AUTH_HMAC_MD5_96:
		return 16;
	default:
		return 0; /* NULL and ANY-N: key ignored */
	}
}

bool esp_auth_key_len_ok(enum esp_auth a, size_t n)
{
	size_t want = esp_auth_key_len(a);
	return want == 0 || n == want;
}

const char *esp_auth_key_lens_text(enum esp_auth a)
{
	switch (esp_auth_key_len(a)) {
	case 16:
		return "16";
	case 20:
		return "20";
	case 32:
		return "32";
	case 48:
		return "48";
	case 64:
		return "64";
	default:
		return "any number of";
	}
}

bool esp_enc_is_aead(enum esp_enc e)
{
	switch (e) {
	case ESP_ENC_AES_GCM:
	case ESP_ENC_AES_GCM_8:
	case ESP_ENC_AES_GCM_12:
	case ESP_ENC_AES_GCM_16:
	case ESP_ENC_AES_GCM_16_IIV:
	case ESP_ENC_CHACHA20_POLY1305:
	case ESP_ENC_CHACHA20_POLY1305_IIV:
		return true;
	default:
		return false;
	}
}

static size_t auth_icv_len(enum esp_auth a)
{
	switch (a) {
	case ESP_AUTH_NULL:
		return 0;
	case ESP_AUTH_ANY_64:
		return 8;
	case ESP_AUTH_HMAC_SHA256_128:
	case ESP_AUTH_ANY_128:
		return 16;
	case ESP_AUTH_HMAC_SHA384_192:
	case ESP_AUTH_ANY_192:
		return 24;
	case ESP_AUTH_HMAC_SHA512_256:
	case ESP_AUTH_ANY_256:
		return 32;
	default:
		return 12;
	}
}

size_t esp_icv_len(enum esp_enc e, enum esp_auth a)
{
	switch (e) {
	case ESP_ENC_AES_GCM_8:
		return 8;
	case ESP_ENC_AES_GCM_12:
		return 12;
	case ESP_ENC_AES_GCM_16:
	case ESP_ENC_AES_GCM_16_IIV:
	case ESP_ENC_CHACHA20_POLY1305:
	case ESP_ENC_CHACHA20_POLY1305_IIV:
		return 16;
	case ESP_ENC_AES_GCM: {
		/* strongSwan's save-keys writes the deprecated name together
		 * with "ANY 64/96/128 bit authentication": that is the tag length. */
		size_t n = auth_icv_len(a);
		return (n == 8 || n == 12 || n == 16) ? n : 16;
	}
	default:
		return auth_icv_len(a);
	}
}

/* ---- IKEv2 ---- */

static const char *const ikev2_enc_names[IKEV2_ENC_COUNT] = {
	[IKEV2_ENC_3DES] = "3DES [RFC2451]",
	[IKEV2_ENC_AES_CBC_128] = "AES-CBC-128 [RFC3602]",
	[IKEV2_ENC_AES_CBC_192] = "AES-CBC-192 [RFC3602]",
	[IKEV2_ENC_AES_CBC_256] = "AES-CBC-256 [RFC3602]",
	[IKEV2_ENC_NULL] = "NULL [RFC2410]",
	[IKEV2_ENC_AES_CTR_128] = "AES-CTR-128 [RFC5930]",
	[IKEV2_ENC_AES_CTR_192] = "AES-CTR-192 [RFC5930]",
	[IKEV2_ENC_AES_CTR_256] = "AES-CTR-256 [RFC5930]",
	[IKEV2_ENC_AES_GCM_128_8] = "AES-GCM-128 with 8 octet ICV [RFC5282]",
	[IKEV2_ENC_AES_GCM_192_8] = "AES-GCM-192 with 8 octet ICV [RFC5282]",
	[IKEV2_ENC_AES_GCM_256_8] = "AES-GCM-256 with 8 octet ICV [RFC5282]",
	[IKEV2_ENC_AES_GCM_128_12] = "AES-GCM-128 with 12 octet ICV [RFC5282]",
	[IKEV2_ENC_AES_GCM_192_12] = "AES-GCM-192 with 12 octet ICV [RFC5282]",
	[IKEV2_ENC_AES_GCM_256_12] = "AES-GCM-256 with 12 octet ICV [RFC5282]",
	[IKEV2_ENC_AES_GCM_128_16] = "AES-GCM-128 with 16 octet ICV [RFC5282]",
	[IKEV2_ENC_AES_GCM_192_16] = "AES-GCM-192 with 16 octet ICV [RFC5282]",
	[IKEV2_ENC_AES_GCM_256_16] = "AES-GCM-256 with 16 octet ICV [RFC5282]",
	[IKEV2_ENC_AES_CCM_128_8] = "AES-CCM-128 with 8 octet ICV [RFC5282]",
	[IKEV2_ENC_AES_CCM_192_8] = "AES-CCM-192 with 8 octet ICV [RFC5282]",
	[IKEV2_ENC_AES_CCM_256_8] = "AES-CCM-256 with 8 octet ICV [RFC5282]",
	[IKEV2_ENC_AES_CCM_128_12] = "AES-CCM-128 with 12 octet ICV [RFC5282]",
	[IKEV2_ENC_AES_CCM_192_12] = "AES-CCM-192 with 12 octet ICV [RFC5282]",
	[IKEV2_ENC_AES_CCM_256_12] = "AES-CCM-256 with 12 octet ICV [RFC5282]",
	[IKEV2_ENC_AES_CCM_128_16] = "AES-CCM-128 with 16 octet ICV [RFC5282]",
	[IKEV2_ENC_AES_CCM_192_16] = "AES-CCM-192 with 16 octet ICV [RFC5282]",
	[IKEV2_ENC_AES_CCM_256_16] = "AES-CCM-256 with 16 octet ICV [RFC5282]",
};

static const char *const ikev2_integ_names[IKEV2_INTEG_COUNT] = {
	[IKEV2_INTEG_NONE] = "NONE [RFC4306]",
	[IKEV2_INTEG_HMAC_MD5_96] = "HMAC_MD5_96 [RFC2403]",
	[IKEV2_INTEG_HMAC_SHA1_96] = "HMAC_SHA1_96 [RFC2404]",
	[IKEV2_INTEG_HMAC_MD5_128] = "HMAC_MD5_128 [RFC4595]",
	[IKEV2_INTEG_HMAC_SHA1_160] = "HMAC_SHA1_160 [RFC4595]",
	[IKEV2_INTEG_HMAC_SHA2_256_96] = "HMAC_SHA2_256_96 [draft-ietf-ipsec-ciph-sha-256-00]",
	[IKEV2_INTEG_HMAC_SHA2_256_128] = "HMAC_SHA2_256_128 [RFC4868]",
	[IKEV2_INTEG_HMAC_SHA2_384_192] = "HMAC_SHA2_384_192 [RFC4868]",
	[IKEV2_INTEG_HMAC_SHA2_512_256] = "HMAC_SHA2_512_256 [RFC4868]",
	[IKEV2_INTEG_ANY_64] = "ANY 64-bits of Authentication [No Checking]",
	[IKEV2_INTEG_ANY_96] = "ANY 96-bits of Authentication [No Checking]",
	[IKEV2_INTEG_ANY_128] = "ANY 128-bits of Authentication [No Checking]",
	[IKEV2_INTEG_ANY_160] = "ANY 160-bits of Authentication [No Checking]",
	[IKEV2_INTEG_ANY_192] = "ANY 192-bits of Authentication [No Checking]",
	[IKEV2_INTEG_ANY_256] = "ANY 256-bits of Authentication [No Checking]",
};

#define CBC GCRY_CIPHER_MODE_CBC
#define CTR GCRY_CIPHER_MODE_CTR
#define GCM GCRY_CIPHER_MODE_GCM
#define CCM GCRY_CIPHER_MODE_CCM
static const struct ikev2_enc_info ikev2_encs[IKEV2_ENC_COUNT] = {
	[IKEV2_ENC_3DES] = { GCRY_CIPHER_3DES, CBC, 24, 0, 8, 8, 0 },
	[IKEV2_ENC_AES_CBC_128] = { GCRY_CIPHER_AES128, CBC, 16, 0, 16, 16, 0 },
	[IKEV2_ENC_AES_CBC_192] = { GCRY_CIPHER_AES192, CBC, 24, 0, 16, 16, 0 },
	[IKEV2_ENC_AES_CBC_256] = { GCRY_CIPHER_AES256, CBC, 32, 0, 16, 16, 0 },
	[IKEV2_ENC_NULL] = { 0, 0, 0, 0, 0, 1, 0 },
	[IKEV2_ENC_AES_CTR_128] = { GCRY_CIPHER_AES128, CTR, 20, 4, 8, 1, 0 },
	[IKEV2_ENC_AES_CTR_192] = { GCRY_CIPHER_AES192, CTR, 28, 4, 8, 1, 0 },
	[IKEV2_ENC_AES_CTR_256] = { GCRY_CIPHER_AES256, CTR, 36, 4, 8, 1, 0 },
	[IKEV2_ENC_AES_GCM_128_8] = { GCRY_CIPHER_AES128, GCM, 20, 4, 8, 1, 8 },
	[IKEV2_ENC_AES_GCM_192_8] = { GCRY_CIPHER_AES192, GCM, 28, 4, 8, 1, 8 },
	[IKEV2_ENC_AES_GCM_256_8] = { GCRY_CIPHER_AES256, GCM, 36, 4, 8, 1, 8 },
	[IKEV2_ENC_AES_GCM_128_12] = { GCRY_CIPHER_AES128, GCM, 20, 4, 8, 1, 12 },
	[IKEV2_ENC_AES_GCM_192_12] = { GCRY_CIPHER_AES192, GCM, 28, 4, 8, 1, 12 },
	[IKEV2_ENC_AES_GCM_256_12] = { GCRY_CIPHER_AES256, GCM, 36, 4, 8, 1, 12 },
	[IKEV2_ENC_AES_GCM_128_16] = { GCRY_CIPHER_AES128, GCM, 20, 4, 8, 1, 16 },
	[IKEV2_ENC_AES_GCM_192_16] = { GCRY_CIPHER_AES192, GCM, 28, 4, 8, 1, 16 },
	[IKEV2_ENC_AES_GCM_256_16] = { GCRY_CIPHER_AES256, GCM, 36, 4, 8, 1, 16 },
	[IKEV2_ENC_AES_CCM_128_8] = { GCRY_CIPHER_AES128, CCM, 19, 3, 8, 1, 8 },
	[IKEV2_ENC_AES_CCM_192_8] = { GCRY_CIPHER_AES192, CCM, 27, 3, 8, 1, 8 },
	[IKEV2_ENC_AES_CCM_256_8] = { GCRY_CIPHER_AES256, CCM, 35, 3, 8, 1, 8 },
	[IKEV2_ENC_AES_CCM_128_12] = { GCRY_CIPHER_AES128, CCM, 19, 3, 8, 1, 12 },
	[IKEV2_ENC_AES_CCM_192_12] = { GCRY_CIPHER_AES192, CCM, 27, 3, 8, 1, 12 },
	[IKEV2_ENC_AES_CCM_256_12] = { GCRY_CIPHER_AES256, CCM, 35, 3, 8, 1, 12 },
	[IKEV2_ENC_AES_CCM_128_16] = { GCRY_CIPHER_AES128, CCM, 19, 3, 8, 1, 16 },
	[IKEV2_ENC_AES_CCM_192_16] = { GCRY_CIPHER_AES192, CCM, 27, 3, 8, 1, 16 },
	[IKEV2_ENC_AES_CCM_256_16] = { GCRY_CIPHER_AES256, CCM, 35, 3, 8, 1, 16 },
};
#undef CBC
#undef CTR
#undef GCM
#undef CCM

static const struct ikev2_integ_info ikev2_integs[IKEV2_INTEG_COUNT] = {
	[IKEV2_INTEG_NONE] = { 0, 0, 0 },
	[IKEV2_INTEG_HMAC_MD5_96] = { GCRY_MD_MD5, 16, 12 },
	[IKEV2_INTEG_HMAC_SHA1_96] = { GCRY_MD_SHA1, 20, 12 },
	[IKEV2_INTEG_HMAC_MD5_128] = { GCRY_MD_MD5, 16, 16 },
	[IKEV2_INTEG_HMAC_SHA1_160] = { GCRY_MD_SHA1, 20, 20 },
	[IKEV2_INTEG_HMAC_SHA2_256_96] = { GCRY_MD_SHA256, 32, 12 },
	[IKEV2_INTEG_HMAC_SHA2_256_128] = { GCRY_MD_SHA256, 32, 16 },
	[IKEV2_INTEG_HMAC_SHA2_384_192] = { GCRY_MD_SHA384, 48, 24 },
	[IKEV2_INTEG_HMAC_SHA2_512_256] = { GCRY_MD_SHA512, 64, 32 },
	[IKEV2_INTEG_ANY_64] = { 0, 0, 8 },
	[IKEV2_INTEG_ANY_96] = { 0, 0, 12 },
	[IKEV2_INTEG_ANY_128] = { 0, 0, 16 },
	[IKEV2_INTEG_ANY_160] = { 0, 0, 20 },
	[IKEV2_INTEG_ANY_192] = { 0, 0, 24 },
	[IKEV2_INTEG_ANY_256] = { 0, 0, 32 },
};

const char *ikev2_enc_name(enum ikev2_enc e)
{
	return (unsigned)e < IKEV2_ENC_COUNT ? ikev2_enc_names[e] : "?";
}

const char *ikev2_integ_name(enum ikev2_integ i)
{
	return (unsigned)i < IKEV2_INTEG_COUNT ? ikev2_integ_names[i] : "?";
}

bool ikev2_enc_from_name(const char *s, enum ikev2_enc *out)
{
	int i = name_index(ikev2_enc_names, IKEV2_ENC_COUNT, s);
	if (i >= 0)
		*out = (enum ikev2_enc)i;
	return i >= 0;
}

bool ikev2_integ_from_name(const char *s, enum ikev2_integ *out)
{
	int i = name_index(ikev2_integ_names, IKEV2_INTEG_COUNT, s);
	if (i >= 0)
		*out = (enum ikev2_integ)i;
	return i >= 0;
}

const struct ikev2_enc_info *ikev2_enc_info(enum ikev2_enc e)
{
	return (unsigned)e < IKEV2_ENC_COUNT ? &ikev2_encs[e] : NULL;
}

const struct ikev2_integ_info *ikev2_integ_info(enum ikev2_integ i)
{
	return (unsigned)i < IKEV2_INTEG_COUNT ? &ikev2_integs[i] : NULL;
}

int ikev1_hash_to_gcry(int hash_alg)
{
	switch (hash_alg) {
	case IKEV1_HASH_MD5:
		return GCRY_MD_MD5;
	case IKEV1_HASH_SHA1:
		return GCRY_MD_SHA1;
	case IKEV1_HASH_SHA2_256:
		return GCRY_MD_SHA256;
	case IKEV1_HASH_SHA2_384:
		return GCRY_MD_SHA384;
	case IKEV1_HASH_SHA2_512:
		return GCRY_MD_SHA512;
	default:
		return 0;
	}
}
