/* IKE decryption: what Quick Mode, CREATE_CHILD_SA, Informational and
 * Delete say about the ESP SAs — SPIs, lifetimes, deletions — and the ESP
 * keys of every non-PFS Quick Mode, derived from SKEYID_d. */
#include "analyzer/decrypt.h"

#include <stdio.h>
#include <string.h>

#include "dissect/isakmp.h"
#include "keys/ikev1_crypto.h"
#include "keys/ikev2_crypto.h"
#include "keys/keymat.h"
#include "keys/prf.h"
#include "keys/secret.h"

/* Per IKE SA; hangs off ike_sa->crypto. */
struct ike_state {
	bool looked_up;
	const struct ikev1_key *k1;
	const struct ikev2_key *k2;
	struct ikev1_crypto *c1;
	int hash_alg;                   /* Phase 1 prf hash, 0 = not seen */
	bool have_transform;            /* from Main/Aggressive Mode, or guessed */
	/* IKEv2: the PRF and IKE_SA_INIT's nonces, for the IKE_AUTH child SA */
	int v2_prf;
	struct exchange_nonces v2_nonces;
};

/* One IKE message that could not be decrypted, and why. */
static void failed(struct decryptor *d, struct exchange *x, const char *why)
{
	decryptor_note(d, why);
	x->detail.failed++;
	d->ike_failed++;
}

static void note_spi_bytes(char *buf, size_t len, const uint8_t spi[8])
{
	snprintf(buf, len, "%02x%02x%02x%02x%02x%02x%02x%02x", spi[0], spi[1], spi[2], spi[3], spi[4], spi[5],
		 spi[6], spi[7]);
}

static struct ike_state *state_of(struct decryptor *d, struct ike_sa *ike)
{
	struct ike_state *st = ike->crypto;
	if (!st) {
		st = g_new0(struct ike_state, 1);
		ike->crypto = st;
	}
	return st;
}

static bool is_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* The prf of SKEYID_d, when Main Mode was not seen, from its length. */
static int hash_from_len(size_t len)
{
	switch (len) {
	case 16: return 1;
	case 20: return 2;
	case 32: return 4;
	case 48: return 5;
	case 64: return 6;
	default: return 0;
	}
}

static void mark_deleted(struct tracker *t, struct exchange *x, const struct isakmp_delete *del,
			 const struct addr *sender, uint64_t ts)
{
	if (del->protocol != ISAKMP_PROTO_ESP || del->spi_size != 4)
		return;
	for (unsigned i = 0; i < del->n_stored; i++) {
		/* a Delete names the sender's inbound SPI */
		struct esp_sa *sa = tracker_esp_lookup(t, del->spi32[i], sender);
		if (sa && !sa->deleted_ns) {
			sa->deleted_ns = ts;
			sa->deleted_by = *sender;
		}
		if (x->detail.n_deleted < G_N_ELEMENTS(x->detail.deleted_spis))
			x->detail.deleted_spis[x->detail.n_deleted++] = del->spi32[i];
	}
}

static void keep_nonce(struct exchange_detail *dt, bool from_exchange_initiator, const struct isakmp_payload *pl)
{
	struct isakmp_blob n;
	isakmp_nonce_parse(pl, &n);
	if (!dt->nonces)
		dt->nonces = g_new0(struct exchange_nonces, 1);
	struct exchange_nonces *nn = dt->nonces;
	uint8_t *dst = from_exchange_initiator ? nn->ni : nn->nr;
	uint16_t *dst_len = from_exchange_initiator ? &nn->ni_len : &nn->nr_len;
	size_t len = n.len > sizeof(nn->ni) ? sizeof(nn->ni) : n.len;
	memcpy(dst, n.data, len);
	*dst_len = (uint16_t)len;
}

