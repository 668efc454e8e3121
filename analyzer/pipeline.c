#include "analyzer/pipeline.h"

#include <string.h>

#define BATCH_BYTES (1u << 20)
#define BATCHES 4

enum entry_kind { ENTRY_ESP, ENTRY_EXCHANGE, ENTRY_SUPERSEDED };

/* Entries are packed back to back, each followed by its packet bytes. */
struct entry {
	void *obj;                      /* struct esp_sa * or struct exchange * */
	uint64_t ts;
	uint32_t len, seq;
	uint32_t kind;
};

struct batch {
	_Alignas(struct entry) uint8_t data[BATCH_BYTES]; /* entries are read in place */
	size_t used;
	bool stop;                      /* tells the worker to end */
};

struct pipeline {
	struct decryptor *d;
	GThread *worker;
	GAsyncQueue *full, *free;
	struct batch *cur;              /* being filled by the reader */
};

static size_t entry_size(uint32_t len)
{
	return (sizeof(struct entry) + len + 7) & ~(size_t)7;
}

static void run_batch(struct decryptor *d, const struct batch *b)
{
	for (size_t off = 0; off < b->used;) {
		const struct entry *e = (const struct entry *)(const void *)(b->data + off);
		switch (e->kind) {
		case ENTRY_ESP:
			decrypt_esp_packet(d, e->obj, (const uint8_t *)(e + 1), e->len, e->seq, e->ts);
			break;
		case ENTRY_EXCHANGE:
			decrypt_snapshot_exchange(e->obj);
			break;
		default:
			decrypt_snapshot_superseded(e->obj);
			break;
		}
		off += entry_size(e->len);
	}
}

static gpointer worker(gpointer data)
{
	struct pipeline *p = data;
	for (;;) {
		struct batch *b = g_async_queue_pop(p->full);
		if (b->stop) {
			g_async_queue_push(p->free, b);
			return NULL;
		}
		run_batch(p->d, b);
		b->used = 0;
		g_async_queue_push(p->free, b);
	}
}

struct pipeline *pipeline_new(struct decryptor *d)
{
	struct pipeline *p = g_new0(struct pipeline, 1);
	p->d = d;
	p->full = g_async_queue_new();
	p->free = g_async_queue_new();
	for (int i = 1; i < BATCHES; i++)
		g_async_queue_push(p->free, g_new0(struct batch, 1));
	p->cur = g_new0(struct batch, 1);
	p->worker = g_thread_new("esp-decrypt", worker, p);
	return p;
}

static void submit(struct pipeline *p)
{
	g_async_queue_push(p->full, p->cur);
	p->cur = g_async_queue_pop(p->free);
}

static void put(struct pipeline *p, uint32_t kind, void *obj, uint64_t ts, uint32_t seq, const uint8_t *bytes,
		uint32_t len)
{
	size_t need = entry_size(len);
	if (p->cur->used + need > BATCH_BYTES)
		submit(p);
	struct entry e = { .obj = obj, .ts = ts, .len = len, .seq = seq, .kind = kind };
	memcpy(p->cur->data + p->cur->used, &e, sizeof(e));
	if (len)
		memcpy(p->cur->data + p->cur->used + sizeof(e), bytes, len);
	p->cur->used += need;
}

void pipeline_esp(struct pipeline *p, struct esp_sa *sa, const struct frame *f, uint64_t ts)
{
	put(p, ENTRY_ESP, sa, ts, f->seq, f->esp, f->esp_len);
}

void pipeline_snapshot_exchange(struct pipeline *p, struct exchange *x)
{
	put(p, ENTRY_EXCHANGE, x, 0, 0, NULL, 0);
}

void pipeline_snapshot_superseded(struct pipeline *p, struct esp_sa *sa)
{
	put(p, ENTRY_SUPERSEDED, sa, 0, 0, NULL, 0);
}

void pipeline_drain(struct pipeline *p)
{
	if (p->cur->used)
		submit(p);
	/* every batch back in the free queue means the worker is idle */
	struct batch *all[BATCHES - 1];
	for (int i = 0; i < BATCHES - 1; i++)
		all[i] = g_async_queue_pop(p->free);
	for (int i = 0; i < BATCHES - 1; i++)
		g_async_queue_push(p->free, all[i]);
}

void pipeline_free(struct pipeline *p)
{
	pipeline_drain(p);
	p->cur->stop = true;
	submit(p);
	g_thread_join(p->worker);
	g_free(p->cur);
	struct batch *b;
	while ((b = g_async_queue_try_pop(p->free)))
		g_free(b);
	g_async_queue_unref(p->full);
	g_async_queue_unref(p->free);
	g_free(p);
}
