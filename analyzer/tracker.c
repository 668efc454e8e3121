/* Tunnels, IKE SAs, exchanges and ESP SAs from dissected frames. */
#include "analyzer/tracker.h"

#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "analyzer/hash.h"
#include "dissect/cursor.h"
#include "dissect/isakmp.h"

/* A tunnel is a pair of IKE/ESP peers; behind a NAT several clients share one
 * public address, and only their NAT-mapped UDP port tells them apart. */
struct endpoint_key {
	struct addr a, b;
	uint16_t nat_port;
};

struct esp_sa_key {
	uint32_t spi;
	struct addr dst;
};

static guint endpoint_hash(gconstpointer k) { return key_hash(k, sizeof(struct endpoint_key)); }
static gboolean endpoint_equal(gconstpointer x, gconstpointer y) { return memcmp(x, y, sizeof(struct endpoint_key)) == 0; }
static guint esp_sa_key_hash(gconstpointer k) { return key_hash(k, sizeof(struct esp_sa_key)); }
static gboolean esp_sa_key_equal(gconstpointer x, gconstpointer y) { return memcmp(x, y, sizeof(struct esp_sa_key)) == 0; }

static int addr_cmp(const struct addr *x, const struct addr *y)
{
	return memcmp(x, y, sizeof(*x));
}

void addr_format(const struct addr *a, char *buf, size_t len)
{
	if (a->family == 4)
		inet_ntop(AF_INET, a->b, buf, (socklen_t)len);
	else if (a->family == 6)
		inet_ntop(AF_INET6, a->b, buf, (socklen_t)len);
	else
		snprintf(buf, len, "?");
}

const char *exchange_name(uint8_t version, uint8_t type)
{
	return isakmp_exchange_name(version, type);
}

static void exchange_free(gpointer p)
{
	struct exchange *x = p;
	g_free(x->detail.nonces);
	g_free(x);
}

static void ike_sa_free(gpointer p)
{
	struct ike_sa *ike = p;
	g_ptr_array_free(ike->exchanges, TRUE);
	g_free(ike);
}

static void tunnel_free(gpointer p)
{
	struct tunnel *t = p;
	g_ptr_array_free(t->ike_sas, TRUE);
	g_ptr_array_free(t->esp_sas, TRUE);
	for (int side = 0; side < 2; side++) {
		series_free(&t->series[side]);
		series_free(&t->goodput[side]);
		series_free(&t->retrans[side]);
	}
	g_free(t);
}

void tracker_init(struct tracker *t, const struct tracker_config *cfg)
{
	memset(t, 0, sizeof(*t));
	t->cfg = *cfg;
	t->tunnels_by_endpoint = g_hash_table_new_full(endpoint_hash, endpoint_equal, g_free, NULL);
	t->tunnels = g_ptr_array_new_with_free_func(tunnel_free);
	t->esp_by_key = g_hash_table_new_full(esp_sa_key_hash, esp_sa_key_equal, g_free, NULL);
	t->ike_by_spi_i = g_hash_table_new(g_int64_hash, g_int64_equal);
}

void tracker_free(struct tracker *t)
{
	g_hash_table_destroy(t->tunnels_by_endpoint);
	g_hash_table_destroy(t->esp_by_key);
	g_hash_table_destroy(t->ike_by_spi_i);
	g_ptr_array_free(t->tunnels, TRUE);
}

static struct endpoint_key endpoint_of(const struct addr *x, const struct addr *y, uint16_t nat_port)
{
	struct endpoint_key k;
	memset(&k, 0, sizeof(k));
	if (addr_cmp(x, y) <= 0) {
		k.a = *x;
		k.b = *y;
	} else {
		k.a = *y;
		k.b = *x;
	}
	k.nat_port = nat_port;
	return k;
}

/* UDP 4500 from a port other than 4500 means that side is behind a NAT. */
static uint16_t nat_port_of(const struct frame *f)
{
	if (f->ip_proto != 17)
		return 0;
	if (f->dport == 4500 && f->sport != 4500)
		return f->sport;
	if (f->sport == 4500 && f->dport != 4500)
		return f->dport;
	return 0;
}