static void keep_v1_child_sa(struct exchange_detail *dt, bool from_exchange_initiator, const struct ikev1_sa *sa)
{
	for (unsigned i = 0; i < sa->proposals_stored; i++) {
		const struct ikev1_proposal *p = &sa->p[i];
		if (p->protocol != ISAKMP_PROTO_ESP || p->spi_size != 4 || !p->transforms_stored)
			continue;
		if (from_exchange_initiator) {
			dt->spi_i = p->spi32;
			dt->have_spi_i = true;
		} else {
			dt->spi_r = p->spi32;
			dt->have_spi_r = true;
		}
		/* the responder answers with the one transform it chose */
		if (!from_exchange_initiator || !dt->responder_chose) {
			const struct ikev1_attrs *at = &p->t[0].attrs;
			dt->transform_id = p->t[0].id;
			dt->auth_alg = at->auth_alg;
			dt->key_bits = at->key_length;
			dt->encap_mode = at->encap_mode;
			dt->life_seconds = at->has_life_seconds ? at->life_seconds : 0;
			dt->life_kbytes = at->has_life_kbytes ? at->life_kbytes : 0;
			dt->responder_chose = !from_exchange_initiator;
		}
		return;
	}
}

static void derive_keys(struct decryptor *d, struct ike_state *st, struct exchange *x)
{
	struct exchange_detail *dt = &x->detail;
	const struct exchange_nonces *nn = dt->nonces;
	if (dt->keys_derived || !dt->have_spi_i || !dt->have_spi_r || !nn || !nn->ni_len || !nn->nr_len ||
	    !dt->responder_chose)
		return;
	if (!st->k1 || !st->k1->skeyid_d_len)
		return;
	if (dt->pfs) {
		decryptor_note(d, "Quick Mode with PFS: ESP keys cannot be derived from SKEYID_d (give esp_sa lines)");
		return;
	}
	int hash = st->hash_alg ? st->hash_alg : hash_from_len(st->k1->skeyid_d_len);
	struct ikev1_esp_transform tr = { .transform_id = dt->transform_id, .key_bits = dt->key_bits,
					  .auth_alg = dt->auth_alg, .esn = false };
	struct esp_key k;
	/* keys follow the SPI on the wire: initiator->responder traffic carries
	 * the responder's SPI */
	bool ok = ikev1_esp_key_derive(&k, hash, st->k1->skeyid_d, st->k1->skeyid_d_len, &tr, dt->spi_r, nn->ni,
				       nn->ni_len, nn->nr, nn->nr_len, &dt->initiator, &dt->responder);
	if (ok)
		keystore_add_esp(d->keys, &k, "derived (KEYMAT)");
	ok = ok && ikev1_esp_key_derive(&k, hash, st->k1->skeyid_d, st->k1->skeyid_d_len, &tr, dt->spi_i, nn->ni,
					nn->ni_len, nn->nr, nn->nr_len, &dt->responder, &dt->initiator);
	if (ok)
		keystore_add_esp(d->keys, &k, "derived (KEYMAT)");
	memset(&k, 0, sizeof(k));
	if (!ok) {
		char why[96];
		snprintf(why, sizeof(why), "Quick Mode ESP transform %d / auth %d: cannot derive its keys",
			 dt->transform_id, dt->auth_alg);
		decryptor_note(d, why);
		return;
	}
	dt->keys_derived = true;
	d->keys_derived += 2;
	d->generation++;
}

/* Cleartext Main/Aggressive Mode: the Phase 1 transform and both KE values
 * set up the IV chain. */
static void v1_cleartext(struct ike_state *st, const struct tracked *tr, struct isakmp_iter *it)
{
	struct isakmp_payload pl;
	while (isakmp_iter_next(it, &pl)) {
		if (pl.type == ISAKMP_NP_SA && tr->exchange->type != ISAKMP_X_QUICK) {
			struct ikev1_sa sa;
			if (ikev1_sa_parse(&pl, &sa) != AN_NONE || !sa.proposals_stored ||
			    !sa.p[0].transforms_stored)
				continue;
			const struct ikev1_attrs *at = &sa.p[0].t[0].attrs;
			/* the responder's single accepted transform wins over the offer */
			if (!tr->from_initiator || !st->hash_alg) {
				st->hash_alg = at->hash;
				st->have_transform =
					ikev1_crypto_set_transform(st->c1, at->encr, at->key_length, at->hash);
			}
		} else if (pl.type == ISAKMP_NP_KE) {
			struct isakmp_ke ke;
			if (isakmp_ke_parse(&pl, &ke) == AN_NONE)
				ikev1_crypto_set_ke(st->c1, tr->from_initiator, ke.data, ke.len);
		}
	}
}

