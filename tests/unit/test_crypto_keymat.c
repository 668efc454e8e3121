/* IKEv1 KEYMAT known answers from shared/captures/ikev1-small: SKEYID_d from
 * keys/skeyid, the Quick Mode nonces and SPIs as tshark decrypts them
 * (frames 7/8 and 2444/2448), the expected keys from ground-truth.json. */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "keys/algs.h"
#include "keys/esp_crypto.h"
#include "keys/keymat.h"
#include "keys/keystore.h"
#include "keys/prf.h"

static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = 0;
	for (; s[0] && s[1]; s += 2) {
		unsigned v;
		g_assert_true(sscanf(s, "%2x", &v) == 1);
		out[n++] = (uint8_t)v;
	}
	return n;
}

#define SKEYID_D "709224cb6c95224c0de522b8cb333651de0231f2"

static const struct {
	const char *ni, *nr;
	uint32_t spi;
	const char *enc, *auth;
} qm[] = {
	/* QM msgid ea1e4819: Ni in QM1 (initiator SPI 9d477b6e), Nr in QM2 (responder SPI c51afa23) */
	{ "e7dd8f1249748c9c367798496e594ccf14a2635826a80fa21e3af964a9fdb85f",
	  "b1a7b6a63c33b955358f9727c5867befef5a6cbad94a0fdb176c965095bbd586", 0x9d477b6e,
	  "4d1cf4b781a9a17e7344f16fe6d02847", "8d8b1bc4921e78ab0a3f5d7d0e472048c081596e" },
	{ "e7dd8f1249748c9c367798496e594ccf14a2635826a80fa21e3af964a9fdb85f",
	  "b1a7b6a63c33b955358f9727c5867befef5a6cbad94a0fdb176c965095bbd586", 0xc51afa23,
	  "966e53c9108e71633316f89ae0fb766d", "b46356465dfd2e5a61332bf5ccefdabc33222f28" },
	/* first rekey, QM msgid 87ef0a3a: SPIs 9f87fee7 (I) / 92f9b0c9 (R) */
	{ "18ee6538bc5df48fc8fcbd2714eb0ea530e2b587edc1de36599de9dc0a39b240",
	  "ea604201d05de5850ffaf54e318398ac3d079ddb7e9a4519e8ba2a76839907fa", 0x9f87fee7,
	  "90f07bd1687f1de89c18cb7836ffd50e", "92f118a0509e89db320d572d2b80bbb91409231c" },
	{ "18ee6538bc5df48fc8fcbd2714eb0ea530e2b587edc1de36599de9dc0a39b240",
	  "ea604201d05de5850ffaf54e318398ac3d079ddb7e9a4519e8ba2a76839907fa", 0x92f9b0c9,
	  "a5f60f0991e8ea22e86b800fc8ca8c90", "58cf6483ab27bd39d751ccf0bdc1c7597227d7bc" },
};

static void test_keymat_known_answers(void)
{
	uint8_t d[20], ni[32], nr[32], km[36], want[36];
	size_t dl = unhex(SKEYID_D, d);
	for (size_t i = 0; i < G_N_ELEMENTS(qm); i++) {
		size_t nil = unhex(qm[i].ni, ni), nrl = unhex(qm[i].nr, nr);
		g_assert_true(ikev1_keymat(IKEV1_HASH_SHA1, d, dl, IKEV1_PROTO_ESP, qm[i].spi, ni, nil, nr, nrl,
					   km, 36));
		size_t n = unhex(qm[i].enc, want);
		n += unhex(qm[i].auth, want + n);
		g_assert_cmpmem(km, 36, want, n); /* K1 | K2: 16-byte AES key, then 20-byte HMAC key */

		/* the whole esp_key, as the analyzer builds it from the QM transform */
		struct ikev1_esp_transform t = { .transform_id = IKEV1_ESP_AES_CBC, .key_bits = 128,
						 .auth_alg = IKEV1_AUTH_HMAC_SHA1 };
		struct esp_key k;
		g_assert_true(ikev1_esp_key_derive(&k, IKEV1_HASH_SHA1, d, dl, &t, qm[i].spi, ni, nil, nr, nrl,
						   NULL, NULL));
		g_assert_cmpint(k.enc, ==, ESP_ENC_AES_CBC);
		g_assert_cmpint(k.auth, ==, ESP_AUTH_HMAC_SHA1_96);
		g_assert_cmpmem(k.enc_key, k.enc_key_len, want, 16);
		g_assert_cmpmem(k.auth_key, k.auth_key_len, want + 16, 20);
		g_assert_cmpuint(k.spi, ==, qm[i].spi);
		g_assert_cmpuint(k.spi_mask, ==, 0xffffffffu);
		g_assert_cmpint(k.proto, ==, ESP_SA_ANY);
	}
	/* a shorter request is a prefix of the longer one */
	size_t nil = unhex(qm[0].ni, ni), nrl = unhex(qm[0].nr, nr);
	uint8_t short_km[7];
	g_assert_true(ikev1_keymat(IKEV1_HASH_SHA1, d, dl, 3, qm[0].spi, ni, nil, nr, nrl, short_km, 7));
	unhex(qm[0].enc, want);
	g_assert_cmpmem(short_km, 7, want, 7);
	/* unknown hash, too much output */
	g_assert_false(ikev1_keymat(3, d, dl, 3, 1, ni, nil, nr, nrl, km, 16));
	uint8_t big[20 * 256];
	g_assert_false(ikev1_keymat(IKEV1_HASH_SHA1, d, dl, 3, 1, ni, nil, nr, nrl, big, sizeof big));
}

