/* Every capture of the tcpdump test corpus through every dissector: no crash
 * (this runs under ASan/UBSan in `make SANITIZE=1 check`), and a few exact
 * counts checked against tshark.  The corpus directory comes from
 * ESPREKEY_CORPUS, default ../shared/corpus/tcpdump from the repo root. */
#include <glib.h>
#include <pcap/pcap.h>

#include "dissect/frame.h"
#include "dissect/inner.h"
#include "dissect/isakmp.h"
#include "dissect/link.h"

struct counts {
	unsigned frames, esp, ike, keepalive, not_ip, ip_other, held, anomaly;
	unsigned ike_payloads;
	uint32_t spis[64];
	unsigned n_spis;
};

static const char *corpus_dir(void)
{
	const char *d = g_getenv("ESPREKEY_CORPUS");
	return d && *d ? d : "../shared/corpus/tcpdump";
}

/* Every decoder on every payload, whatever its type: they must all cope. */
static void all_decoders(const struct isakmp_payload *pl)
{
	struct ikev1_sa sa1;
	struct ikev2_sa sa2;
	struct isakmp_ke ke;
	struct isakmp_blob b;
	struct isakmp_id id;
	struct isakmp_notify n;
	struct isakmp_delete d;
	struct ikev2_sk sk;
	struct ikev1_attrs a;
	struct ikev2_ts_list ts;
	struct isakmp_payload v = *pl;

	for (int version = 0; version < 2; version++) {
		v.v2 = version;
		(void)ikev1_sa_parse(&v, &sa1);
		(void)ikev2_sa_parse(&v, &sa2);
		(void)isakmp_ke_parse(&v, &ke);
		(void)isakmp_nonce_parse(&v, &b);
		(void)isakmp_id_parse(&v, &id);
		(void)isakmp_notify_parse(&v, &n);
		(void)isakmp_delete_parse(&v, &d);
		(void)ikev2_sk_parse(&v, &sk);
		(void)ikev1_attrs_parse(v.body, v.body_len, version, &a);
		(void)ikev2_ts_parse(&v, &ts);
	}
}

static void walk_ike(const struct frame *f, struct counts *c)
{
	struct isakmp_iter it;
	struct isakmp_header h;
	struct isakmp_payload pl;

	isakmp_iter_msg(&it, f->ike, f->ike_caplen, f->ike_len, &h);
	while (isakmp_iter_next(&it, &pl)) {
		c->ike_payloads++;
		all_decoders(&pl);
	}
	/* the whole message as a bare chain too, both versions */
	for (int v = 0; v < 2; v++) {
		isakmp_iter_init(&it, h.next_payload, v, f->ike, f->ike_caplen, f->ike_len);
		while (isakmp_iter_next(&it, &pl))
			all_decoders(&pl);
	}
	struct inner in;
	dissect_inner_cap(17, f->ike, f->ike_caplen, f->ike_len, &in);
}

static void walk_esp(const struct frame *f, struct counts *c)
{
	bool seen = false;
	for (unsigned i = 0; i < c->n_spis; i++)
		seen |= c->spis[i] == f->spi;
	if (!seen && c->n_spis < G_N_ELEMENTS(c->spis))
		c->spis[c->n_spis++] = f->spi;

	/* The body is ciphertext here; the inner walker must still cope. */
	static const uint8_t nhs[] = { 4, 41, 17, 6, 59 };
	for (size_t i = 0; i < sizeof nhs; i++) {
		struct inner in;
		dissect_inner_cap(nhs[i], f->esp + 8, f->esp_caplen - 8, f->esp_len - 8, &in);
		dissect_inner(nhs[i], f->esp + 8, f->esp_caplen - 8, &in);
	}
}