static void v1_plaintext(struct decryptor *d, struct tracker *t, struct ike_state *st, const struct tracked *tr,
			 const struct frame *f, uint8_t first, size_t len, uint64_t ts)
{
	struct exchange *x = tr->exchange;
	struct exchange_detail *dt = &x->detail;
	bool from_xi = memcmp(&f->src, &dt->initiator, sizeof(f->src)) == 0;
	struct isakmp_iter it;
	struct isakmp_payload pl;
	isakmp_iter_init(&it, first, false, d->ike_plain, len, len);
	while (isakmp_iter_next(&it, &pl)) {
		switch (pl.type) {
		case ISAKMP_NP_SA:
			if (x->type == ISAKMP_X_QUICK) {
				struct ikev1_sa sa;
				if (ikev1_sa_parse(&pl, &sa) == AN_NONE)
					keep_v1_child_sa(dt, from_xi, &sa);
			}
			break;
		case ISAKMP_NP_NONCE:
			if (x->type == ISAKMP_X_QUICK)
				keep_nonce(dt, from_xi, &pl);
			break;
		case ISAKMP_NP_KE:
			if (x->type == ISAKMP_X_QUICK)
				dt->pfs = true;
			break;
		case ISAKMP_NP_D: {
			struct isakmp_delete del;
			if (isakmp_delete_parse(&pl, &del) == AN_NONE)
				mark_deleted(t, x, &del, &f->src, ts);
			break;
		}
		case ISAKMP_NP_N: {
			struct isakmp_notify n;
			if (isakmp_notify_parse(&pl, &n) == AN_NONE && n.has_lifetime) {
				if (n.lifetime.has_life_seconds)
					dt->life_seconds = n.lifetime.life_seconds;
				if (n.lifetime.has_life_kbytes)
					dt->life_kbytes = n.lifetime.life_kbytes;
			}
			break;
		}
		default:
			break;
		}
	}
	if (it.anomaly != AN_NONE)
		t->anomalies[it.anomaly]++;
	if (x->type == ISAKMP_X_QUICK)
		derive_keys(d, st, x);
}

/* Main Mode not in the capture (it may be hours old): the cipher follows
 * from Ka's length, AES-CBC as Windows and the NVR510 negotiate it. */
static bool guess_transform(struct ike_state *st)
{
	size_t len = st->k1->ka_len;
	if (len != 16 && len != 24 && len != 32)
		return false;
	st->have_transform = ikev1_crypto_set_transform(st->c1, 7, (unsigned)len * 8, 2);
	return st->have_transform;
}

/* Without the Phase 1 IV the first cipher block of an exchange's first
 * message is lost.  It holds only the HASH payload's generic header and the
 * start of its hash, and Quick Mode and Informational messages always begin
 * with HASH: try the header values those messages can have, and keep the one
 * whose payload chain then parses cleanly to its end. */
