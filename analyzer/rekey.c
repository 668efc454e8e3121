/* Finding Phase 2 rekeys from headers: a rekey shows as an SPI hand-over in a
 * direction (a new SPI starts, the old one falls silent).  Hand-overs are
 * matched to the Quick Mode / CREATE_CHILD_SA exchange that began most
 * recently before the new SPI's first packet and after the old SA began; a
 * hand-over with no such exchange is a rekey inferred from ESP alone. */
#include "analyzer/rekey.h"

#include <string.h>

/* A new SPI can show up a little before the exchange's first message at the
 * capture point when the capture merges interfaces; allow that much. */
#define MATCH_TOLERANCE_NS 50000000ull
/* Hand-overs in the two directions without a visible exchange belong to one
 * rekey when their new SPIs start this close together. */
#define PAIR_WINDOW_NS 2000000000ull
/* An SA whose first packet comes this early in the tunnel, with no exchange
 * seen creating it, was set up before the capture began. */
#define PRE_CAPTURE_NS 1000000000ull

static bool is_child_exchange(const struct exchange *x)
{
	if (x->ike->version == 1)
		return x->type == IKEV1_QUICK;
	return x->type == IKEV2_CREATE_CHILD || x->type == IKEV2_AUTH;
}

uint64_t esp_sa_born_ns(const struct esp_sa *sa)
{
	return sa->created_by ? sa->created_by->end_ns : sa->first_ns;
}

static gint exchange_by_start(gconstpointer a, gconstpointer b)
{
	const struct exchange *x = *(struct exchange *const *)a, *y = *(struct exchange *const *)b;
	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	return 0;
}

/* Child-SA exchanges of the whole tunnel, in time order. */
static GPtrArray *child_exchanges(struct tunnel *tun)
{
	GPtrArray *xs = g_ptr_array_new();
	for (guint i = 0; i < tun->ike_sas->len; i++) {
		struct ike_sa *ike = g_ptr_array_index(tun->ike_sas, i);
		for (guint j = 0; j < ike->exchanges->len; j++) {
			struct exchange *x = g_ptr_array_index(ike->exchanges, j);
			if (is_child_exchange(x))
				g_ptr_array_add(xs, x);
		}
	}
	g_ptr_array_sort(xs, exchange_by_start);
	return xs;
}

/* The latest exchange that began no later than `t` (+ tolerance) and not
 * before `not_before`; NULL if none. */
static struct exchange *latest_exchange(GPtrArray *xs, uint64_t t, uint64_t not_before)
{
	struct exchange *best = NULL;
	for (guint i = 0; i < xs->len; i++) {
		struct exchange *x = g_ptr_array_index(xs, i);
		if (x->start_ns > t + MATCH_TOLERANCE_NS)
			break;
		if (x->start_ns + MATCH_TOLERANCE_NS >= not_before)
			best = x;
	}
	return best;
}

static void link_creators(struct tunnel *tun, GPtrArray *xs)
{
	for (guint i = 0; i < tun->esp_sas->len; i++) {
		struct esp_sa *sa = g_ptr_array_index(tun->esp_sas, i);
		if (!sa->created_by)
			sa->created_by = latest_exchange(xs, sa->first_ns, 0);
	}
}

struct handover {
	struct esp_sa *old_sa, *new_sa;
};

static gint handover_by_time(gconstpointer a, gconstpointer b)
{
	const struct handover *x = a, *y = b;
	if (x->new_sa->first_ns != y->new_sa->first_ns)
		return x->new_sa->first_ns < y->new_sa->first_ns ? -1 : 1;
	return (int)x->new_sa->dir - (int)y->new_sa->dir;
}

static void fill_side(struct rekey *r, const struct handover *h)
{
	struct rekey_side *s = &r->side[h->new_sa->dir];
	struct esp_sa *old = h->old_sa, *new = h->new_sa;
	s->old_sa = old;
	s->new_sa = new;
	s->trigger_packets = old->packets_at_superseded;
	s->trigger_esp_bytes = old->esp_bytes_at_superseded;
	s->trigger_payload_bytes = old->plaintext_at_superseded;
	if (r->exchange) {
		for (unsigned i = 0; i < r->exchange->n_snap; i++) {
			if (r->exchange->snap[i].sa == old) {
				s->trigger_packets = r->exchange->snap[i].packets;
				s->trigger_esp_bytes = r->exchange->snap[i].esp_bytes;
				s->trigger_payload_bytes = r->exchange->snap[i].plaintext_bytes;
			}
		}
	}
	s->payload_exact = old->decrypted && old->decrypted == old->packets;
	s->old_age_s = (double)((int64_t)r->time_ns - (int64_t)esp_sa_born_ns(old)) / 1e9;
	s->overlap_ns = (int64_t)old->last_ns - (int64_t)new->first_ns;
	s->late_packets = old->late_packets;
}

