/* ISAKMP header, payload iterator and decoders, IKEv1 and IKEv2. */
#include <glib.h>

#include "dissect/isakmp.h"
#include "test_dissect_util.h"

static const uint8_t CKY_I[8] = { 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8 };
static const uint8_t CKY_R[8] = { 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8 };

static void put_hdr(struct pkt *p, uint8_t np, uint8_t version, uint8_t xchg, uint8_t flags,
		    uint32_t msgid)
{
	putn(p, CKY_I, 8);
	putn(p, CKY_R, 8);
	put8(p, np); put8(p, version); put8(p, xchg); put8(p, flags);
	put32(p, msgid);
	put32(p, 0); /* patched by msg_end */
}
static void msg_end(struct pkt *p) { patch32(p, 24, (uint32_t)p->n); }

/* Generic payload header; returns its offset for pl_end. */
static size_t pl_begin(struct pkt *p, uint8_t next)
{
	size_t off = p->n;
	put8(p, next); put8(p, 0); put16(p, 0);
	return off;
}
static void pl_end(struct pkt *p, size_t off) { patch16(p, off + 2, (uint16_t)(p->n - off)); }

static void test_header(void)
{
	struct pkt p = { .n = 0 };
	struct isakmp_header h;
	put_hdr(&p, ISAKMP_NP_HASH, 0x10, ISAKMP_X_QUICK, 0x01, 0xdeadbeef);
	msg_end(&p);
	g_assert_cmpint(isakmp_parse_header(p.b, p.n, &h), ==, AN_NONE);
	g_assert_cmpmem(h.spi_i, 8, CKY_I, 8);
	g_assert_cmpmem(h.spi_r, 8, CKY_R, 8);
	g_assert_cmpuint(h.next_payload, ==, 8);
	g_assert_cmpuint(h.major_version, ==, 1);
	g_assert_cmpuint(h.minor_version, ==, 0);
	g_assert_cmpuint(h.exchange_type, ==, 32);
	g_assert_cmpuint(h.flags, ==, 1);
	g_assert_cmphex(h.message_id, ==, 0xdeadbeef);
	g_assert_cmpuint(h.length, ==, 28);
	g_assert_cmpint(isakmp_parse_header(p.b, 27, &h), ==, AN_IKE_TRUNCATED);
	p.b[17] = 0x20;
	g_assert_cmpint(isakmp_parse_header(p.b, p.n, &h), ==, AN_NONE);
	g_assert_cmpuint(h.major_version, ==, 2);
	p.b[17] = 0x30;
	g_assert_cmpint(isakmp_parse_header(p.b, p.n, &h), ==, AN_IKE_MALFORMED);
	p.b[17] = 0x10;
	patch32(&p, 24, 27);
	g_assert_cmpint(isakmp_parse_header(p.b, p.n, &h), ==, AN_IKE_MALFORMED);
	g_assert_cmpstr(isakmp_exchange_name(1, 32), ==, "Quick Mode");
	g_assert_cmpstr(isakmp_exchange_name(2, 36), ==, "CREATE_CHILD_SA");
	g_assert_cmpstr(isakmp_payload_name(46), ==, "Encrypted");
}

/* A phase-2 transform's attributes: AES-256, life 3600 s (TV) and
 * 250000 KB (4-byte TLV), tunnel mode, HMAC-SHA1, PFS group 2. */
static void put_p2_attrs(struct pkt *p)
{
	putn(p, "\x80\x01\x00\x01" "\x80\x02\x0e\x10", 8);           /* seconds, 3600 (TV) */
	putn(p, "\x80\x01\x00\x02" "\x00\x02\x00\x04\x00\x03\xd0\x90", 12); /* KB, 250000 (TLV) */
	putn(p, "\x80\x04\x00\x01" "\x80\x05\x00\x02" "\x80\x06\x01\x00" "\x80\x03\x00\x02", 16);
}

static void put_quick_mode_1(struct pkt *p)
{
	put_hdr(p, ISAKMP_NP_HASH, 0x10, ISAKMP_X_QUICK, 0, 0x01020304);
	size_t o = pl_begin(p, ISAKMP_NP_SA);
	putfill(p, 0x33, 20);
	pl_end(p, o);
	o = pl_begin(p, ISAKMP_NP_NONCE);
	put32(p, 1); put32(p, 1); /* DOI IPsec, SIT_IDENTITY_ONLY */
	size_t pr = pl_begin(p, 0);
	put8(p, 1); put8(p, ISAKMP_PROTO_ESP); put8(p, 4); put8(p, 2);
	put32(p, 0xc0ffee01);
	size_t t = pl_begin(p, ISAKMP_NP_T);
	put8(p, 1); put8(p, 12); put16(p, 0);
	put_p2_attrs(p);
	pl_end(p, t);
	t = pl_begin(p, 0);
	put8(p, 2); put8(p, 3); put16(p, 0); /* 3DES, life 28800 s as a 2-byte TLV */
	putn(p, "\x80\x01\x00\x01" "\x00\x02\x00\x02\x70\x80", 10);
	pl_end(p, t);
	pl_end(p, pr);
	pl_end(p, o);
	o = pl_begin(p, ISAKMP_NP_ID);
	putfill(p, 0x4e, 16);
	pl_end(p, o);
	o = pl_begin(p, ISAKMP_NP_ID);
	put8(p, 1); put8(p, 17); put16(p, 1701); put32(p, IP4(10, 0, 0, 1));
	pl_end(p, o);
	o = pl_begin(p, 0);
	put8(p, 1); put8(p, 17); put16(p, 1701); put32(p, IP4(10, 0, 0, 2));
	pl_end(p, o);
	msg_end(p);
}