static bool recover_first_block(uint8_t *plain, size_t len, uint8_t exchange_type)
{
	static const uint8_t quick_next[] = { ISAKMP_NP_SA, ISAKMP_NP_NONE };
	static const uint8_t info_next[] = { ISAKMP_NP_D, ISAKMP_NP_N };
	static const uint16_t hash_len[] = { 20, 32, 16, 48, 64 };
	const uint8_t *next = exchange_type == ISAKMP_X_QUICK ? quick_next : info_next;
	if (len < 16 || (exchange_type != ISAKMP_X_QUICK && exchange_type != ISAKMP_X_INFO))
		return false;
	for (size_t i = 0; i < 2; i++) {
		for (size_t h = 0; h < G_N_ELEMENTS(hash_len); h++) {
			plain[0] = next[i];
			plain[1] = 0;
			plain[2] = (uint8_t)((4 + hash_len[h]) >> 8);
			plain[3] = (uint8_t)(4 + hash_len[h]);
			struct isakmp_iter it;
			struct isakmp_payload pl;
			unsigned n = 0;
			bool sa_ok = true;
			isakmp_iter_init(&it, ISAKMP_NP_HASH, false, plain, len, len);
			while (isakmp_iter_next(&it, &pl)) {
				n++;
				struct ikev1_sa sa;
				if (pl.type == ISAKMP_NP_SA)
					sa_ok = ikev1_sa_parse(&pl, &sa) == AN_NONE && sa.proposals_stored;
			}
			if (it.anomaly == AN_NONE && sa_ok && (next[i] == ISAKMP_NP_NONE || n >= 2))
				return true;
		}
	}
	return false;
}

/* With SKEYID_a, the HASH payload that opens every Quick Mode and
 * Informational message proves the decryption (and the key) right:
 * HASH(1) = prf(SKEYID_a, M-ID | what follows HASH), HASH(2) the same with
 * Ni_b after M-ID, HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b). */
static void check_hash(struct decryptor *d, const struct ike_state *st, struct exchange *x,
		       const struct isakmp_header *h, const struct frame *f, size_t len)
{
	const uint8_t *plain = d->ike_plain;
	if (!st->k1 || !st->k1->skeyid_a_len || h->next_payload != ISAKMP_NP_HASH ||
	    (x->type != ISAKMP_X_QUICK && x->type != ISAKMP_X_INFO && x->type != ISAKMP_X_TRANSACTION))
		return;
	struct isakmp_iter it;
	struct isakmp_payload pl;
	isakmp_iter_init(&it, ISAKMP_NP_HASH, false, plain, len, len);
	if (!isakmp_iter_next(&it, &pl))
		return;
	const uint8_t *hash = pl.body, *rest = pl.body + pl.body_len;
	size_t hash_len = pl.body_len;
	while (isakmp_iter_next(&it, &pl))
		;
	size_t rest_len = (size_t)(it.c.pos - rest);
	uint8_t mid[4] = { (uint8_t)(h->message_id >> 24), (uint8_t)(h->message_id >> 16),
			   (uint8_t)(h->message_id >> 8), (uint8_t)h->message_id };
	static const uint8_t zero = 0;
	const struct exchange_detail *dt = &x->detail;
	const struct exchange_nonces *nn = dt->nonces;
	bool from_xi = memcmp(&f->src, &dt->initiator, sizeof(f->src)) == 0;
	struct prf_part parts[4];
	size_t n = 0;
	if (x->type != ISAKMP_X_QUICK || (from_xi && rest_len)) {
		parts[n++] = (struct prf_part){ mid, 4 };
	} else if (!from_xi && nn && nn->ni_len) {
		parts[n++] = (struct prf_part){ mid, 4 };
		parts[n++] = (struct prf_part){ nn->ni, nn->ni_len };
	} else if (from_xi && nn && nn->ni_len && nn->nr_len) {
		parts[n++] = (struct prf_part){ &zero, 1 };
		parts[n++] = (struct prf_part){ mid, 4 };
		parts[n++] = (struct prf_part){ nn->ni, nn->ni_len };
		parts[n++] = (struct prf_part){ nn->nr, nn->nr_len };
		rest_len = 0;
	} else {
		return; /* the message it depends on was not decrypted */
	}
	if (rest_len)
		parts[n++] = (struct prf_part){ rest, rest_len };
	int alg = st->hash_alg ? st->hash_alg : hash_from_len(st->k1->skeyid_a_len);
	uint8_t want[64];
	size_t want_len;
	if (!ikev1_prf(alg, st->k1->skeyid_a, st->k1->skeyid_a_len, parts, n, want, &want_len))
		return;
	if (hash_len == want_len && ct_memeq(hash, want, want_len)) {
		d->hash_ok++;
	} else {
		char why[128];
		d->hash_bad++;
		snprintf(why, sizeof(why), "IKEv1 %s message 0x%08x: HASH does not verify with skeyid_a",
			 exchange_name(1, x->type), h->message_id);
		decryptor_note(d, why);
	}
}

