/* The key store: every key esprekey knows, from key files, pcapng Decryption
 * Secrets Blocks, or derived at run time (IKEv1 KEYMAT).
 *
 * ESP keys are looked up the way Wireshark's get_esp_sa() does it: records
 * are tried in order and the first whose protocol, outer source, outer
 * destination and SPI all match wins.  Here exact-SPI records sit in a hash
 * table keyed by SPI and wildcard-SPI records in a list; every record carries
 * its position so "first wins" holds across both.  Keys added at run time
 * (keystore_add_esp) come before all file records, as Wireshark's
 * programmatic "extra" records do.
 *
 * Key material is never printed: not by this module, not in any error
 * message.  Only names, addresses, SPIs, cookies and lengths are quoted. */
#ifndef ESPREKEY_KEYSTORE_H
#define ESPREKEY_KEYSTORE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dissect/packet.h"
#include "keys/algs.h"

/* GError domain and codes of every key-file reader. */
#define KEYS_ERROR (keys_error_quark())
GQuark keys_error_quark(void);
enum keys_error_code {
	KEYS_ERROR_IO,    /* the file could not be read */
	KEYS_ERROR_PARSE, /* "FILE:LINE: what is wrong" */
};

/* One address selector of an esp_sa record.  Matches an address when
 * any, or when families agree and (addr & mask) == value byte by byte.
 * Per-octet (IPv4) / per-nibble (IPv6) wildcards clear mask bits, as does a
 * "/prefix".  IPv6 groups are left-padded with 0 as Wireshark's expander
 * does, so a group written "*" is "000*": write "****" for a whole group. */
struct addr_match {
	bool any;
	uint8_t family; /* 4 or 6 */
	uint8_t value[16];
	uint8_t mask[16];
};

enum esp_sa_proto {
	ESP_SA_ANY = 0,  /* Wireshark's "Any": addresses are not compared */
	ESP_SA_IPV4 = 4,
	ESP_SA_IPV6 = 6,
};

struct esp_key {
	/* selector */
	enum esp_sa_proto proto;
	struct addr_match src, dst; /* outer IP header of the ESP packet */
	uint32_t spi;               /* matches when (pkt_spi & spi_mask) == spi */
	uint32_t spi_mask;          /* 0xffffffff exact; 0 for "*"; nibbles for "0x1234****" */

	/* transform */
	enum esp_enc enc;
	enum esp_auth auth;
	uint8_t enc_key[ESP_ENC_KEY_MAX]; /* AES-CTR/GCM, ChaCha20: key || 4-byte salt */
	size_t enc_key_len;
	uint8_t auth_key[ESP_AUTH_KEY_MAX];
	size_t auth_key_len;
	bool esn;                   /* SN "64-bit": ICV covers ESN high bits */
	uint32_t esn_high;          /* "ESN High Bits" column: the starting value */

	/* where it came from: "FILE:LINE", "derived (KEYMAT)", "pcapng DSB:3" */
	const char *source;
	uint64_t order;             /* position for first-match-wins; set by the store */
};

/* IKEv1 keys of one Phase-1 SA, by initiator cookie.  A length of 0 means
 * "not known".  Each part keeps the first value loaded. */
struct ikev1_key {
	uint8_t cky_i[8];
	uint8_t cky_r[8];           /* only from "show ipsec sa" (has_cky_r) */
	bool has_cky_r;
	uint8_t ka[32];             /* the IKE cipher key as used (Wireshark's "Encryption Key") */
	size_t ka_len;
	uint8_t skeyid_d[64];
	size_t skeyid_d_len;
	uint8_t skeyid_a[64];
	size_t skeyid_a_len;
	const char *ka_source, *skeyid_d_source, *skeyid_a_source;
};

/* IKEv2 keys of one IKE SA, by (SPIi, SPIr). */
struct ikev2_key {
	uint8_t spi_i[8], spi_r[8];
	enum ikev2_enc enc;
	enum ikev2_integ integ;
	uint8_t sk_ei[36], sk_er[36];
	size_t sk_e_len;
	uint8_t sk_ai[64], sk_ar[64];
	size_t sk_a_len;
	const char *source;
};

/* esprekey extension: SK_d of an IKEv2 SA, for the keys of its child SAs. */
struct ikev2_sk_d {
	uint8_t spi_i[8], spi_r[8];
	uint8_t sk_d[64];
	size_t len;
	const char *source;
};

struct keystore_counts {
	unsigned esp;           /* all ESP records */
	unsigned esp_wildcard;  /* ... of which have a wildcard SPI */
	unsigned esp_derived;   /* ... of which were added with keystore_add_esp */
	unsigned ikev1;         /* distinct initiator cookies */
	unsigned ikev1_ka;
	unsigned ikev1_skeyid_d;
	unsigned ikev1_skeyid_a;
	unsigned ikev2;
	unsigned ikev2_sk_d;
	unsigned masked;        /* "show ipsec sa" blocks skipped: keys shown as ** */
};

struct keystore;

struct keystore *keystore_new(void);
void keystore_free(struct keystore *ks); /* wipes all key material */

/* Loads a key file; every line is one of the shapes in keys/readers.h,
 * detected per line.  Loading is all or nothing: on the first bad line
 * nothing from this file is added and *err says "FILE:LINE: what is wrong". */
bool keystore_load_file(struct keystore *ks, const char *path, GError **err);
/* Same for text in memory (e.g. a pcapng Decryption Secrets Block);
 * `origin` names it in sources and errors ("pcapng DSB" → "pcapng DSB:2"). */
bool keystore_load_text(struct keystore *ks, const char *text, size_t len,
			const char *origin, GError **err);

/* The first ESP record, in store order, matching (spi, outer src, outer dst);
 * NULL if none.  The pointer stays valid until keystore_free. */
const struct esp_key *keystore_esp_lookup(const struct keystore *ks, uint32_t spi,
					  const struct addr *src, const struct addr *dst);

/* Adds a key found at run time (e.g. from KEYMAT); it is copied, with the
 * given source text, and tried before all file records (Wireshark's
 * "extra" records).  Returns the stored copy. */
const struct esp_key *keystore_add_esp(struct keystore *ks, const struct esp_key *k,
				       const char *source);

/* Fills the selector of `k` for exactly this SPI and these addresses
 * (NULL address = any). */
void esp_key_set_selector(struct esp_key *k, uint32_t spi, const struct addr *src,
			  const struct addr *dst);
/* Whether record `k` matches a packet (the lookup's test, for reports). */
bool esp_key_matches(const struct esp_key *k, uint32_t spi, const struct addr *src,
		     const struct addr *dst);

const struct ikev1_key *keystore_ikev1_lookup(const struct keystore *ks, const uint8_t cky_i[8]);
const struct ikev2_sk_d *keystore_ikev2_sk_d(const struct keystore *ks, const uint8_t spi_i[8],
					      const uint8_t spi_r[8]);
const struct ikev2_key *keystore_ikev2_lookup(const struct keystore *ks, const uint8_t spi_i[8],
					      const uint8_t spi_r[8]);

void keystore_get_counts(const struct keystore *ks, struct keystore_counts *out);
/* ESP records in store order (derived first, then file order), for reports. */
size_t keystore_esp_count(const struct keystore *ks);
const struct esp_key *keystore_esp_at(const struct keystore *ks, size_t i);

#endif
