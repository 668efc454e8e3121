/* Key-file readers: every shape, every error message, and no key material
 * in any message. */
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "keys/keystore.h"

/* ---- helpers ---- */

static void unhex(const char *s, uint8_t *out, size_t *len)
{
	size_t n = strlen(s) / 2;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		g_assert_true(sscanf(s + 2 * i, "%2x", &v) == 1);
		out[i] = (uint8_t)v;
	}
	*len = n;
}

static void assert_bytes(const uint8_t *got, size_t got_len, const char *hex)
{
	uint8_t want[512];
	size_t n;
	unhex(hex, want, &n);
	g_assert_cmpuint(got_len, ==, n);
	g_assert_cmpmem(got, got_len, want, n);
}

static struct addr a4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct addr x = { .family = 4 };
	x.b[0] = a, x.b[1] = b, x.b[2] = c, x.b[3] = d;
	return x;
}

static struct addr a6(const char *hex)
{
	struct addr x = { .family = 6 };
	size_t n;
	unhex(hex, x.b, &n);
	g_assert_cmpuint(n, ==, 16);
	return x;
}

static const char *data_path(const char *name)
{
	static char buf[4096];
	g_snprintf(buf, sizeof buf, "tests/data/keys/%s", name);
	if (access(buf, R_OK) == 0)
		return buf;
	/* run from elsewhere: the binary is build/tests/x or build-san/tests/x */
	char *exe = g_file_read_link("/proc/self/exe", NULL);
	char *dir = g_path_get_dirname(exe);
	g_snprintf(buf, sizeof buf, "%s/../../tests/data/keys/%s", dir, name);
	g_free(dir);
	g_free(exe);
	return buf;
}

/* Secrets used in the error cases; none may appear in a message. */
static const char *const secrets[] = {
	"00112233445566778899aabbccddee", "8d8b1bc4921e78ab0a3f5d7d0e472048c081596e",
	"09d1b3b11828b6281ae30ceaa883fce7", "709224cb6c95224c0de522b8cb333651de0231f2",
	"0cec889637991b46b39b18f393adb824", "52534f23f314cd8f227c5745ba18d9c4e8545692",
	"deadbeef", "DEADBEEF", "s3cr3t", "de ad be ef", "4d 1c f4 b7",
};

static void assert_no_secret(const char *msg)
{
	for (size_t i = 0; i < G_N_ELEMENTS(secrets); i++)
		if (strstr(msg, secrets[i]))
			g_error("message \"%s\" contains key material \"%s\"", msg, secrets[i]);
}

/* Loads `text` and returns the error message (owned by the caller). */
static char *load_error(const char *text)
{
	struct keystore *ks = keystore_new();
	GError *err = NULL;
	gboolean ok = keystore_load_text(ks, text, strlen(text), "t.keys", &err);
	g_assert_false(ok);
	g_assert_nonnull(err);
	g_assert_true(g_error_matches(err, KEYS_ERROR, KEYS_ERROR_PARSE));
	struct keystore_counts c;
	keystore_get_counts(ks, &c);
	/* all or nothing */
	g_assert_cmpuint(c.esp + c.ikev1 + c.ikev2, ==, 0);
	char *msg = g_strdup(err->message);
	g_error_free(err);
	keystore_free(ks);
	assert_no_secret(msg);
	return msg;
}

static void expect_error(const char *text, const char *want)
{
	char *msg = load_error(text);
	g_assert_cmpstr(msg, ==, want);
	g_free(msg);
}

static struct keystore *load_ok(const char *text)
{
	struct keystore *ks = keystore_new();
	GError *err = NULL;
	if (!keystore_load_text(ks, text, strlen(text), "t.keys", &err))
		g_error("unexpected error: %s", err->message);
	return ks;
}

#define ESP_OK_LINE(spi)                                                                   \
	"\"IPv4\",\"198.51.100.1\",\"192.0.2.10\",\"" spi "\",\"AES-CBC [RFC3602]\","       \
	"\"0x4d1cf4b781a9a17e7344f16fe6d02847\",\"HMAC-SHA-1-96 [RFC2404]\","               \
	"\"0x8d8b1bc4921e78ab0a3f5d7d0e472048c081596e\""

/* ---- esp_sa ---- */

static void test_esp_sa_8_fields(void)
{
	struct keystore *ks = load_ok(ESP_OK_LINE("0x9d477b6e") "\n");
	struct addr s = a4(198, 51, 100, 1), d = a4(192, 0, 2, 10);
	const struct esp_key *k = keystore_esp_lookup(ks, 0x9d477b6e, &s, &d);
	g_assert_nonnull(k);
	g_assert_cmpint(k->proto, ==, ESP_SA_IPV4);
	g_assert_cmpint(k->enc, ==, ESP_ENC_AES_CBC);
	g_assert_cmpint(k->auth, ==, ESP_AUTH_HMAC_SHA1_96);
	assert_bytes(k->enc_key, k->enc_key_len, "4d1cf4b781a9a17e7344f16fe6d02847");
	assert_bytes(k->auth_key, k->auth_key_len, "8d8b1bc4921e78ab0a3f5d7d0e472048c081596e");
	g_assert_false(k->esn);
	g_assert_cmpstr(k->source, ==, "t.keys:1");
	/* addresses are the outer ones and must match both ways round */
	g_assert_null(keystore_esp_lookup(ks, 0x9d477b6e, &d, &s));
	g_assert_null(keystore_esp_lookup(ks, 0x9d477b6f, &s, &d));
	keystore_free(ks);
}