static bool chain_parses(const uint8_t *plain, size_t len, uint8_t first)
{
	struct isakmp_iter it;
	struct isakmp_payload pl;
	isakmp_iter_init(&it, first, false, plain, len, len);
	while (isakmp_iter_next(&it, &pl))
		;
	return it.anomaly == AN_NONE && it.count > 0;
}

static void decrypt_v1(struct decryptor *d, struct tracker *t, const struct tracked *tr, const struct frame *f,
		       uint64_t ts)
{
	struct ike_state *st = state_of(d, tr->ike);
	char cky[20], why[160];
	note_spi_bytes(cky, sizeof(cky), tr->ike->spi_i);
	if (!st->looked_up) {
		st->looked_up = true;
		st->k1 = keystore_ikev1_lookup(d->keys, tr->ike->spi_i);
		st->c1 = ikev1_crypto_new();
		if (st->k1 && st->k1->ka_len)
			ikev1_crypto_set_ka(st->c1, st->k1->ka, st->k1->ka_len);
	}
	struct isakmp_iter it;
	struct isakmp_header h;
	if (isakmp_iter_msg(&it, f->ike, f->ike_caplen, f->ike_len, &h) != AN_NONE && !it.encrypted)
		return;
	if (!it.encrypted) {
		v1_cleartext(st, tr, &it);
		return;
	}
	struct exchange *x = tr->exchange;
	if (!st->k1 || !st->k1->ka_len) {
		snprintf(why, sizeof(why), "IKEv1 SA %s: no ikev1_decryption_table key for this initiator cookie", cky);
		failed(d, x, why);
		return;
	}
	size_t len = h.length - ISAKMP_HDR_LEN;
	if (h.length > f->ike_caplen || h.length < ISAKMP_HDR_LEN) {
		snprintf(why, sizeof(why), "IKEv1 SA %s: a message was cut by the capture's snaplen", cky);
		failed(d, x, why);
		return;
	}
	if (!st->have_transform && guess_transform(st)) {
		snprintf(why, sizeof(why), "IKEv1 SA %s: Main Mode not in the capture: AES-CBC assumed from the key "
			 "length, and each exchange's first block (inside HASH) is lost", cky);
		decryptor_note(d, why);
	}
	bool ok = ikev1_decrypt(st->c1, h.message_id, f->ike + ISAKMP_HDR_LEN, len, d->ike_plain);
	enum ikev1_status s = ikev1_last_status(st->c1);
	bool first_block_lost = false;
	if (s == IKEV1_FIRST_BLOCK_UNKNOWN && h.next_payload == ISAKMP_NP_HASH &&
	    recover_first_block(d->ike_plain, len, h.exchange_type)) {
		ok = true;
		s = IKEV1_OK;
		first_block_lost = true;
	}
	if (!ok || s != IKEV1_OK) {
		if (s == IKEV1_FIRST_BLOCK_UNKNOWN)
			snprintf(why, sizeof(why), "IKEv1 SA %s: Main Mode not in the capture, so no Phase 1 IV", cky);
		else
			snprintf(why, sizeof(why), "IKEv1 SA %s: cannot decrypt (%s)", cky, ikev1_status_name(s));
		failed(d, x, why);
		return;
	}
	/* IKEv1 encryption has no integrity check of its own: a wrong key
	 * "decrypts" to noise, which shows as a payload chain that does not parse */
	if (!chain_parses(d->ike_plain, len, h.next_payload)) {
		snprintf(why, sizeof(why), "IKEv1 SA %s: decrypted messages do not parse: wrong "
			 "ikev1_decryption_table key?", cky);
		failed(d, x, why);
		return;
	}
	x->detail.decrypted++;
	d->ike_decrypted++;
	v1_plaintext(d, t, st, tr, f, h.next_payload, len, ts);
	if (!first_block_lost)
		check_hash(d, st, tr->exchange, &h, f, len);
}