static void test_derived_key_decrypts(void)
{
	/* derive the client->server SA's key, add it to a store, and decrypt
	 * frame 14 of the capture with it (see test_crypto_esp.c) */
	uint8_t d[20], ni[32], nr[32];
	size_t dl = unhex(SKEYID_D, d), nil = unhex(qm[1].ni, ni), nrl = unhex(qm[1].nr, nr);
	struct ikev1_esp_transform t = { .transform_id = IKEV1_ESP_AES_CBC, .key_bits = 128,
					 .auth_alg = IKEV1_AUTH_HMAC_SHA1 };
	struct addr s = { .family = 4, .b = { 192, 0, 2, 10 } }, dst = { .family = 4, .b = { 198, 51, 100, 1 } };
	struct esp_key k;
	g_assert_true(ikev1_esp_key_derive(&k, IKEV1_HASH_SHA1, d, dl, &t, 0xc51afa23, ni, nil, nr, nrl, &s, &dst));
	g_assert_cmpint(k.proto, ==, ESP_SA_IPV4);

	struct keystore *ks = keystore_new();
	const char *file = "\"Any\",\"*\",\"*\",\"*\",\"NULL\",\"\",\"NULL\",\"\"\n"; /* catch-all */
	GError *err = NULL;
	g_assert_true(keystore_load_text(ks, file, strlen(file), "f", &err));
	keystore_add_esp(ks, &k, "derived (KEYMAT)");
	const struct esp_key *got = keystore_esp_lookup(ks, 0xc51afa23, &s, &dst);
	g_assert_nonnull(got);
	g_assert_cmpstr(got->source, ==, "derived (KEYMAT)"); /* derived before file records */
	g_assert_cmpstr(keystore_esp_lookup(ks, 0xc51afa23, &dst, &s)->source, ==, "f:1");

	uint8_t pkt[100], plain[100];
	g_assert_cmpuint(unhex("c51afa230000000353ca454b41f0d7b21a467c99094951aa0a0c117cbdb3452ba317e7d9d854"
			       "5f26456c8048694d23e3752784196dccd10e28766fdcffd2835dd7ef75a518c88cfe245a5ed6"
			       "b55e02e8a182166f36fba950c3f11deecaa725f769125ec5", pkt), ==, 100);
	struct esp_crypto *c = esp_crypto_open(got);
	size_t pl;
	uint8_t nh;
	g_assert_cmpint(esp_crypto_decrypt(c, pkt, 100, 0, plain, &pl, &nh), ==, ESP_OK);
	g_assert_cmpuint(pl, ==, 60);
	g_assert_cmpuint(nh, ==, 4);
	esp_crypto_close(c);
	struct keystore_counts cnt;
	keystore_get_counts(ks, &cnt);
	g_assert_cmpuint(cnt.esp, ==, 2);
	g_assert_cmpuint(cnt.esp_derived, ==, 1);
	g_assert_cmpuint(cnt.esp_wildcard, ==, 1);
	keystore_free(ks);
}

