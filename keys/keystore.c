/* The key store: ESP records by SPI (hash of exact SPIs + list of wildcard
 * SPIs, first match in store order wins), IKEv1 by initiator cookie, IKEv2
 * by (SPIi, SPIr). */
#include "keys/keystore.h"

#include <string.h>

#include "keys/readers.h"
#include "keys/secret.h"

/* Derived records come first: their order numbers are below this. */
#define FILE_ORDER_BASE ((uint64_t)1 << 40)

struct keystore {
	GPtrArray *derived;     /* struct esp_key *, in the order added */
	GPtrArray *file;        /* struct esp_key *, in file order */
	GHashTable *by_spi;     /* exact SPI -> GPtrArray of esp_key*, in order */
	GPtrArray *wild;        /* wildcard-SPI records, in order */
	GHashTable *ikev1;      /* uint64 cookie -> struct ikev1_key * */
	GHashTable *ikev2;      /* 16-byte "SPIi|SPIr" -> struct ikev2_key * */
	GHashTable *ikev2_sk_d; /* 16-byte "SPIi|SPIr" -> struct ikev2_sk_d * */
	GStringChunk *strings;  /* sources */
	unsigned masked;
};

G_DEFINE_QUARK(esprekey-keys-error-quark, keys_error)

static void wipe_free(gpointer p, size_t n)
{
	secret_wipe(p, n);
	g_free(p);
}

static void esp_free(gpointer p)
{
	wipe_free(p, sizeof(struct esp_key));
}

static void ikev1_free(gpointer p)
{
	wipe_free(p, sizeof(struct ikev1_key));
}

static void ikev2_free(gpointer p)
{
	wipe_free(p, sizeof(struct ikev2_key));
}

static void sk_d_free(gpointer p)
{
	wipe_free(p, sizeof(struct ikev2_sk_d));
}

static guint ikev2_hash(gconstpointer p)
{
	const uint8_t *b = p;
	guint h = 5381;
	for (int i = 0; i < 16; i++)
		h = h * 33 + b[i];
	return h;
}

static gboolean ikev2_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, 16) == 0;
}

struct keystore *keystore_new(void)
{
	struct keystore *ks = g_new0(struct keystore, 1);
	ks->derived = g_ptr_array_new_with_free_func(esp_free);
	ks->file = g_ptr_array_new_with_free_func(esp_free);
	ks->by_spi = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
					   (GDestroyNotify)g_ptr_array_unref);
	ks->wild = g_ptr_array_new();
	ks->ikev1 = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, ikev1_free);
	ks->ikev2 = g_hash_table_new_full(ikev2_hash, ikev2_equal, g_free, ikev2_free);
	ks->ikev2_sk_d = g_hash_table_new_full(ikev2_hash, ikev2_equal, g_free, sk_d_free);
	ks->strings = g_string_chunk_new(256);
	return ks;
}

void keystore_free(struct keystore *ks)
{
	if (!ks)
		return;
	g_hash_table_destroy(ks->by_spi);
	g_ptr_array_free(ks->wild, TRUE);
	g_ptr_array_free(ks->derived, TRUE);
	g_ptr_array_free(ks->file, TRUE);
	g_hash_table_destroy(ks->ikev1);
	g_hash_table_destroy(ks->ikev2);
	g_hash_table_destroy(ks->ikev2_sk_d);
	g_string_chunk_free(ks->strings);
	g_free(ks);
}

const char *keystore_intern(struct keystore *ks, const char *s)
{
	return g_string_chunk_insert_const(ks->strings, s);
}

/* ---- ESP ---- */

static bool addr_match(const struct addr_match *m, const struct addr *a)
{
	if (m->any)
		return true;
	if (!a || a->family != m->family)
		return false;
	size_t n = m->family == 4 ? 4 : 16;
	for (size_t i = 0; i < n; i++)
		if ((a->b[i] & m->mask[i]) != m->value[i])
			return false;
	return true;
}

bool esp_key_matches(const struct esp_key *k, uint32_t spi, const struct addr *src,
		     const struct addr *dst)
{
	if ((spi & k->spi_mask) != k->spi)
		return false;
	if (k->proto == ESP_SA_ANY)
		return true;
	if (!src || !dst || src->family != (uint8_t)k->proto)
		return false;
	return addr_match(&k->src, src) && addr_match(&k->dst, dst);
}