static void test_esp_sa_10_fields_esn(void)
{
	struct keystore *ks = load_ok(
		"\"IPv6\",\"2001:db8::1\",\"2001:db8:0:0::2\",\"12345\",\"AES-GCM with 16 octet ICV [RFC4106]\","
		"\"0x00112233445566778899aabbccddeeff01020304\",\"NULL\",\"\",\"64-bit\",\"1a\"\n");
	struct addr s = a6("20010db8000000000000000000000001"), d = a6("20010db8000000000000000000000002");
	const struct esp_key *k = keystore_esp_lookup(ks, 12345, &s, &d);
	g_assert_nonnull(k);
	g_assert_cmpint(k->enc, ==, ESP_ENC_AES_GCM_16);
	g_assert_cmpint(k->auth, ==, ESP_AUTH_NULL);
	g_assert_cmpuint(k->enc_key_len, ==, 20);
	g_assert_true(k->esn);
	g_assert_cmpuint(k->esn_high, ==, 0x1a);
	/* an IPv6 record does not match IPv4 packets */
	struct addr v4 = a4(1, 2, 3, 4);
	g_assert_null(keystore_esp_lookup(ks, 12345, &v4, &v4));
	keystore_free(ks);
}

static void test_esp_sa_key_forms(void)
{
	/* odd-length 0x key: implicit leading 0; ASCII key; "0x" = empty */
	struct keystore *ks = load_ok(
		"\"Any\",\"*\",\"*\",\"1\",\"AES-CBC [RFC3602]\",\"0x123456789abcdef0123456789abcdef\","
		"\"HMAC-MD5-96 [RFC2403]\",\"0123456789abcdef\"\n"
		"\"Any\",\"*\",\"*\",\"2\",\"NULL\",\"0x\",\"ANY 64 bit authentication [no checking]\",\"0x\"\n"
		"\"Any\",\"*\",\"*\",\"3\",\"AES-CBC [RFC3602]\",\"ab\\x22cdefghijklmn\\x5c\",\"NULL\",\"\"\n");
	const struct esp_key *k = keystore_esp_lookup(ks, 1, NULL, NULL);
	g_assert_nonnull(k);
	assert_bytes(k->enc_key, k->enc_key_len, "0123456789abcdef0123456789abcdef");
	g_assert_cmpmem(k->auth_key, k->auth_key_len, "0123456789abcdef", 16);
	k = keystore_esp_lookup(ks, 2, NULL, NULL);
	g_assert_nonnull(k);
	g_assert_cmpuint(k->enc_key_len, ==, 0);
	g_assert_cmpint(k->auth, ==, ESP_AUTH_ANY_64);
	k = keystore_esp_lookup(ks, 3, NULL, NULL);
	g_assert_nonnull(k);
	g_assert_cmpmem(k->enc_key, k->enc_key_len, "ab\"cdefghijklmn\\", 16);
	keystore_free(ks);
}

