/* One analysis: the frames of one capture (or a rotated set read as one)
 * through the dissectors and the tracker, then rekeys, causes, dips and
 * their correlation.  All state lives here, so analyses can run side by side
 * on worker threads. */
#ifndef ESPREKEY_ANALYSIS_H
#define ESPREKEY_ANALYSIS_H

#include <glib.h>

#include "analyzer/correlate.h"
#include "analyzer/decrypt.h"
#include "analyzer/dips.h"
#include "analyzer/options.h"
#include "analyzer/rekey.h"
#include "analyzer/tracker.h"

struct input_file {
	char *path;
	int dlt;
	uint64_t frames;
	bool cut_short;
	bool mixed_link_types;       /* a pcapng file with interfaces of several link types */
	char *note;                  /* why reading stopped early, or NULL */
};

struct tunnel_analysis {
	struct tunnel *tun;
	GArray *rekeys;              /* struct rekey */
	struct dip_result dips[2];   /* by enum dir */
	struct corr_result corr;     /* both directions: index 0 = up, 1 = down */
	/* the same on inner TCP goodput, when ESP was decrypted */
	bool has_goodput;
	struct dip_result gdips[2];
	struct corr_result gcorr;
};

struct analysis {
	const struct options *opt;
	struct tracker tracker;
	struct frag_table *frags;
	struct keystore *keys;       /* NULL: no --keys */
	struct decryptor decryptor;
	struct pipeline *pipe;       /* ESP decryption on a worker thread, or NULL */
	GPtrArray *inputs;           /* struct input_file * */
	GPtrArray *tunnels;          /* struct tunnel_analysis * */
};

/* keys may be NULL; the analysis uses it (derived keys are added to it). */
void analysis_init(struct analysis *a, const struct options *opt, struct keystore *keys);
/* Reads one capture file into the analysis.  Returns false with a one-line
 * message in *err when the file cannot be read at all. */
bool analysis_read(struct analysis *a, const char *path, char **err);
void analysis_finish(struct analysis *a);
void analysis_free(struct analysis *a);

/* The rekey whose correlation window holds dip k of direction d, or NULL. */
const struct rekey *dip_rekey(const struct tunnel_analysis *ta, int d, size_t k);
const struct rekey *gdip_rekey(const struct tunnel_analysis *ta, int d, size_t k);
/* A tunnel's per-side series array, by direction. */
struct series *tunnel_series(struct tunnel *tun, struct series pair[2], enum dir d);
/* The byte lifetime in force: negotiated if any SA learned one, else assumed. */
uint64_t tunnel_lifetime_kb(const struct tunnel_analysis *ta, const struct options *o, bool *negotiated);
/* The time lifetime in force: negotiated if any SA learned one, else assumed. */
uint64_t tunnel_lifetime_s(const struct tunnel_analysis *ta, const struct options *o);

/* Seconds since the capture start, for reports. */
double analysis_rel_s(const struct analysis *a, uint64_t ts_ns);

#endif
