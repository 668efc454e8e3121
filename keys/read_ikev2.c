/* ikev2_decryption_table (Wireshark UAT; strongSwan save-keys writes it):
 *   SPIi,SPIr,SK_ei,SK_er,"enc name",SK_ai,SK_ar,"integ name"
 * SPIs and keys are bare hex; names are exactly Wireshark's (algs.c). */
#include <string.h>

#include "keys/readers.h"
#include "keys/secret.h"

bool read_ikev2_line(struct keyfile *kf, char *line)
{
	struct uat_field f[UAT_MAX_FIELDS];
	int n = uat_split(kf, line, f, UAT_MAX_FIELDS);
	if (n < 0)
		return false;
	if (n != 8)
		return kf_fail(kf, "ikev2_decryption_table: expected 8 fields, found %d", n);

	struct ikev2_key *k = g_new0(struct ikev2_key, 1);
	g_ptr_array_add(kf->ikev2, k);
	if (!parse_cookie(kf, f[0].s, f[0].len, "initiator SPI", k->spi_i) ||
	    !parse_cookie(kf, f[1].s, f[1].len, "responder SPI", k->spi_r))
		return false;
	if (!ikev2_enc_from_name(f[4].s, &k->enc))
		return kf_fail(kf, "unknown IKEv2 encryption algorithm \"%s\"", f[4].s);
	if (!ikev2_integ_from_name(f[7].s, &k->integ))
		return kf_fail(kf, "unknown IKEv2 integrity algorithm \"%s\"", f[7].s);
	const struct ikev2_enc_info *ei = ikev2_enc_info(k->enc);
	const struct ikev2_integ_info *ii = ikev2_integ_info(k->integ);

	size_t le = 0, lr = 0;
	if (ei->key_len) {
		if (!parse_hex_key(kf, f[2].s, f[2].len, "SK_ei", k->sk_ei, sizeof k->sk_ei, &le) ||
		    !parse_hex_key(kf, f[3].s, f[3].len, "SK_er", k->sk_er, sizeof k->sk_er, &lr))
			return false;
		if (le != ei->key_len || lr != ei->key_len)
			return kf_fail(kf, "SK_ei and SK_er for \"%s\" must be %zu bytes, got %zu and %zu",
				       ikev2_enc_name(k->enc), ei->key_len, le, lr);
	}
	k->sk_e_len = ei->key_len;
	if (ii->key_len) {
		if (!parse_hex_key(kf, f[5].s, f[5].len, "SK_ai", k->sk_ai, sizeof k->sk_ai, &le) ||
		    !parse_hex_key(kf, f[6].s, f[6].len, "SK_ar", k->sk_ar, sizeof k->sk_ar, &lr))
			return false;
		if (le != ii->key_len || lr != ii->key_len)
			return kf_fail(kf, "SK_ai and SK_ar for \"%s\" must be %zu bytes, got %zu and %zu",
				       ikev2_integ_name(k->integ), ii->key_len, le, lr);
	}
	k->sk_a_len = ii->key_len;
	if (ei->icv_len && ii->gcry_md)
		return kf_fail(kf, "\"%s\" authenticates by itself: integrity must be \"NONE [RFC4306]\", "
				   "not \"%s\"", ikev2_enc_name(k->enc), ikev2_integ_name(k->integ));
	k->source = kf_source(kf, 0);
	return true;
}

/* esprekey extension: "sk_d SPIi SPIr HEX", SK_d of an IKEv2 SA, from which
 * the keys of its child SAs follow (RFC 7296 §2.17). */
bool read_sk_d_line(struct keyfile *kf, char *line)
{
	char *tok[5] = { NULL };
	int n = 0;
	for (char *save = NULL, *t = strtok_r(line, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (n < 5)
			tok[n] = t;
		n++;
	}
	if (n != 4)
		return kf_fail(kf, "sk_d line: expected \"sk_d <initiator SPI> <responder SPI> <hex>\", "
				   "found %d fields", n);
	struct ikev2_sk_d *k = g_new0(struct ikev2_sk_d, 1);
	g_ptr_array_add(kf->sk_d, k);
	if (!parse_cookie(kf, tok[1], strlen(tok[1]), "initiator SPI", k->spi_i) ||
	    !parse_cookie(kf, tok[2], strlen(tok[2]), "responder SPI", k->spi_r) ||
	    !parse_hex_key(kf, tok[3], strlen(tok[3]), "SK_d", k->sk_d, sizeof k->sk_d, &k->len))
		return false;
	/* the prf's output length: MD5 16, SHA1 20, SHA2 32/48/64 */
	if (k->len != 16 && k->len != 20 && k->len != 32 && k->len != 48 && k->len != 64)
		return kf_fail(kf, "SK_d must be 16, 20, 32, 48 or 64 bytes (a prf output), got %zu", k->len);
	k->source = kf_source(kf, 0);
	return true;
}
