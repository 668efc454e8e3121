/* The tracker: tunnels, IKE SAs and their exchanges, ESP SAs.  It consumes one
 * dissected frame at a time in O(1) (hash lookups, no per-packet allocation)
 * and holds all state in `struct tracker`, so separate captures can be
 * tracked on separate threads. */
#ifndef ESPREKEY_TRACKER_H
#define ESPREKEY_TRACKER_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "dissect/packet.h"
#include "analyzer/series.h"

enum dir { DIR_UP = 0, DIR_DOWN = 1 }; /* up = client -> server */

/* While tracking, a tunnel's two directions are "sides": 0 = from the lower
 * address, 1 = from the higher.  Which side is "up" is settled at the end,
 * because the client may only become known from IKE seen later. */

enum client_basis {
	CLIENT_UNKNOWN,    /* nothing tells: "up" is the lower address -> higher */
	CLIENT_FROM_IKE,   /* initiator of the first IKE SA */
	CLIENT_FROM_OPTION,/* --client */
	CLIENT_FROM_NAT,   /* the side behind a NAT (UDP 4500 from another port) */
	CLIENT_FROM_REKEYS /* the side that starts the Quick Modes / CREATE_CHILD_SAs */
};

struct tunnel;
struct esp_sa;

/* IKE exchange types we name; others are kept by number. */
enum {
	IKEV1_MAIN = 2, IKEV1_AGGRESSIVE = 4, IKEV1_INFO = 5, IKEV1_TRANSACTION = 6,
	IKEV1_QUICK = 32,
	IKEV2_SA_INIT = 34, IKEV2_AUTH = 35, IKEV2_CREATE_CHILD = 36, IKEV2_INFO = 37,
};

/* Quick Mode / CREATE_CHILD_SA nonces, for KEYMAT. */
struct exchange_nonces {
	uint8_t ni[256], nr[256];
	uint16_t ni_len, nr_len;
};

/* What decrypting an exchange's messages revealed (analyzer/ike_decrypt.c). */
struct exchange_detail {
	uint32_t decrypted, failed;     /* messages */
	struct addr initiator, responder; /* outer addresses of the exchange's first message */
	/* Quick Mode / CREATE_CHILD_SA: the ESP SPI each side will receive on */
	bool have_spi_i, have_spi_r;
	uint32_t spi_i, spi_r;
	uint64_t life_seconds;          /* 0 = not offered */
	uint64_t life_kbytes;
	bool responder_chose;           /* transform and lifetime come from the responder's answer */
	int transform_id, auth_alg;
	unsigned key_bits;
	uint16_t encap_mode;
	bool esn;                       /* IKEv2: extended sequence numbers chosen */
	bool pfs;                       /* KE in Quick Mode: ESP keys cannot be derived */
	bool keys_derived;
	struct exchange_nonces *nonces; /* only child-SA exchanges carry them; NULL until seen */
	bool ike_rekey;                 /* IKEv2 CREATE_CHILD_SA proposing a new IKE SA */
	bool rekey_notify;              /* IKEv2 REKEY_SA */
	uint32_t rekey_notify_spi;
	uint32_t deleted_spis[8];       /* Delete payloads (ESP) */
	unsigned n_deleted;
};

struct esp_snapshot {
	struct esp_sa *sa;
	uint64_t packets, esp_bytes, ip_bytes, plaintext_bytes;
};

#define EXCHANGE_SNAPSHOTS 8

struct exchange {
	struct ike_sa *ike;
	uint32_t msgid;
	uint8_t type;
	bool initiator_sent_first;      /* the first message came from the IKE SA's initiator */
	uint64_t start_ns, end_ns;
	uint32_t messages;
	bool had_esp_before;            /* the tunnel carried ESP before this exchange began */
	/* counters of the tunnel's live ESP SAs when the exchange began: what the
	 * old SA had carried when the rekey was triggered */
	struct esp_snapshot snap[EXCHANGE_SNAPSHOTS];
	unsigned n_snap;
	struct exchange_detail detail;
};

struct ike_sa {
	struct tunnel *tunnel;
	uint64_t spi_i_key;             /* spi_i as a hash key */
	uint8_t version;                /* 1 or 2 */
	uint8_t spi_i[8], spi_r[8];
	struct addr initiator;          /* who sent the first message we saw with a zero responder SPI */
	bool initiator_known;
	uint64_t first_ns, last_ns;
	uint32_t messages;
	bool natt;                      /* moved to / used port 4500 */
	GPtrArray *exchanges;           /* struct exchange *, in order of start */
	void *crypto;                   /* decryption state, owned by keys/ (NULL without keys) */
	int index;                      /* per tunnel, from 1 */
};

