/* Key store semantics: Wireshark's "first record in file order wins" across
 * the exact-SPI hash and the wildcard list, derived keys first, several
 * files, counts, first-wins for IKE keys, and many records. */
#include <glib.h>
#include <string.h>

#include "keys/keystore.h"

static struct addr a4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct addr x = { .family = 4 };
	x.b[0] = a, x.b[1] = b, x.b[2] = c, x.b[3] = d;
	return x;
}

static void load(struct keystore *ks, const char *origin, const char *text)
{
	GError *err = NULL;
	if (!keystore_load_text(ks, text, strlen(text), origin, &err))
		g_error("%s", err->message);
}

#define REC(src, dst, spi) "\"IPv4\",\"" src "\",\"" dst "\",\"" spi "\",\"NULL\",\"\",\"NULL\",\"\"\n"

static void test_first_wins_across_hash_and_wildcards(void)
{
	struct keystore *ks = keystore_new();
	load(ks, "f", REC("10.0.0.1", "10.0.0.2", "0x1234****") /* 1: wildcard first */
		      REC("10.0.0.1", "10.0.0.2", "0x12345678") /* 2: exact, later */
		      REC("*", "*", "0x22222222")               /* 3 */
		      REC("10.0.0.9", "*", "0x2222****")        /* 4 */
		      REC("10.0.0.1", "10.0.0.2", "0x33333333") /* 5: exact, other addresses */
		      REC("*", "*", "0x33333333")               /* 6 */
		      REC("*", "*", "*"));                      /* 7: catch-all */
	struct addr s = a4(10, 0, 0, 1), d = a4(10, 0, 0, 2), o = a4(10, 0, 0, 9);
	g_assert_cmpstr(keystore_esp_lookup(ks, 0x12345678, &s, &d)->source, ==, "f:1");
	g_assert_cmpstr(keystore_esp_lookup(ks, 0x22222222, &o, &d)->source, ==, "f:3");
	g_assert_cmpstr(keystore_esp_lookup(ks, 0x2222abcd, &o, &d)->source, ==, "f:4");
	g_assert_cmpstr(keystore_esp_lookup(ks, 0x2222abcd, &s, &d)->source, ==, "f:7");
	g_assert_cmpstr(keystore_esp_lookup(ks, 0x33333333, &s, &d)->source, ==, "f:5");
	g_assert_cmpstr(keystore_esp_lookup(ks, 0x33333333, &o, &d)->source, ==, "f:6");
	g_assert_cmpstr(keystore_esp_lookup(ks, 0xdeadbeef, &o, &d)->source, ==, "f:7");
	/* no addresses (e.g. unknown family): only records that need none */
	g_assert_null(keystore_esp_lookup(ks, 0x12345678, NULL, NULL));
	struct keystore_counts c;
	keystore_get_counts(ks, &c);
	g_assert_cmpuint(c.esp, ==, 7);
	g_assert_cmpuint(c.esp_wildcard, ==, 3);
	g_assert_cmpuint(c.esp_derived, ==, 0);
	keystore_free(ks);
}

