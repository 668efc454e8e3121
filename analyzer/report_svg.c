/* timeline.svg: per tunnel, the throughput of each direction over time, the
 * rekeys as vertical lines and the dips as shaded bands (orange when a rekey
 * explains them, grey when none does): the whole story at a glance. */
#include "analyzer/report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>

#define WIDTH 1000
#define PANEL_H 220
#define LEFT 60
#define RIGHT 20
#define TOP 30
#define PLOT_H 150
#define MAX_POINTS 1500  /* more windows than this are summed into wider bins */

static const char *const DIR_COLOR[2] = { "#1f77b4", "#2ca02c" };
static const char *const DIR_NAME[2] = { "up", "down" };

struct frame_geom {
	double t_start, t_end;  /* seconds since the capture start shown */
	double y_max;           /* Mbit/s at the top */
	int y0;                 /* pixel row of the panel's top */
};

static double px_x(const struct frame_geom *g, double t)
{
	double span = g->t_end - g->t_start;
	return LEFT + (WIDTH - LEFT - RIGHT) * (span > 0 ? (t - g->t_start) / span : 0);
}

static double px_y(const struct frame_geom *g, double mbps)
{
	return g->y0 + TOP + PLOT_H * (1 - (g->y_max > 0 ? mbps / g->y_max : 0));
}

/* A round axis top: 1, 2 or 5 times a power of ten. */
static double nice_ceiling(double v)
{
	static const double steps[] = { 1, 2, 5, 10 };
	if (v <= 0)
		return 1;
	double p = pow(10, floor(log10(v)));
	for (size_t i = 0; i < G_N_ELEMENTS(steps); i++)
		if (steps[i] * p >= v)
			return steps[i] * p;
	return 10 * p;
}

static void series_line(FILE *f, const struct analysis *a, const struct frame_geom *g, const struct series *s,
			size_t n, const char *color, const char *dash)
{
	double t0 = analysis_rel_s(a, s->t0_ns);
	size_t bin = n > MAX_POINTS ? (n + MAX_POINTS - 1) / MAX_POINTS : 1;
	double win_s = (double)s->window_ns / 1e9;
	fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1\"%s%s%s points=\"", color,
		dash ? " stroke-dasharray=\"" : "", dash ? dash : "", dash ? "\"" : "");
	for (size_t i = 0; i < n; i += bin) {
		uint64_t bytes = 0;
		size_t k = 0;
		for (; k < bin && i + k < n; k++)
			bytes += series_bytes_at(s, i + k);
		double mbps = (double)bytes * 8 / ((double)k * win_s) / 1e6;
		fprintf(f, "%.1f,%.1f ", px_x(g, t0 + ((double)i + (double)k / 2) * win_s), px_y(g, mbps));
	}
	fputs("\"/>\n", f);
}