static void set_addr_exact(struct addr_match *m, const struct addr *a)
{
	memset(m, 0, sizeof *m);
	if (!a || (a->family != 4 && a->family != 6)) {
		m->any = true;
		return;
	}
	m->family = a->family;
	size_t n = a->family == 4 ? 4 : 16;
	memcpy(m->value, a->b, n);
	memset(m->mask, 0xff, n);
}

void esp_key_set_selector(struct esp_key *k, uint32_t spi, const struct addr *src,
			  const struct addr *dst)
{
	k->spi = spi;
	k->spi_mask = 0xffffffffu;
	set_addr_exact(&k->src, src);
	set_addr_exact(&k->dst, dst);
	if (src && dst && src->family == dst->family && (src->family == 4 || src->family == 6))
		k->proto = (enum esp_sa_proto)src->family;
	else
		k->proto = ESP_SA_ANY;
}

static void index_esp(struct keystore *ks, struct esp_key *k)
{
	if (k->spi_mask == 0xffffffffu) {
		gpointer key = GUINT_TO_POINTER(k->spi);
		GPtrArray *list = g_hash_table_lookup(ks->by_spi, key);
		if (!list) {
			list = g_ptr_array_new();
			g_hash_table_insert(ks->by_spi, key, list);
		}
		/* Keep each list sorted by order: derived records are added
		 * after file records but must come first. */
		guint i = list->len;
		while (i > 0 && ((struct esp_key *)list->pdata[i - 1])->order > k->order)
			i--;
		g_ptr_array_insert(list, (gint)i, k);
	} else {
		guint i = ks->wild->len;
		while (i > 0 && ((struct esp_key *)ks->wild->pdata[i - 1])->order > k->order)
			i--;
		g_ptr_array_insert(ks->wild, (gint)i, k);
	}
}

const struct esp_key *keystore_esp_lookup(const struct keystore *ks, uint32_t spi,
					  const struct addr *src, const struct addr *dst)
{
	const struct esp_key *best = NULL;
	GPtrArray *list = g_hash_table_lookup(ks->by_spi, GUINT_TO_POINTER(spi));
	if (list)
		for (guint i = 0; i < list->len; i++) {
			const struct esp_key *k = list->pdata[i];
			if (esp_key_matches(k, spi, src, dst)) {
				best = k;
				break;
			}
		}
	/* A wildcard record wins only if it comes earlier in the file. */
	for (guint i = 0; i < ks->wild->len; i++) {
		const struct esp_key *k = ks->wild->pdata[i];
		if (best && k->order > best->order)
			break;
		if (esp_key_matches(k, spi, src, dst))
			return k;
	}
	return best;
}

const struct esp_key *keystore_add_esp(struct keystore *ks, const struct esp_key *k,
				       const char *source)
{
	struct esp_key *c = g_new(struct esp_key, 1);
	*c = *k;
	c->source = keystore_intern(ks, source ? source : "derived");
	c->order = ks->derived->len;
	g_ptr_array_add(ks->derived, c);
	index_esp(ks, c);
	return c;
}

size_t keystore_esp_count(const struct keystore *ks)
{
	return ks->derived->len + ks->file->len;
}

const struct esp_key *keystore_esp_at(const struct keystore *ks, size_t i)
{
	if (i < ks->derived->len)
		return ks->derived->pdata[i];
	i -= ks->derived->len;
	return i < ks->file->len ? ks->file->pdata[i] : NULL;
}

/* ---- IKE ---- */

static uint64_t cookie64(const uint8_t c[8])
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | c[i];
	return v;
}

const struct ikev1_key *keystore_ikev1_lookup(const struct keystore *ks, const uint8_t cky_i[8])
{
	uint64_t v = cookie64(cky_i);
	return g_hash_table_lookup(ks->ikev1, &v);
}

const struct ikev2_key *keystore_ikev2_lookup(const struct keystore *ks, const uint8_t spi_i[8],
					      const uint8_t spi_r[8])
{
	uint8_t key[16];
	memcpy(key, spi_i, 8);
	memcpy(key + 8, spi_r, 8);
	return g_hash_table_lookup(ks->ikev2, key);
}