struct esp_sa {
	struct tunnel *tunnel;
	uint32_t spi;
	struct addr src, dst;
	int side;
	enum dir dir;                   /* valid after tracker_finish() */
	bool in_udp;
	int index;                      /* per tunnel and direction, from 1 */
	uint64_t first_ns, last_ns;
	uint64_t packets, esp_bytes, ip_bytes;
	uint64_t seq_window;            /* bitmap of the 64 numbers below max_seq */
	bool seq_started;
	/* sequence numbers */
	uint32_t first_seq, max_seq;
	uint64_t seq_gaps;              /* numbers skipped (lost before the capture point or reordered) */
	uint64_t seq_dups;              /* copies of packets already seen: not in packets or bytes */
	uint64_t seq_resets;            /* the sequence jumped backwards by a lot */
	uint64_t seq_reordered;
	/* hand-over: the next SA in this direction started */
	struct esp_sa *successor;
	uint64_t superseded_ns;         /* first packet of the successor */
	uint64_t packets_at_superseded, esp_bytes_at_superseded, ip_bytes_at_superseded;
	uint64_t plaintext_at_superseded;
	uint64_t late_packets, late_bytes; /* on this SPI after the successor was in use */
	/* deletion (from decrypted Informational / Delete) */
	uint64_t deleted_ns;
	struct addr deleted_by;
	uint64_t packets_after_delete;
	/* decryption */
	void *crypto;                   /* struct esp_crypto *, opened once per SA */
	const char *key_source;
	uint64_t key_generation;        /* key store generation last looked up in */
	bool esn;                       /* 64-bit sequence numbers: the ICV covers the high half */
	uint32_t esn_high, esn_last_low;
	uint64_t decrypted, icv_failures, bad_padding, decrypt_errors, not_captured, plaintext_bytes;
	/* lifetime learned from IKE; 0 = unknown */
	uint64_t life_seconds, life_kbytes;
	struct exchange *created_by;
};

struct tunnel {
	int index;                      /* from 1, in order of first packet */
	struct addr a, b;               /* a < b (memcmp) */
	uint16_t nat_port;              /* the client's NAT-mapped UDP port for 4500, 0 if none */
	int nat_side;                   /* side whose port was NAT-mapped, -1 if none */
	unsigned child_starts[2];       /* child-SA exchanges begun, per side */
	struct addr client, server;
	int client_side;                /* 0: a is the client, 1: b; valid after tracker_finish() */
	enum client_basis client_basis;
	uint64_t first_ns, last_ns;
	GPtrArray *ike_sas;             /* struct ike_sa * */
	GPtrArray *esp_sas;             /* struct esp_sa *, in order of first packet */
	struct esp_sa *current[2];      /* newest SA per side */
	struct series series[2];        /* outer IP bytes of ESP per side */
	/* from decrypted inner TCP, per side */
	struct series goodput[2];       /* TCP payload bytes, retransmissions excluded */
	struct series retrans[2];       /* retransmitted segments per window (as "bytes") */
	uint64_t tcp_segments[2], tcp_payload[2], tcp_retrans[2], tcp_out_of_order[2];
	uint64_t ike_messages, keepalives;
};

struct tracker_config {
	uint64_t window_ns;
	struct addr client;             /* family 0 = not given */
};

struct tracker {
	struct tracker_config cfg;
	uint64_t first_ns, last_ns;
	bool have_time;
	uint64_t frames, ip_frames, esp_frames, ike_frames, keepalive_frames, other_ip_frames;
	uint64_t anomalies[AN_COUNT];
	GHashTable *tunnels_by_endpoint; /* struct endpoint_key -> struct tunnel * */
	GPtrArray *tunnels;             /* struct tunnel *, in order */
	GHashTable *esp_by_key;         /* (spi, dst) -> struct esp_sa * */
	GHashTable *ike_by_spi_i;       /* initiator SPI (8 bytes) -> struct ike_sa * */
	struct esp_sa *last_esp;        /* the SA of the previous ESP packet */
};

void tracker_init(struct tracker *t, const struct tracker_config *cfg);
void tracker_free(struct tracker *t);
/* What a frame belonged to, for the decryption step. */
struct tracked {
	struct esp_sa *esp;
	struct esp_sa *superseded;      /* this packet began a new SA that replaced this one */
	struct exchange *new_exchange;  /* this message began an exchange (its ESP snapshot was taken) */
	struct ike_sa *ike;
	struct exchange *exchange;
	bool from_initiator;            /* sent by the IKE SA's initiator */
};

void tracker_frame(struct tracker *t, uint64_t ts_ns, const struct frame *f, struct tracked *out);
struct esp_sa *tracker_esp_lookup(struct tracker *t, uint32_t spi, const struct addr *dst);
/* After the last frame: fixes directions where the client became known late. */
void tracker_finish(struct tracker *t);

const char *exchange_name(uint8_t version, uint8_t type);
void addr_format(const struct addr *a, char *buf, size_t len);

#endif