static bool run_file(const char *path, struct counts *c)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
	if (!pc)
		return false;
	int dlt = pcap_datalink(pc);
	struct frag_table *ft = frag_table_new();
	g_assert_nonnull(ft);
	struct pcap_pkthdr *hdr;
	const u_char *data;
	memset(c, 0, sizeof *c);
	while (pcap_next_ex(pc, &hdr, &data) == 1) {
		struct frame f;
		uint64_t ts = (uint64_t)hdr->ts.tv_sec * 1000000000ull + (uint64_t)hdr->ts.tv_usec;
		/* an unsupported link type still must not crash: try it as Ethernet too */
		dissect_frame(ft, link_supported(dlt) ? dlt : 1, ts, data, hdr->caplen, hdr->len, &f);
		c->frames++;
		switch (f.kind) {
		case FK_ESP: c->esp++; walk_esp(&f, c); break;
		case FK_IKE: c->ike++; walk_ike(&f, c); break;
		case FK_NATT_KEEPALIVE: c->keepalive++; break;
		case FK_NOT_IP: c->not_ip++; break;
		case FK_IP_OTHER: c->ip_other++; break;
		case FK_FRAGMENT_HELD: c->held++; break;
		case FK_ANOMALY: c->anomaly++; break;
		}
		g_assert_true((f.kind == FK_ANOMALY) == (f.anomaly != AN_NONE));
	}
	frag_table_expire(ft, UINT64_MAX);
	g_assert_cmpuint(frag_table_in_use(ft), ==, 0);
	frag_table_free(ft);
	pcap_close(pc);
	return true;
}

static gchar *corpus_file(const char *name)
{
	return g_build_filename(corpus_dir(), name, NULL);
}

static bool have_corpus(void)
{
	if (g_file_test(corpus_dir(), G_FILE_TEST_IS_DIR))
		return true;
	g_test_skip("no tcpdump corpus (set ESPREKEY_CORPUS)");
	return false;
}

static void test_all_files(void)
{
	if (!have_corpus())
		return;
	GDir *dir = g_dir_open(corpus_dir(), 0, NULL);
	g_assert_nonnull(dir);
	const char *name;
	unsigned files = 0, frames = 0, esp = 0, ike = 0;
	while ((name = g_dir_read_name(dir))) {
		if (!g_str_has_suffix(name, ".pcap") && !g_str_has_suffix(name, ".pcapng"))
			continue;
		gchar *path = corpus_file(name);
		struct counts c;
		if (run_file(path, &c)) {
			files++;
			frames += c.frames;
			esp += c.esp;
			ike += c.ike;
		}
		g_free(path);
	}
	g_dir_close(dir);
	g_test_message("%u files, %u frames, %u ESP, %u IKE", files, frames, esp, ike);
	g_assert_cmpuint(files, >, 100);
	g_assert_cmpuint(esp, >, 0);
	g_assert_cmpuint(ike, >, 0);
}

static void count_file(const char *name, struct counts *c)
{
	gchar *path = corpus_file(name);
	g_assert_true(run_file(path, c));
	g_free(path);
}

/* Counts from tshark -Y esp / -Y isakmp / UDPENCAP keepalives. */
static void test_exact_counts(void)
{
	if (!have_corpus())
		return;
	struct counts c;

	count_file("02-sunrise-sunset-esp.pcap", &c);
	g_assert_cmpuint(c.frames, ==, 8);
	g_assert_cmpuint(c.esp, ==, 8);
	g_assert_cmpuint(c.n_spis, ==, 1);
	g_assert_cmphex(c.spis[0], ==, 0x12345678);

	count_file("espudp1.pcap", &c);
	g_assert_cmpuint(c.esp, ==, 8);
	g_assert_cmpuint(c.n_spis, ==, 1);

	count_file("isakmp4500.pcap", &c);
	g_assert_cmpuint(c.frames, ==, 35);
	g_assert_cmpuint(c.ike, ==, 15);
	g_assert_cmpuint(c.esp, ==, 8);
	g_assert_cmpuint(c.keepalive, ==, 4);
	g_assert_cmpuint(c.not_ip, ==, 8); /* ARP */
	g_assert_cmpuint(c.n_spis, ==, 1);
	g_assert_cmphex(c.spis[0], ==, 0xf4dc0ae5);

	count_file("ikev2four.pcap", &c);
	g_assert_cmpuint(c.ike, ==, 21);

	count_file("ISAKMP_sa_setup.pcap", &c);
	g_assert_cmpuint(c.ike, ==, 9);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/dissect/corpus/all-files", test_all_files);
	g_test_add_func("/dissect/corpus/exact-counts", test_exact_counts);
	return g_test_run();
}
