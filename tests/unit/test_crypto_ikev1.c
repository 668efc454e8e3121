/* IKEv1 decryption and the RFC 2409 IV chain, with the messages of
 * shared/captures/ikev1-small/capture-client.pcap (frames 3-9; keys/
 * ikev1_decryption_table; expected plaintexts are tshark 4.0's "Decrypted
 * IKE" and the initial IV is strongSwan's, keys/ike-secrets.json). */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "keys/algs.h"
#include "keys/ikev1_crypto.h"

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

#define KA "09d1b3b11828b6281ae30ceaa883fce7"
/* KE payload data of Main Mode messages 3 (g^xi) and 4 (g^xr) */
#define GXI                                                                                \
	"b46bdbbba3c8b456c9ba1918448bb17f56d8601e99d42d6e4a86cd4a6b0d8e8320ebf765688b8b98" \
	"f10a95f575e66d8db289f7e572af64b916a66fdf3a1cddca41376126ad86f7e26494c933ef790aef" \
	"e8697d15caaf81111e9f99943d83958891b28cfdf3d34e3b135fe04097427ce3588a2eacc7073bc1" \
	"1e73a47f3daf68c5"
#define GXR                                                                                \
	"3d969de01a8f0c0890b5f58dbf5e2ede75e7b5794f2d50dd318d40e58fcc686c219509a05dc82e21" \
	"e66280e86c7318bd05ead0891ec6eb4f19c7e766fef34bfcb2c76713bc784ce41c9b409037593f33" \
	"0cec7adb57883114f278d594f7ca4db22392a2b3de06c16dee9524e6555d94cfa0ddd7d992592cc9" \
	"338601553704def2"
#define INITIAL_IV "3ab83fe97787fc0f78bf0996550f207b"

/* message bodies (after the 28-byte header) and tshark's plaintexts */
static const struct {
	uint32_t msgid;
	const char *body, *plain;
} msg[] = {
	{ 0, /* frame 5, MM5: ID, HASH_I, N(INITIAL_CONTACT) */
	  "c9d79967aa0e5c534d36bf588b48a2480d98d50f9dae5614921970ce024c3dcc8d4a97d5ef5ed5e3"
	  "db38bc180393353e79352fb243658aa47a2bcedf3094d7fb619f0bb5471c7d5a57d2a8a2f322f092",
	  "0800000c01000000c000020a0b000018931983d03cc87161d592df383ee80cd3b8921e240000001c"
	  "00000001011060028235695e8a93fd68529bb6c33327b95600000000000000000000000000000000" },
	{ 0, /* frame 6, MM6: ID, HASH_R */
	  "b5774932b4ba2632170fb045f690aa51bc9a4074232737d07d934ad37c912c0e6f53970447e863fe"
	  "57e51e479472cd78",
	  "0800000c01000000c633640100000018a38354f521783324bb7e96e29a3c4a5af420564a00000000"
	  "0000000000000000" },
	{ 0xea1e4819, /* frame 7, QM1: HASH(1), SA (SPI 9d477b6e), Ni, IDci, IDcr */
	  "74fb9897ab34418ebcc20c38cf64393d203b5f9259f3e0d67683be8da1ca0c396413bcbb28f4d39a"
	  "e32e53c2e39f66e812e2fb1f509689804658fb2ea6c88f7a2be0565e255911009b7e0d88f81a2399"
	  "a66d3f217134b3dd3c3863224bfd52a95d6c36499ac4a82eec5e035f5b25a33d72d3cf17d9c9eb5c"
	  "9ffba8dd4d959485acc4295e8d5302f95d8cbd5d9b1a9433",
	  "0100001831b4360954c6d24f7bff5c07d3c9ad24522aca910a000034000000010000000100000028"
	  "010304019d477b6e0000001c010c00008006008080050002800400038001000280020bb805000024"
	  "e7dd8f1249748c9c367798496e594ccf14a2635826a80fa21e3af964a9fdb85f0500000c01000000"
	  "cb00710a0000000c01000000cb0071010000000000000000" },
	{ 0xea1e4819, /* frame 8, QM2: HASH(2), SA (SPI c51afa23), Nr, IDci, IDcr */
	  "9c8f0e74c65c3025949c9fc4c3a0b9f4ce562aa3c451c164d68691f2e0a41cce0ab9ad4daf2596bb"
	  "797a1308e320ca774dcb818093d685ad98b7e2edb5bade5fb13ef0e18bc163720d1112675737a05e"
	  "6b2796bcc2a98d46d7f43a8d3a78a4414c9be42c84dbcdefded5339e8feeef8aaeed6a716f670f75"
	  "d8feba6f081380e90489328a14e1fdfed7f3cfb44747fc062506942be6061a233333887df6bccf29",
	  "01000018b7e3be7f3b448776ea6d0a989546928acf1e6c570a00003c000000010000000100000030"
	  "01030401c51afa2300000024010c000080060080800500028004000380010001800270808001000280"
	  "020bb805000024b1a7b6a63c33b955358f9727c5867befef5a6cbad94a0fdb176c965095bbd586"
	  "0500000c01000000cb00710a0000000c01000000cb00710100000000000000000000000000000000" },
	{ 0xea1e4819, /* frame 9, QM3: HASH(3) */
	  "657d616d29a880c658af4d690ad894ce2a5bc6d2761e387ece4a333d24c43834",
	  "00000018543ba34b2312435dffc8e14bcbe3fcc24c4777c30000000000000000" },
};