static const struct rekey *prev_of(GArray *out, guint first, guint j)
{
	return j > first ? &g_array_index(out, struct rekey, j - 1) : NULL;
}

/* The SPI each direction uses, as the exchange negotiated it: traffic to the
 * exchange's responder carries the responder's SPI. */
static bool ike_spi_for(const struct tunnel *tun, const struct exchange *x, enum dir d, uint32_t *spi)
{
	const struct exchange_detail *dt = &x->detail;
	const struct addr *to = d == DIR_UP ? &tun->server : &tun->client;
	if (dt->have_spi_r && !memcmp(to, &dt->responder, sizeof(*to))) {
		*spi = dt->spi_r;
		return true;
	}
	if (dt->have_spi_i && !memcmp(to, &dt->initiator, sizeof(*to))) {
		*spi = dt->spi_i;
		return true;
	}
	return false;
}

static void fill_spis_from_ike(const struct tunnel *tun, struct rekey *r, const struct rekey *prev)
{
	for (int d = 0; d < 2; d++) {
		struct rekey_side *s = &r->side[d];
		if (s->old_sa) {
			s->old_spi = s->old_sa->spi;
			s->have_old_spi = true;
		} else if (prev && prev->side[d].have_new_spi) {
			s->old_spi = prev->side[d].new_spi;
			s->have_old_spi = true;
		}
		if (s->new_sa) {
			s->new_spi = s->new_sa->spi;
			s->have_new_spi = true;
		} else if (r->exchange) {
			s->have_new_spi = ike_spi_for(tun, r->exchange, (enum dir)d, &s->new_spi);
		}
	}
}

static gint rekey_by_time(gconstpointer a, gconstpointer b)
{
	const struct rekey *x = a, *y = b;
	return x->time_ns < y->time_ns ? -1 : x->time_ns > y->time_ns;
}

/* IKEv2 rekeys the IKE SA itself with CREATE_CHILD_SA too; the new IKE SA
 * then shows up without an IKE_SA_INIT of its own. */
static bool rekeys_ike_sa(const struct tunnel *tun, const struct exchange *x)
{
	if (x->ike->version != 2)
		return false;
	if (x->detail.ike_rekey)
		return true;
	for (guint i = 0; i < tun->ike_sas->len; i++) {
		const struct ike_sa *ike = g_ptr_array_index(tun->ike_sas, i);
		if (ike == x->ike || ike->exchanges->len == 0)
			continue;
		const struct exchange *first = g_ptr_array_index(ike->exchanges, 0);
		if (first->type != IKEV2_SA_INIT && ike->first_ns >= x->start_ns &&
		    ike->first_ns <= x->end_ns + 1000000000ull)
			return true;
	}
	return false;
}

/* A rekey exchange on a tunnel that already carried ESP is a rekey even when
 * no traffic used the new SA before the capture ended (idle tunnel, or the
 * rekeys after the transfer stopped).  The old SA is the newest in each
 * direction that no earlier rekey replaced. */
static void add_unseen_handovers(struct tunnel *tun, GPtrArray *xs, GArray *out, guint first)
{
	for (guint i = 0; i < xs->len; i++) {
		struct exchange *x = g_ptr_array_index(xs, i);
		if (!x->had_esp_before || x->type == IKEV2_AUTH || rekeys_ike_sa(tun, x))
			continue;
		bool used = false;
		for (guint j = first; j < out->len && !used; j++)
			used = g_array_index(out, struct rekey, j).exchange == x;
		if (used)
			continue;
		struct rekey r;
		memset(&r, 0, sizeof(r));
		r.tunnel = tun;
		r.exchange = x;
		r.time_ns = x->start_ns;
		r.dip_index[0] = r.dip_index[1] = -1;
		for (unsigned k = 0; k < x->n_snap; k++) {
			struct esp_sa *old = x->snap[k].sa;
			if (old->successor && old->superseded_ns <= x->start_ns)
				continue;
			bool replaced = false;
			for (guint j = first; j < out->len && !replaced; j++)
				replaced = g_array_index(out, struct rekey, j).side[old->dir].old_sa == old;
			if (replaced)
				continue;
			struct rekey_side *s = &r.side[old->dir];
			s->old_sa = old;
			s->trigger_packets = x->snap[k].packets;
			s->trigger_esp_bytes = x->snap[k].esp_bytes;
			s->trigger_payload_bytes = x->snap[k].plaintext_bytes;
			s->payload_exact = old->decrypted && old->decrypted == old->packets;
			s->old_age_s = (double)((int64_t)r.time_ns - (int64_t)esp_sa_born_ns(old)) / 1e9;
			s->late_packets = old->late_packets;
		}
		g_array_append_val(out, r);
	}
}