static void test_quick_mode(void)
{
	struct pkt p = { .n = 0 };
	struct isakmp_iter it;
	struct isakmp_header h;
	struct isakmp_payload pl;
	put_quick_mode_1(&p);

	g_assert_cmpint(isakmp_iter_msg(&it, p.b, p.n, p.n, &h), ==, AN_NONE);
	g_assert_false(it.encrypted);
	const uint8_t want[] = { 8, 1, 10, 5, 5 };
	unsigned n = 0;
	struct ikev1_sa sa;
	struct isakmp_id id;
	while (isakmp_iter_next(&it, &pl)) {
		g_assert_cmpuint(n, <, sizeof want);
		g_assert_cmpuint(pl.type, ==, want[n]);
		g_assert_false(pl.v2);
		if (pl.type == ISAKMP_NP_SA)
			g_assert_cmpint(ikev1_sa_parse(&pl, &sa), ==, AN_NONE);
		if (pl.type == ISAKMP_NP_HASH)
			g_assert_cmpuint(isakmp_blob(&pl).len, ==, 20);
		if (pl.type == ISAKMP_NP_NONCE) {
			struct isakmp_blob nonce;
			g_assert_cmpint(isakmp_nonce_parse(&pl, &nonce), ==, AN_NONE);
			g_assert_cmpuint(nonce.len, ==, 16);
			g_assert_cmpuint(nonce.data[0], ==, 0x4e);
		}
		if (pl.type == ISAKMP_NP_ID)
			g_assert_cmpint(isakmp_id_parse(&pl, &id), ==, AN_NONE);
		n++;
	}
	g_assert_cmpuint(n, ==, 5);
	g_assert_cmpint(it.anomaly, ==, AN_NONE);

	g_assert_cmpuint(sa.doi, ==, 1);
	g_assert_cmpuint(sa.situation, ==, 1);
	g_assert_cmpuint(sa.proposals_seen, ==, 1);
	g_assert_cmpuint(sa.proposals_stored, ==, 1);
	const struct ikev1_proposal *pr = &sa.p[0];
	g_assert_cmpuint(pr->number, ==, 1);
	g_assert_cmpuint(pr->protocol, ==, 3);
	g_assert_cmpuint(pr->spi_size, ==, 4);
	g_assert_cmpuint(pr->n_transforms, ==, 2);
	g_assert_cmphex(pr->spi32, ==, 0xc0ffee01);
	g_assert_cmpuint(pr->transforms_seen, ==, 2);
	const struct ikev1_attrs *a = &pr->t[0].attrs;
	g_assert_cmpuint(pr->t[0].number, ==, 1);
	g_assert_cmpuint(pr->t[0].id, ==, 12);
	g_assert_true(a->has_life_seconds);
	g_assert_cmpuint(a->life_seconds, ==, 3600);
	g_assert_true(a->has_life_kbytes);
	g_assert_cmpuint(a->life_kbytes, ==, 250000);
	g_assert_cmpuint(a->encap_mode, ==, 1);
	g_assert_cmpuint(a->auth_alg, ==, 2);
	g_assert_cmpuint(a->key_length, ==, 256);
	g_assert_cmpuint(a->group_desc, ==, 2);
	g_assert_cmpuint(a->n_attrs, ==, 8);
	g_assert_cmpuint(a->n_unknown, ==, 0);
	a = &pr->t[1].attrs;
	g_assert_cmpuint(pr->t[1].id, ==, 3);
	g_assert_true(a->has_life_seconds);
	g_assert_cmpuint(a->life_seconds, ==, 28800);
	g_assert_false(a->has_life_kbytes);

	g_assert_cmpuint(id.type, ==, 1);
	g_assert_cmpuint(id.protocol, ==, 17);
	g_assert_cmpuint(id.port, ==, 1701);
	g_assert_cmpuint(id.len, ==, 4);
	g_assert_cmpuint(id.data[3], ==, 2);

	/* the same message cut by the capture: iteration stops with truncation */
	isakmp_iter_msg(&it, p.b, 70, p.n, &h);
	n = 0;
	while (isakmp_iter_next(&it, &pl))
		n++;
	g_assert_cmpuint(n, ==, 1);
	g_assert_cmpint(it.anomaly, ==, AN_IKE_TRUNCATED);

	/* encrypted: nothing to iterate */
	p.b[19] = ISAKMP_FLAG_ENC;
	g_assert_cmpint(isakmp_iter_msg(&it, p.b, p.n, p.n, &h), ==, AN_NONE);
	g_assert_true(it.encrypted);
	g_assert_false(isakmp_iter_next(&it, &pl));
	g_assert_cmpint(it.anomaly, ==, AN_NONE);

	/* header length larger than the UDP payload: a lie, iteration within len */
	p.b[19] = 0;
	g_assert_cmpint(isakmp_iter_msg(&it, p.b, p.n - 1, p.n - 1, &h), ==, AN_IKE_MALFORMED);
	n = 0;
	while (isakmp_iter_next(&it, &pl))
		n++;
	g_assert_cmpuint(n, ==, 4);
	g_assert_cmpint(it.anomaly, ==, AN_IKE_MALFORMED);
}

