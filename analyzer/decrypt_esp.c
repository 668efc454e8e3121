/* ESP decryption and the inner TCP it reveals. */
#include "analyzer/decrypt.h"

#include <stdio.h>
#include <string.h>

#include "analyzer/hash.h"
#include "dissect/inner.h"
#include "keys/esp_crypto.h"

#define PLAIN_MAX 65536

struct tcp_flow {
	uint32_t next_seq;              /* one past the highest sequence number sent */
	bool started;
	uint64_t last_ns;
};

/* Flows silent this long are forgotten, so that days of short connections
 * keep memory flat; a flow that comes back just starts afresh. */
#define FLOW_IDLE_NS (600ull * 1000000000ull)
#define FLOW_SWEEP_EVERY 65536

static gboolean flow_idle(gpointer key, gpointer value, gpointer now)
{
	const struct tcp_flow *fl = value;
	return fl->last_ns + FLOW_IDLE_NS < *(const uint64_t *)now;
}

static guint flow_hash(gconstpointer k)
{
	return key_hash(k, sizeof(struct flow_key));
}

static gboolean flow_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct flow_key)) == 0;
}

void decryptor_init(struct decryptor *d, struct keystore *keys)
{
	memset(d, 0, sizeof(*d));
	d->keys = keys;
	d->plain = g_malloc(PLAIN_MAX);
	d->ike_plain = g_malloc(PLAIN_MAX);
	d->flows = g_hash_table_new_full(flow_hash, flow_equal, g_free, g_free);
	d->notes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

void decryptor_free(struct decryptor *d, struct tracker *t)
{
	for (guint i = 0; i < t->tunnels->len; i++) {
		struct tunnel *tun = g_ptr_array_index(t->tunnels, i);
		for (guint j = 0; j < tun->esp_sas->len; j++) {
			struct esp_sa *sa = g_ptr_array_index(tun->esp_sas, j);
			if (sa->crypto)
				esp_crypto_close(sa->crypto);
			sa->crypto = NULL;
		}
	}
	g_free(d->plain);
	g_free(d->ike_plain);
	g_hash_table_destroy(d->flows);
	g_hash_table_destroy(d->notes);
}

/* Serial-number arithmetic (RFC 1982): a is after b. */
static bool seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

static struct tcp_flow *flow_of(struct decryptor *d, const struct ip_info *ip, const struct tcp_info *tcp)
{
	struct flow_key k;
	memset(&k, 0, sizeof(k));
	k.src = ip->src;
	k.dst = ip->dst;
	k.sport = tcp->sport;
	k.dport = tcp->dport;
	/* a bulk transfer is one flow segment after segment */
	if (d->last_flow && memcmp(&d->last_flow_key, &k, sizeof(k)) == 0)
		return d->last_flow;
	struct tcp_flow *fl = g_hash_table_lookup(d->flows, &k);
	if (!fl) {
		fl = g_new0(struct tcp_flow, 1);
		g_hash_table_insert(d->flows, g_memdup2(&k, sizeof(k)), fl);
	}
	d->last_flow = fl;
	d->last_flow_key = k;
	return fl;
}

/* A segment whose data was all sent before is a retransmission; one that
 * starts beyond what was sent means a hole (lost before the capture point,
 * or reordered). */
static void track_tcp(struct decryptor *d, struct esp_sa *sa, const struct inner *in, uint64_t ts)
{
	const struct ip_info *ip = inner_user_ip(in);
	const struct tcp_info *tcp = &in->tcp;
	if (!ip)
		return;
	struct tunnel *tun = sa->tunnel;
	int side = sa->side;
	if (++d->flow_segments % FLOW_SWEEP_EVERY == 0) {
		g_hash_table_foreach_remove(d->flows, flow_idle, &ts);
		d->last_flow = NULL;
	}
	struct tcp_flow *fl = flow_of(d, ip, tcp);
	fl->last_ns = ts;
	uint32_t len = tcp->payload_len;
	uint32_t end = tcp->seq + len + ((tcp->flags & (TCP_SYN | TCP_FIN)) ? 1 : 0);
	tun->tcp_segments[side]++;
	if (!fl->started) {
		fl->started = true;
		fl->next_seq = end;
		tun->tcp_payload[side] += len;
		series_add(&tun->goodput[side], ts, len);
		return;
	}
	if (len == 0) {
		if (seq_after(end, fl->next_seq))
			fl->next_seq = end;
		return;
	}
	if (!seq_after(end, fl->next_seq)) {
		tun->tcp_retrans[side]++;
		series_add(&tun->retrans[side], ts, 1);
		return;
	}
	if (seq_after(tcp->seq, fl->next_seq))
		tun->tcp_out_of_order[side]++;
	uint32_t fresh = seq_after(fl->next_seq, tcp->seq) ? end - fl->next_seq : len;
	if (fresh > len)
		fresh = len;
	tun->tcp_payload[side] += fresh;
	series_add(&tun->goodput[side], ts, fresh);
	fl->next_seq = end;
}

bool decrypt_esp_ready(struct decryptor *d, struct esp_sa *sa, const struct frame *f)
{
	/* look the key up once per SA, and again only when keys were added */
	if (!sa->crypto && sa->key_generation != d->generation + 1) {
		sa->key_generation = d->generation + 1;
		const struct esp_key *k = keystore_esp_lookup(d->keys, sa->spi, &sa->src, &sa->dst);
		if (k) {
			sa->crypto = esp_crypto_open(k);
			sa->key_source = k->source;
			sa->esn = k->esn;
			sa->esn_high = k->esn_high;
			sa->esn_last_low = f->seq;
		}
	}
	if (!sa->crypto) {
		d->esp_no_key++;
		return false;
	}
	if (f->esp_caplen < f->esp_len) {
		sa->not_captured++;
		d->esp_not_captured++;
		return false;
	}
	return true;
}

void decrypt_esp(struct decryptor *d, struct esp_sa *sa, const struct frame *f, uint64_t ts)
{
	if (decrypt_esp_ready(d, sa, f))
		decrypt_esp_packet(d, sa, f->esp, f->esp_len, f->seq, ts);
}

void decrypt_esp_packet(struct decryptor *d, struct esp_sa *sa, const uint8_t *esp, uint32_t len, uint32_t seq,
			uint64_t ts)
{
	/* the low 32 bits wrapping means the (untransmitted) high half moved on */
	if (sa->esn) {
		if (seq < sa->esn_last_low && sa->esn_last_low - seq > 0x80000000u)
			sa->esn_high++;
		sa->esn_last_low = seq;
	}
	size_t n = 0;
	uint8_t next_header = 0;
	enum esp_verdict v = esp_crypto_decrypt(sa->crypto, esp, len, sa->esn_high, d->plain, &n, &next_header);
	switch (v) {
	case ESP_OK:
		break;
	case ESP_ICV_FAIL:
		sa->icv_failures++;
		return;
	case ESP_BAD_PADDING:
		sa->bad_padding++;
		return;
	default:
		sa->decrypt_errors++;
		return;
	}
	sa->decrypted++;
	sa->plaintext_bytes += n;
	struct inner in;
	dissect_inner(next_header, d->plain, n, &in);
	if (in.layers & IL_TCP)
		track_tcp(d, sa, &in, ts);
}

void decrypt_snapshot_exchange(struct exchange *x)
{
	for (unsigned i = 0; i < x->n_snap; i++)
		x->snap[i].plaintext_bytes = x->snap[i].sa->plaintext_bytes;
}

void decrypt_snapshot_superseded(struct esp_sa *sa)
{
	sa->plaintext_at_superseded = sa->plaintext_bytes;
}

void decryptor_note(struct decryptor *d, const char *text)
{
	gpointer count = g_hash_table_lookup(d->notes, text);
	g_hash_table_replace(d->notes, g_strdup(text), GUINT_TO_POINTER(GPOINTER_TO_UINT(count) + 1));
}

static gint str_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

GPtrArray *decryptor_notes(const struct decryptor *d)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	GHashTableIter it;
	gpointer k, v;
	g_hash_table_iter_init(&it, d->notes);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		unsigned n = GPOINTER_TO_UINT(v);
		g_ptr_array_add(out, n > 1 ? g_strdup_printf("%s (%u times)", (char *)k, n) : g_strdup(k));
	}
	g_ptr_array_sort(out, str_cmp);
	return out;
}