static void panel(FILE *f, const struct analysis *a, const struct tunnel_analysis *ta, int y0)
{
	struct tunnel *t = ta->tun;
	struct frame_geom g = { .t_start = analysis_rel_s(a, t->series[0].t0_ns),
				.t_end = analysis_rel_s(a, t->last_ns), .y0 = y0 };
	double peak = 0;
	const struct series *s[2];
	for (int d = 0; d < 2; d++) {
		s[d] = tunnel_series(t, t->series, (enum dir)d);
		for (size_t i = 0; i < series_len(s[d]); i++)
			peak = fmax(peak, series_bps_at(s[d], i) / 1e6);
	}
	g.y_max = nice_ceiling(peak);
	char cl[64], sv[64];
	addr_format(&t->client, cl, sizeof(cl));
	addr_format(&t->server, sv, sizeof(sv));
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">tunnel %d: client %s, server %s</text>\n", LEFT,
		y0 + 18, t->index, cl, sv);
	/* dips first, under the lines */
	for (int d = 0; d < 2; d++) {
		for (guint k = 0; k < ta->dips[d].episodes->len; k++) {
			const struct dip_episode *e = dip_episode_at(&ta->dips[d], k);
			double x0 = px_x(&g, analysis_rel_s(a, e->start_ns));
			double x1 = px_x(&g, analysis_rel_s(a, e->start_ns + e->duration_ns));
			fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" opacity=\"0.35\">"
				   "<title>%s dip %u: -%.0f %% for %.1f s</title></rect>\n",
				x0, y0 + TOP, fmax(x1 - x0, 1), PLOT_H, dip_rekey(ta, d, k) ? "#ff7f0e" : "#999999",
				DIR_NAME[d], k + 1, 100 * e->depth, (double)e->duration_ns / 1e9);
		}
	}
	/* axes */
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", LEFT, y0 + TOP + PLOT_H,
		WIDTH - RIGHT, y0 + TOP + PLOT_H);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n", LEFT, y0 + TOP, LEFT,
		y0 + TOP + PLOT_H);
	for (int i = 0; i <= 4; i++) {
		double v = g.y_max * i / 4;
		fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"10\">%g</text>\n", LEFT - 4,
			px_y(&g, v) + 3, v);
	}
	double step = nice_ceiling((g.t_end - g.t_start) / 10);
	for (double x = ceil(g.t_start / step) * step; x <= g.t_end + 1e-9 && step > 0; x += step)
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"10\">%g</text>\n", px_x(&g, x),
			y0 + TOP + PLOT_H + 14, x);
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"10\">Mbit/s</text>\n", 4, y0 + TOP + 4);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"10\">seconds since the capture start</text>\n",
		WIDTH - RIGHT, y0 + TOP + PLOT_H + 28);
	/* throughput */
	for (int d = 0; d < 2; d++) {
		series_line(f, a, &g, s[d], series_len(s[d]), DIR_COLOR[d], NULL);
		if (ta->has_goodput) {
			const struct series *gp = tunnel_series(t, t->goodput, (enum dir)d);
			series_line(f, a, &g, gp, series_len(gp), DIR_COLOR[d], "3,2");
		}
	}
	/* rekeys */
	for (guint i = 0; i < ta->rekeys->len; i++) {
		const struct rekey *r = &g_array_index(ta->rekeys, struct rekey, i);
		double x = px_x(&g, analysis_rel_s(a, r->time_ns));
		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#d62728\" stroke-width=\"1.5\">"
			   "<title>rekey %d: %s (%s)</title></line>\n",
			x, y0 + TOP, x, y0 + TOP + PLOT_H, r->index, rekey_cause_name(r->cause), cause_basis_name(r->basis));
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"10\" fill=\"#d62728\">#%d</text>\n",
			x, y0 + TOP - 3, r->index);
	}
	/* legend */
	int lx = WIDTH - RIGHT - 260;
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"11\"><tspan fill=\"%s\">up</tspan> "
		   "<tspan fill=\"%s\">down</tspan>%s <tspan fill=\"#d62728\">| rekey</tspan></text>\n",
		lx, y0 + 18, DIR_COLOR[0], DIR_COLOR[1], ta->has_goodput ? " (dashed: goodput)" : "");
}

bool report_svg(const struct analysis *a, const char *path, char **err)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		*err = g_strdup_printf("%s: %s", path, g_strerror(errno));
		return false;
	}
	int height = PANEL_H * (int)(a->tunnels->len ? a->tunnels->len : 1) + 20;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		   "font-family=\"sans-serif\" font-size=\"12\">\n", WIDTH, height);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	for (guint i = 0; i < a->tunnels->len; i++)
		panel(f, a, g_ptr_array_index(a->tunnels, i), (int)i * PANEL_H);
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#666\">orange: dips that follow a rekey; "
		   "grey: dips no rekey explains</text>\n</svg>\n", LEFT, height - 6);
	if (fclose(f) != 0) {
		*err = g_strdup_printf("%s: write failed: %s", path, g_strerror(errno));
		return false;
	}
	return true;
}
