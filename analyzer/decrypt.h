/* Decryption during the analysis: ESP packets with their SA's key (opened
 * once per SA), IKEv1/IKEv2 messages for SPIs, lifetimes and Deletes, ESP keys
 * derived from Quick Mode, and inner TCP for goodput and retransmissions. */
#ifndef ESPREKEY_DECRYPT_H
#define ESPREKEY_DECRYPT_H

#include <glib.h>

#include "analyzer/tracker.h"
#include "keys/keystore.h"

/* An inner TCP flow's identity. */
struct flow_key {
	struct addr src, dst;
	uint16_t sport, dport;
};

struct decryptor {
	struct keystore *keys;
	uint64_t generation;         /* bumped whenever keys are added during the run */
	uint8_t *plain;              /* one ESP packet's plaintext (the ESP side's, maybe a worker thread) */
	uint8_t *ike_plain;          /* one IKE message's (the reading thread's) */
	GHashTable *flows;           /* inner TCP flows: struct flow_key -> struct tcp_flow */
	struct tcp_flow *last_flow;  /* the previous segment's flow */
	uint64_t flow_segments;
	struct flow_key last_flow_key;
	GHashTable *notes;           /* what could not be decrypted and why: text -> count */
	uint64_t ike_decrypted, ike_failed;
	uint64_t hash_ok, hash_bad;     /* IKEv1 HASH payloads checked with SKEYID_a */
	uint64_t esp_no_key, esp_not_captured;
	uint64_t keys_derived;
};

void decryptor_init(struct decryptor *d, struct keystore *keys);
/* Closes the per-SA crypto handles of every SA the tracker holds. */
void decryptor_free(struct decryptor *d, struct tracker *t);

/* ESP is decrypted in two steps so that the second can run on a worker
 * thread: the reading thread finds and opens the SA's key and says whether
 * the packet can be decrypted; the other decrypts it and follows its inner
 * TCP.  Per SA, the second step touches only the decryption counters. */
bool decrypt_esp_ready(struct decryptor *d, struct esp_sa *sa, const struct frame *f);
void decrypt_esp_packet(struct decryptor *d, struct esp_sa *sa, const uint8_t *esp, uint32_t len, uint32_t seq,
			uint64_t ts);
/* Both steps at once. */
void decrypt_esp(struct decryptor *d, struct esp_sa *sa, const struct frame *f, uint64_t ts);
/* Plaintext counters at a rekey's start and at a hand-over, taken by the
 * ESP side, in packet order. */
void decrypt_snapshot_exchange(struct exchange *x);
void decrypt_snapshot_superseded(struct esp_sa *sa);
void decrypt_ike(struct decryptor *d, struct tracker *t, const struct tracked *tr, const struct frame *f,
		 uint64_t ts);
/* After the last frame: SAs learn their lifetimes and the exchange that
 * created them from decrypted Quick Modes / CREATE_CHILD_SAs. */
void decrypt_apply(struct decryptor *d, struct tunnel *tun);

/* Records one reason something could not be decrypted. */
void decryptor_note(struct decryptor *d, const char *text);
/* "no key for SPI 0x...", sorted, with how often; for reports. */
GPtrArray *decryptor_notes(const struct decryptor *d);

#endif