static void test_transform_mapping(void)
{
	uint8_t d[20] = { 1 }, n[8] = { 2 };
	struct esp_key k;
	static const struct {
		int id;
		unsigned bits;
		int auth;
		bool ok;
		enum esp_enc e;
		size_t el, al;
	} t[] = {
		{ IKEV1_ESP_3DES, 0, IKEV1_AUTH_HMAC_MD5, true, ESP_ENC_3DES_CBC, 24, 16 },
		{ IKEV1_ESP_DES, 0, IKEV1_AUTH_HMAC_SHA1, true, ESP_ENC_DES_CBC, 8, 20 },
		{ IKEV1_ESP_AES_CBC, 256, IKEV1_AUTH_HMAC_SHA2_256, true, ESP_ENC_AES_CBC, 32, 32 },
		{ IKEV1_ESP_AES_CBC, 0, IKEV1_AUTH_HMAC_SHA2_512, true, ESP_ENC_AES_CBC, 16, 64 },
		{ IKEV1_ESP_AES_CTR, 192, IKEV1_AUTH_HMAC_SHA2_384, true, ESP_ENC_AES_CTR, 28, 48 },
		{ IKEV1_ESP_AES_GCM_16, 256, IKEV1_AUTH_NONE, true, ESP_ENC_AES_GCM_16, 36, 0 },
		{ IKEV1_ESP_AES_GCM_8, 128, IKEV1_AUTH_NONE, true, ESP_ENC_AES_GCM_8, 20, 0 },
		{ IKEV1_ESP_NULL, 0, IKEV1_AUTH_HMAC_SHA1, true, ESP_ENC_NULL, 0, 20 },
		{ IKEV1_ESP_AES_GCM_16, 128, IKEV1_AUTH_HMAC_SHA1, false, 0, 0, 0 },
		{ IKEV1_ESP_AES_CBC, 100, IKEV1_AUTH_HMAC_SHA1, false, 0, 0, 0 },
		{ 99, 0, IKEV1_AUTH_HMAC_SHA1, false, 0, 0, 0 },
		{ IKEV1_ESP_AES_CBC, 128, 99, false, 0, 0, 0 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(t); i++) {
		struct ikev1_esp_transform tr = { .transform_id = t[i].id, .key_bits = t[i].bits,
						  .auth_alg = t[i].auth };
		bool ok = ikev1_esp_key_derive(&k, IKEV1_HASH_SHA1, d, 20, &tr, 1, n, 8, n, 8, NULL, NULL);
		g_assert_true(ok == t[i].ok);
		if (!ok)
			continue;
		g_assert_cmpint(k.enc, ==, t[i].e);
		g_assert_cmpuint(k.enc_key_len, ==, t[i].el);
		g_assert_cmpuint(k.auth_key_len, ==, t[i].al);
		g_assert_true(esp_enc_key_len_ok(k.enc, k.enc_key_len));
		g_assert_true(esp_auth_key_len_ok(k.auth, k.auth_key_len));
		struct esp_crypto *c = esp_crypto_open(&k);
		g_assert_nonnull(c);
		esp_crypto_close(c);
	}
}

/* RFC 2202 test case 2 (HMAC-SHA1, key "Jefe"), the data split in parts as
 * a HASH payload is hashed: the parts must simply be concatenated. */
static void test_prf_parts(void)
{
	const char *data = "what do ya want for nothing?";
	struct prf_part parts[3] = { { data, 4 }, { data + 4, 0 }, { data + 4, strlen(data) - 4 } };
	uint8_t out[64];
	size_t len = 0;
	g_assert_true(ikev1_prf(2, (const uint8_t *)"Jefe", 4, parts, 3, out, &len));
	g_assert_cmpuint(len, ==, 20);
	static const uint8_t want[20] = { 0xef, 0xfc, 0xdf, 0x6a, 0xe5, 0xeb, 0x2f, 0xa2, 0xd2, 0x74,
					  0x16, 0xd5, 0xf1, 0x84, 0xdf, 0x9c, 0x25, 0x9a, 0x7c, 0x79 };
	g_assert_cmpmem(out, len, want, sizeof(want));
	g_assert_false(ikev1_prf(99, (const uint8_t *)"Jefe", 4, parts, 3, out, &len));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/crypto/keymat/ikev1-small-known-answers", test_keymat_known_answers);
	g_test_add_func("/crypto/keymat/derived-key-decrypts", test_derived_key_decrypts);
	g_test_add_func("/crypto/keymat/transform-mapping", test_transform_mapping);
	g_test_add_func("/crypto/keymat/prf-parts", test_prf_parts);
	return g_test_run();
}