static struct tunnel *tunnel_new(struct tracker *t, const struct endpoint_key *k, uint64_t ts)
{
	struct tunnel *tun = g_new0(struct tunnel, 1);
	tun->index = (int)t->tunnels->len + 1;
	tun->a = k->a;
	tun->b = k->b;
	tun->nat_port = k->nat_port;
	tun->nat_side = -1;
	tun->first_ns = tun->last_ns = ts;
	tun->ike_sas = g_ptr_array_new_with_free_func(ike_sa_free);
	tun->esp_sas = g_ptr_array_new_with_free_func(g_free);
	/* a tunnel's windows start with it (on the capture's window grid), so
	 * captures read as one across a long gap cost no empty windows */
	uint64_t win = t->cfg.window_ns ? t->cfg.window_ns : SERIES_DEFAULT_WINDOW_NS;
	uint64_t t0 = t->first_ns + (ts - t->first_ns) / win * win;
	for (int side = 0; side < 2; side++) {
		series_init(&tun->series[side], t0, win);
		series_init(&tun->goodput[side], t0, win);
		series_init(&tun->retrans[side], t0, win);
	}
	g_ptr_array_add(t->tunnels, tun);
	g_hash_table_insert(t->tunnels_by_endpoint, g_memdup2(k, sizeof(*k)), tun);
	return tun;
}

static struct tunnel *tunnel_lookup(struct tracker *t, const struct frame *f, uint64_t ts, bool create)
{
	struct endpoint_key k = endpoint_of(&f->src, &f->dst, nat_port_of(f));
	struct tunnel *tun = g_hash_table_lookup(t->tunnels_by_endpoint, &k);
	if (!tun && k.nat_port) {
		/* the first NAT-mapped flow between two peers joins the tunnel
		 * their IKE on port 500 (or ESP) began */
		struct endpoint_key plain = k;
		plain.nat_port = 0;
		struct tunnel *base = g_hash_table_lookup(t->tunnels_by_endpoint, &plain);
		if (base && base->nat_port == 0) {
			base->nat_port = k.nat_port;
			g_hash_table_insert(t->tunnels_by_endpoint, g_memdup2(&k, sizeof(k)), base);
			tun = base;
		}
	}
	if (!tun && create) {
		struct endpoint_key plain = k;
		plain.nat_port = 0;
		tun = tunnel_new(t, &k, ts);
		if (k.nat_port && !g_hash_table_contains(t->tunnels_by_endpoint, &plain))
			g_hash_table_insert(t->tunnels_by_endpoint, g_memdup2(&plain, sizeof(plain)), tun);
	}
	if (tun && ts > tun->last_ns)
		tun->last_ns = ts;
	return tun;
}

static int side_of(const struct tunnel *tun, const struct addr *src)
{
	return addr_cmp(src, &tun->a) == 0 ? 0 : 1;
}

static void note_nat_side(struct tunnel *tun, const struct frame *f)
{
	if (tun->nat_side >= 0 || !nat_port_of(f))
		return;
	tun->nat_side = side_of(tun, f->sport != 4500 ? &f->src : &f->dst);
}

/* ---- ESP ---- */

/* Returns true for a copy of a packet already seen (same SPI and sequence
 * number): a mirror port that sees a packet twice, or a replay. */
static bool esp_sequence(struct esp_sa *sa, uint32_t seq)
{
	if (!sa->seq_started) {
		sa->seq_started = true;
		sa->first_seq = sa->max_seq = seq;
		sa->seq_window = 1;
		return false;
	}
	if (seq > sa->max_seq) {
		uint32_t step = seq - sa->max_seq;
		sa->seq_gaps += step - 1;
		sa->seq_window = step >= 64 ? 1 : (sa->seq_window << step) | 1;
		sa->max_seq = seq;
		return false;
	}
	uint32_t behind = sa->max_seq - seq;
	if (behind < 64) {
		uint64_t bit = (uint64_t)1 << behind;
		if (sa->seq_window & bit) {
			sa->seq_dups++;
			return true;
		} else {
			sa->seq_window |= bit;
			sa->seq_reordered++;
			if (sa->seq_gaps)
				sa->seq_gaps--;
		}
	} else if (seq < 64 && behind > 1024) {
		/* the sender restarted its counter on the same SPI */
		sa->seq_resets++;
		sa->max_seq = seq;
		sa->seq_window = 1;
	} else {
		sa->seq_reordered++;
	}
	return false;
}

