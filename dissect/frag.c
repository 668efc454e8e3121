/* Bounded IP fragment reassembly: one pool allocated up front, a linear scan
 * over FRAG_SLOTS keys (each checked against a precomputed hash first), and
 * two bitmaps of 8-byte blocks per datagram: which blocks arrived (to detect
 * overlaps) and which were captured (to report the captured prefix). */
#include <stdlib.h>
#include <string.h>

#include "dissect/frag.h"

#define BLOCKS (FRAG_MAX_PAYLOAD / 8)
#define WORDS (BLOCKS / 64)

struct frag_slot {
	bool used;
	uint8_t proto;
	uint16_t count;
	uint32_t hash;
	uint32_t id;
	struct addr src, dst;
	uint64_t first_ts;
	bool have_last;
	uint32_t total;     /* the datagram's end, once the last fragment came */
	uint32_t max_end;   /* the furthest end seen so far */
	uint32_t received;  /* bytes placed (no overlaps, so coverage) */
	uint32_t ip_bytes;  /* the fragments' IP total lengths, summed */
	uint64_t covered[WORDS];
	uint64_t captured[WORDS];
	uint8_t data[FRAG_MAX_PAYLOAD];
};

struct frag_table {
	struct frag_stats stats;
	struct frag_slot slot[FRAG_SLOTS];
};

struct frag_table *frag_table_new(void)
{
	return calloc(1, sizeof(struct frag_table));
}

void frag_table_free(struct frag_table *ft)
{
	free(ft);
}

const struct frag_stats *frag_table_stats(const struct frag_table *ft)
{
	return &ft->stats;
}

unsigned frag_table_in_use(const struct frag_table *ft)
{
	unsigned n = 0;
	for (unsigned i = 0; i < FRAG_SLOTS; i++)
		n += ft->slot[i].used;
	return n;
}

static uint32_t key_hash(const struct ip_info *ip)
{
	/* FNV-1a over the key; only a quick filter before the full compare. */
	uint32_t h = 2166136261u;
	const uint8_t *parts[2] = { ip->src.b, ip->dst.b };
	for (int k = 0; k < 2; k++)
		for (int i = 0; i < 16; i++)
			h = (h ^ parts[k][i]) * 16777619u;
	h = (h ^ ip->version) * 16777619u;
	h = (h ^ ip->proto) * 16777619u;
	for (int i = 0; i < 4; i++)
		h = (h ^ (uint8_t)(ip->frag_id >> (8 * i))) * 16777619u;
	return h;
}

static bool key_equal(const struct frag_slot *s, uint32_t hash, const struct ip_info *ip)
{
	return s->hash == hash && s->id == ip->frag_id && s->proto == ip->proto &&
	       memcmp(&s->src, &ip->src, sizeof s->src) == 0 &&
	       memcmp(&s->dst, &ip->dst, sizeof s->dst) == 0;
}

/* Bitmap helpers over blocks [b0, b1). */
static bool bits_any(const uint64_t *bm, uint32_t b0, uint32_t b1)
{
	for (uint32_t b = b0; b < b1;) {
		if ((b & 63) == 0 && b + 64 <= b1) {
			if (bm[b / 64])
				return true;
			b += 64;
		} else {
			if (bm[b / 64] >> (b & 63) & 1)
				return true;
			b++;
		}
	}
	return false;
}

static bool bits_all(const uint64_t *bm, uint32_t b0, uint32_t b1)
{
	for (uint32_t b = b0; b < b1;) {
		if ((b & 63) == 0 && b + 64 <= b1) {
			if (bm[b / 64] != UINT64_MAX)
				return false;
			b += 64;
		} else {
			if (!(bm[b / 64] >> (b & 63) & 1))
				return false;
			b++;
		}
	}
	return true;
}

static void bits_set(uint64_t *bm, uint32_t b0, uint32_t b1)
{
	for (uint32_t b = b0; b < b1;) {
		if ((b & 63) == 0 && b + 64 <= b1) {
			bm[b / 64] = UINT64_MAX;
			b += 64;
		} else {
			bm[b / 64] |= (uint64_t)1 << (b & 63);
			b++;
		}
	}
}

static uint32_t first_clear(const uint64_t *bm, uint32_t limit)
{
	uint32_t b = 0;
	while (b < limit) {
		if ((b & 63) == 0 && bm[b / 64] == UINT64_MAX) {
			b += 64;
			continue;
		}
		if (!(bm[b / 64] >> (b & 63) & 1))
			return b;
		b++;
	}
	return limit;
}

static void slot_release(struct frag_slot *s)
{
	s->used = false;
}

static void slot_start(struct frag_slot *s, uint32_t hash, uint64_t ts, const struct ip_info *ip)
{
	s->used = true;
	s->hash = hash;
	s->id = ip->frag_id;
	s->proto = ip->proto;
	s->src = ip->src;
	s->dst = ip->dst;
	s->first_ts = ts;
	s->have_last = false;
	s->total = s->max_end = s->received = s->ip_bytes = 0;
	s->count = 0;
	memset(s->covered, 0, sizeof s->covered);
	memset(s->captured, 0, sizeof s->captured);
}

