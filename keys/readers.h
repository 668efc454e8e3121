/* Internal to keys/: one reader per key-file shape, and the load in progress
 * they all stage records into.
 *
 * Shapes (detected per line by keyfile.c; a file may mix them):
 *   read_esp_sa.c   Wireshark esp_sa UAT lines, 8 or 10 fields
 *   read_ikev1.c    ikev1_decryption_table "CKY-I,Ka" and esprekey's
 *                   "skeyid_d CKY-I HEX" / "skeyid_a CKY-I HEX"
 *   read_ikev2.c    ikev2_decryption_table, 8 fields
 *   read_yamaha.c   Yamaha "show ipsec sa gateway N detail" blocks
 * Each reader reports exactly one error through kf_fail() and returns false. */
#ifndef ESPREKEY_KEYS_READERS_H
#define ESPREKEY_KEYS_READERS_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys/keystore.h"

struct yamaha_block;

struct keyfile {
	struct keystore *ks;
	const char *origin;
	unsigned line;
	GError **err;
	bool failed;
	GPtrArray *esp;   /* struct esp_key *, staged in file order */
	GPtrArray *ikev1; /* struct ikev1_key * */
	GPtrArray *ikev2; /* struct ikev2_key * */
	GPtrArray *sk_d;  /* struct ikev2_sk_d * */
	unsigned masked;
	struct yamaha_block *yb;
};

/* Sets *err to "ORIGIN:LINE: <message>" (first call only); returns false. */
bool kf_fail(struct keyfile *kf, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Same with an explicit line number (for multi-line blocks). */
bool kf_fail_at(struct keyfile *kf, unsigned line, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* Interned "ORIGIN:LINE" for the current line (or `line`). */
const char *kf_source(struct keyfile *kf, unsigned line);
/* Staged IKEv1 entry for this cookie (created empty if new). */
struct ikev1_key *kf_ikev1(struct keyfile *kf, const uint8_t cky_i[8]);
/* A new zeroed staged ESP record (owned by kf). */
struct esp_key *kf_new_esp(struct keyfile *kf);

/* ---- UAT record fields ---- */
#define UAT_MAX_FIELDS 12
struct uat_field {
	char *s;     /* NUL-terminated, unescaped; points into the split buffer */
	size_t len;  /* may differ from strlen(s) if "\x00" was written */
	bool quoted;
};
/* Splits a UAT record line (fields separated by commas; quoted strings with
 * \xNN, \\ and \" escapes; bare fields trimmed).  `buf` is a writable copy
 * of the line; fields point into it.  Returns the number of fields, or -1
 * after kf_fail (e.g. an unterminated quote).  More than `max` fields are
 * counted but not stored. */
int uat_split(struct keyfile *kf, char *buf, struct uat_field *f, int max);

/* Parses 16 hex digits (an IKE cookie or SPI); `what` names it in errors. */
bool parse_cookie(struct keyfile *kf, const char *s, size_t len, const char *what, uint8_t out[8]);
/* Parses a bare hex key of even length into out (max bytes); `what` names it. */
bool parse_hex_key(struct keyfile *kf, const char *s, size_t len, const char *what, uint8_t *out,
		   size_t max, size_t *out_len);

bool read_esp_sa_line(struct keyfile *kf, char *line);
bool read_ikev1_line(struct keyfile *kf, char *line);   /* 2 UAT fields */
bool read_skeyid_line(struct keyfile *kf, char *line);  /* skeyid_d / skeyid_a */
bool read_sk_d_line(struct keyfile *kf, char *line);    /* sk_d SPIi SPIr HEX (IKEv2) */
bool read_ikev2_line(struct keyfile *kf, char *line);   /* 8 UAT fields */

/* Yamaha: whether the line belongs to a "show ipsec sa" listing (given the
 * block state), feeding it if so; yamaha_end closes an open block (at a
 * line of another shape or at the end of input). */
bool yamaha_claims(struct keyfile *kf, const char *line);
bool yamaha_line(struct keyfile *kf, char *line);
bool yamaha_end(struct keyfile *kf);
void yamaha_free(struct keyfile *kf);

/* Moves the staged records into the store (keystore.c). */
void keystore_commit(struct keystore *ks, struct keyfile *kf);
const char *keystore_intern(struct keystore *ks, const char *s);

#endif