static void merge_ikev1(struct keystore *ks, struct ikev1_key *n)
{
	uint64_t v = cookie64(n->cky_i);
	struct ikev1_key *o = g_hash_table_lookup(ks->ikev1, &v);
	if (!o) {
		uint64_t *key = g_new(uint64_t, 1);
		*key = v;
		o = g_new0(struct ikev1_key, 1);
		memcpy(o->cky_i, n->cky_i, 8);
		g_hash_table_insert(ks->ikev1, key, o);
	}
	/* The first value loaded for each part wins. */
	if (!o->has_cky_r && n->has_cky_r) {
		memcpy(o->cky_r, n->cky_r, 8);
		o->has_cky_r = true;
	}
	if (!o->ka_len && n->ka_len) {
		memcpy(o->ka, n->ka, n->ka_len);
		o->ka_len = n->ka_len;
		o->ka_source = n->ka_source;
	}
	if (!o->skeyid_d_len && n->skeyid_d_len) {
		memcpy(o->skeyid_d, n->skeyid_d, n->skeyid_d_len);
		o->skeyid_d_len = n->skeyid_d_len;
		o->skeyid_d_source = n->skeyid_d_source;
	}
	if (!o->skeyid_a_len && n->skeyid_a_len) {
		memcpy(o->skeyid_a, n->skeyid_a, n->skeyid_a_len);
		o->skeyid_a_len = n->skeyid_a_len;
		o->skeyid_a_source = n->skeyid_a_source;
	}
}

void keystore_commit(struct keystore *ks, struct keyfile *kf)
{
	for (guint i = 0; i < kf->esp->len; i++) {
		struct esp_key *k = kf->esp->pdata[i];
		kf->esp->pdata[i] = NULL;
		k->order = FILE_ORDER_BASE + ks->file->len;
		g_ptr_array_add(ks->file, k);
		index_esp(ks, k);
	}
	for (guint i = 0; i < kf->ikev1->len; i++)
		merge_ikev1(ks, kf->ikev1->pdata[i]);
	for (guint i = 0; i < kf->ikev2->len; i++) {
		struct ikev2_key *k = kf->ikev2->pdata[i];
		uint8_t key[16];
		memcpy(key, k->spi_i, 8);
		memcpy(key + 8, k->spi_r, 8);
		if (g_hash_table_contains(ks->ikev2, key))
			continue; /* first wins */
		kf->ikev2->pdata[i] = NULL;
		g_hash_table_insert(ks->ikev2, g_memdup2(key, 16), k);
	}
	for (guint i = 0; i < kf->sk_d->len; i++) {
		struct ikev2_sk_d *k = kf->sk_d->pdata[i];
		uint8_t key[16];
		memcpy(key, k->spi_i, 8);
		memcpy(key + 8, k->spi_r, 8);
		if (g_hash_table_contains(ks->ikev2_sk_d, key))
			continue; /* first wins */
		kf->sk_d->pdata[i] = NULL;
		g_hash_table_insert(ks->ikev2_sk_d, g_memdup2(key, 16), k);
	}
	ks->masked += kf->masked;
}

const struct ikev2_sk_d *keystore_ikev2_sk_d(const struct keystore *ks, const uint8_t spi_i[8],
					      const uint8_t spi_r[8])
{
	uint8_t key[16];
	memcpy(key, spi_i, 8);
	memcpy(key + 8, spi_r, 8);
	return g_hash_table_lookup(ks->ikev2_sk_d, key);
}

void keystore_get_counts(const struct keystore *ks, struct keystore_counts *out)
{
	memset(out, 0, sizeof *out);
	out->esp = ks->derived->len + ks->file->len;
	out->esp_derived = ks->derived->len;
	out->esp_wildcard = ks->wild->len;
	out->ikev1 = g_hash_table_size(ks->ikev1);
	GHashTableIter it;
	gpointer v;
	g_hash_table_iter_init(&it, ks->ikev1);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		const struct ikev1_key *k = v;
		out->ikev1_ka += k->ka_len != 0;
		out->ikev1_skeyid_d += k->skeyid_d_len != 0;
		out->ikev1_skeyid_a += k->skeyid_a_len != 0;
	}
	out->ikev2 = g_hash_table_size(ks->ikev2);
	out->ikev2_sk_d = g_hash_table_size(ks->ikev2_sk_d);
	out->masked = ks->masked;
}
