/* Phase 2 rekeys: SPI hand-overs per direction, matched to the Quick Mode or
 * CREATE_CHILD_SA exchange that caused them, and their cause. */
#ifndef ESPREKEY_REKEY_H
#define ESPREKEY_REKEY_H

#include "analyzer/tracker.h"

enum rekey_cause { CAUSE_OTHER, CAUSE_VOLUME, CAUSE_TIME };

/* Where the lifetime behind a cause came from. */
enum cause_basis {
	BASIS_NONE,       /* nothing explains the rekey */
	BASIS_NEGOTIATED, /* lifetimes read from decrypted Quick Mode */
	BASIS_ASSUMED,    /* --lifetime-kb / --lifetime-s */
	BASIS_INFERRED,   /* from the pattern of rekeys in this tunnel */
};

struct rekey_side {
	struct esp_sa *old_sa, *new_sa;   /* either may be NULL */
	uint32_t old_spi, new_spi;        /* also known from decrypted IKE when no packet used the SA */
	bool have_old_spi, have_new_spi;
	uint64_t trigger_packets;         /* what the old SA had carried when the rekey began */
	uint64_t trigger_esp_bytes;
	uint64_t trigger_payload_bytes;   /* decrypted, or estimated from ESP overhead */
	bool payload_exact;
	double old_age_s;                 /* from the old SA's creation to the rekey */
	int64_t overlap_ns;               /* old SA's last packet minus new SA's first (>0 overlap, <0 gap) */
	uint64_t late_packets;            /* on the old SPI after the new one was in use */
};

struct rekey {
	int index;                        /* per tunnel, from 1 */
	struct tunnel *tunnel;
	struct exchange *exchange;        /* NULL: inferred from ESP alone */
	uint64_t time_ns;                 /* exchange start, or the first packet on a new SPI */
	double age_s;                     /* the old SA pair's age at the rekey; 0 = unknown */
	bool old_before_capture;          /* an old SA was already in use when the capture began:
					     its age and volume are lower bounds */
	struct rekey_side side[2];        /* by enum dir */
	enum rekey_cause cause;
	enum cause_basis basis;
	char evidence[320];
	/* filled by the correlation step */
	int dip_index[2];                 /* per direction, -1 = no dip followed */
	/* inner TCP retransmissions, both directions, in the span before and after */
	uint64_t retrans_before, retrans_after;
};

struct rekey_config {
	uint64_t lifetime_kb;             /* assumed byte lifetime, KB */
	uint64_t lifetime_s;              /* assumed time lifetime, s */
};

/* Fills `out` (GArray of struct rekey) for one tunnel, in time order. */
void rekeys_find(struct tunnel *tun, GArray *out);
void rekeys_classify(GArray *rekeys, const struct rekey_config *cfg);

/* How a tunnel's later IKE SA came to be. */
enum ike_sa_origin {
	IKE_SA_FIRST,        /* the tunnel's first IKE SA */
	IKE_SA_REKEYED,      /* IKEv2: rekeyed with CREATE_CHILD_SA, no IKE_SA_INIT */
	IKE_SA_REAUTH,       /* a new Main/Aggressive Mode or IKE_SA_INIT: re-authentication or reconnect */
	IKE_SA_UNSEEN,       /* its start is not in the capture */
};
enum ike_sa_origin ike_sa_origin_of(const struct ike_sa *ike);
const char *ike_sa_origin_name(enum ike_sa_origin o);

const char *rekey_cause_name(enum rekey_cause c);
const char *cause_basis_name(enum cause_basis b);
/* An ESP SA's exchange-of-creation end, else its first packet. */
uint64_t esp_sa_born_ns(const struct esp_sa *sa);

#endif