static struct ikev1_crypto *ctx_full(void)
{
	struct ikev1_crypto *c = ikev1_crypto_new();
	uint8_t ka[16], gx[256];
	g_assert_true(ikev1_crypto_set_transform(c, IKEV1_ENC_AES_CBC, 128, IKEV1_HASH_SHA1));
	unhex(KA, ka);
	g_assert_true(ikev1_crypto_set_ka(c, ka, 16));
	size_t n = unhex(GXI, gx);
	g_assert_cmpuint(n, ==, 128);
	ikev1_crypto_set_ke(c, true, gx, n);
	n = unhex(GXR, gx);
	ikev1_crypto_set_ke(c, false, gx, n);
	return c;
}

static void decrypt_and_check(struct ikev1_crypto *c, size_t i, enum ikev1_status want)
{
	uint8_t body[256], out[256], plain[256];
	size_t n = unhex(msg[i].body, body);
	size_t pn = unhex(msg[i].plain, plain);
	g_assert_cmpuint(n, ==, pn);
	bool ok = ikev1_decrypt(c, msg[i].msgid, body, n, out);
	g_assert_cmpint(ikev1_last_status(c), ==, want);
	g_assert_true(ok == (want == IKEV1_OK));
	size_t from = want == IKEV1_OK ? 0 : 16; /* first block unknown otherwise */
	g_assert_cmpmem(out + from, n - from, plain + from, n - from);
	if (from) {
		static const uint8_t zero[16];
		g_assert_cmpmem(out, 16, zero, 16);
	}
}

static void test_full_exchange(void)
{
	struct ikev1_crypto *c = ctx_full();
	uint8_t iv[16], want[16];
	size_t n;
	g_assert_true(ikev1_crypto_phase1_iv(c, iv, &n));
	unhex(INITIAL_IV, want);
	g_assert_cmpmem(iv, n, want, 16); /* trunc16(SHA1(g^xi | g^xr)) = strongSwan's */
	g_assert_cmpuint(ikev1_crypto_block_len(c), ==, 16);
	for (size_t i = 0; i < G_N_ELEMENTS(msg); i++)
		decrypt_and_check(c, i, IKEV1_OK);
	ikev1_crypto_free(c);
}

static void test_retransmission(void)
{
	struct ikev1_crypto *c = ctx_full();
	decrypt_and_check(c, 0, IKEV1_OK);
	decrypt_and_check(c, 0, IKEV1_OK); /* MM5 again: same IV, not its own last block */
	decrypt_and_check(c, 1, IKEV1_OK);
	decrypt_and_check(c, 2, IKEV1_OK);
	decrypt_and_check(c, 2, IKEV1_OK); /* QM1 again */
	decrypt_and_check(c, 3, IKEV1_OK);
	decrypt_and_check(c, 4, IKEV1_OK);
	decrypt_and_check(c, 4, IKEV1_OK);
	ikev1_crypto_free(c);
}

