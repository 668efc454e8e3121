/* IKEv1 keys:
 *   ikev1_decryption_table (Wireshark UAT, two bare-hex buffer fields):
 *       8235695e8a93fd68,09d1b3b11828b6281ae30ceaa883fce7
 *   esprekey extension (shared/captures/<case>/keys/skeyid):
 *       skeyid_d 8235695e8a93fd68 709224cb6c95224c0de522b8cb333651de0231f2
 *       skeyid_a 8235695e8a93fd68 <hex>
 */
#include <string.h>

#include "keys/readers.h"
#include "keys/secret.h"

bool read_ikev1_line(struct keyfile *kf, char *line)
{
	struct uat_field f[UAT_MAX_FIELDS];
	int n = uat_split(kf, line, f, UAT_MAX_FIELDS);
	if (n < 0)
		return false;
	if (n != 2)
		return kf_fail(kf, "ikev1_decryption_table: expected 2 fields, found %d", n);
	uint8_t cky[8];
	if (!parse_cookie(kf, f[0].s, f[0].len, "initiator cookie", cky))
		return false;
	uint8_t ka[32];
	size_t len;
	if (!parse_hex_key(kf, f[1].s, f[1].len, "IKEv1 encryption key (Ka)", ka, sizeof ka, &len))
		return false;
	if (len != 8 && len != 16 && len != 24 && len != 32) {
		secret_wipe(ka, sizeof ka);
		return kf_fail(kf, "IKEv1 encryption key (Ka) must be 8, 16, 24 or 32 bytes "
				   "(the cipher key length), got %zu", len);
	}
	struct ikev1_key *k = kf_ikev1(kf, cky);
	if (!k->ka_len) {
		memcpy(k->ka, ka, len);
		k->ka_len = len;
		k->ka_source = kf_source(kf, 0);
	}
	secret_wipe(ka, sizeof ka);
	return true;
}

bool read_skeyid_line(struct keyfile *kf, char *line)
{
	char *tok[4] = { line, NULL, NULL, NULL };
	int n = 0;
	for (char *save = NULL, *t = strtok_r(line, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (n < 4)
			tok[n] = t;
		n++;
	}
	bool is_d = g_ascii_strcasecmp(tok[0], "skeyid_d") == 0;
	const char *what = is_d ? "SKEYID_d" : "SKEYID_a";
	if (n != 3)
		return kf_fail(kf, "%s line: expected \"%s <initiator cookie> <hex>\", found %d fields",
			       what, is_d ? "skeyid_d" : "skeyid_a", n);
	uint8_t cky[8];
	if (!parse_cookie(kf, tok[1], strlen(tok[1]), "initiator cookie", cky))
		return false;
	uint8_t v[64];
	size_t len;
	if (!parse_hex_key(kf, tok[2], strlen(tok[2]), what, v, sizeof v, &len))
		return false;
	/* prf output length: MD5 16, SHA1 20, SHA2 32/48/64 */
	if (len != 16 && len != 20 && len != 32 && len != 48 && len != 64) {
		secret_wipe(v, sizeof v);
		return kf_fail(kf, "%s must be 16, 20, 32, 48 or 64 bytes (a hash output), got %zu", what,
			       len);
	}
	struct ikev1_key *k = kf_ikev1(kf, cky);
	uint8_t *dst = is_d ? k->skeyid_d : k->skeyid_a;
	size_t *dlen = is_d ? &k->skeyid_d_len : &k->skeyid_a_len;
	if (!*dlen) {
		memcpy(dst, v, len);
		*dlen = len;
		if (is_d)
			k->skeyid_d_source = kf_source(kf, 0);
		else
			k->skeyid_a_source = kf_source(kf, 0);
	}
	secret_wipe(v, sizeof v);
	return true;
}
