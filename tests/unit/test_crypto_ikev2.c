/* IKEv2 SK payloads: two real messages from shared/captures/ikev2-small
 * (frames 2711/2712, INFORMATIONAL with a Delete; keys/ikev2_decryption_table;
 * tshark: checksum correct, Delete ESP SPI 4c8dbc34, pad length 3), and round
 * trips through a test-side encrypter for CTR, GCM and CCM. */
#include <gcrypt.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "keys/esp_crypto.h"
#include "keys/ikev2_crypto.h"
#include "keys/keystore.h"

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

#define IKEV2_TABLE                                                                        \
	"b742ccd7b8289866,48299f929e7014c7,0cec889637991b46b39b18f393adb824,"              \
	"db8bafe26cb95db1a195600eb598d9aa,\"AES-CBC-128 [RFC3602]\","                      \
	"52534f23f314cd8f227c5745ba18d9c4e8545692,0a642f66e4a2bfc3c0c66d839ceee74b2e4ccd7c," \
	"\"HMAC_SHA1_96 [RFC2404]\"\n"

/* UDP 4500 payloads after the non-ESP marker */
#define F2711                                                                              \
	"b742ccd7b828986648299f929e7014c72e202508000000030000004c2a000030fae253178b7485ff" \
	"901049a53101f4f458c6bcbcdc8f0bcf27dae2dbaa6b3567655086cbe2dfd4b43d94785a"
#define F2712                                                                              \
	"b742ccd7b828986648299f929e7014c72e202520000000030000004c2a0000308faede6d3bc94967" \
	"40e45c7fcfc9b86c5bfe00aee599bda429fb2b450d123f151ef556fcf4edf16b71def427"

static const struct ikev2_key *load_key(struct keystore *ks)
{
	GError *err = NULL;
	g_assert_true(keystore_load_text(ks, IKEV2_TABLE, strlen(IKEV2_TABLE), "ikev2_decryption_table", &err));
	const uint8_t si[8] = { 0xb7, 0x42, 0xcc, 0xd7, 0xb8, 0x28, 0x98, 0x66 };
	const uint8_t sr[8] = { 0x48, 0x29, 0x9f, 0x92, 0x9e, 0x70, 0x14, 0xc7 };
	const struct ikev2_key *k = keystore_ikev2_lookup(ks, si, sr);
	g_assert_nonnull(k);
	return k;
}

static void test_real_messages(void)
{
	struct keystore *ks = keystore_new();
	const struct ikev2_key *k = load_key(ks);
	const uint8_t delete_payload[12] = { 0x00, 0x00, 0x00, 0x0c, 0x03, 0x04, 0x00, 0x01,
					     0x4c, 0x8d, 0xbc, 0x34 };
	uint8_t msg[128], out[128];
	size_t out_len;

	/* from the original initiator (flags 0x08): SK_ei / SK_ai */
	size_t n = unhex(F2711, msg);
	g_assert_cmpuint(n, ==, 76);
	g_assert_cmpint(ikev2_decrypt_sk(k, true, msg, n, 28, out, &out_len), ==, IKEV2_OK);
	g_assert_cmpmem(out, out_len, delete_payload, 12);
	/* wrong direction: the checksum fails */
	g_assert_cmpint(ikev2_decrypt_sk(k, false, msg, n, 28, out, &out_len), ==, IKEV2_ICV_FAIL);
	/* the checksum covers the IKE header too */
	msg[19] ^= 0x01;
	g_assert_cmpint(ikev2_decrypt_sk(k, true, msg, n, 28, out, &out_len), ==, IKEV2_ICV_FAIL);

	/* the responder's answer (flags 0x20): SK_er / SK_ar */
	n = unhex(F2712, msg);
	g_assert_cmpint(ikev2_decrypt_sk(k, false, msg, n, 28, out, &out_len), ==, IKEV2_OK);
	g_assert_cmpuint(out_len, ==, 12);
	g_assert_cmpuint(out[4], ==, 3);  /* protocol ESP */
	g_assert_cmpuint(out[7], ==, 1);  /* one SPI */

	/* malformed: SK length past the message, SK offset past the end */
	n = unhex(F2711, msg);
	g_assert_cmpint(ikev2_decrypt_sk(k, true, msg, n - 1, 28, out, &out_len), ==, IKEV2_TOO_SHORT);
	g_assert_cmpint(ikev2_decrypt_sk(k, true, msg, n, 80, out, &out_len), ==, IKEV2_TOO_SHORT);
	msg[31] = 4 + 16 + 12; /* no room for ciphertext */
	g_assert_cmpint(ikev2_decrypt_sk(k, true, msg, n, 28, out, &out_len), ==, IKEV2_TOO_SHORT);
	g_assert_cmpstr(ikev2_verdict_name(IKEV2_ICV_FAIL), ==, "icv-fail");
	keystore_free(ks);
}

