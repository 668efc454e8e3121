/* Names and texts of the anomaly kinds, from ANOMALY_LIST in packet.h. */
#include "dissect/packet.h"

static const struct {
	const char *text;
	bool truncation;
} anomalies[AN_COUNT] = {
	[AN_NONE] = { "no anomaly", false },
#define X(id, txt, trunc) [AN_##id] = { txt, trunc },
	ANOMALY_LIST(X)
#undef X
};

/* The short names are written out so they stay plain string literals (the
 * preprocessor cannot lower-case); test_dissect_anomaly rebuilds each one from
 * the enum identifier, so a kind added to ANOMALY_LIST without a name here
 * fails that test (and returns "unknown" meanwhile, never NULL). */
static const char *const names[AN_COUNT] = {
	[AN_NONE] = "none",
	[AN_LINK_TRUNCATED] = "link-truncated",
	[AN_LINK_MALFORMED] = "link-malformed",
	[AN_IP_TRUNCATED] = "ip-truncated",
	[AN_IP_MALFORMED] = "ip-malformed",
	[AN_IP_FRAG_DROPPED] = "ip-frag-dropped",
	[AN_UDP_TRUNCATED] = "udp-truncated",
	[AN_UDP_MALFORMED] = "udp-malformed",
	[AN_ESP_TRUNCATED] = "esp-truncated",
	[AN_ESP_MALFORMED] = "esp-malformed",
	[AN_IKE_TRUNCATED] = "ike-truncated",
	[AN_IKE_MALFORMED] = "ike-malformed",
	[AN_L2TP_TRUNCATED] = "l2tp-truncated",
	[AN_L2TP_MALFORMED] = "l2tp-malformed",
	[AN_PPP_TRUNCATED] = "ppp-truncated",
	[AN_PPP_MALFORMED] = "ppp-malformed",
	[AN_INNER_IP_TRUNCATED] = "inner-ip-truncated",
	[AN_INNER_IP_MALFORMED] = "inner-ip-malformed",
	[AN_TCP_TRUNCATED] = "tcp-truncated",
	[AN_TCP_MALFORMED] = "tcp-malformed",
	[AN_INNER_UDP_TRUNCATED] = "inner-udp-truncated",
	[AN_INNER_UDP_MALFORMED] = "inner-udp-malformed",
};

const char *anomaly_text(enum anomaly a)
{
	if ((unsigned)a >= AN_COUNT)
		return "unknown anomaly";
	return anomalies[a].text;
}

const char *anomaly_name(enum anomaly a)
{
	if ((unsigned)a >= AN_COUNT || !names[a])
		return "unknown";
	return names[a];
}

bool anomaly_is_truncation(enum anomaly a)
{
	if ((unsigned)a >= AN_COUNT)
		return false;
	return anomalies[a].truncation;
}