static struct esp_sa *esp_sa_new(struct tracker *t, struct tunnel *tun, const struct frame *f, uint64_t ts,
				 struct esp_sa **superseded)
{
	struct esp_sa *sa = g_new0(struct esp_sa, 1);
	sa->tunnel = tun;
	sa->spi = f->spi;
	sa->src = f->src;
	sa->dst = f->dst;
	sa->side = side_of(tun, &f->src);
	sa->in_udp = f->esp_in_udp;
	sa->first_ns = ts;
	g_ptr_array_add(tun->esp_sas, sa);

	struct esp_sa_key *k = g_new0(struct esp_sa_key, 1);
	k->spi = f->spi;
	k->dst = f->dst;
	g_hash_table_insert(t->esp_by_key, k, sa);

	struct esp_sa *old = tun->current[sa->side];
	*superseded = old;
	if (old) {
		old->successor = sa;
		old->superseded_ns = ts;
		old->packets_at_superseded = old->packets;
		old->esp_bytes_at_superseded = old->esp_bytes;
		old->ip_bytes_at_superseded = old->ip_bytes;
	}
	tun->current[sa->side] = sa;
	return sa;
}

static struct esp_sa *track_esp(struct tracker *t, uint64_t ts, const struct frame *f, struct tracked *out)
{
	/* consecutive packets mostly belong to the same SA */
	struct esp_sa *sa = t->last_esp;
	if (!sa || sa->spi != f->spi || memcmp(&sa->dst, &f->dst, sizeof(f->dst)) != 0) {
		struct esp_sa_key k;
		memset(&k, 0, sizeof(k));
		k.spi = f->spi;
		k.dst = f->dst;
		sa = g_hash_table_lookup(t->esp_by_key, &k);
	}
	struct tunnel *tun;
	if (sa && sa != t->last_esp)
		note_nat_side(sa->tunnel, f);
	if (sa) {
		tun = sa->tunnel;
		if (ts > tun->last_ns)
			tun->last_ns = ts;
	} else {
		tun = tunnel_lookup(t, f, ts, true);
		note_nat_side(tun, f);
		sa = esp_sa_new(t, tun, f, ts, &out->superseded);
	}
	t->last_esp = sa;
	if (ts > sa->last_ns)
		sa->last_ns = ts;
	/* a copy adds nothing: not to the SA's volume, the throughput, or the
	 * decryption (the receiver's replay check drops it too) */
	if (esp_sequence(sa, f->seq))
		return NULL;
	/* a reassembled datagram crossed the wire as its fragments */
	uint32_t wire_ip = f->reassembled ? f->frag_ip_bytes : f->ip_len;
	sa->packets++;
	sa->esp_bytes += f->esp_len;
	sa->ip_bytes += wire_ip;
	if (sa->successor) {
		sa->late_packets++;
		sa->late_bytes += f->esp_len;
	}
	if (sa->deleted_ns && ts > sa->deleted_ns)
		sa->packets_after_delete++;
	series_add(&tun->series[sa->side], ts, wire_ip);
	return sa;
}

/* ---- IKE ---- */

static struct exchange *exchange_find(struct ike_sa *ike, uint32_t msgid, uint8_t type)
{
	/* only recent exchanges can still receive messages; bounding the
	 * search keeps hours of DPD traffic linear */
	guint n = ike->exchanges->len;
	for (guint i = n; i > 0 && n - i < 16; i--) {
		struct exchange *x = g_ptr_array_index(ike->exchanges, i - 1);
		if (x->msgid == msgid && (ike->version == 1 || x->type == type))
			return x;
	}
	return NULL;
}

static void snapshot_esp(struct exchange *x, struct tunnel *tun)
{
	for (int side = 0; side < 2; side++) {
		struct esp_sa *sa = tun->current[side];
		if (!sa || x->n_snap >= EXCHANGE_SNAPSHOTS)
			continue;
		/* plaintext_bytes: taken by the decryption side, in packet order */
		x->snap[x->n_snap++] = (struct esp_snapshot){ sa, sa->packets, sa->esp_bytes, sa->ip_bytes, 0 };
	}
	x->had_esp_before = tun->current[0] || tun->current[1];
}