/* ---- test-side encrypter: IKE header | SK header | IV | ct | ICV ---- */

static size_t build(const struct ikev2_key *k, bool initiator, const uint8_t *inner, size_t len,
		    uint8_t *msg)
{
	const struct ikev2_enc_info *ei = ikev2_enc_info(k->enc);
	const struct ikev2_integ_info *ii = ikev2_integ_info(k->integ);
	size_t icv = ei->icv_len ? ei->icv_len : ii->icv_len;
	size_t pad = ei->block_len > 1 ? (ei->block_len - (len + 1) % ei->block_len) % ei->block_len : 2;
	size_t ct_len = len + pad + 1;
	size_t total = 28 + 4 + ei->iv_len + ct_len + icv;
	memset(msg, 0, 28);
	memcpy(msg, k->spi_i, 8);
	memcpy(msg + 8, k->spi_r, 8);
	msg[16] = 46, msg[17] = 0x20, msg[18] = 37, msg[19] = initiator ? 0x08 : 0x20;
	msg[27] = (uint8_t)total;
	msg[26] = (uint8_t)(total >> 8);
	msg[28] = 41; /* next payload: Notify */
	msg[30] = (uint8_t)((total - 28) >> 8), msg[31] = (uint8_t)(total - 28);
	uint8_t *iv = msg + 32, *ct = iv + ei->iv_len;
	for (size_t i = 0; i < ei->iv_len; i++)
		iv[i] = (uint8_t)(0x11 * i + 3);
	memcpy(ct, inner, len);
	for (size_t i = 0; i < pad; i++)
		ct[len + i] = 0xee; /* IKEv2 padding is arbitrary */
	ct[len + pad] = (uint8_t)pad;
	const uint8_t *ek = initiator ? k->sk_ei : k->sk_er, *ak = initiator ? k->sk_ai : k->sk_ar;
	size_t key_len = ei->key_len - ei->salt_len;
	gcry_cipher_hd_t h;
	g_assert_cmpint(gcry_cipher_open(&h, ei->gcry_algo, ei->gcry_mode, 0), ==, 0);
	gcry_cipher_setkey(h, ek, key_len);
	uint8_t nonce[16] = { 0 };
	memcpy(nonce, ek + key_len, ei->salt_len);
	memcpy(nonce + ei->salt_len, iv, ei->iv_len);
	if (ei->gcry_mode == GCRY_CIPHER_MODE_CBC) {
		gcry_cipher_setiv(h, iv, ei->iv_len);
	} else if (ei->gcry_mode == GCRY_CIPHER_MODE_CTR) {
		nonce[15] = 1;
		gcry_cipher_setctr(h, nonce, 16);
	} else {
		gcry_cipher_setiv(h, nonce, ei->salt_len + ei->iv_len);
		if (ei->gcry_mode == GCRY_CIPHER_MODE_CCM) {
			uint64_t l[3] = { ct_len, 32, icv };
			gcry_cipher_ctl(h, GCRYCTL_SET_CCM_LENGTHS, l, sizeof l);
		}
		gcry_cipher_authenticate(h, msg, 32);
	}
	g_assert_cmpint(gcry_cipher_encrypt(h, ct, ct_len, NULL, 0), ==, 0);
	if (ei->icv_len)
		gcry_cipher_gettag(h, ct + ct_len, icv);
	gcry_cipher_close(h);
	if (ii->gcry_md) {
		gcry_md_hd_t md;
		gcry_md_open(&md, ii->gcry_md, GCRY_MD_FLAG_HMAC);
		gcry_md_setkey(md, ak, ii->key_len);
		gcry_md_write(md, msg, total - icv);
		memcpy(msg + total - icv, gcry_md_read(md, ii->gcry_md), icv);
		gcry_md_close(md);
	}
	return total;
}