/* The responder's answer holds the one transform of each type it chose. */
static void keep_v2_transform(struct exchange_detail *dt, const struct ikev2_proposal *p)
{
	dt->auth_alg = 0;
	for (unsigned i = 0; i < p->transforms_stored; i++) {
		const struct ikev2_transform *tr = &p->t[i];
		if (tr->type == IKEV2_T_ENCR) {
			dt->transform_id = tr->id;
			dt->key_bits = tr->key_length;
		} else if (tr->type == IKEV2_T_INTEG) {
			dt->auth_alg = tr->id;
		} else if (tr->type == IKEV2_T_ESN) {
			dt->esn = tr->id == 1;
		}
	}
}

static void keep_v2_child_sa(struct exchange_detail *dt, bool request, const struct ikev2_sa *sa)
{
	for (unsigned i = 0; i < sa->proposals_stored; i++) {
		const struct ikev2_proposal *p = &sa->p[i];
		if (p->protocol == ISAKMP_PROTO_ISAKMP)
			dt->ike_rekey = true; /* a CREATE_CHILD_SA that rekeys the IKE SA itself */
		if (p->protocol != ISAKMP_PROTO_ESP || p->spi_size != 4)
			continue;
		if (request) {
			dt->spi_i = p->spi32;
			dt->have_spi_i = true;
		} else {
			dt->spi_r = p->spi32;
			dt->have_spi_r = true;
			dt->responder_chose = true;
			keep_v2_transform(dt, p);
		}
		return;
	}
}

/* IKE_SA_INIT is in the clear: its PRF and nonces key the first child SA. */
static void v2_sa_init_payload(struct ike_state *st, const struct isakmp_payload *pl, bool request)
{
	if (pl->type == IKEV2_NP_SA && !request) {
		struct ikev2_sa sa;
		if (ikev2_sa_parse(pl, &sa) != AN_NONE || !sa.proposals_stored)
			return;
		for (unsigned i = 0; i < sa.p[0].transforms_stored; i++)
			if (sa.p[0].t[i].type == IKEV2_T_PRF)
				st->v2_prf = sa.p[0].t[i].id;
	} else if (pl->type == IKEV2_NP_NONCE) {
		struct isakmp_blob n;
		isakmp_nonce_parse(pl, &n);
		uint8_t *dst = request ? st->v2_nonces.ni : st->v2_nonces.nr;
		uint16_t *dst_len = request ? &st->v2_nonces.ni_len : &st->v2_nonces.nr_len;
		size_t len = n.len > sizeof(st->v2_nonces.ni) ? sizeof(st->v2_nonces.ni) : n.len;
		memcpy(dst, n.data, len);
		*dst_len = (uint16_t)len;
	}
}

/* The IKE SA's PRF when IKE_SA_INIT was not seen, from SK_d's length. */
static int v2_prf_from_len(size_t len)
{
	switch (len) {
	case 16: return 1;
	case 20: return 2;
	case 32: return 5;
	case 48: return 6;
	case 64: return 7;
	default: return 0;
	}
}

/* With the esprekey "sk_d" line, every child SA's ESP keys follow from
 * SK_d and the exchange's nonces (IKE_SA_INIT's for the IKE_AUTH child). */