static struct ike_sa *ike_sa_new(struct tracker *t, struct tunnel *tun, const struct isakmp_header *h, uint64_t ts)
{
	struct ike_sa *ike = g_new0(struct ike_sa, 1);
	ike->tunnel = tun;
	ike->version = h->major_version;
	memcpy(ike->spi_i, h->spi_i, 8);
	memcpy(ike->spi_r, h->spi_r, 8);
	memcpy(&ike->spi_i_key, h->spi_i, 8);
	ike->first_ns = ts;
	ike->exchanges = g_ptr_array_new_with_free_func(exchange_free);
	ike->index = (int)tun->ike_sas->len + 1;
	g_ptr_array_add(tun->ike_sas, ike);
	g_hash_table_insert(t->ike_by_spi_i, &ike->spi_i_key, ike);
	return ike;
}

static bool spi_is_zero(const uint8_t spi[8])
{
	static const uint8_t zero[8];
	return memcmp(spi, zero, 8) == 0;
}

/* An IKE SA first seen on port 500 may turn out, once it floats to a
 * NAT-mapped 4500 flow, to belong to another client behind the same NAT. */
static struct tunnel *ike_tunnel(struct tracker *t, struct ike_sa *ike, const struct frame *f, uint64_t ts)
{
	uint16_t np = nat_port_of(f);
	struct tunnel *tun = ike->tunnel;
	if (!np || np == tun->nat_port) {
		if (ts > tun->last_ns)
			tun->last_ns = ts;
		return tun;
	}
	if (tun->nat_port == 0) {
		struct endpoint_key k = endpoint_of(&f->src, &f->dst, np);
		if (!g_hash_table_contains(t->tunnels_by_endpoint, &k)) {
			tun->nat_port = np;
			g_hash_table_insert(t->tunnels_by_endpoint, g_memdup2(&k, sizeof(k)), tun);
			return tun;
		}
	}
	struct tunnel *other = tunnel_lookup(t, f, ts, true);
	if (other != tun && tun->esp_sas->len == 0 && ike->exchanges->len <= 1) {
		g_ptr_array_steal_index(tun->ike_sas, (guint)ike->index - 1);
		for (guint i = 0; i < tun->ike_sas->len; i++)
			((struct ike_sa *)g_ptr_array_index(tun->ike_sas, i))->index = (int)i + 1;
		ike->tunnel = other;
		ike->index = (int)other->ike_sas->len + 1;
		g_ptr_array_add(other->ike_sas, ike);
		return other;
	}
	return tun;
}

static void track_ike(struct tracker *t, uint64_t ts, const struct frame *f, struct tracked *out)
{
	struct isakmp_header h;
	enum anomaly an = isakmp_parse_header(f->ike, f->ike_caplen, &h);
	if (an != AN_NONE) {
		t->anomalies[an]++;
		return;
	}
	/* walk the cleartext payload chain only to count what is wrong with it */
	struct isakmp_iter it;
	struct isakmp_payload pl;
	an = isakmp_iter_msg(&it, f->ike, f->ike_caplen, f->ike_len, &h);
	while (isakmp_iter_next(&it, &pl))
		;
	if (an == AN_NONE)
		an = it.anomaly;
	if (an != AN_NONE)
		t->anomalies[an]++;

	uint64_t key;
	memcpy(&key, h.spi_i, 8);
	struct ike_sa *ike = g_hash_table_lookup(t->ike_by_spi_i, &key);
	struct tunnel *tun;
	if (!ike) {
		tun = tunnel_lookup(t, f, ts, true);
		ike = ike_sa_new(t, tun, &h, ts);
	} else {
		tun = ike_tunnel(t, ike, f, ts);
	}
	note_nat_side(tun, f);
	tun->ike_messages++;
	ike->messages++;
	ike->last_ns = ts;
	if (f->ike_natt)
		ike->natt = true;
	if (spi_is_zero(ike->spi_r) && !spi_is_zero(h.spi_r))
		memcpy(ike->spi_r, h.spi_r, 8);

	bool from_initiator;
	if (h.major_version == 2) {
		from_initiator = h.flags & 0x08;
		if (!ike->initiator_known) {
			ike->initiator = from_initiator ? f->src : f->dst;
			ike->initiator_known = true;
		}
	} else {
		if (!ike->initiator_known && spi_is_zero(h.spi_r)) {
			ike->initiator = f->src;
			ike->initiator_known = true;
		}
		from_initiator = ike->initiator_known && addr_cmp(&ike->initiator, &f->src) == 0;
	}

	struct exchange *x = exchange_find(ike, h.message_id, h.exchange_type);
	if (!x) {
		x = g_new0(struct exchange, 1);
		x->ike = ike;
		x->msgid = h.message_id;
		x->type = h.exchange_type;
		x->start_ns = ts;
		x->initiator_sent_first = from_initiator;
		snapshot_esp(x, tun);
		out->new_exchange = x;
		g_ptr_array_add(ike->exchanges, x);
		if (x->type == IKEV1_QUICK || x->type == IKEV2_CREATE_CHILD)
			tun->child_starts[side_of(tun, &f->src)]++;
	}
	x->messages++;
	x->end_ns = ts;
	if (x->messages == 1) {
		x->detail.initiator = f->src;
		x->detail.responder = f->dst;
	}
	out->ike = ike;
	out->exchange = x;
	out->from_initiator = from_initiator;
}

