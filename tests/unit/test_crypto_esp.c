/* ESP decryption: published vectors (RFC 3602 ESP cases, RFC 2202/2286/4231
 * HMACs, draft-mcgrew-gcm-test-01 ESP cases, RFC 3686), a real packet from
 * the ikev1-small capture, tcpdump's 3DES ESP case, and round trips through
 * an independent test-side encrypter for every algorithm. */
#include <gcrypt.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "keys/esp_crypto.h"
#include "keys/keystore.h"

static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = 0;
	for (; s[0] && s[1]; s += 2) {
		while (*s == ' ')
			s++;
		unsigned v;
		g_assert_true(sscanf(s, "%2x", &v) == 1);
		out[n++] = (uint8_t)v;
	}
	return n;
}

static struct esp_key mkkey(enum esp_enc e, const char *ekey, enum esp_auth a, const char *akey)
{
	struct esp_key k;
	memset(&k, 0, sizeof k);
	k.enc = e;
	k.auth = a;
	k.enc_key_len = ekey ? unhex(ekey, k.enc_key) : 0;
	k.auth_key_len = akey ? unhex(akey, k.auth_key) : 0;
	k.spi_mask = 0xffffffffu;
	k.src.any = k.dst.any = true;
	return k;
}

struct result {
	enum esp_verdict v;
	uint8_t plain[2048];
	size_t len;
	uint8_t nh;
};

static void run(const struct esp_key *k, const uint8_t *pkt, size_t len, uint32_t esn_high,
		struct result *r)
{
	struct esp_crypto *c = esp_crypto_open(k);
	g_assert_nonnull(c);
	r->len = 0;
	r->nh = 0xee;
	r->v = esp_crypto_decrypt(c, pkt, len, esn_high, r->plain, &r->len, &r->nh);
	esp_crypto_close(c);
}

static void expect_plain(const struct result *r, const char *hex, uint8_t nh)
{
	uint8_t want[2048];
	size_t n = unhex(hex, want);
	g_assert_cmpint(r->v, ==, ESP_OK);
	g_assert_cmpmem(r->plain, r->len, want, n);
	g_assert_cmpuint(r->nh, ==, nh);
}

/* ---- RFC 3602 §4 cases 5-8: ESP packets with AES-CBC, no authentication ---- */