static void derive_v2_keys(struct decryptor *d, struct ike_state *st, struct exchange *x)
{
	struct exchange_detail *dt = &x->detail;
	const struct exchange_nonces *nn = x->type == IKEV2_X_AUTH ? &st->v2_nonces : dt->nonces;
	if (dt->keys_derived || dt->ike_rekey || !dt->have_spi_i || !dt->have_spi_r || !dt->responder_chose ||
	    !nn || !nn->ni_len || !nn->nr_len)
		return;
	const struct ikev2_sk_d *skd = keystore_ikev2_sk_d(d->keys, x->ike->spi_i, x->ike->spi_r);
	if (!skd)
		return;
	if (dt->pfs) {
		decryptor_note(d, "CREATE_CHILD_SA with PFS: ESP keys cannot be derived from SK_d (give esp_sa lines)");
		return;
	}
	struct ikev2_esp_transform tr = { .encr_id = dt->transform_id, .key_bits = dt->key_bits,
					  .integ_id = dt->auth_alg, .esn = dt->esn };
	struct esp_key a, b;
	int prf = st->v2_prf ? st->v2_prf : v2_prf_from_len(skd->len);
	if (!ikev2_esp_keys_derive(&a, &b, prf, skd->sk_d, skd->len, &tr, dt->spi_i, dt->spi_r, nn->ni, nn->ni_len,
				   nn->nr, nn->nr_len, &dt->initiator, &dt->responder)) {
		char why[96];
		snprintf(why, sizeof(why), "IKEv2 child SA ENCR %d / INTEG %d: cannot derive its keys", dt->transform_id,
			 dt->auth_alg);
		decryptor_note(d, why);
		return;
	}
	keystore_add_esp(d->keys, &a, "derived (IKEv2 SK_d)");
	keystore_add_esp(d->keys, &b, "derived (IKEv2 SK_d)");
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	dt->keys_derived = true;
	d->keys_derived += 2;
	d->generation++;
}

static void decrypt_v2(struct decryptor *d, struct tracker *t, const struct tracked *tr, const struct frame *f,
		       uint64_t ts)
{
	struct ike_state *st = state_of(d, tr->ike);
	struct isakmp_iter it;
	struct isakmp_header h;
	if (isakmp_iter_msg(&it, f->ike, f->ike_caplen, f->ike_len, &h) != AN_NONE)
		return;
	struct isakmp_payload pl = { 0 };
	bool request = !(h.flags & IKEV2_FLAG_RESPONSE);
	while (isakmp_iter_next(&it, &pl) && pl.type != IKEV2_NP_SK)
		if (h.exchange_type == IKEV2_X_SA_INIT)
			v2_sa_init_payload(st, &pl, request);
	if (pl.type != IKEV2_NP_SK || it.anomaly != AN_NONE)
		return;
	char spis[40], why[160];
	note_spi_bytes(spis, sizeof(spis), h.spi_i);
	if (!st->looked_up && !is_zero(h.spi_r, 8)) {
		st->looked_up = true;
		st->k2 = keystore_ikev2_lookup(d->keys, h.spi_i, h.spi_r);
	}
	struct exchange *x = tr->exchange;
	if (!st->k2) {
		snprintf(why, sizeof(why), "IKEv2 SA %s: no ikev2_decryption_table line for its SPIs", spis);
		failed(d, x, why);
		return;
	}
	if (h.length > f->ike_caplen) {
		snprintf(why, sizeof(why), "IKEv2 SA %s: a message was cut by the capture's snaplen", spis);
		failed(d, x, why);
		return;
	}
	size_t n = 0;
	size_t sk_off = (size_t)(pl.body - 4 - f->ike);
	enum ikev2_verdict v = ikev2_decrypt_sk(st->k2, h.flags & IKEV2_FLAG_INITIATOR, f->ike, h.length, sk_off,
						d->ike_plain, &n);
	if (v != IKEV2_OK) {
		snprintf(why, sizeof(why), "IKEv2 SA %s: cannot decrypt (%s)", spis, ikev2_verdict_name(v));
		failed(d, x, why);
		return;
	}
	x->detail.decrypted++;
	d->ike_decrypted++;
	struct isakmp_iter in;
	isakmp_iter_init(&in, pl.next, true, d->ike_plain, n, n);
	while (isakmp_iter_next(&in, &pl)) {
		if (pl.type == IKEV2_NP_SA && (x->type == IKEV2_X_CREATE_CHILD || x->type == IKEV2_X_AUTH)) {
			struct ikev2_sa sa;
			if (ikev2_sa_parse(&pl, &sa) == AN_NONE)
				keep_v2_child_sa(&x->detail, request, &sa);
		} else if (pl.type == IKEV2_NP_NONCE) {
			keep_nonce(&x->detail, request, &pl);
		} else if (pl.type == IKEV2_NP_KE && x->type == IKEV2_X_CREATE_CHILD) {
			x->detail.pfs = true;
		} else if (pl.type == IKEV2_NP_N) {
			struct isakmp_notify no;
			if (isakmp_notify_parse(&pl, &no) == AN_NONE && no.type == IKEV2_N_REKEY_SA) {
				x->detail.rekey_notify = true;
				x->detail.rekey_notify_spi = no.spi32;
			}
		} else if (pl.type == IKEV2_NP_D) {
			struct isakmp_delete del;
			if (isakmp_delete_parse(&pl, &del) == AN_NONE)
				mark_deleted(t, x, &del, &f->src, ts);
		}
	}
	if (in.anomaly != AN_NONE)
		t->anomalies[in.anomaly]++;
	if (!request && (x->type == IKEV2_X_CREATE_CHILD || x->type == IKEV2_X_AUTH))
		derive_v2_keys(d, st, x);
}