static void test_no_key_exchange(void)
{
	/* Main Mode 5/6 captured but not 3/4: MM5 loses its first block, the
	 * chain then continues exactly. */
	struct ikev1_crypto *c = ikev1_crypto_new();
	uint8_t ka[16], iv[16];
	size_t n;
	unhex(KA, ka);
	g_assert_true(ikev1_crypto_set_transform(c, IKEV1_ENC_AES_CBC, 128, IKEV1_HASH_SHA1));
	g_assert_true(ikev1_crypto_set_ka(c, ka, 16));
	g_assert_false(ikev1_crypto_phase1_iv(c, iv, &n));
	decrypt_and_check(c, 0, IKEV1_FIRST_BLOCK_UNKNOWN);
	decrypt_and_check(c, 1, IKEV1_OK);
	decrypt_and_check(c, 2, IKEV1_OK);
	decrypt_and_check(c, 3, IKEV1_OK);
	ikev1_crypto_free(c);

	/* Capture starts at Quick Mode: its first message loses block 1, the
	 * rest of the exchange chains from it. */
	c = ikev1_crypto_new();
	g_assert_true(ikev1_crypto_set_transform(c, IKEV1_ENC_AES_CBC, 0 /* from Ka */, IKEV1_HASH_SHA1));
	g_assert_true(ikev1_crypto_set_ka(c, ka, 16));
	decrypt_and_check(c, 2, IKEV1_FIRST_BLOCK_UNKNOWN);
	decrypt_and_check(c, 3, IKEV1_OK);
	decrypt_and_check(c, 4, IKEV1_OK);
	g_assert_cmpstr(ikev1_status_name(IKEV1_FIRST_BLOCK_UNKNOWN), ==,
			"first-block-unknown (no IV: Main Mode key exchange not captured)");
	ikev1_crypto_free(c);
}

static void test_statuses(void)
{
	uint8_t body[32] = { 0 }, out[32], ka[16] = { 0 };
	struct ikev1_crypto *c = ikev1_crypto_new();
	g_assert_false(ikev1_decrypt(c, 0, body, 32, out));
	g_assert_cmpint(ikev1_last_status(c), ==, IKEV1_NO_TRANSFORM);
	g_assert_true(ikev1_crypto_set_transform(c, IKEV1_ENC_3DES, 0, IKEV1_HASH_MD5));
	g_assert_false(ikev1_decrypt(c, 0, body, 32, out));
	g_assert_cmpint(ikev1_last_status(c), ==, IKEV1_NO_KEY);
	g_assert_false(ikev1_crypto_set_ka(c, ka, 16)); /* 3DES needs 24 */
	uint8_t ka24[24] = { 1 };
	g_assert_true(ikev1_crypto_set_ka(c, ka24, 24));
	g_assert_cmpuint(ikev1_crypto_block_len(c), ==, 8);
	g_assert_false(ikev1_decrypt(c, 0, body, 12, out));
	g_assert_cmpint(ikev1_last_status(c), ==, IKEV1_BAD_LENGTH);
	g_assert_false(ikev1_decrypt(c, 0, body, 0, out));
	g_assert_cmpint(ikev1_last_status(c), ==, IKEV1_BAD_LENGTH);
	g_assert_false(ikev1_decrypt(c, 0, body, 16, out));
	g_assert_cmpint(ikev1_last_status(c), ==, IKEV1_FIRST_BLOCK_UNKNOWN);
	ikev1_crypto_free(c);

	c = ikev1_crypto_new();
	g_assert_false(ikev1_crypto_set_transform(c, 6 /* CAST */, 0, IKEV1_HASH_SHA1));
	g_assert_cmpint(ikev1_last_status(c), ==, IKEV1_UNSUPPORTED);
	g_assert_false(ikev1_crypto_set_transform(c, IKEV1_ENC_AES_CBC, 100, IKEV1_HASH_SHA1));
	g_assert_false(ikev1_crypto_set_transform(c, IKEV1_ENC_AES_CBC, 128, 3 /* Tiger */));
	g_assert_false(ikev1_decrypt(c, 0, body, 32, out));
	ikev1_crypto_free(c);
}

static void test_bounded_msgid_table(void)
{
	/* Many exchanges: the table stays bounded (least recently used goes),
	 * the newest exchanges still chain. */
	struct ikev1_crypto *c = ctx_full();
	decrypt_and_check(c, 0, IKEV1_OK);
	decrypt_and_check(c, 1, IKEV1_OK);
	uint8_t body[32], out[32];
	memset(body, 0x42, sizeof body);
	for (uint32_t m = 1; m <= 10 * IKEV1_MAX_MSGIDS; m++)
		g_assert_true(ikev1_decrypt(c, m, body, 32, out));
	/* QM still decrypts (its IV comes from the phase-1 IV, not the table) */
	decrypt_and_check(c, 2, IKEV1_OK);
	decrypt_and_check(c, 3, IKEV1_OK);
	decrypt_and_check(c, 4, IKEV1_OK);
	ikev1_crypto_free(c);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/crypto/ikev1/main-and-quick-mode", test_full_exchange);
	g_test_add_func("/crypto/ikev1/retransmission", test_retransmission);
	g_test_add_func("/crypto/ikev1/no-key-exchange", test_no_key_exchange);
	g_test_add_func("/crypto/ikev1/statuses", test_statuses);
	g_test_add_func("/crypto/ikev1/bounded-msgid-table", test_bounded_msgid_table);
	return g_test_run();
}