static void test_rfc3602(void)
{
	static const struct {
		const char *key, *pkt, *payload;
		uint8_t nh;
	} t[] = {
		{ "90d382b410eeba7ad938c46cec1a82bf",
		  "0000432100000001e96e8c08ab465763fd098d45dd3ff893f663c25d325c18c6a9453e194e120849"
		  "a4870b66cc6b9965330013b4898dc856a4699e523a55db080b59ec3a8e4b7e52775b07d1db34ed9c"
		  "538ab50c551b874aa269add047ad2d5913ac19b7cfbad4a6",
		  "08000ebda70a00008e9c083db95b070008090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
		  "202122232425262728292a2b2c2d2e2f3031323334353637", 1 },
		{ "90d382b410eeba7ad938c46cec1a82bf",
		  "000043210000000869d08df7d203329db093fc4924e5bd80f51995881ec4e0c4488987ce742e8109"
		  "689bb379d2d750c0d915dca346a89f75",
		  "0800b5e8a80a0500a69c083d0b660e00777777777777777777777777", 1 },
		{ "0123456789abcdef0123456789abcdef",
		  "0000876500000002f4e765244f6407adf13dc1380f673f37773b5241a4c449225e4f3ce5ed611b0c"
		  "237ca96cf74a93013c1b0ea1a0cf70f8e4ecaec78ac53aad7a0f022b859243c647752e94a859352b"
		  "8a4d4d2decd136e5c177f132ad3fbfb2201ac9904c74ee0a109e0ca1e4dfe9d5a100b842f1c22f0d",
		  "45000054090400004001f988c0a87b03c0a87bc808009f76a90a0100b49c083d02a2040008090a0b"
		  "0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30313233"
		  "34353637", 4 },
		{ "0123456789abcdef0123456789abcdef",
		  "000087650000000585d47224b5f3dd5d2101d4ea8dffab2215b92683819596a8047232cc00f7048f"
		  "e45318e11f8a0f62ede3c3fc61203bb50f980a08c9843fd3a1b06d5c07ff9639b7eb7dfb3512e5de"
		  "435e7207ed971ef3d2726d9b5ef6affc6d17a0decbb13892",
		  "45000044090c00004001f990c0a87b03c0a87bc80800d63caa0a0200c69c083da3de0300ffffffff"
		  "ffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 4 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(t); i++) {
		struct esp_key k = mkkey(ESP_ENC_AES_CBC, t[i].key, ESP_AUTH_NULL, NULL);
		uint8_t pkt[512];
		size_t n = unhex(t[i].pkt, pkt);
		struct result r;
		run(&k, pkt, n, 0, &r);
		expect_plain(&r, t[i].payload, t[i].nh);
	}
}

/* ---- HMACs: RFC 2202 (MD5, SHA-1), RFC 2286 (RIPEMD-160), RFC 4231 (SHA-2)
 * test case 2: key "Jefe", data "what do ya want for nothing?".  The data is
 * used as an ESP packet with NULL encryption: a correct ICV lets it through
 * to the padding check (its last bytes are no valid trailer), a wrong one
 * stops it at the ICV. ---- */

static void test_hmac_vectors(void)
{
	static const struct {
		enum esp_auth a;
		const char *mac;
	} t[] = {
		{ ESP_AUTH_HMAC_MD5_96, "750c783e6ab0b503eaa86e310a5db738" },
		{ ESP_AUTH_HMAC_SHA1_96, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
		{ ESP_AUTH_HMAC_RIPEMD160_96, "dda6c0213a485a9e24f4742064a7f033b43c4069" },
		{ ESP_AUTH_HMAC_SHA256_96, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
		{ ESP_AUTH_HMAC_SHA256_128, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
		{ ESP_AUTH_HMAC_SHA384_192, "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
					    "8e2240ca5e69e2c78b3239ecfab21649" },
		{ ESP_AUTH_HMAC_SHA512_256, "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
					    "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" },
	};
	const char *data = "what do ya want for nothing?";
	for (size_t i = 0; i < G_N_ELEMENTS(t); i++) {
		struct esp_key k = mkkey(ESP_ENC_NULL, NULL, t[i].a, "4a656665" /* "Jefe" */);
		uint8_t mac[64], pkt[128];
		unhex(t[i].mac, mac);
		size_t icv = esp_icv_len(ESP_ENC_NULL, t[i].a);
		memcpy(pkt, data, 28);
		memcpy(pkt + 28, mac, icv);
		struct result r;
		run(&k, pkt, 28 + icv, 0, &r);
		g_assert_cmpint(r.v, ==, ESP_BAD_PADDING); /* ICV accepted */
		pkt[28 + icv - 1] ^= 1;
		run(&k, pkt, 28 + icv, 0, &r);
		g_assert_cmpint(r.v, ==, ESP_ICV_FAIL);
	}

	/* ESN: the ICV covers packet | ESN high bits.  With the last 4 data
	 * bytes as the ESN high bits, the RFC digest is still the ICV. */
	struct esp_key k = mkkey(ESP_ENC_NULL, NULL, ESP_AUTH_HMAC_SHA1_96, "4a656665");
	k.esn = true;
	uint8_t pkt[64], mac[20];
	unhex("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79", mac);
	memcpy(pkt, data, 24);
	memcpy(pkt + 24, mac, 12);
	struct result r;
	run(&k, pkt, 36, 0x696e673f /* "ing?" */, &r);
	g_assert_cmpint(r.v, ==, ESP_BAD_PADDING);
	run(&k, pkt, 36, 0x696e6740, &r);
	g_assert_cmpint(r.v, ==, ESP_ICV_FAIL);
	/* the same SA without ESN does not take the high bits */
	k.esn = false;
	run(&k, pkt, 36, 0x696e673f, &r);
	g_assert_cmpint(r.v, ==, ESP_ICV_FAIL);
}

/* ---- AES-GCM ESP packets from draft-mcgrew-gcm-test-01 ---- */

static void test_gcm(void)
{
	/* Test case 2 (its §4 numbering varies by copy): AES-128, salt
	 * 2e443b68, IV 4956ed7e3b244cfe, SPI 00004321, 64-bit sequence number
	 * 0x87654321_00000000: AAD = SPI | ESN high | seq, as RFC 4106 §5. */
	struct esp_key k = mkkey(ESP_ENC_AES_GCM_16, "4c80cdefbb5d10da906ac73c3613a634" "2e443b68",
				 ESP_AUTH_NULL, NULL);
	k.esn = true;
	uint8_t pkt[512];
	size_t n = unhex("00004321" "00000000" "4956ed7e3b244cfe"
			 "fecf537e729d5b07dc30df528dd22b768d1b98736696a6fd348509fa13ceac34"
			 "cfa2436f14a3f3cf65925bf1f4a13c5d15b21e1884f5ff6247aeabb786b93bce"
			 "61bc17d768fd9732" "459018148f6cbe722fd04796562dfdb4", pkt);
	struct result r;
	run(&k, pkt, n, 0x87654321, &r);
	expect_plain(&r, "45000048699a000080114db7c0a80102c0a801010a9bf15638d3010000010000"
			 "00000000045f736970045f756470037369700963796265726369747902646b00"
			 "00210001", 1);
	run(&k, pkt, n, 0x87654320, &r); /* wrong ESN high bits: tag fails */
	g_assert_cmpint(r.v, ==, ESP_ICV_FAIL);

	/* AES-256, salt 11223344, IV 0102030405060708, SPI 4a2cbfe3, seq 2 */
	const char *pt3 = "4500003069a6400080062690c0a801029389155e0a9e008b2dc57ee000000000"
			  "7002400020bf0000020405b401010402";
	const char *pkt3 = "4a2cbfe3" "00000002" "0102030405060708"
			   "ff425c9b724599df7a3bcd510194e00d6a78107f1b0b1cbf06efae9d65a5d763"
			   "748a637985771d347f0545659f14e99def842d8e";
	const char *tag3 = "b335f4eecfdbf831824b4c4915956c96";
	static const struct {
		enum esp_enc e;
		enum esp_auth a;
		size_t icv;
	} v[] = {
		{ ESP_ENC_AES_GCM_16, ESP_AUTH_NULL, 16 },
		{ ESP_ENC_AES_GCM_12, ESP_AUTH_NULL, 12 },
		{ ESP_ENC_AES_GCM_8, ESP_AUTH_ANY_64, 8 },
		{ ESP_ENC_AES_GCM, ESP_AUTH_ANY_128, 16 }, /* strongSwan's save-keys form */
		{ ESP_ENC_AES_GCM, ESP_AUTH_ANY_96, 12 },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(v); i++) {
		k = mkkey(v[i].e, "abbccddef00112233445566778899aababbccddef00112233445566778899aab" "11223344",
			  v[i].a, NULL);
		n = unhex(pkt3, pkt);
		uint8_t tag[16];
		unhex(tag3, tag);
		memcpy(pkt + n, tag, v[i].icv); /* a shorter ICV is the truncated tag */
		g_assert_cmpuint(esp_icv_len(v[i].e, v[i].a), ==, v[i].icv);
		run(&k, pkt, n + v[i].icv, 0, &r);
		expect_plain(&r, pt3, 1);
		pkt[20] ^= 0x80; /* ciphertext bit */
		run(&k, pkt, n + v[i].icv, 0, &r);
		g_assert_cmpint(r.v, ==, ESP_ICV_FAIL);
	}
}

/* ---- RFC 3686 §6 test vectors #1 and #2 (AES-CTR); their plaintexts are no
 * ESP payloads, so decryption ends at the padding check with the RFC's
 * plaintext in the buffer. ---- */

static void test_ctr(void)
{
	static const struct {
		const char *key_nonce, *iv, *ct, *pt;
	} t[] = {
		{ "ae6852f8121067cc4bf7a5765577f39e" "00000030", "0000000000000000",
		  "e4095d4fb7a7b3792d6175a3261311b8", "53696e676c6520626c6f636b206d7367" },
		{ "7e24067817fae0d743d6ce1f32539163" "006cb6db", "c0543b59da48d90b",
		  "5104a106168a72d9790d41ee8edad388eb2e1efc46da57c8fce630df9141be28",
		  "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" },
	};
	for (size_t i = 0; i < G_N_ELEMENTS(t); i++) {
		struct esp_key k = mkkey(ESP_ENC_AES_CTR, t[i].key_nonce, ESP_AUTH_NULL, NULL);
		uint8_t pkt[128], want[64];
		memset(pkt, 0, 8);
		size_t n = 8 + unhex(t[i].iv, pkt + 8);
		n += unhex(t[i].ct, pkt + n);
		size_t wn = unhex(t[i].pt, want);
		struct result r;
		run(&k, pkt, n, 0, &r);
		g_assert_cmpint(r.v, ==, ESP_BAD_PADDING);
		g_assert_cmpmem(r.plain, wn, want, wn);
	}
}

/* ---- a real packet: ikev1-small capture-client.pcap frame 14, ESP in UDP
 * 4500, SPI c51afa23 (client->server), AES-128-CBC + HMAC-SHA1-96, keys from
 * keys/esp_sa; tshark: ICV correct, 60-byte inner IPv4/TCP, pad 2, NH 4. ---- */

#define IKEV1_SMALL_F14                                                                    \
	"c51afa230000000353ca454b41f0d7b21a467c99094951aa0a0c117cbdb3452ba317e7d9d8545f26" \
	"456c8048694d23e3752784196dccd10e28766fdcffd2835dd7ef75a518c88cfe245a5ed6b55e02e8" \
	"a182166f36fba950c3f11deecaa725f769125ec5"
#define IKEV1_SMALL_F14_PLAIN                                                              \
	"4500003cc31140004006ff9dcb00710acb007101b8271451c050a66f00000000a002ff00a44f0000" \
	"020405500402080afe67fb62000000000103030a"

static void test_ikev1_small_packet(void)
{
	/* through the key store, as the analyzer does it */
	const char *line = "\"IPv4\",\"192.0.2.10\",\"198.51.100.1\",\"0xc51afa23\",\"AES-CBC [RFC3602]\","
			   "\"0x966e53c9108e71633316f89ae0fb766d\",\"HMAC-SHA-1-96 [RFC2404]\","
			   "\"0xb46356465dfd2e5a61332bf5ccefdabc33222f28\"\n";
	struct keystore *ks = keystore_new();
	GError *err = NULL;
	g_assert_true(keystore_load_text(ks, line, strlen(line), "esp_sa", &err));
	struct addr s = { .family = 4, .b = { 192, 0, 2, 10 } }, d = { .family = 4, .b = { 198, 51, 100, 1 } };
	const struct esp_key *k = keystore_esp_lookup(ks, 0xc51afa23, &s, &d);
	g_assert_nonnull(k);
	uint8_t pkt[128];
	size_t n = unhex(IKEV1_SMALL_F14, pkt);
	g_assert_cmpuint(n, ==, 100);
	struct result r;
	run(k, pkt, n, 0, &r);
	expect_plain(&r, IKEV1_SMALL_F14_PLAIN, 4);
	g_assert_cmpuint(r.len, ==, 60);

	pkt[n - 1] ^= 0x01; /* ICV */
	run(k, pkt, n, 0, &r);
	g_assert_cmpint(r.v, ==, ESP_ICV_FAIL);
	pkt[n - 1] ^= 0x01;
	pkt[40] ^= 0x01; /* ciphertext */
	run(k, pkt, n, 0, &r);
	g_assert_cmpint(r.v, ==, ESP_ICV_FAIL);
	pkt[40] ^= 0x01;
	/* with "ANY 96 bit" the ICV is not checked: a damaged one still decrypts */
	struct esp_key any = *k;
	any.auth = ESP_AUTH_ANY_96;
	pkt[n - 1] ^= 0x01;
	run(&any, pkt, n, 0, &r);
	expect_plain(&r, IKEV1_SMALL_F14_PLAIN, 4);
	keystore_free(ks);
}

/* ---- tcpdump's tests/02-sunrise-sunset-esp.pcap frame 1: SPI 0x12345678,
 * 3DES-CBC key 0x4043434545464649494a4a4c4c4f4f515152525454575758 (tcpdump's
 * -E), no authentication key known: "ANY 96 bit". Inner: ICMP echo request
 * 192.0.2.1 > 192.0.1.1 (esp1.out). ---- */

static void test_tcpdump_3des(void)
{
	uint8_t pkt[256];
	size_t n = unhex("12345678000000014c20452f3cb09211d3a748cde5c811e39c4ee83cfe96a1e42acfd2b87aab"
			 "05d1642ba3af9c1bc342102c40ad15df4de0200a63638734711187d412093b83bfaa43191cbd84"
			 "a45b0276338399b1f5ca17cc9254457e5906551a7041e3dc9176e86fd3ffdd00b0bc11f8103097",
			 pkt);
	g_assert_cmpuint(n, ==, 116);
	struct esp_key k = mkkey(ESP_ENC_3DES_CBC, "4043434545464649494a4a4c4c4f4f515152525454575758",
				 ESP_AUTH_ANY_96, NULL);
	struct result r;
	run(&k, pkt, n, 0, &r);
	g_assert_cmpint(r.v, ==, ESP_OK);
	g_assert_cmpuint(r.nh, ==, 4); /* IP in IP: tunnel mode */
	g_assert_cmpuint(r.len, ==, 84);
	const uint8_t ip_hdr_start[4] = { 0x45, 0x00, 0x00, 0x54 };
	g_assert_cmpmem(r.plain, 4, ip_hdr_start, 4);
	g_assert_cmpuint(r.plain[9], ==, 1); /* ICMP */
	const uint8_t src[4] = { 192, 0, 2, 1 }, dst[4] = { 192, 0, 1, 1 };
	g_assert_cmpmem(r.plain + 12, 4, src, 4);
	g_assert_cmpmem(r.plain + 16, 4, dst, 4);
	g_assert_cmpuint(r.plain[20], ==, 8); /* echo request */
}

/* ---- round trips: an independent encrypter (straight libgcrypt calls, RFC
 * 4303/3602/3686/4106/7634/8750 layouts) against esp_crypto_decrypt ---- */

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

static size_t test_encrypt(const struct esp_key *k, uint32_t spi, uint32_t seq, uint32_t esn_high,
			   const uint8_t *payload, size_t plen, uint8_t nh, uint8_t *out)
{
	int algo = 0, mode = GCRY_CIPHER_MODE_CBC, md = 0;
	size_t key_len = k->enc_key_len, iv_len = 0, align = 4, salt = 0;
	bool aead = false, iiv = false;
	switch (k->enc) {
	case ESP_ENC_NULL:
		break;
	case ESP_ENC_3DES_CBC: algo = GCRY_CIPHER_3DES; break;
	case ESP_ENC_DES_CBC: algo = GCRY_CIPHER_DES; break;
	case ESP_ENC_CAST5_CBC: algo = GCRY_CIPHER_CAST5; break;
	case ESP_ENC_BLOWFISH_CBC: algo = GCRY_CIPHER_BLOWFISH; break;
	case ESP_ENC_TWOFISH_CBC: algo = key_len == 16 ? GCRY_CIPHER_TWOFISH128 : GCRY_CIPHER_TWOFISH; break;
	case ESP_ENC_AES_CBC:
		algo = key_len == 16 ? GCRY_CIPHER_AES128 : key_len == 24 ? GCRY_CIPHER_AES192 : GCRY_CIPHER_AES256;
		break;
	case ESP_ENC_AES_CTR:
		salt = 4, key_len -= 4, mode = GCRY_CIPHER_MODE_CTR, iv_len = 8;
		algo = key_len == 16 ? GCRY_CIPHER_AES128 : key_len == 24 ? GCRY_CIPHER_AES192 : GCRY_CIPHER_AES256;
		break;
	case ESP_ENC_AES_GCM: case ESP_ENC_AES_GCM_8: case ESP_ENC_AES_GCM_12: case ESP_ENC_AES_GCM_16:
	case ESP_ENC_AES_GCM_16_IIV:
		salt = 4, key_len -= 4, mode = GCRY_CIPHER_MODE_GCM, aead = true;
		iiv = k->enc == ESP_ENC_AES_GCM_16_IIV;
		iv_len = iiv ? 0 : 8;
		algo = key_len == 16 ? GCRY_CIPHER_AES128 : key_len == 24 ? GCRY_CIPHER_AES192 : GCRY_CIPHER_AES256;
		break;
	case ESP_ENC_CHACHA20_POLY1305: case ESP_ENC_CHACHA20_POLY1305_IIV:
		salt = 4, key_len -= 4, mode = GCRY_CIPHER_MODE_POLY1305, aead = true, algo = GCRY_CIPHER_CHACHA20;
		iiv = k->enc == ESP_ENC_CHACHA20_POLY1305_IIV;
		iv_len = iiv ? 0 : 8;
		break;
	default:
		g_assert_not_reached();
	}
	if (algo && mode == GCRY_CIPHER_MODE_CBC)
		iv_len = align = gcry_cipher_get_algo_blklen(algo);
	switch (k->auth) {
	case ESP_AUTH_HMAC_SHA1_96: md = GCRY_MD_SHA1; break;
	case ESP_AUTH_HMAC_SHA256_96: case ESP_AUTH_HMAC_SHA256_128: md = GCRY_MD_SHA256; break;
	case ESP_AUTH_HMAC_SHA384_192: md = GCRY_MD_SHA384; break;
	case ESP_AUTH_HMAC_SHA512_256: md = GCRY_MD_SHA512; break;
	case ESP_AUTH_HMAC_MD5_96: md = GCRY_MD_MD5; break;
	case ESP_AUTH_HMAC_RIPEMD160_96: md = GCRY_MD_RMD160; break;
	default: break;
	}
	size_t icv = esp_icv_len(k->enc, k->auth);

	put32(out, spi);
	put32(out + 4, seq);
	uint8_t *iv = out + 8;
	for (size_t i = 0; i < iv_len; i++)
		iv[i] = (uint8_t)(0xa0 + i * 7 + seq);
	uint8_t *ct = iv + iv_len;
	size_t pad = (align - (plen + 2) % align) % align;
	size_t ct_len = plen + pad + 2;
	memcpy(ct, payload, plen);
	for (size_t i = 0; i < pad; i++)
		ct[plen + i] = (uint8_t)(i + 1);
	ct[plen + pad] = (uint8_t)pad;
	ct[plen + pad + 1] = nh;
	if (algo) {
		gcry_cipher_hd_t h;
		g_assert_cmpint(gcry_cipher_open(&h, algo, mode, 0), ==, 0);
		g_assert_cmpint(gcry_cipher_setkey(h, k->enc_key, key_len), ==, 0);
		uint8_t nonce[16] = { 0 };
		memcpy(nonce, k->enc_key + key_len, salt);
		if (mode == GCRY_CIPHER_MODE_CBC) {
			gcry_cipher_setiv(h, iv, iv_len);
		} else if (mode == GCRY_CIPHER_MODE_CTR) {
			memcpy(nonce + 4, iv, 8);
			nonce[15] = 1;
			gcry_cipher_setctr(h, nonce, 16);
		} else {
			if (iiv) {
				put32(nonce + 4, k->esn ? esn_high : 0);
				put32(nonce + 8, seq);
			} else {
				memcpy(nonce + 4, iv, 8);
			}
			gcry_cipher_setiv(h, nonce, 12);
			uint8_t aad[12];
			put32(aad, spi);
			size_t al = 8;
			if (k->esn) {
				put32(aad + 4, esn_high);
				put32(aad + 8, seq);
				al = 12;
			} else {
				put32(aad + 4, seq);
			}
			gcry_cipher_authenticate(h, aad, al);
		}
		g_assert_cmpint(gcry_cipher_encrypt(h, ct, ct_len, NULL, 0), ==, 0);
		if (aead) {
			uint8_t tag[16];
			gcry_cipher_gettag(h, tag, 16);
			memcpy(ct + ct_len, tag, icv);
		}
		gcry_cipher_close(h);
	}
	size_t len = 8 + iv_len + ct_len + icv;
	if (md) {
		gcry_md_hd_t h;
		gcry_md_open(&h, md, GCRY_MD_FLAG_HMAC);
		gcry_md_setkey(h, k->auth_key, k->auth_key_len);
		gcry_md_write(h, out, len - icv);
		if (k->esn) {
			uint8_t hi[4];
			put32(hi, esn_high);
			gcry_md_write(h, hi, 4);
		}
		memcpy(out + len - icv, gcry_md_read(h, md), icv);
		gcry_md_close(h);
	} else if (!aead) {
		memset(out + len - icv, 0x5a, icv); /* "ANY N bit": anything */
	}
	return len;
}

static const char *const K64 = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
			       "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";

static struct esp_key key_for(enum esp_enc e, size_t el, enum esp_auth a, size_t al, bool esn)
{
	struct esp_key k;
	memset(&k, 0, sizeof k);
	k.enc = e, k.auth = a, k.esn = esn;
	uint8_t buf[64];
	unhex(K64, buf);
	for (size_t i = 0; i < el; i++)
		k.enc_key[i] = (uint8_t)(buf[i] ^ 0x3c);
	k.enc_key_len = el;
	memcpy(k.auth_key, buf, al);
	k.auth_key_len = al;
	return k;
}

static void test_roundtrip(void)
{
	g_assert_true(esprekey_gcrypt_init());
	static const struct {
		enum esp_enc e;
		size_t el;
		enum esp_auth a;
		size_t al;
	} t[] = {
		{ ESP_ENC_NULL, 0, ESP_AUTH_HMAC_SHA1_96, 20 },
		{ ESP_ENC_NULL, 0, ESP_AUTH_NULL, 0 },
		{ ESP_ENC_DES_CBC, 8, ESP_AUTH_HMAC_MD5_96, 16 },
		{ ESP_ENC_3DES_CBC, 24, ESP_AUTH_HMAC_SHA1_96, 20 },
		{ ESP_ENC_AES_CBC, 16, ESP_AUTH_HMAC_SHA1_96, 20 },
		{ ESP_ENC_AES_CBC, 24, ESP_AUTH_HMAC_SHA256_96, 32 },
		{ ESP_ENC_AES_CBC, 32, ESP_AUTH_HMAC_SHA256_128, 32 },
		{ ESP_ENC_AES_CBC, 32, ESP_AUTH_HMAC_SHA384_192, 48 },
		{ ESP_ENC_AES_CBC, 16, ESP_AUTH_HMAC_SHA512_256, 64 },
		{ ESP_ENC_AES_CBC, 16, ESP_AUTH_HMAC_RIPEMD160_96, 20 },
		{ ESP_ENC_AES_CBC, 16, ESP_AUTH_ANY_64, 0 },
		{ ESP_ENC_AES_CBC, 16, ESP_AUTH_ANY_256, 0 },
		{ ESP_ENC_CAST5_CBC, 16, ESP_AUTH_HMAC_SHA1_96, 20 },
		{ ESP_ENC_BLOWFISH_CBC, 16, ESP_AUTH_HMAC_SHA1_96, 20 },
		{ ESP_ENC_TWOFISH_CBC, 16, ESP_AUTH_HMAC_SHA1_96, 20 },
		{ ESP_ENC_TWOFISH_CBC, 32, ESP_AUTH_HMAC_SHA1_96, 20 },
		{ ESP_ENC_AES_CTR, 20, ESP_AUTH_HMAC_SHA1_96, 20 },
		{ ESP_ENC_AES_CTR, 36, ESP_AUTH_HMAC_SHA256_128, 32 },
		{ ESP_ENC_AES_GCM_8, 20, ESP_AUTH_NULL, 0 },
		{ ESP_ENC_AES_GCM_12, 28, ESP_AUTH_NULL, 0 },
		{ ESP_ENC_AES_GCM_16, 36, ESP_AUTH_NULL, 0 },
		{ ESP_ENC_AES_GCM_16_IIV, 20, ESP_AUTH_NULL, 0 },
		{ ESP_ENC_CHACHA20_POLY1305, 36, ESP_AUTH_NULL, 0 },
		{ ESP_ENC_CHACHA20_POLY1305_IIV, 36, ESP_AUTH_NULL, 0 },
	};
	uint8_t payload[1500];
	for (size_t i = 0; i < sizeof payload; i++)
		payload[i] = (uint8_t)(i * 31 + 7);
	static const size_t lens[] = { 0, 1, 13, 14, 15, 16, 17, 60, 1400 };
	for (size_t i = 0; i < G_N_ELEMENTS(t); i++)
		for (int esn = 0; esn < 2; esn++) {
			struct esp_key k = key_for(t[i].e, t[i].el, t[i].a, t[i].al, esn);
			struct esp_crypto *c = esp_crypto_open(&k);
			g_assert_nonnull(c);
			for (size_t j = 0; j < G_N_ELEMENTS(lens); j++) {
				uint8_t pkt[1600], plain[1600];
				uint32_t seq = (uint32_t)(j + 1), hi = esn ? 0x01020304u : 0;
				size_t n = test_encrypt(&k, 0xc0ffee00 + (uint32_t)i, seq, hi, payload, lens[j], 17, pkt);
				size_t pl = 9999;
				uint8_t nh = 0;
				enum esp_verdict v = esp_crypto_decrypt(c, pkt, n, hi, plain, &pl, &nh);
				if (v != ESP_OK)
					g_error("%s/%s esn=%d len=%zu: %s", esp_enc_name(t[i].e), esp_auth_name(t[i].a),
						esn, lens[j], esp_verdict_name(v));
				g_assert_cmpmem(plain, pl, payload, lens[j]);
				g_assert_cmpuint(nh, ==, 17);
				/* a wrong ESN high half fails every checked ICV */
				if (esn && (t[i].al || esp_enc_is_aead(t[i].e))) {
					v = esp_crypto_decrypt(c, pkt, n, hi + 1, plain, &pl, &nh);
					g_assert_cmpint(v, ==, ESP_ICV_FAIL);
				}
			}
			esp_crypto_close(c);
		}
}

static void test_verdicts(void)
{
	struct esp_key k = mkkey(ESP_ENC_AES_CBC, "000102030405060708090a0b0c0d0e0f", ESP_AUTH_HMAC_SHA1_96,
				 "000102030405060708090a0b0c0d0e0f10111213");
	struct esp_crypto *c = esp_crypto_open(&k);
	size_t icv;
	g_assert_cmpuint(esp_crypto_overhead(c, &icv), ==, 24);
	g_assert_cmpuint(icv, ==, 12);
	uint8_t pkt[128] = { 0 }, plain[128];
	size_t pl;
	uint8_t nh;
	/* header + IV + ICV, no room for the trailer */
	g_assert_cmpint(esp_crypto_decrypt(c, pkt, 8 + 16 + 12 + 1, 0, plain, &pl, &nh), ==, ESP_TOO_SHORT);
	g_assert_cmpint(esp_crypto_decrypt(c, pkt, 7, 0, plain, &pl, &nh), ==, ESP_TOO_SHORT);
	/* 20 bytes of ciphertext: not whole AES blocks */
	g_assert_cmpint(esp_crypto_decrypt(c, pkt, 8 + 16 + 20 + 12, 0, plain, &pl, &nh), ==, ESP_BAD_LENGTH);
	esp_crypto_close(c);

	/* padding bytes must be 1, 2, 3, ... */
	uint8_t payload[10] = { 0 };
	uint8_t buf[128];
	struct esp_key n = key_for(ESP_ENC_NULL, 0, ESP_AUTH_NULL, 0, false);
	size_t len = test_encrypt(&n, 1, 1, 0, payload, 10, 4, buf); /* pad 0: 10 + 2 = 12 */
	g_assert_cmpuint(len, ==, 20);
	buf[len - 2] = 2; /* pad length 2, pad bytes are 0, 0 */
	c = esp_crypto_open(&n);
	g_assert_cmpint(esp_crypto_decrypt(c, buf, len, 0, plain, &pl, &nh), ==, ESP_BAD_PADDING);
	buf[len - 4] = 1, buf[len - 3] = 2;
	g_assert_cmpint(esp_crypto_decrypt(c, buf, len, 0, plain, &pl, &nh), ==, ESP_OK);
	g_assert_cmpuint(pl, ==, 8);
	buf[len - 2] = 11; /* longer than the payload */
	g_assert_cmpint(esp_crypto_decrypt(c, buf, len, 0, plain, &pl, &nh), ==, ESP_BAD_PADDING);
	esp_crypto_close(c);

	g_assert_cmpstr(esp_verdict_name(ESP_OK), ==, "ok");
	g_assert_cmpstr(esp_verdict_name(ESP_ICV_FAIL), ==, "icv-fail");
	g_assert_cmpstr(esp_verdict_name(ESP_BAD_PADDING), ==, "bad-padding");
	g_assert_cmpstr(esp_verdict_name(ESP_TOO_SHORT), ==, "too-short");
	g_assert_cmpstr(esp_verdict_name(ESP_BAD_LENGTH), ==, "bad-length");

	/* keys libgcrypt cannot take give no context */
	struct esp_key bad = mkkey(ESP_ENC_AES_CBC, "0001020304", ESP_AUTH_NULL, NULL);
	g_assert_null(esp_crypto_open(&bad));
	bad = mkkey(ESP_ENC_AES_GCM_16, "00010203", ESP_AUTH_NULL, NULL);
	g_assert_null(esp_crypto_open(&bad));
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/crypto/esp/rfc3602", test_rfc3602);
	g_test_add_func("/crypto/esp/hmac-rfc2202-2286-4231", test_hmac_vectors);
	g_test_add_func("/crypto/esp/gcm-draft-mcgrew", test_gcm);
	g_test_add_func("/crypto/esp/ctr-rfc3686", test_ctr);
	g_test_add_func("/crypto/esp/ikev1-small-frame14", test_ikev1_small_packet);
	g_test_add_func("/crypto/esp/tcpdump-3des", test_tcpdump_3des);
	g_test_add_func("/crypto/esp/roundtrip", test_roundtrip);
	g_test_add_func("/crypto/esp/verdicts", test_verdicts);
	return g_test_run();
}