void rekeys_find(struct tunnel *tun, GArray *out)
{
	GPtrArray *xs = child_exchanges(tun);
	link_creators(tun, xs);

	GArray *hs = g_array_new(FALSE, FALSE, sizeof(struct handover));
	for (guint i = 0; i < tun->esp_sas->len; i++) {
		struct esp_sa *sa = g_ptr_array_index(tun->esp_sas, i);
		if (sa->successor) {
			struct handover h = { sa, sa->successor };
			g_array_append_val(hs, h);
		}
	}
	g_array_sort(hs, handover_by_time);

	guint first = out->len;
	for (guint i = 0; i < hs->len; i++) {
		struct handover *h = &g_array_index(hs, struct handover, i);
		enum dir d = h->new_sa->dir;
		/* a decrypted exchange names its SPIs; else the latest one before */
		struct exchange *x = h->new_sa->created_by && (h->new_sa->created_by->detail.have_spi_i ||
							       h->new_sa->created_by->detail.have_spi_r)
					     ? h->new_sa->created_by
					     : latest_exchange(xs, h->new_sa->first_ns, h->old_sa->first_ns);
		if (x && !x->had_esp_before)
			x = NULL;
		struct rekey *target = NULL;
		for (guint j = first; j < out->len; j++) {
			struct rekey *r = &g_array_index(out, struct rekey, j);
			if (r->side[d].new_sa)
				continue;
			if (x ? r->exchange == x
			      : (!r->exchange && h->new_sa->first_ns - r->time_ns <= PAIR_WINDOW_NS)) {
				target = r;
				break;
			}
		}
		if (!target) {
			struct rekey r;
			memset(&r, 0, sizeof(r));
			r.tunnel = tun;
			r.exchange = x;
			r.time_ns = x ? x->start_ns : h->new_sa->first_ns;
			r.dip_index[0] = r.dip_index[1] = -1;
			g_array_append_val(out, r);
			target = &g_array_index(out, struct rekey, out->len - 1);
		}
		if (x)
			h->new_sa->created_by = x;
		fill_side(target, h);
	}
	add_unseen_handovers(tun, xs, out, first);
	g_array_sort(out, rekey_by_time);
	for (guint j = first; j < out->len; j++) {
		struct rekey *r = &g_array_index(out, struct rekey, j);
		r->index = (int)(j - first) + 1;
		for (int d = 0; d < 2; d++) {
			const struct esp_sa *old = r->side[d].old_sa;
			if (old && r->side[d].old_age_s > r->age_s)
				r->age_s = r->side[d].old_age_s;
			/* no exchange created it, and it carried the tunnel's first packets */
			if (old && !old->created_by && old->first_ns - tun->first_ns < PRE_CAPTURE_NS)
				r->old_before_capture = true;
		}
		fill_spis_from_ike(tun, r, prev_of(out, first, j));
		/* an SA no packet ever used was born when the previous rekey ended */
		const struct rekey *prev = prev_of(out, first, j);
		if (r->age_s == 0 && prev && prev->exchange && r->exchange)
			r->age_s = (double)(r->exchange->start_ns - prev->exchange->end_ns) / 1e9;
	}
	g_array_free(hs, TRUE);
	g_ptr_array_free(xs, TRUE);
}

enum ike_sa_origin ike_sa_origin_of(const struct ike_sa *ike)
{
	if (ike->index == 1)
		return IKE_SA_FIRST;
	if (ike->exchanges->len == 0)
		return IKE_SA_UNSEEN;
	const struct exchange *first = g_ptr_array_index(ike->exchanges, 0);
	if (first->type == IKEV1_MAIN || first->type == IKEV1_AGGRESSIVE || first->type == IKEV2_SA_INIT)
		return IKE_SA_REAUTH;
	return ike->version == 2 ? IKE_SA_REKEYED : IKE_SA_UNSEEN;
}

const char *ike_sa_origin_name(enum ike_sa_origin o)
{
	switch (o) {
	case IKE_SA_FIRST: return "first";
	case IKE_SA_REKEYED: return "ike-rekey";
	case IKE_SA_REAUTH: return "reauth-or-reconnect";
	default: return "unseen";
	}
}

const char *rekey_cause_name(enum rekey_cause c)
{
	switch (c) {
	case CAUSE_VOLUME: return "volume";
	case CAUSE_TIME: return "time";
	default: return "other";
	}
}

const char *cause_basis_name(enum cause_basis b)
{
	switch (b) {
	case BASIS_NEGOTIATED: return "negotiated";
	case BASIS_ASSUMED: return "assumed";
	case BASIS_INFERRED: return "inferred";
	default: return "none";
	}
}