static void test_roundtrip(void)
{
	g_assert_true(esprekey_gcrypt_init());
	static const struct {
		enum ikev2_enc e;
		enum ikev2_integ i;
	} t[] = {
		{ IKEV2_ENC_3DES, IKEV2_INTEG_HMAC_MD5_96 },
		{ IKEV2_ENC_AES_CBC_128, IKEV2_INTEG_HMAC_SHA1_96 },
		{ IKEV2_ENC_AES_CBC_192, IKEV2_INTEG_HMAC_SHA2_256_128 },
		{ IKEV2_ENC_AES_CBC_256, IKEV2_INTEG_HMAC_SHA2_512_256 },
		{ IKEV2_ENC_AES_CTR_128, IKEV2_INTEG_HMAC_SHA2_384_192 },
		{ IKEV2_ENC_AES_CTR_256, IKEV2_INTEG_HMAC_SHA1_160 },
		{ IKEV2_ENC_AES_GCM_128_8, IKEV2_INTEG_NONE },
		{ IKEV2_ENC_AES_GCM_192_12, IKEV2_INTEG_NONE },
		{ IKEV2_ENC_AES_GCM_256_16, IKEV2_INTEG_NONE },
		{ IKEV2_ENC_AES_CCM_128_8, IKEV2_INTEG_NONE },
		{ IKEV2_ENC_AES_CCM_256_16, IKEV2_INTEG_NONE },
	};
	uint8_t inner[100];
	for (size_t i = 0; i < sizeof inner; i++)
		inner[i] = (uint8_t)(i * 13 + 1);
	for (size_t i = 0; i < G_N_ELEMENTS(t); i++)
		for (int dir = 0; dir < 2; dir++) {
			struct ikev2_key k;
			memset(&k, 0, sizeof k);
			k.enc = t[i].e, k.integ = t[i].i;
			for (int j = 0; j < 36; j++)
				k.sk_ei[j] = (uint8_t)(j + 1), k.sk_er[j] = (uint8_t)(j + 101);
			for (int j = 0; j < 64; j++)
				k.sk_ai[j] = (uint8_t)(j + 51), k.sk_ar[j] = (uint8_t)(j + 151);
			k.sk_e_len = ikev2_enc_info(k.enc)->key_len;
			k.sk_a_len = ikev2_integ_info(k.integ)->key_len;
			uint8_t msg[256], out[256];
			size_t out_len = 0;
			size_t n = build(&k, dir, inner, 37, msg);
			enum ikev2_verdict v = ikev2_decrypt_sk(&k, dir, msg, n, 28, out, &out_len);
			if (v != IKEV2_OK)
				g_error("%s / %s: %s", ikev2_enc_name(k.enc), ikev2_integ_name(k.integ),
					ikev2_verdict_name(v));
			g_assert_cmpmem(out, out_len, inner, 37);
			msg[40] ^= 1;
			g_assert_cmpint(ikev2_decrypt_sk(&k, dir, msg, n, 28, out, &out_len), ==, IKEV2_ICV_FAIL);
		}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/crypto/ikev2/ikev2-small-informational", test_real_messages);
	g_test_add_func("/crypto/ikev2/roundtrip", test_roundtrip);
	return g_test_run();
}