struct esp_sa *tracker_esp_lookup(struct tracker *t, uint32_t spi, const struct addr *dst)
{
	struct esp_sa_key k;
	memset(&k, 0, sizeof(k));
	k.spi = spi;
	k.dst = *dst;
	return g_hash_table_lookup(t->esp_by_key, &k);
}

void tracker_frame(struct tracker *t, uint64_t ts, const struct frame *f, struct tracked *out)
{
	memset(out, 0, sizeof(*out));
	t->frames++;
	if (!t->have_time) {
		t->first_ns = ts;
		t->have_time = true;
	}
	if (ts > t->last_ns)
		t->last_ns = ts;
	if (f->anomaly != AN_NONE)
		t->anomalies[f->anomaly]++;

	switch (f->kind) {
	case FK_ESP:
		t->ip_frames++;
		t->esp_frames++;
		out->esp = track_esp(t, ts, f, out);
		return;
	case FK_IKE:
		t->ip_frames++;
		t->ike_frames++;
		track_ike(t, ts, f, out);
		return;
	case FK_NATT_KEEPALIVE: {
		t->ip_frames++;
		t->keepalive_frames++;
		struct tunnel *tun = tunnel_lookup(t, f, ts, false);
		if (tun)
			tun->keepalives++;
		return;
	}
	case FK_IP_OTHER:
		t->ip_frames++;
		t->other_ip_frames++;
		return;
	default:
		return;
	}
}

/* Settle which side is the client, then give each SA its direction and its
 * number within that direction. */
void tracker_finish(struct tracker *t)
{
	for (guint i = 0; i < t->tunnels->len; i++) {
		struct tunnel *tun = g_ptr_array_index(t->tunnels, i);
		tun->client_side = 0;
		tun->client_basis = CLIENT_UNKNOWN;
		if (t->cfg.client.family && (addr_cmp(&t->cfg.client, &tun->a) == 0 ||
					     addr_cmp(&t->cfg.client, &tun->b) == 0)) {
			tun->client_side = side_of(tun, &t->cfg.client);
			tun->client_basis = CLIENT_FROM_OPTION;
		} else {
			for (guint j = 0; j < tun->ike_sas->len; j++) {
				struct ike_sa *ike = g_ptr_array_index(tun->ike_sas, j);
				if (ike->initiator_known) {
					tun->client_side = side_of(tun, &ike->initiator);
					tun->client_basis = CLIENT_FROM_IKE;
					break;
				}
			}
		}
		/* without the IKE SA's first message: a NAT hides clients, not
		 * VPN servers; and the client (Windows) starts its rekeys */
		if (tun->client_basis == CLIENT_UNKNOWN && tun->nat_side >= 0) {
			tun->client_side = tun->nat_side;
			tun->client_basis = CLIENT_FROM_NAT;
		} else if (tun->client_basis == CLIENT_UNKNOWN && tun->child_starts[0] != tun->child_starts[1]) {
			tun->client_side = tun->child_starts[0] > tun->child_starts[1] ? 0 : 1;
			tun->client_basis = CLIENT_FROM_REKEYS;
		}
		tun->client = tun->client_side == 0 ? tun->a : tun->b;
		tun->server = tun->client_side == 0 ? tun->b : tun->a;
		int count[2] = { 0, 0 };
		for (guint j = 0; j < tun->esp_sas->len; j++) {
			struct esp_sa *sa = g_ptr_array_index(tun->esp_sas, j);
			sa->dir = sa->side == tun->client_side ? DIR_UP : DIR_DOWN;
			sa->index = ++count[sa->dir];
		}
	}
}