static bool expired(const struct frag_slot *s, uint64_t now)
{
	/* Time may step backwards in a capture; only a forward gap expires. */
	return now > s->first_ts && now - s->first_ts > FRAG_TIMEOUT_NS;
}

void frag_table_expire(struct frag_table *ft, uint64_t now_ns)
{
	for (unsigned i = 0; i < FRAG_SLOTS; i++) {
		struct frag_slot *s = &ft->slot[i];
		if (s->used && (now_ns == UINT64_MAX || expired(s, now_ns))) {
			slot_release(s);
			ft->stats.dropped_timeout++;
		}
	}
}

/* Finds the datagram's slot (expiring stale ones on the way) or starts one,
 * evicting the oldest when all are busy. */
static struct frag_slot *slot_for(struct frag_table *ft, uint64_t ts, const struct ip_info *ip)
{
	uint32_t hash = key_hash(ip);
	struct frag_slot *found = NULL, *free_slot = NULL, *oldest = NULL;

	for (unsigned i = 0; i < FRAG_SLOTS; i++) {
		struct frag_slot *s = &ft->slot[i];
		if (s->used && expired(s, ts)) {
			slot_release(s);
			ft->stats.dropped_timeout++;
		}
		if (!s->used) {
			if (!free_slot)
				free_slot = s;
			continue;
		}
		if (!found && key_equal(s, hash, ip))
			found = s;
		if (!oldest || s->first_ts < oldest->first_ts)
			oldest = s;
	}
	if (found)
		return found;
	if (!free_slot) {
		free_slot = oldest;
		ft->stats.dropped_evicted++;
	}
	slot_start(free_slot, hash, ts, ip);
	return free_slot;
}

static enum frag_result drop(struct frag_slot *s, uint64_t *counter)
{
	if (s)
		slot_release(s);
	(*counter)++;
	return FRAG_DROPPED;
}

enum frag_result frag_insert(struct frag_table *ft, uint64_t ts_ns, struct ip_info *ip,
			     uint32_t *frag_bytes, uint16_t *frag_count)
{
	uint32_t off = ip->frag_offset, len = ip->payload_len;
	uint32_t cap = ip->payload_caplen < len ? ip->payload_caplen : len;
	uint64_t end = (uint64_t)off + len;

	ft->stats.fragments++;
	struct frag_slot *s = slot_for(ft, ts_ns, ip);

	if (end > FRAG_MAX_PAYLOAD)
		return drop(s, &ft->stats.dropped_overflow);
	/* All but the last fragment carry whole 8-byte blocks of data. */
	if (ip->more_frags && (len == 0 || len % 8 != 0))
		return drop(s, &ft->stats.dropped_overlap);
	if (!ip->more_frags) {
		if ((s->have_last && s->total != end) || s->max_end > end)
			return drop(s, &ft->stats.dropped_overlap);
	} else if (s->have_last && end > s->total) {
		return drop(s, &ft->stats.dropped_overflow);
	}

	uint32_t b0 = off / 8, b1 = (uint32_t)((end + 7) / 8);
	if (bits_any(s->covered, b0, b1)) {
		/* The same bytes again (a retransmitted fragment) are harmless. */
		bool same_range = bits_all(s->covered, b0, b1) &&
				  (!ip->more_frags ? s->have_last : end <= s->max_end);
		if (same_range && bits_all(s->captured, b0, off + cap == end ? b1 : (off + cap) / 8) &&
		    memcmp(s->data + off, ip->payload, cap) == 0) {
			ft->stats.duplicates++;
			return FRAG_HELD;
		}
		return drop(s, &ft->stats.dropped_overlap);
	}

	bits_set(s->covered, b0, b1);
	memcpy(s->data + off, ip->payload, cap);
	bits_set(s->captured, b0, cap == len ? b1 : (off + cap) / 8);
	s->received += len;
	s->ip_bytes += ip->total_len;
	s->count++;
	if (end > s->max_end)
		s->max_end = (uint32_t)end;
	if (!ip->more_frags) {
		s->have_last = true;
		s->total = (uint32_t)end;
	}
	if (!s->have_last || s->received != s->total)
		return FRAG_HELD;

	uint32_t prefix = first_clear(s->captured, (s->total + 7) / 8) * 8;
	ip->payload = s->data;
	ip->payload_len = s->total;
	ip->payload_caplen = prefix < s->total ? prefix : s->total;
	ip->total_len = ip->hdr_len + s->total;
	ip->is_fragment = ip->more_frags = false;
	ip->frag_offset = 0;
	if (frag_bytes)
		*frag_bytes = s->ip_bytes;
	if (frag_count)
		*frag_count = s->count;
	ft->stats.reassembled++;
	slot_release(s);
	return FRAG_COMPLETE;
}