void decrypt_ike(struct decryptor *d, struct tracker *t, const struct tracked *tr, const struct frame *f,
		 uint64_t ts)
{
	if (!tr->ike || !tr->exchange)
		return;
	if (tr->ike->version == 1)
		decrypt_v1(d, t, tr, f, ts);
	else
		decrypt_v2(d, t, tr, f, ts);
}

static void ike_state_free(struct ike_sa *ike)
{
	struct ike_state *st = ike->crypto;
	if (!st)
		return;
	if (st->c1)
		ikev1_crypto_free(st->c1);
	g_free(st);
	ike->crypto = NULL;
}

void decrypt_apply(struct decryptor *d, struct tunnel *tun)
{
	for (guint i = 0; i < tun->ike_sas->len; i++) {
		struct ike_sa *ike = g_ptr_array_index(tun->ike_sas, i);
		for (guint j = 0; j < ike->exchanges->len; j++) {
			struct exchange *x = g_ptr_array_index(ike->exchanges, j);
			const struct exchange_detail *dt = &x->detail;
			if (!dt->have_spi_i && !dt->have_spi_r)
				continue;
			for (guint k = 0; k < tun->esp_sas->len; k++) {
				struct esp_sa *sa = g_ptr_array_index(tun->esp_sas, k);
				bool to_initiator = dt->have_spi_i && sa->spi == dt->spi_i &&
						    !memcmp(&sa->dst, &dt->initiator, sizeof(sa->dst));
				bool to_responder = dt->have_spi_r && sa->spi == dt->spi_r &&
						    !memcmp(&sa->dst, &dt->responder, sizeof(sa->dst));
				if (!to_initiator && !to_responder)
					continue;
				sa->created_by = x;
				if (dt->life_seconds)
					sa->life_seconds = dt->life_seconds;
				if (dt->life_kbytes)
					sa->life_kbytes = dt->life_kbytes;
			}
		}
		ike_state_free(ike);
	}
	for (guint k = 0; k < tun->esp_sas->len; k++) {
		const struct esp_sa *sa = g_ptr_array_index(tun->esp_sas, k);
		char why[96];
		if (!sa->crypto && !sa->key_source && sa->packets) {
			snprintf(why, sizeof(why), "ESP SPI 0x%08x: no key (%llu packets not decrypted)", sa->spi,
				 (unsigned long long)sa->packets);
			decryptor_note(d, why);
		}
		if (sa->not_captured) {
			snprintf(why, sizeof(why), "ESP SPI 0x%08x: %llu packets cut by the capture's snaplen", sa->spi,
				 (unsigned long long)sa->not_captured);
			decryptor_note(d, why);
		}
	}
}