static void test_attrs(void)
{
	struct ikev1_attrs a;
	/* phase 1: AES-128, SHA1, PSK, group 14, 86400 s as a 4-byte TLV */
	const uint8_t p1[] = { 0x80, 1, 0, 7, 0x80, 14, 0, 128, 0x80, 2, 0, 2, 0x80, 3, 0, 1,
			       0x80, 4, 0, 14, 0x80, 11, 0, 1, 0, 12, 0, 4, 0, 1, 0x51, 0x80 };
	g_assert_cmpint(ikev1_attrs_parse(p1, sizeof p1, true, &a), ==, AN_NONE);
	g_assert_cmpuint(a.encr, ==, 7);
	g_assert_cmpuint(a.key_length, ==, 128);
	g_assert_cmpuint(a.hash, ==, 2);
	g_assert_cmpuint(a.auth_method, ==, 1);
	g_assert_cmpuint(a.group, ==, 14);
	g_assert_cmpuint(a.life_seconds, ==, 86400);
	g_assert_cmpuint(a.n_attrs, ==, 7);

	/* an 8-byte duration, and a 1-byte one */
	const uint8_t d8[] = { 0x80, 1, 0, 2, 0, 2, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0,
			       0x80, 1, 0, 1, 0, 2, 0, 1, 200 };
	g_assert_cmpint(ikev1_attrs_parse(d8, sizeof d8, false, &a), ==, AN_NONE);
	g_assert_cmpuint(a.life_kbytes, ==, 1ull << 32);
	g_assert_cmpuint(a.life_seconds, ==, 200);
	/* 9 bytes, 0 bytes: malformed */
	const uint8_t d9[] = { 0x80, 1, 0, 2, 0, 2, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	g_assert_cmpint(ikev1_attrs_parse(d9, sizeof d9, false, &a), ==, AN_IKE_MALFORMED);
	const uint8_t d0[] = { 0x80, 1, 0, 2, 0, 2, 0, 0 };
	g_assert_cmpint(ikev1_attrs_parse(d0, sizeof d0, false, &a), ==, AN_IKE_MALFORMED);
	/* a TLV running past the end */
	const uint8_t over[] = { 0, 2, 0, 4, 0, 3, 0xd0 };
	g_assert_cmpint(ikev1_attrs_parse(over, sizeof over, false, &a), ==, AN_IKE_MALFORMED);
	/* a half attribute */
	g_assert_cmpint(ikev1_attrs_parse(over, 3, false, &a), ==, AN_IKE_MALFORMED);
	/* a duration with no type before it; an unknown life type */
	const uint8_t orphan[] = { 0x80, 2, 0, 5, 0x80, 1, 0, 9, 0x80, 2, 0, 6, 0x80, 99, 0, 1 };
	g_assert_cmpint(ikev1_attrs_parse(orphan, sizeof orphan, false, &a), ==, AN_NONE);
	g_assert_false(a.has_life_seconds);
	g_assert_false(a.has_life_kbytes);
	g_assert_cmpuint(a.n_unknown, ==, 3);
	/* draft UDP-encapsulated tunnel mode */
	const uint8_t enc[] = { 0x80, 4, 0xf0, 0x03 };
	g_assert_cmpint(ikev1_attrs_parse(enc, sizeof enc, false, &a), ==, AN_NONE);
	g_assert_cmpuint(a.encap_mode, ==, 61443);
	g_assert_cmpint(ikev1_attrs_parse(NULL, 0, false, &a), ==, AN_NONE);
}

static void test_sa_limits(void)
{
	struct pkt p = { .n = 0 };
	struct isakmp_payload pl = { .type = ISAKMP_NP_SA };
	struct ikev1_sa sa;

	/* 6 proposals, the first with 10 transforms: 4 and 8 stored */
	put32(&p, 1); put32(&p, 1);
	for (int i = 0; i < 6; i++) {
		size_t pr = pl_begin(&p, i == 5 ? 0 : 2);
		int nt = i == 0 ? 10 : 1;
		put8(&p, (uint8_t)(i + 1)); put8(&p, 3); put8(&p, 4); put8(&p, (uint8_t)nt);
		put32(&p, 0x1000u + (uint32_t)i);
		for (int j = 0; j < nt; j++) {
			size_t t = pl_begin(&p, j == nt - 1 ? 0 : 3);
			put8(&p, (uint8_t)j); put8(&p, 12); put16(&p, 0);
			putn(&p, "\x80\x06\x00\x80", 4);
			pl_end(&p, t);
		}
		pl_end(&p, pr);
	}
	pl.body = p.b;
	pl.body_len = (uint16_t)p.n;
	g_assert_cmpint(ikev1_sa_parse(&pl, &sa), ==, AN_NONE);
	g_assert_cmpuint(sa.proposals_seen, ==, 6);
	g_assert_cmpuint(sa.proposals_stored, ==, 4);
	g_assert_cmpuint(sa.p[0].transforms_seen, ==, 10);
	g_assert_cmpuint(sa.p[0].transforms_stored, ==, 8);
	g_assert_cmpuint(sa.p[0].t[7].attrs.key_length, ==, 128);
	g_assert_cmphex(sa.p[3].spi32, ==, 0x1003);

	/* a proposal length past the SA body */
	patch16(&p, 8 + 2, 0x4000);
	g_assert_cmpint(ikev1_sa_parse(&pl, &sa), ==, AN_IKE_MALFORMED);
	/* a proposal length below the generic header */
	patch16(&p, 8 + 2, 3);
	g_assert_cmpint(ikev1_sa_parse(&pl, &sa), ==, AN_IKE_MALFORMED);
	/* an SPI size of 17 */
	p.n = 0;
	put32(&p, 1); put32(&p, 1);
	size_t pr = pl_begin(&p, 0);
	put8(&p, 1); put8(&p, 3); put8(&p, 17); put8(&p, 0);
	putz(&p, 17);
	pl_end(&p, pr);
	pl.body_len = (uint16_t)p.n;
	g_assert_cmpint(ikev1_sa_parse(&pl, &sa), ==, AN_IKE_MALFORMED);
	/* SA body shorter than DOI + situation */
	pl.body_len = 7;
	g_assert_cmpint(ikev1_sa_parse(&pl, &sa), ==, AN_IKE_MALFORMED);
}

static void test_notify_delete_v1(void)
{
	struct pkt p = { .n = 0 };
	struct isakmp_iter it;
	struct isakmp_header h;
	struct isakmp_payload pl;

	/* Informational: HASH, N(RESPONDER-LIFETIME), D(3 ESP SPIs), D(ISAKMP) */
	put_hdr(&p, ISAKMP_NP_HASH, 0x10, ISAKMP_X_INFO, 0, 0x55);
	size_t o = pl_begin(&p, ISAKMP_NP_N);
	putfill(&p, 1, 20);
	pl_end(&p, o);
	o = pl_begin(&p, ISAKMP_NP_D);
	put32(&p, 1); put8(&p, 3); put8(&p, 4); put16(&p, 24576);
	put32(&p, 0xcafe0001);
	putn(&p, "\x80\x01\x00\x01" "\x00\x02\x00\x04\x00\x00\x0e\x10", 12);
	pl_end(&p, o);
	o = pl_begin(&p, ISAKMP_NP_D);
	put32(&p, 1); put8(&p, 3); put8(&p, 4); put16(&p, 3);
	put32(&p, 0x11111111); put32(&p, 0x22222222); put32(&p, 0x33333333);
	pl_end(&p, o);
	o = pl_begin(&p, 0);
	put32(&p, 1); put8(&p, 1); put8(&p, 16); put16(&p, 1);
	putn(&p, CKY_I, 8); putn(&p, CKY_R, 8);
	pl_end(&p, o);
	msg_end(&p);

	g_assert_cmpint(isakmp_iter_msg(&it, p.b, p.n, p.n, &h), ==, AN_NONE);
	g_assert_true(isakmp_iter_next(&it, &pl));
	g_assert_cmpuint(pl.type, ==, ISAKMP_NP_HASH);
	g_assert_true(isakmp_iter_next(&it, &pl));
	g_assert_cmpuint(pl.type, ==, ISAKMP_NP_N);
	struct isakmp_notify n;
	g_assert_cmpint(isakmp_notify_parse(&pl, &n), ==, AN_NONE);
	g_assert_cmpuint(n.doi, ==, 1);
	g_assert_cmpuint(n.protocol, ==, 3);
	g_assert_cmpuint(n.type, ==, ISAKMP_N_RESPONDER_LIFETIME);
	g_assert_cmphex(n.spi32, ==, 0xcafe0001);
	g_assert_cmpuint(n.data_len, ==, 12);
	g_assert_true(n.has_lifetime);
	g_assert_true(n.lifetime.has_life_seconds);
	g_assert_cmpuint(n.lifetime.life_seconds, ==, 3600);

	g_assert_true(isakmp_iter_next(&it, &pl));
	struct isakmp_delete d;
	g_assert_cmpint(isakmp_delete_parse(&pl, &d), ==, AN_NONE);
	g_assert_cmpuint(d.doi, ==, 1);
	g_assert_cmpuint(d.protocol, ==, 3);
	g_assert_cmpuint(d.spi_size, ==, 4);
	g_assert_cmpuint(d.n_spis, ==, 3);
	g_assert_cmpuint(d.n_stored, ==, 3);
	g_assert_cmphex(d.spi32[0], ==, 0x11111111);
	g_assert_cmphex(d.spi32[2], ==, 0x33333333);
	g_assert_cmpuint(d.spi[1][0], ==, 0x22);

	g_assert_true(isakmp_iter_next(&it, &pl));
	g_assert_cmpint(isakmp_delete_parse(&pl, &d), ==, AN_NONE);
	g_assert_cmpuint(d.protocol, ==, 1);
	g_assert_cmpuint(d.spi_size, ==, 16);
	g_assert_cmpuint(d.n_stored, ==, 1);
	g_assert_cmpmem(d.spi[0], 8, CKY_I, 8);
	g_assert_cmpmem(d.spi[0] + 8, 8, CKY_R, 8);
	g_assert_false(isakmp_iter_next(&it, &pl));
	g_assert_cmpint(it.anomaly, ==, AN_NONE);

	/* a delete claiming more SPIs than it has */
	const uint8_t bad[] = { 0, 0, 0, 1, 3, 4, 0, 2, 1, 2, 3, 4 };
	pl.body = bad;
	pl.body_len = sizeof bad;
	g_assert_cmpint(isakmp_delete_parse(&pl, &d), ==, AN_IKE_MALFORMED);
	/* 20 SPIs: 16 stored, all counted */
	struct pkt q = { .n = 0 };
	put32(&q, 1); put8(&q, 3); put8(&q, 4); put16(&q, 20);
	for (uint32_t i = 0; i < 20; i++)
		put32(&q, i);
	pl.body = q.b;
	pl.body_len = (uint16_t)q.n;
	g_assert_cmpint(isakmp_delete_parse(&pl, &d), ==, AN_NONE);
	g_assert_cmpuint(d.n_spis, ==, 20);
	g_assert_cmpuint(d.n_stored, ==, ISAKMP_MAX_DELETE_SPIS);
	g_assert_true(d.spis == q.b + 8);
	/* a notify with an SPI size past the body */
	const uint8_t nbad[] = { 0, 0, 0, 1, 3, 8, 0x60, 0, 1, 2, 3, 4 };
	pl.body = nbad;
	pl.body_len = sizeof nbad;
	g_assert_cmpint(isakmp_notify_parse(&pl, &n), ==, AN_IKE_MALFORMED);
}

static void test_bad_chains(void)
{
	struct pkt p = { .n = 0 };
	struct isakmp_iter it;
	struct isakmp_header h;
	struct isakmp_payload pl;

	/* payload lengths 0 and 3 */
	for (uint16_t len = 0; len < 4; len += 3) {
		p.n = 0;
		put_hdr(&p, ISAKMP_NP_VID, 0x10, 2, 0, 0);
		put8(&p, 0); put8(&p, 0); put16(&p, len); putz(&p, 8);
		msg_end(&p);
		isakmp_iter_msg(&it, p.b, p.n, p.n, &h);
		g_assert_false(isakmp_iter_next(&it, &pl));
		g_assert_cmpint(it.anomaly, ==, AN_IKE_MALFORMED);
	}
	/* payload longer than the message */
	patch16(&p, 30, 13);
	isakmp_iter_msg(&it, p.b, p.n, p.n, &h);
	g_assert_false(isakmp_iter_next(&it, &pl));
	g_assert_cmpint(it.anomaly, ==, AN_IKE_MALFORMED);
	/* exactly the message: fine */
	patch16(&p, 30, 12);
	isakmp_iter_msg(&it, p.b, p.n, p.n, &h);
	g_assert_true(isakmp_iter_next(&it, &pl));
	g_assert_cmpuint(pl.body_len, ==, 8);
	g_assert_false(isakmp_iter_next(&it, &pl));
	g_assert_cmpint(it.anomaly, ==, AN_NONE);
	/* ... but captured only in part */
	isakmp_iter_msg(&it, p.b, p.n - 1, p.n, &h);
	g_assert_false(isakmp_iter_next(&it, &pl));
	g_assert_cmpint(it.anomaly, ==, AN_IKE_TRUNCATED);
	/* the generic header itself cut */
	isakmp_iter_msg(&it, p.b, 30, p.n, &h);
	g_assert_false(isakmp_iter_next(&it, &pl));
	g_assert_cmpint(it.anomaly, ==, AN_IKE_TRUNCATED);
	/* a next payload announced, but the message ends */
	p.b[28] = ISAKMP_NP_VID;
	isakmp_iter_msg(&it, p.b, p.n, p.n, &h);
	g_assert_true(isakmp_iter_next(&it, &pl));
	g_assert_false(isakmp_iter_next(&it, &pl));
	g_assert_cmpint(it.anomaly, ==, AN_IKE_MALFORMED);

	/* a chain that would go on for ever: 200 empty payloads each naming the next */
	p.n = 0;
	put_hdr(&p, ISAKMP_NP_VID, 0x10, 2, 0, 0);
	for (int i = 0; i < 200; i++) {
		put8(&p, ISAKMP_NP_VID); put8(&p, 0); put16(&p, 4);
	}
	msg_end(&p);
	isakmp_iter_msg(&it, p.b, p.n, p.n, &h);
	unsigned n = 0;
	while (isakmp_iter_next(&it, &pl))
		n++;
	g_assert_cmpuint(n, ==, ISAKMP_MAX_PAYLOADS);
	g_assert_cmpint(it.anomaly, ==, AN_IKE_MALFORMED);

	/* a bare chain (decrypted plaintext) with IKEv1 padding after the last payload */
	p.n = 0;
	size_t o = pl_begin(&p, ISAKMP_NP_D);
	putfill(&p, 9, 20);
	pl_end(&p, o);
	o = pl_begin(&p, 0);
	put32(&p, 1); put8(&p, 3); put8(&p, 4); put16(&p, 1); put32(&p, 0xabcdef12);
	pl_end(&p, o);
	putz(&p, 7); put8(&p, 7);
	isakmp_iter_init(&it, ISAKMP_NP_HASH, false, p.b, p.n, p.n);
	g_assert_true(isakmp_iter_next(&it, &pl));
	g_assert_cmpuint(pl.type, ==, ISAKMP_NP_HASH);
	g_assert_true(isakmp_iter_next(&it, &pl));
	g_assert_cmpuint(pl.type, ==, ISAKMP_NP_D);
	struct isakmp_delete d;
	g_assert_cmpint(isakmp_delete_parse(&pl, &d), ==, AN_NONE);
	g_assert_cmphex(d.spi32[0], ==, 0xabcdef12);
	g_assert_false(isakmp_iter_next(&it, &pl));
	g_assert_cmpint(it.anomaly, ==, AN_NONE);
}

/* IKEv2 CREATE_CHILD_SA request (plaintext chain): N(REKEY_SA), SA, Ni, KEi, TSi, TSr */
static void put_ccsa_chain(struct pkt *p)
{
	size_t o = pl_begin(p, IKEV2_NP_SA);
	put8(p, 3); put8(p, 4); put16(p, IKEV2_N_REKEY_SA); put32(p, 0x0badf00d);
	pl_end(p, o);
	o = pl_begin(p, IKEV2_NP_NONCE);
	size_t pr = pl_begin(p, 0);
	put8(p, 1); put8(p, 3); put8(p, 4); put8(p, 3);
	put32(p, 0xc1d2e3f4);
	size_t t = pl_begin(p, 3);
	put8(p, IKEV2_T_ENCR); put8(p, 0); put16(p, 12); putn(p, "\x80\x0e\x01\x00", 4);
	pl_end(p, t);
	t = pl_begin(p, 3);
	put8(p, IKEV2_T_INTEG); put8(p, 0); put16(p, 12);
	pl_end(p, t);
	t = pl_begin(p, 0);
	put8(p, IKEV2_T_ESN); put8(p, 0); put16(p, 0);
	pl_end(p, t);
	pl_end(p, pr);
	pl_end(p, o);
	o = pl_begin(p, IKEV2_NP_KE);
	putfill(p, 0x77, 32);
	pl_end(p, o);
	o = pl_begin(p, IKEV2_NP_TSI);
	put16(p, 14); put16(p, 0); putfill(p, 0x99, 256);
	pl_end(p, o);
	o = pl_begin(p, IKEV2_NP_TSR);
	put8(p, 1); putz(p, 3);
	put8(p, IKEV2_TS_IPV4_RANGE); put8(p, 17); put16(p, 16); put16(p, 1701); put16(p, 1701);
	put32(p, IP4(10, 0, 0, 0)); put32(p, IP4(10, 0, 0, 255));
	pl_end(p, o);
	o = pl_begin(p, 0);
	put8(p, 2); putz(p, 3); /* claims two selectors, has one of IPv6 with a bad length */
	put8(p, IKEV2_TS_IPV6_RANGE); put8(p, 0); put16(p, 16); put16(p, 0); put16(p, 65535);
	putz(p, 8);
	pl_end(p, o);
}

static void test_ikev2(void)
{
	struct pkt p = { .n = 0 };
	struct isakmp_iter it;
	struct isakmp_payload pl;
	put_ccsa_chain(&p);

	isakmp_iter_init(&it, IKEV2_NP_N, true, p.b, p.n, p.n);
	g_assert_true(isakmp_iter_next(&it, &pl));
	g_assert_true(pl.v2);
	struct isakmp_notify n;
	g_assert_cmpint(isakmp_notify_parse(&pl, &n), ==, AN_NONE);
	g_assert_cmpuint(n.type, ==, IKEV2_N_REKEY_SA);
	g_assert_cmpuint(n.protocol, ==, 3);
	g_assert_cmphex(n.spi32, ==, 0x0badf00d);
	g_assert_cmpuint(n.data_len, ==, 0);
	g_assert_false(n.has_lifetime);

	g_assert_true(isakmp_iter_next(&it, &pl));
	g_assert_cmpuint(pl.type, ==, IKEV2_NP_SA);
	struct ikev2_sa sa;
	g_assert_cmpint(ikev2_sa_parse(&pl, &sa), ==, AN_NONE);
	g_assert_cmpuint(sa.proposals_seen, ==, 1);
	g_assert_cmpuint(sa.p[0].protocol, ==, 3);
	g_assert_cmphex(sa.p[0].spi32, ==, 0xc1d2e3f4);
	g_assert_cmpuint(sa.p[0].n_transforms, ==, 3);
	g_assert_cmpuint(sa.p[0].transforms_stored, ==, 3);
	g_assert_cmpuint(sa.p[0].t[0].type, ==, IKEV2_T_ENCR);
	g_assert_cmpuint(sa.p[0].t[0].id, ==, 12);
	g_assert_cmpuint(sa.p[0].t[0].key_length, ==, 256);
	g_assert_cmpuint(sa.p[0].t[1].type, ==, IKEV2_T_INTEG);
	g_assert_cmpuint(sa.p[0].t[1].key_length, ==, 0);
	g_assert_cmpuint(sa.p[0].t[2].type, ==, IKEV2_T_ESN);

	g_assert_true(isakmp_iter_next(&it, &pl));
	struct isakmp_blob nonce;
	g_assert_cmpint(isakmp_nonce_parse(&pl, &nonce), ==, AN_NONE);
	g_assert_cmpuint(nonce.len, ==, 32);
	g_assert_true(isakmp_iter_next(&it, &pl));
	struct isakmp_ke ke;
	g_assert_cmpint(isakmp_ke_parse(&pl, &ke), ==, AN_NONE);
	g_assert_cmpuint(ke.group, ==, 14);
	g_assert_cmpuint(ke.len, ==, 256);
	g_assert_true(isakmp_iter_next(&it, &pl));
	g_assert_cmpuint(pl.type, ==, IKEV2_NP_TSI);
	struct ikev2_ts_list ts;
	g_assert_cmpint(ikev2_ts_parse(&pl, &ts), ==, AN_NONE);
	g_assert_cmpuint(ts.n_ts, ==, 1);
	g_assert_cmpuint(ts.ts[0].type, ==, IKEV2_TS_IPV4_RANGE);
	g_assert_cmpuint(ts.ts[0].ip_proto, ==, 17);
	g_assert_cmpuint(ts.ts[0].start_port, ==, 1701);
	g_assert_cmpuint(ts.ts[0].end_port, ==, 1701);
	g_assert_cmpuint(ts.ts[0].start.family, ==, 4);
	g_assert_cmpuint(ts.ts[0].start.b[0], ==, 10);
	g_assert_cmpuint(ts.ts[0].end.b[3], ==, 255);
	g_assert_true(isakmp_iter_next(&it, &pl));
	g_assert_cmpuint(pl.type, ==, IKEV2_NP_TSR);
	g_assert_cmpint(ikev2_ts_parse(&pl, &ts), ==, AN_IKE_MALFORMED); /* an IPv6 range 16 bytes long */
	g_assert_false(isakmp_iter_next(&it, &pl));
	g_assert_cmpint(it.anomaly, ==, AN_NONE);

	/* a nonce of 8 bytes is too short for IKEv2 */
	const uint8_t eight[8] = { 0 };
	struct isakmp_payload np = { .type = IKEV2_NP_NONCE, .v2 = true, .body = eight, .body_len = 8 };
	g_assert_cmpint(isakmp_nonce_parse(&np, &nonce), ==, AN_IKE_MALFORMED);
	np.v2 = false;
	g_assert_cmpint(isakmp_nonce_parse(&np, &nonce), ==, AN_NONE);

	/* Delete: two ESP SPIs; the IKE SA itself (no SPIs) */
	const uint8_t del[] = { 3, 4, 0, 2, 0xaa, 0xbb, 0xcc, 0xdd, 0x11, 0x22, 0x33, 0x44 };
	struct isakmp_payload dp = { .type = IKEV2_NP_D, .v2 = true, .body = del, .body_len = sizeof del };
	struct isakmp_delete d;
	g_assert_cmpint(isakmp_delete_parse(&dp, &d), ==, AN_NONE);
	g_assert_cmpuint(d.n_spis, ==, 2);
	g_assert_cmphex(d.spi32[0], ==, 0xaabbccdd);
	g_assert_cmphex(d.spi32[1], ==, 0x11223344);
	const uint8_t del_ike[] = { 1, 0, 0, 0 };
	dp.body = del_ike;
	dp.body_len = sizeof del_ike;
	g_assert_cmpint(isakmp_delete_parse(&dp, &d), ==, AN_NONE);
	g_assert_cmpuint(d.protocol, ==, 1);
	g_assert_cmpuint(d.n_spis, ==, 0);
	dp.body_len = 3;
	g_assert_cmpint(isakmp_delete_parse(&dp, &d), ==, AN_IKE_MALFORMED);
}

static void test_ikev2_sk(void)
{
	struct pkt p = { .n = 0 };
	struct isakmp_iter it;
	struct isakmp_header h;
	struct isakmp_payload pl;

	/* HDR, SK {N, ...}: iteration stops at SK and names the inner first payload */
	put_hdr(&p, IKEV2_NP_SK, 0x20, IKEV2_X_CREATE_CHILD, IKEV2_FLAG_INITIATOR, 7);
	size_t o = pl_begin(&p, IKEV2_NP_N);
	p.b[o + 1] = 0x80; /* critical */
	putfill(&p, 0xee, 16 + 64 + 12);
	pl_end(&p, o);
	msg_end(&p);
	g_assert_cmpint(isakmp_iter_msg(&it, p.b, p.n, p.n, &h), ==, AN_NONE);
	g_assert_cmpuint(h.major_version, ==, 2);
	g_assert_cmpuint(h.flags, ==, IKEV2_FLAG_INITIATOR);
	g_assert_true(isakmp_iter_next(&it, &pl));
	g_assert_cmpuint(pl.type, ==, IKEV2_NP_SK);
	g_assert_cmpuint(pl.next, ==, IKEV2_NP_N);
	g_assert_true(pl.critical);
	g_assert_false(isakmp_iter_next(&it, &pl));
	g_assert_cmpint(it.anomaly, ==, AN_NONE);
	isakmp_iter_msg(&it, p.b, p.n, p.n, &h);
	isakmp_iter_next(&it, &pl);
	struct ikev2_sk sk;
	g_assert_cmpint(ikev2_sk_parse(&pl, &sk), ==, AN_NONE);
	g_assert_cmpuint(sk.first_inner, ==, IKEV2_NP_N);
	g_assert_false(sk.fragment);
	g_assert_cmpuint(sk.len, ==, 92);
	g_assert_true(sk.data == p.b + 32);

	/* SKF: fragment 2 of 3 names no inner payload; 0 of 3 is malformed */
	const uint8_t skf[] = { 0, 2, 0, 3, 1, 2, 3, 4 };
	struct isakmp_payload fp = { .type = IKEV2_NP_SKF, .next = 0, .v2 = true,
				     .body = skf, .body_len = sizeof skf };
	g_assert_cmpint(ikev2_sk_parse(&fp, &sk), ==, AN_NONE);
	g_assert_true(sk.fragment);
	g_assert_cmpuint(sk.frag_number, ==, 2);
	g_assert_cmpuint(sk.frag_total, ==, 3);
	g_assert_cmpuint(sk.len, ==, 4);
	const uint8_t skf0[] = { 0, 0, 0, 3 };
	fp.body = skf0;
	fp.body_len = sizeof skf0;
	g_assert_cmpint(ikev2_sk_parse(&fp, &sk), ==, AN_IKE_MALFORMED);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dissect/isakmp/header", test_header);
	g_test_add_func("/dissect/isakmp/quick-mode", test_quick_mode);
	g_test_add_func("/dissect/isakmp/attributes", test_attrs);
	g_test_add_func("/dissect/isakmp/sa-limits", test_sa_limits);
	g_test_add_func("/dissect/isakmp/notify-delete-v1", test_notify_delete_v1);
	g_test_add_func("/dissect/isakmp/bad-chains", test_bad_chains);
	g_test_add_func("/dissect/isakmp/ikev2", test_ikev2);
	g_test_add_func("/dissect/isakmp/ikev2-sk", test_ikev2_sk);
	return g_test_run();
}
