/* Report writers: the text report (stdout), the CSV files, JSON. */
#ifndef ESPREKEY_REPORT_H
#define ESPREKEY_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "analyzer/analysis.h"

void report_text(const struct analysis *a, FILE *f);
void report_json(const struct analysis *a, FILE *f);
/* Writes rekeys.csv, sas.csv, throughput.csv, dips.csv and timeline.svg into dir. */
bool report_csv(const struct analysis *a, const char *dir, char **err);
/* The throughput of every tunnel over time, with its rekeys and dips, as SVG. */
bool report_svg(const struct analysis *a, const char *path, char **err);

/* The one-sentence verdict for a tunnel, shared by text and JSON. */
void tunnel_verdict(const struct analysis *a, const struct tunnel_analysis *ta, char *buf, size_t len);

#endif