static void test_esp_sa_every_name(void)
{
	static const struct {
		const char *enc, *key, *auth, *akey;
	} t[] = {
		{ "NULL", "", "NULL", "" },
		{ "TripleDES-CBC [RFC2451]", "0x000102030405060708090a0b0c0d0e0f1011121314151617",
		  "HMAC-SHA-1-96 [RFC2404]", "0x000102030405060708090a0b0c0d0e0f10111213" },
		{ "AES-CBC [RFC3602]", "0x000102030405060708090a0b0c0d0e0f1011121314151617",
		  "HMAC-SHA-256-96 [draft-ietf-ipsec-ciph-sha-256-00]",
		  "0x000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f" },
		{ "AES-CTR [RFC3686]", "0x000102030405060708090a0b0c0d0e0f10111213",
		  "HMAC-SHA-256-128 [RFC4868]",
		  "0x000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f" },
		{ "DES-CBC [RFC2405]", "0x0001020304050607", "HMAC-SHA-384-192 [RFC4868]",
		  "0x000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f"
		  "000102030405060708090a0b0c0d0e0f" },
		{ "CAST5-CBC [RFC2144]", "0x000102030405060708090a0b0c0d0e0f", "HMAC-SHA-512-256 [RFC4868]",
		  "0x000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f"
		  "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f" },
		{ "BLOWFISH-CBC [RFC2451]", "0x000102030405060708090a0b0c0d0e0f", "HMAC-MD5-96 [RFC2403]",
		  "0x000102030405060708090a0b0c0d0e0f" },
		{ "TWOFISH-CBC", "0x000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f",
		  "MAC-RIPEMD-160-96 [RFC2857]", "0x000102030405060708090a0b0c0d0e0f10111213" },
		{ "AES-GCM [RFC4106]", "0x000102030405060708090a0b0c0d0e0f10111213",
		  "ANY 128 bit authentication [no checking]", "" },
		{ "AES-GCM with 8 octet ICV [RFC4106]", "0x000102030405060708090a0b0c0d0e0f10111213",
		  "ANY 64 bit authentication [no checking]", "" },
		{ "AES-GCM with 12 octet ICV [RFC4106]", "0x000102030405060708090a0b0c0d0e0f1011121314151617"
							 "18191a1b",
		  "ANY 96 bit authentication [no checking]", "" },
		{ "AES-GCM with 16 octet ICV [RFC4106]",
		  "0x000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f10111213",
		  "ANY 192 bit authentication [no checking]", "" },
		{ "AES-GCM with IIV and 16 octet ICV [RFC4106 & RFC8750]",
		  "0x000102030405060708090a0b0c0d0e0f10111213", "ANY 256 bit authentication [no checking]",
		  "" },
		{ "ChaCha20 with Poly1305 [RFC7634]",
		  "0x000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f10111213", "NULL", "" },
		{ "ChaCha20 with Poly1305 and IIV [RFC7634 & RFC8750]",
		  "0x000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f10111213", "NULL", "" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(t); i++) {
		char *line = g_strdup_printf("\"IPv4\",\"*\",\"*\",\"%zu\",\"%s\",\"%s\",\"%s\",\"%s\"\n", i + 1,
					     t[i].enc, t[i].key, t[i].auth, t[i].akey);
		struct keystore *ks = load_ok(line);
		struct addr x = a4(10, 0, 0, 1);
		const struct esp_key *k = keystore_esp_lookup(ks, (uint32_t)i + 1, &x, &x);
		g_assert_nonnull(k);
		g_assert_cmpstr(esp_enc_name(k->enc), ==, t[i].enc);
		g_assert_cmpstr(esp_auth_name(k->auth), ==, t[i].auth);
		keystore_free(ks);
		g_free(line);
	}
}

static void test_esp_sa_addresses(void)
{
	struct keystore *ks = load_ok(
		"\"IPv4\",\"10.*.*.1\",\"192.168.1.0/24\",\"1\",\"NULL\",\"\",\"NULL\",\"\"\n"
		"\"IPv4\",\"10.0.0.0/25\",\"*\",\"2\",\"NULL\",\"\",\"NULL\",\"\"\n"
		"\"IPv6\",\"2001:db8::*\",\"2001:db8::****\",\"3\",\"NULL\",\"\",\"NULL\",\"\"\n"
		"\"IPv6\",\"fe80::/10\",\"*\",\"4\",\"NULL\",\"\",\"NULL\",\"\"\n");
	struct addr s = a4(10, 200, 3, 1), d = a4(192, 168, 1, 77), bad = a4(10, 200, 3, 2);
	g_assert_nonnull(keystore_esp_lookup(ks, 1, &s, &d));
	g_assert_null(keystore_esp_lookup(ks, 1, &bad, &d));
	struct addr d2 = a4(192, 168, 2, 77);
	g_assert_null(keystore_esp_lookup(ks, 1, &s, &d2));
	struct addr in = a4(10, 0, 0, 127), out = a4(10, 0, 0, 128);
	g_assert_nonnull(keystore_esp_lookup(ks, 2, &in, &d));
	g_assert_null(keystore_esp_lookup(ks, 2, &out, &d));
	/* "*" as an IPv6 group is "000*" (Wireshark pads groups with 0) */
	struct addr s6 = a6("20010db800000000000000000000000f");
	struct addr s6b = a6("20010db80000000000000000000000ff");
	struct addr d6 = a6("20010db8000000000000000000001234");
	g_assert_nonnull(keystore_esp_lookup(ks, 3, &s6, &d6));
	g_assert_null(keystore_esp_lookup(ks, 3, &s6b, &d6));
	struct addr ll = a6("fe800000000000000000000000000001"), ll2 = a6("febf0000000000000000000000000001");
	struct addr nl = a6("fec00000000000000000000000000001");
	g_assert_nonnull(keystore_esp_lookup(ks, 4, &ll, &d6));
	g_assert_nonnull(keystore_esp_lookup(ks, 4, &ll2, &d6));
	g_assert_null(keystore_esp_lookup(ks, 4, &nl, &d6));
	keystore_free(ks);
}

static void test_esp_sa_spi_forms(void)
{
	struct keystore *ks = load_ok(
		"\"Any\",\"*\",\"*\",\"0x1234****\",\"NULL\",\"\",\"NULL\",\"\"\n"
		"\"Any\",\"*\",\"*\",\"4096\",\"NULL\",\"\",\"NULL\",\"\"\n"
		"\"Any\",\"*\",\"*\",\"0xABCDEF01\",\"NULL\",\"\",\"NULL\",\"\"\n"
		"\"Any\",\"*\",\"*\",\"*\",\"NULL\",\"\",\"NULL\",\"\"\n");
	g_assert_cmpstr(keystore_esp_lookup(ks, 0x1234abcd, NULL, NULL)->source, ==, "t.keys:1");
	g_assert_cmpstr(keystore_esp_lookup(ks, 0x1000, NULL, NULL)->source, ==, "t.keys:2");
	g_assert_cmpstr(keystore_esp_lookup(ks, 0xabcdef01, NULL, NULL)->source, ==, "t.keys:3");
	g_assert_cmpstr(keystore_esp_lookup(ks, 0x1235abcd, NULL, NULL)->source, ==, "t.keys:4");
	keystore_free(ks);
}

static void test_esp_sa_errors(void)
{
	const char *good_auth = "\"HMAC-SHA-1-96 [RFC2404]\",\"0x8d8b1bc4921e78ab0a3f5d7d0e472048c081596e\"";
	char *t;

	t = g_strdup_printf("\"IPv4\",\"1.2.3.4\",\"5.6.7.8\",\"1\",\"AES-CBC [RFC3602]\","
			    "\"0x00112233445566778899aabbccddeeXX\",%s\n", good_auth);
	expect_error(t, "t.keys:1: encryption key: not a hex digit at position 33");
	g_free(t);

	t = g_strdup_printf("# comment\n\n\"IPv4\",\"1.2.3.4\",\"5.6.7.8\",\"1\",\"AES-CBC [RFC3602]\","
			    "\"0x00112233445566778899aabbccddee\",%s\n", good_auth);
	expect_error(t, "t.keys:3: encryption key for \"AES-CBC [RFC3602]\" must be 16, 24 or 32 bytes, got 15");
	g_free(t);

	expect_error("\"IPv4\",\"1.2.3.4\",\"5.6.7.8\",\"1\",\"AES-CBC [RFC3602]\","
		     "\"0x00112233445566778899aabbccddeeff\",\"HMAC-SHA-1-96 [RFC2404]\",\"0xdeadbeef\"\n",
		     "t.keys:1: authentication key for \"HMAC-SHA-1-96 [RFC2404]\" must be 20 bytes, got 4");

	t = g_strdup_printf("\"IPv4\",\"1.2.3.4\",\"5.6.7.8\",\"1\",\"AES-XYZ\",\"0xdeadbeef\",%s\n", good_auth);
	expect_error(t, "t.keys:1: unknown encryption algorithm \"AES-XYZ\"");
	g_free(t);

	/* close to a real name is still unknown: exact strings only */
	expect_error("\"IPv4\",\"1.2.3.4\",\"5.6.7.8\",\"1\",\"AES-CBC [RFC3602]\",\"0xdeadbeefdeadbeefdeadbeefdeadbeef\","
		     "\"HMAC-RIPEMD-160-96 [RFC2857]\",\"0xdeadbeef\"\n",
		     "t.keys:1: unknown authentication algorithm \"HMAC-RIPEMD-160-96 [RFC2857]\"");

	expect_error("\"IPv4\",\"1.2.3.4\",\"5.6.7.8\",\"1\",\"AES-CBC [RFC3602]\",\"0xdeadbeef\",\"NULL\"\n",
		     "t.keys:1: esp_sa: expected 8 or 10 fields, found 7");

	expect_error("\"IPv4\",\"1.2.3.4\",\"5.6.7.8\",\"1\",\"AES-CBC [RFC3602],\"0xdeadbeef\",\"NULL\",\"\"\n",
		     "t.keys:1: unexpected text after the closing quote of field 5");

	expect_error("\"IPv4\",\"1.2.3.4\",\"5.6.7.8\",\"1\",\"AES-CBC [RFC3602]\",\"0xdeadbeef\n",
		     "t.keys:1: unterminated quoted string in field 6");

	expect_error("\"IPv5\",\"1.2.3.4\",\"5.6.7.8\",\"1\",\"NULL\",\"\",\"NULL\",\"\"\n",
		     "t.keys:1: unknown protocol \"IPv5\" (expected \"IPv4\", \"IPv6\" or \"Any\")");

	expect_error("\"IPv4\",\"1.2.3.400\",\"5.6.7.8\",\"1\",\"NULL\",\"\",\"NULL\",\"\"\n",
		     "t.keys:1: bad source address \"1.2.3.400\" for protocol IPv4");

	expect_error("\"IPv6\",\"::1\",\"2001:db8::1::2\",\"1\",\"NULL\",\"\",\"NULL\",\"\"\n",
		     "t.keys:1: bad destination address \"2001:db8::1::2\" for protocol IPv6");

	expect_error("\"IPv4\",\"1.2.3.4/33\",\"5.6.7.8\",\"1\",\"NULL\",\"\",\"NULL\",\"\"\n",
		     "t.keys:1: bad prefix length in source address \"1.2.3.4/33\" (0 to 32)");

	expect_error("\"IPv4\",\"*\",\"*\",\"0x12*\",\"NULL\",\"\",\"NULL\",\"\"\n",
		     "t.keys:1: bad SPI \"0x12*\": a wildcard SPI needs the 0x%08x form, e.g. \"0x1234****\"");

	expect_error("\"IPv4\",\"*\",\"*\",\"0x1g\",\"NULL\",\"\",\"NULL\",\"\"\n",
		     "t.keys:1: bad SPI \"0x1g\" (expected 0x-hex, decimal, \"*\" or \"0x1234****\")");

	expect_error("\"IPv4\",\"*\",\"*\",\"0x100000000\",\"NULL\",\"\",\"NULL\",\"\"\n",
		     "t.keys:1: bad SPI \"0x100000000\" (expected 0x-hex, decimal, \"*\" or \"0x1234****\")");

	expect_error("\"IPv4\",\"*\",\"*\",\"1\",\"NULL\",\"\",\"NULL\",\"\",\"48-bit\",\"0\"\n",
		     "t.keys:1: unknown sequence number size \"48-bit\" (expected \"32-bit\" or \"64-bit\")");

	expect_error("\"IPv4\",\"*\",\"*\",\"1\",\"NULL\",\"\",\"NULL\",\"\",\"64-bit\",\"1g\"\n",
		     "t.keys:1: bad ESN high bits \"1g\" (expected up to 8 hex digits)");

	expect_error("\"IPv4\",\"*\",\"*\",\"1\",\"AES-GCM with 16 octet ICV [RFC4106]\","
		     "\"0x00112233445566778899aabbccddeeff01020304\",\"HMAC-SHA-1-96 [RFC2404]\","
		     "\"0x8d8b1bc4921e78ab0a3f5d7d0e472048c081596e\"\n",
		     "t.keys:1: \"AES-GCM with 16 octet ICV [RFC4106]\" authenticates by itself: authentication "
		     "must be \"NULL\" or \"ANY N bit authentication [no checking]\", not \"HMAC-SHA-1-96 [RFC2404]\"");

	expect_error("\"IPv4\",\"*\",\"*\",\"1\",\"NULL\",\"\",\"NULL\",\"\\q\"\n",
		     "t.keys:1: bad escape in quoted field 8 (expected \\xNN, \\\\ or \\\")");

	/* an ASCII key that is too long: length only */
	expect_error("\"IPv4\",\"*\",\"*\",\"1\",\"DES-CBC [RFC2405]\",\"s3cr3t\",\"NULL\",\"\"\n",
		     "t.keys:1: encryption key for \"DES-CBC [RFC2405]\" must be 8 bytes, got 6");

	/* the second line is bad: the first is not loaded either */
	t = g_strdup_printf("%s\n\"IPv4\",\"*\",\"*\",\"1\",\"NULL\",\"\"\n", ESP_OK_LINE("1"));
	expect_error(t, "t.keys:2: esp_sa: expected 8 or 10 fields, found 6");
	g_free(t);
}

/* ---- IKEv1 table and skeyid ---- */

static void test_ikev1_and_skeyid(void)
{
	struct keystore *ks = load_ok("8235695e8a93fd68,09d1b3b11828b6281ae30ceaa883fce7\n"
				      "skeyid_d 8235695e8a93fd68 709224cb6c95224c0de522b8cb333651de0231f2\n"
				      "SKEYID_A\t8235695E8A93FD68   c8a31a8322c900e99a6ab5dacdd6515673dd32b6\n"
				      "1111111111111111,09d1b3b11828b6281ae30ceaa883fce7a1b2c3d4e5f60718\n");
	const uint8_t cky[8] = { 0x82, 0x35, 0x69, 0x5e, 0x8a, 0x93, 0xfd, 0x68 };
	const struct ikev1_key *k = keystore_ikev1_lookup(ks, cky);
	g_assert_nonnull(k);
	assert_bytes(k->ka, k->ka_len, "09d1b3b11828b6281ae30ceaa883fce7");
	assert_bytes(k->skeyid_d, k->skeyid_d_len, "709224cb6c95224c0de522b8cb333651de0231f2");
	assert_bytes(k->skeyid_a, k->skeyid_a_len, "c8a31a8322c900e99a6ab5dacdd6515673dd32b6");
	g_assert_cmpstr(k->ka_source, ==, "t.keys:1");
	g_assert_cmpstr(k->skeyid_d_source, ==, "t.keys:2");
	g_assert_cmpstr(k->skeyid_a_source, ==, "t.keys:3");
	const uint8_t c2[8] = { 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11 };
	k = keystore_ikev1_lookup(ks, c2);
	g_assert_nonnull(k);
	g_assert_cmpuint(k->ka_len, ==, 24);
	const uint8_t c3[8] = { 0 };
	g_assert_null(keystore_ikev1_lookup(ks, c3));
	struct keystore_counts c;
	keystore_get_counts(ks, &c);
	g_assert_cmpuint(c.ikev1, ==, 2);
	g_assert_cmpuint(c.ikev1_ka, ==, 2);
	g_assert_cmpuint(c.ikev1_skeyid_d, ==, 1);
	g_assert_cmpuint(c.ikev1_skeyid_a, ==, 1);
	keystore_free(ks);
}

static void test_ikev1_errors(void)
{
	expect_error("8235695e8a93fd,09d1b3b11828b6281ae30ceaa883fce7\n",
		     "t.keys:1: initiator cookie \"8235695e8a93fd\" must be 8 bytes (16 hex digits)");
	expect_error("8235695e8a93fd68,09d1b3b11828b6281ae30ceaa883fce\n",
		     "t.keys:1: IKEv1 encryption key (Ka) has an odd number of hex digits (31)");
	expect_error("8235695e8a93fd68,09d1b3b11828b6281ae30ceaa883fcXX\n",
		     "t.keys:1: IKEv1 encryption key (Ka): not a hex digit at position 31");
	expect_error("8235695e8a93fd68,09d1b3b11828b6281ae30ceaa883fce709d1\n",
		     "t.keys:1: IKEv1 encryption key (Ka) must be 8, 16, 24 or 32 bytes (the cipher key length), "
		     "got 18");
	expect_error("8235695e8a93fd68,\n", "t.keys:1: IKEv1 encryption key (Ka) is empty");
	expect_error("8235695e8a93fd68,09d1b3b11828b6281ae30ceaa883fce7,00\n",
		     "t.keys:1: expected 2 fields (ikev1_decryption_table) or 8 (ikev2_decryption_table), found 3");
	expect_error("skeyid_d 8235695e8a93fd68\n",
		     "t.keys:1: SKEYID_d line: expected \"skeyid_d <initiator cookie> <hex>\", found 2 fields");
	expect_error("skeyid_d 8235695e8a93fd6 709224cb6c95224c0de522b8cb333651de0231f2\n",
		     "t.keys:1: initiator cookie \"8235695e8a93fd6\" must be 8 bytes (16 hex digits)");
	expect_error("skeyid_a 8235695e8a93fd68 709224cb6c95224c0de522b8cb333651de02\n",
		     "t.keys:1: SKEYID_a must be 16, 20, 32, 48 or 64 bytes (a hash output), got 18");
	expect_error("skeyid_d 8235695e8a93fd68 709224cb6c95224c0de522b8cb333651de0231fz\n",
		     "t.keys:1: SKEYID_d: not a hex digit at position 40");
}

/* ---- IKEv2 table ---- */

#define IKEV2_LINE                                                                         \
	"b742ccd7b8289866,48299f929e7014c7,0cec889637991b46b39b18f393adb824,"              \
	"db8bafe26cb95db1a195600eb598d9aa,\"AES-CBC-128 [RFC3602]\","                      \
	"52534f23f314cd8f227c5745ba18d9c4e8545692,0a642f66e4a2bfc3c0c66d839ceee74b2e4ccd7c," \
	"\"HMAC_SHA1_96 [RFC2404]\""

static void test_ikev2(void)
{
	struct keystore *ks = load_ok(IKEV2_LINE "\n"
		"0000000000000001,0000000000000002,00112233445566778899aabbccddeeff0011223344556677"
		"8899aabbccddeeff01020304,00112233445566778899aabbccddeeff00112233445566778899aabbcc"
		"ddeeff01020304,\"AES-GCM-256 with 16 octet ICV [RFC5282]\",,,\"NONE [RFC4306]\"\n");
	const uint8_t si[8] = { 0xb7, 0x42, 0xcc, 0xd7, 0xb8, 0x28, 0x98, 0x66 };
	const uint8_t sr[8] = { 0x48, 0x29, 0x9f, 0x92, 0x9e, 0x70, 0x14, 0xc7 };
	const struct ikev2_key *k = keystore_ikev2_lookup(ks, si, sr);
	g_assert_nonnull(k);
	g_assert_cmpint(k->enc, ==, IKEV2_ENC_AES_CBC_128);
	g_assert_cmpint(k->integ, ==, IKEV2_INTEG_HMAC_SHA1_96);
	assert_bytes(k->sk_ei, k->sk_e_len, "0cec889637991b46b39b18f393adb824");
	assert_bytes(k->sk_er, k->sk_e_len, "db8bafe26cb95db1a195600eb598d9aa");
	assert_bytes(k->sk_ai, k->sk_a_len, "52534f23f314cd8f227c5745ba18d9c4e8545692");
	assert_bytes(k->sk_ar, k->sk_a_len, "0a642f66e4a2bfc3c0c66d839ceee74b2e4ccd7c");
	g_assert_null(keystore_ikev2_lookup(ks, sr, si));
	const uint8_t g1[8] = { 0, 0, 0, 0, 0, 0, 0, 1 }, g2[8] = { 0, 0, 0, 0, 0, 0, 0, 2 };
	k = keystore_ikev2_lookup(ks, g1, g2);
	g_assert_nonnull(k);
	g_assert_cmpuint(k->sk_e_len, ==, 36);
	g_assert_cmpuint(k->sk_a_len, ==, 0);
	keystore_free(ks);

	/* every name of Wireshark's table is known */
	for (int e = 0; e < IKEV2_ENC_COUNT; e++) {
		enum ikev2_enc x;
		g_assert_true(ikev2_enc_from_name(ikev2_enc_name((enum ikev2_enc)e), &x));
		g_assert_cmpint(x, ==, e);
	}
	for (int i = 0; i < IKEV2_INTEG_COUNT; i++) {
		enum ikev2_integ x;
		g_assert_true(ikev2_integ_from_name(ikev2_integ_name((enum ikev2_integ)i), &x));
		g_assert_cmpint(x, ==, i);
	}
}

static void test_ikev2_errors(void)
{
	expect_error("b742ccd7b8289866,48299f929e7014c7,0cec889637991b46b39b18f393adb824,"
		     "db8bafe26cb95db1a195600eb598d9aa,\"AES-CBC-129 [RFC3602]\","
		     "52534f23f314cd8f227c5745ba18d9c4e8545692,0a642f66e4a2bfc3c0c66d839ceee74b2e4ccd7c,"
		     "\"HMAC_SHA1_96 [RFC2404]\"\n",
		     "t.keys:1: unknown IKEv2 encryption algorithm \"AES-CBC-129 [RFC3602]\"");
	expect_error("b742ccd7b8289866,48299f929e7014c7,0cec889637991b46b39b18f393adb824,"
		     "db8bafe26cb95db1a195600eb598d9aa,\"AES-CBC-256 [RFC3602]\","
		     "52534f23f314cd8f227c5745ba18d9c4e8545692,0a642f66e4a2bfc3c0c66d839ceee74b2e4ccd7c,"
		     "\"HMAC_SHA1_96 [RFC2404]\"\n",
		     "t.keys:1: SK_ei and SK_er for \"AES-CBC-256 [RFC3602]\" must be 32 bytes, got 16 and 16");
	expect_error("b742ccd7b8289866,48299f929e7014c7,0cec889637991b46b39b18f393adb824,"
		     "db8bafe26cb95db1a195600eb598d9aa,\"AES-CBC-128 [RFC3602]\","
		     "52534f23f314cd8f227c5745ba18d9c4e8545692,0a642f66e4a2bfc3c0c66d839ceee74b2e4ccd7c,"
		     "\"HMAC_SHA2_256_128 [RFC4868]\"\n",
		     "t.keys:1: SK_ai and SK_ar for \"HMAC_SHA2_256_128 [RFC4868]\" must be 32 bytes, got 20 and 20");
	expect_error("b742ccd7b82898,48299f929e7014c7,a,b,\"NULL [RFC2410]\",c,d,\"NONE [RFC4306]\"\n",
		     "t.keys:1: initiator SPI \"b742ccd7b82898\" must be 8 bytes (16 hex digits)");
	expect_error("b742ccd7b8289866,48299f929e7014c7,0cec889637991b46b39b18f393adb824,"
		     "db8bafe26cb95db1a195600eb598d9aa,\"AES-CBC-128 [RFC3602]\","
		     "52534f23f314cd8f227c5745ba18d9c4e8545692,0a642f66e4a2bfc3c0c66d839ceee74b2e4ccd7c,"
		     "\"HMAC_SHA1_97\"\n",
		     "t.keys:1: unknown IKEv2 integrity algorithm \"HMAC_SHA1_97\"");
	expect_error("b742ccd7b8289866,48299f929e7014c7,0cec889637991b46b39b18f393adb824,"
		     "db8bafe26cb95db1a195600eb598d9aa,\"AES-CBC-128 [RFC3602]\","
		     "52534f23f314cd8f227c5745ba18d9c4e8545692,deadbeef,\"HMAC_SHA1_96 [RFC2404]\",x\n",
		     "t.keys:1: expected 2 fields (ikev1_decryption_table) or 8 (ikev2_decryption_table), found 9");
}

/* ---- Yamaha "show ipsec sa" ---- */

static void check_yamaha_store(struct keystore *ks, const char *src_prefix)
{
	const uint8_t cky[8] = { 0x82, 0x35, 0x69, 0x5e, 0x8a, 0x93, 0xfd, 0x68 };
	const struct ikev1_key *ik = keystore_ikev1_lookup(ks, cky);
	g_assert_nonnull(ik);
	assert_bytes(ik->ka, ik->ka_len, "09d1b3b11828b6281ae30ceaa883fce7");
	g_assert_true(ik->has_cky_r);
	assert_bytes(ik->cky_r, 8, "529bb6c33327b956");
	/* ESP: matched by SPI only (the router's IDs need not be the wire addresses) */
	struct addr any = a4(1, 1, 1, 1);
	const struct esp_key *k = keystore_esp_lookup(ks, 0x9d477b6e, &any, &any);
	g_assert_nonnull(k);
	g_assert_cmpint(k->enc, ==, ESP_ENC_AES_CBC);
	g_assert_cmpint(k->auth, ==, ESP_AUTH_HMAC_SHA1_96);
	assert_bytes(k->enc_key, k->enc_key_len, "4d1cf4b781a9a17e7344f16fe6d02847");
	assert_bytes(k->auth_key, k->auth_key_len, "8d8b1bc4921e78ab0a3f5d7d0e472048c081596e");
	char *want = g_strdup_printf("%s:11", src_prefix);
	g_assert_cmpstr(k->source, ==, want);
	g_free(want);
	k = keystore_esp_lookup(ks, 0xc51afa23, NULL, NULL);
	g_assert_nonnull(k);
	assert_bytes(k->enc_key, k->enc_key_len, "966e53c9108e71633316f89ae0fb766d");
	assert_bytes(k->auth_key, k->auth_key_len, "b46356465dfd2e5a61332bf5ccefdabc33222f28");
	/* masked block: skipped, counted */
	g_assert_null(keystore_esp_lookup(ks, 0xa6674747, NULL, NULL));
	struct keystore_counts c;
	keystore_get_counts(ks, &c);
	g_assert_cmpuint(c.masked, ==, 1);
	g_assert_cmpuint(c.esp, ==, 2);
	g_assert_cmpuint(c.ikev1, ==, 1);
}

static void test_yamaha_file(void)
{
	struct keystore *ks = keystore_new();
	GError *err = NULL;
	const char *path = data_path("yamaha-show-ipsec-sa.txt");
	if (!keystore_load_file(ks, path, &err))
		g_error("%s", err->message);
	check_yamaha_store(ks, path);
	keystore_free(ks);
}

static void test_yamaha_errors(void)
{
	expect_error("SA[2] Duration: 1719s\nDirection: send\nProtocol: ESP (Mode: transport)\n"
		     "Algorithm: AES-CBC (for Auth.: HMAC-SHA)\nSPI: 9d 47 7b 6e\n"
		     "Key: 4d 1c f4 b7 81 a9 a1 7e 73 44 f1 6f e6 d0 28 47 8d 8b 1b c4\n",
		     "t.keys:6: ESP key is 20 bytes: does not split into a \"AES-CBC\" key and a 20-byte "
		     "\"HMAC-SHA\" key");
	expect_error("SA[2] Duration: 1719s\nProtocol: ESP (Mode: transport)\n"
		     "Algorithm: AES-XTS (for Auth.: HMAC-SHA)\nSPI: 9d 47 7b 6e\nKey: de ad be ef\n",
		     "t.keys:3: unknown ESP encryption algorithm \"AES-XTS\"");
	expect_error("SA[2] Duration: 1719s\nProtocol: ESP\nAlgorithm: AES-CBC (for Auth.: HMAC-WHIRLPOOL)\n"
		     "SPI: 9d 47 7b 6e\nKey: de ad be ef\n",
		     "t.keys:3: unknown ESP authentication algorithm \"HMAC-WHIRLPOOL\"");
	expect_error("SA[2] Duration: 1719s\nProtocol: ESP\nAlgorithm: AES-CBC (for Auth.: HMAC-SHA)\n"
		     "SPI: 9d 47 7b 6e\nKey: de ad be ef zz\n",
		     "t.keys:5: Key: expected space-separated hex bytes (at most 128)");
	expect_error("SA[1] Duration: 10675s\nProtocol: IKE\nAlgorithm: AES-CBC, SHA-1, MODP 1024bit\n"
		     "SPI: 82 35 69 5e 8a 93 fd 68\nKey: 09 d1 b3 b1 18 28 b6 28 1a e3 0c ea a8 83 fc e7\n"
		     "----\n",
		     "t.keys:4: IKE SA block needs an SPI line of 16 bytes (CKY-I | CKY-R)");
	expect_error("SA[1] Duration: 10675s\nProtocol: IKE\nAlgorithm: 3DES-CBC, SHA-1, MODP 1024bit\n"
		     "SPI: 82 35 69 5e 8a 93 fd 68 52 9b b6 c3 33 27 b9 56\n"
		     "Key: 09 d1 b3 b1 18 28 b6 28 1a e3 0c ea a8 83 fc e7\n",
		     "t.keys:5: IKE key is 16 bytes but \"3DES-CBC\" needs 24");
	expect_error("SA[3] Duration: 1719s\nDirection: sideways\n",
		     "t.keys:2: unknown direction \"sideways\" (expected \"send\" or \"receive\")");
	expect_error("SA[3] Duration: 1719s\nProtocol: ESP\nAlgorithm: AES-CBC (for Auth.: HMAC-SHA)\n"
		     "Key: de ad be ef\n",
		     "t.keys:1: ESP SA block needs an SPI line of 4 bytes, found none");
	/* a bare line that is no shape at all is not quoted (it may be a key) */
	expect_error("deadbeef deadbeef\n",
		     "t.keys:1: unrecognised line: not an esp_sa, ikev1_decryption_table, "
		     "ikev2_decryption_table, skeyid_d/skeyid_a, sk_d or \"show ipsec sa\" line");
}

/* ---- one file with every shape; CRLF; whitespace ---- */

static void test_mixed_file(void)
{
	struct keystore *ks = keystore_new();
	GError *err = NULL;
	const char *path = data_path("mixed.keys");
	if (!keystore_load_file(ks, path, &err))
		g_error("%s", err->message);
	struct keystore_counts c;
	keystore_get_counts(ks, &c);
	g_assert_cmpuint(c.esp, ==, 4);
	g_assert_cmpuint(c.esp_wildcard, ==, 1);
	g_assert_cmpuint(c.ikev1, ==, 1);
	g_assert_cmpuint(c.ikev1_skeyid_d, ==, 1);
	g_assert_cmpuint(c.ikev1_skeyid_a, ==, 1);
	g_assert_cmpuint(c.ikev2, ==, 1);
	struct addr s = a4(192, 0, 2, 10), d = a4(198, 51, 100, 1);
	const struct esp_key *k = keystore_esp_lookup(ks, 0xc51afa23, &s, &d);
	g_assert_nonnull(k);
	char *want = g_strdup_printf("%s:4", path);
	g_assert_cmpstr(k->source, ==, want);
	g_free(want);
	k = keystore_esp_lookup(ks, 0x1234beef, &s, &d);
	g_assert_nonnull(k);
	g_assert_cmpint(k->enc, ==, ESP_ENC_3DES_CBC);
	keystore_free(ks);

	/* a missing file is an I/O error naming the file */
	ks = keystore_new();
	g_assert_false(keystore_load_file(ks, "/nonexistent/esprekey.keys", &err));
	g_assert_true(g_error_matches(err, KEYS_ERROR, KEYS_ERROR_IO));
	g_assert_nonnull(strstr(err->message, "/nonexistent/esprekey.keys"));
	g_clear_error(&err);
	keystore_free(ks);
}

static void test_dsb_origin(void)
{
	/* a pcapng Decryption Secrets Block: esp_sa text, named by its origin */
	const char *dsb = ESP_OK_LINE("0x9d477b6e") "\r\n";
	struct keystore *ks = keystore_new();
	GError *err = NULL;
	g_assert_true(keystore_load_text(ks, dsb, strlen(dsb), "pcapng DSB", &err));
	const struct esp_key *k = keystore_esp_lookup(ks, 0x9d477b6e, NULL, NULL);
	g_assert_null(k); /* IPv4 record needs addresses */
	struct addr s = a4(198, 51, 100, 1), d = a4(192, 0, 2, 10);
	k = keystore_esp_lookup(ks, 0x9d477b6e, &s, &d);
	g_assert_nonnull(k);
	g_assert_cmpstr(k->source, ==, "pcapng DSB:1");
	keystore_free(ks);
}

/* esprekey extension for IKEv2: "sk_d SPIi SPIr HEX" */
static void test_sk_d(void)
{
	struct keystore *ks = load_ok("sk_d b742ccd7b8289866 48299f929e7014c7 86752253c211cd7de6357fd44e155899dc450f78\n");
	static const uint8_t spi_i[8] = { 0xb7, 0x42, 0xcc, 0xd7, 0xb8, 0x28, 0x98, 0x66 };
	static const uint8_t spi_r[8] = { 0x48, 0x29, 0x9f, 0x92, 0x9e, 0x70, 0x14, 0xc7 };
	const struct ikev2_sk_d *k = keystore_ikev2_sk_d(ks, spi_i, spi_r);
	g_assert_nonnull(k);
	g_assert_cmpuint(k->len, ==, 20);
	g_assert_cmpuint(k->sk_d[0], ==, 0x86);
	g_assert_cmpuint(k->sk_d[19], ==, 0x78);
	g_assert_cmpstr(k->source, ==, "t.keys:1");
	g_assert_null(keystore_ikev2_sk_d(ks, spi_r, spi_i));
	struct keystore_counts c;
	keystore_get_counts(ks, &c);
	g_assert_cmpuint(c.ikev2_sk_d, ==, 1);
	keystore_free(ks);

	expect_error("sk_d b742ccd7b8289866 86752253c211cd7de6357fd44e155899dc450f78\n",
		     "t.keys:1: sk_d line: expected \"sk_d <initiator SPI> <responder SPI> <hex>\", found 3 fields");
	expect_error("sk_d b742ccd7b8289866 48299f929e7014c7 8675225311\n",
		     "t.keys:1: SK_d must be 16, 20, 32, 48 or 64 bytes (a prf output), got 5");
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/keys/esp_sa/8-fields", test_esp_sa_8_fields);
	g_test_add_func("/keys/ikev2/sk_d", test_sk_d);
	g_test_add_func("/keys/esp_sa/10-fields-esn", test_esp_sa_10_fields_esn);
	g_test_add_func("/keys/esp_sa/key-forms", test_esp_sa_key_forms);
	g_test_add_func("/keys/esp_sa/every-name", test_esp_sa_every_name);
	g_test_add_func("/keys/esp_sa/addresses", test_esp_sa_addresses);
	g_test_add_func("/keys/esp_sa/spi-forms", test_esp_sa_spi_forms);
	g_test_add_func("/keys/esp_sa/errors", test_esp_sa_errors);
	g_test_add_func("/keys/ikev1/table-and-skeyid", test_ikev1_and_skeyid);
	g_test_add_func("/keys/ikev1/errors", test_ikev1_errors);
	g_test_add_func("/keys/ikev2/table", test_ikev2);
	g_test_add_func("/keys/ikev2/errors", test_ikev2_errors);
	g_test_add_func("/keys/yamaha/file", test_yamaha_file);
	g_test_add_func("/keys/yamaha/errors", test_yamaha_errors);
	g_test_add_func("/keys/mixed-file", test_mixed_file);
	g_test_add_func("/keys/dsb-origin", test_dsb_origin);
	return g_test_run();
}