static void test_files_in_load_order_and_derived_first(void)
{
	struct keystore *ks = keystore_new();
	load(ks, "a", REC("*", "*", "0x0000000a"));
	load(ks, "b", REC("*", "*", "0x0000000a") REC("*", "*", "*"));
	struct addr s = a4(1, 2, 3, 4), d = a4(5, 6, 7, 8);
	g_assert_cmpstr(keystore_esp_lookup(ks, 10, &s, &d)->source, ==, "a:1");
	g_assert_cmpstr(keystore_esp_lookup(ks, 11, &s, &d)->source, ==, "b:2");

	struct esp_key k;
	memset(&k, 0, sizeof k);
	esp_key_set_selector(&k, 11, &s, &d);
	const struct esp_key *added = keystore_add_esp(ks, &k, "derived (KEYMAT)");
	g_assert_cmpstr(added->source, ==, "derived (KEYMAT)");
	g_assert_true(keystore_esp_lookup(ks, 11, &s, &d) == added); /* before the catch-all */
	g_assert_cmpstr(keystore_esp_lookup(ks, 11, &d, &s)->source, ==, "b:2");
	esp_key_set_selector(&k, 10, NULL, NULL); /* any addresses */
	g_assert_cmpint(k.proto, ==, ESP_SA_ANY);
	keystore_add_esp(ks, &k, "pcapng DSB:4");
	g_assert_cmpstr(keystore_esp_lookup(ks, 10, &s, &d)->source, ==, "pcapng DSB:4");
	g_assert_true(esp_key_matches(added, 11, &s, &d));
	g_assert_false(esp_key_matches(added, 12, &s, &d));

	/* report order: derived (in order added), then file order */
	g_assert_cmpuint(keystore_esp_count(ks), ==, 5);
	g_assert_cmpstr(keystore_esp_at(ks, 0)->source, ==, "derived (KEYMAT)");
	g_assert_cmpstr(keystore_esp_at(ks, 1)->source, ==, "pcapng DSB:4");
	g_assert_cmpstr(keystore_esp_at(ks, 2)->source, ==, "a:1");
	g_assert_cmpstr(keystore_esp_at(ks, 4)->source, ==, "b:2");
	g_assert_null(keystore_esp_at(ks, 5));
	keystore_free(ks);
}

static void test_ike_first_wins(void)
{
	struct keystore *ks = keystore_new();
	load(ks, "a", "0102030405060708,000102030405060708090a0b0c0d0e0f\n");
	load(ks, "b", "0102030405060708,ffffffffffffffffffffffffffffffff\n"
		      "skeyid_d 0102030405060708 000102030405060708090a0b0c0d0e0f10111213\n"
		      "skeyid_d 0102030405060708 ffffffffffffffffffffffffffffffffffffffff\n");
	const uint8_t cky[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	const struct ikev1_key *k = keystore_ikev1_lookup(ks, cky);
	g_assert_nonnull(k);
	g_assert_cmpuint(k->ka[0], ==, 0x00);
	g_assert_cmpstr(k->ka_source, ==, "a:1");
	g_assert_cmpuint(k->skeyid_d[0], ==, 0x00);
	g_assert_cmpstr(k->skeyid_d_source, ==, "b:2");
	g_assert_cmpuint(k->skeyid_a_len, ==, 0);
	keystore_free(ks);
}

static void test_many_records(void)
{
	/* 20000 SAs (10000 rekeys): lookups stay hash lookups */
	GString *s = g_string_new(NULL);
	for (unsigned i = 0; i < 20000; i++)
		g_string_append_printf(s, "\"IPv4\",\"192.0.2.10\",\"198.51.100.1\",\"0x%08x\",\"AES-CBC [RFC3602]\","
				       "\"0x%032x\",\"HMAC-SHA-1-96 [RFC2404]\",\"0x%040x\"\n",
				       0x80000000u + i * 7919u, i, i);
	struct keystore *ks = keystore_new();
	load(ks, "big", s->str);
	struct addr src = a4(192, 0, 2, 10), dst = a4(198, 51, 100, 1);
	gint64 t0 = g_get_monotonic_time();
	for (unsigned r = 0; r < 10; r++)
		for (unsigned i = 0; i < 20000; i++) {
			const struct esp_key *k = keystore_esp_lookup(ks, 0x80000000u + i * 7919u, &src, &dst);
			g_assert_nonnull(k);
			g_assert_cmpuint(k->enc_key[15], ==, (uint8_t)i);
		}
	gint64 us = g_get_monotonic_time() - t0;
	g_test_message("200000 lookups in %" G_GINT64_FORMAT " us", us);
	g_assert_null(keystore_esp_lookup(ks, 0x7fffffff, &src, &dst));
	keystore_free(ks);
	g_string_free(s, TRUE);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/keys/store/first-wins-hash-and-wildcards", test_first_wins_across_hash_and_wildcards);
	g_test_add_func("/keys/store/load-order-derived-first", test_files_in_load_order_and_derived_first);
	g_test_add_func("/keys/store/ike-first-wins", test_ike_first_wins);
	g_test_add_func("/keys/store/many-records", test_many_records);
	return g_test_run();
}
