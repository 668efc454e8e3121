/* mkcapture — command line of the synthetic Windows 10 <-> NVR510 L2TP/IPsec capture generator. */
#include "samples/gen.h"

#include <stdlib.h>
#include <string.h>

static char *opt_count, *opt_link, *opt_format, *opt_keys, *opt_switch;
static gint opt_esp_fields = 8, opt_tunnels = 1, opt_snaplen = 262144, opt_inner_mtu = 0;
static gint opt_extra_dips = 2, opt_late = 3;

static bool parse_choice(const char *what, const char *val, const char *const *names, int *out)
{
    for (int i = 0; names[i]; i++)
        if (!strcmp(val, names[i])) {
            *out = i;
            return true;
        }
    fprintf(stderr, "mkcapture: --%s: unknown value '%s'\n", what, val);
    return false;
}

static char *with_ext(const char *capture, const char *ext)
{
    const char *dot = strrchr(capture, '.');
    const char *slash = strrchr(capture, '/');
    size_t stem = (dot && (!slash || dot > slash)) ? (size_t)(dot - capture) : strlen(capture);
    return g_strdup_printf("%.*s%s", (int)stem, capture, ext);
}

int main(int argc, char **argv)
{
    opts_t o = {
        .seed = 1, .duration = 10, .rate_up = 250, .rate_down = 400, .life_kb = 250000, .life_s = 3600,
        .rekey_pct = 100, .dip_depth = 0.5, .dip_len = 0.6, .loss = 0.0002, .rtt_ms = 8,
        .start_epoch = 1767225600, /* 2026-01-01T00:00:00Z */
    };
    GString *cmd = g_string_new("mkcapture");
    for (int i = 1; i < argc; i++) {
        g_string_append_c(cmd, ' ');
        g_string_append(cmd, argv[i]);
    }
    gboolean no_natt_dummy = FALSE;
    GOptionEntry entries[] = {
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o.out_capture, "capture file (default windows-nvr510.pcapng)", "FILE" },
        { "keys-out", 0, 0, G_OPTION_ARG_FILENAME, &o.out_keys, "key file (default: capture name with .keys)", "FILE" },
        { "truth-out", 0, 0, G_OPTION_ARG_FILENAME, &o.out_truth, "ground truth (default: capture name with .truth.json)", "FILE" },
        { "seed", 's', 0, G_OPTION_ARG_INT64, &o.seed, "PRNG seed; same seed and options = same bytes (1)", "N" },
        { "duration", 'd', 0, G_OPTION_ARG_DOUBLE, &o.duration, "seconds of bulk traffic per tunnel (10)", "S" },
        { "total-bytes", 0, 0, G_OPTION_ARG_INT64, &o.total_bytes, "stop bulk traffic after N ESP bytes (0 = off)", "N" },
        { "up", 0, 0, G_OPTION_ARG_DOUBLE, &o.rate_up, "client->server TCP payload rate, Mbit/s, 0 = no flow (250)", "MBIT" },
        { "down", 0, 0, G_OPTION_ARG_DOUBLE, &o.rate_down, "server->client TCP payload rate, Mbit/s (400)", "MBIT" },
        { "lifetime-kb", 0, 0, G_OPTION_ARG_INT64, &o.life_kb, "Quick Mode LifetimeKilobytes Windows offers (250000)", "KB" },
        { "lifetime-s", 0, 0, G_OPTION_ARG_INT64, &o.life_s, "Quick Mode LifetimeSeconds (3600)", "S" },
        { "count", 0, 0, G_OPTION_ARG_STRING, &opt_count,
          "byte counting rule for the lifetime: plain1000 plain1024 esp1000 esp1024 (plain1000)", "RULE" },
        { "rekey-at", 0, 0, G_OPTION_ARG_DOUBLE, &o.rekey_pct, "rekey at this % of the lifetime (100)", "PCT" },
        { "dip-depth", 0, 0, G_OPTION_ARG_DOUBLE, &o.dip_depth, "rate drop after each rekey, 0..1 (0.5)", "F" },
        { "dip-length", 0, 0, G_OPTION_ARG_DOUBLE, &o.dip_len, "seconds of the rate drop (0.6)", "S" },
        { "extra-dips", 0, 0, G_OPTION_ARG_INT, &opt_extra_dips, "dips per tunnel with no rekey nearby (2)", "N" },
        { "loss", 0, 0, G_OPTION_ARG_DOUBLE, &o.loss, "random loss probability per data segment (0.0002)", "P" },
        { "late-packets", 0, 0, G_OPTION_ARG_INT, &opt_late, "router packets on the deleted SPI after the Delete (3)", "N" },
        { "router-switch", 0, 0, G_OPTION_ARG_STRING, &opt_switch,
          "when the router moves to the new SA: delete (after the Delete and the late packets) or qm3 "
          "(at QM3; late packets interleave with new-SPI ones) (delete)", "WHEN" },
        { "delete-before-qm3", 0, 0, G_OPTION_ARG_NONE, &o.delete_before_qm3, "send the Delete between QM2 and QM3", NULL },
        { "nat-t", 0, 0, G_OPTION_ARG_NONE, &o.natt, "client behind NAT: IKE on 4500, ESP in UDP (RFC 3947/3948)", NULL },
        { "encap-draft", 0, 0, G_OPTION_ARG_NONE, &o.encap_draft, "with --nat-t: draft-02 NAT-T (encap 61444, NAT-D 130)", NULL },
        { "link", 0, 0, G_OPTION_ARG_STRING, &opt_link, "link layer: eth pppoe (802.1Q+PPPoE+PPP) sll (eth)", "L" },
        { "ipv6", '6', 0, G_OPTION_ARG_NONE, &o.ipv6, "IPv6 outer addresses", NULL },
        { "format", 'f', 0, G_OPTION_ARG_STRING, &opt_format, "pcapng (ns), pcap (us), pcap-ns (pcapng)", "F" },
        { "tunnels", 'n', 0, G_OPTION_ARG_INT, &opt_tunnels, "number of clients/tunnels (1)", "N" },
        { "no-ike", 0, 0, G_OPTION_ARG_NONE, &o.no_ike, "leave every ISAKMP packet out of the capture", NULL },
        { "capture-start", 0, 0, G_OPTION_ARG_DOUBLE, &o.capture_start,
          "drop packets earlier than S seconds after the start (e.g. 1 = after negotiation)", "S" },
        { "keys", 'k', 0, G_OPTION_ARG_STRING, &opt_keys,
          "key file: esp (ikev1 + esp_sa lines), skeyid (ikev1 + skeyid_d only), all (esp)", "K" },
        { "esp-fields", 0, 0, G_OPTION_ARG_INT, &opt_esp_fields, "esp_sa fields per line: 8 or 10 (8)", "N" },
        { "snaplen", 0, 0, G_OPTION_ARG_INT, &opt_snaplen, "snapshot length (262144)", "N" },
        { "rtt", 0, 0, G_OPTION_ARG_DOUBLE, &o.rtt_ms, "client<->router round trip, ms (8)", "MS" },
        { "inner-mtu", 0, 0, G_OPTION_ARG_INT, &opt_inner_mtu, "PPP MTU inside the tunnel (1400; 1340 with pppoe)", "N" },
        { "start-time", 0, 0, G_OPTION_ARG_INT64, &o.start_epoch, "epoch of the capture start (1767225600)", "EPOCH" },
        { "no-l2tp-setup", 0, 0, G_OPTION_ARG_NONE, &o.no_l2tp_setup, "skip the L2TP control and PPP LCP/IPCP exchange", NULL },
        { "psk", 0, 0, G_OPTION_ARG_STRING, &o.psk, "pre-shared key for SKEYID (nvr510-l2tp)", "S" },
        { "no-nat-t", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &no_natt_dummy, NULL, NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL }
    };
    GOptionContext *ctx = g_option_context_new("- synthetic Windows 10 <-> Yamaha NVR510 L2TP/IPsec capture");
    g_option_context_set_summary(ctx,
        "Writes a capture, a key file in the router's format (Wireshark ikev1_decryption_table and esp_sa\n"
        "lines) and a ground-truth JSON.  IKEv1 Main Mode + Quick Mode, ESP AES-128-CBC/HMAC-SHA1-96 with\n"
        "RFC 2409 KEYMAT, L2TP/PPP/TCP bulk flows, Windows' volume/time rekeys, Delete, late packets, dips.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "mkcapture: %s\n", err->message);
        return 2;
    }
    g_option_context_free(ctx);

    static const char *const counts[] = { "plain1000", "plain1024", "esp1000", "esp1024", NULL };
    static const char *const links[] = { "eth", "pppoe", "sll", NULL };
    static const char *const formats[] = { "pcapng", "pcap", "pcap-ns", NULL };
    static const char *const keys[] = { "esp", "skeyid", "all", NULL };
    static const char *const switches[] = { "delete", "qm3", NULL };
    int c = 0;
    if (opt_switch && !parse_choice("router-switch", opt_switch, switches, &c))
        return 2;
    o.router_switch_qm3 = c == 1;
    c = 0;
    if (opt_count && !parse_choice("count", opt_count, counts, &c))
        return 2;
    o.count_basis = c < 2 ? COUNT_PLAIN : COUNT_ESP;
    o.kb_unit = (c % 2) ? 1024 : 1000;
    o.link = LINK_ETH;
    if (opt_link && !parse_choice("link", opt_link, links, &o.link))
        return 2;
    o.format = FMT_PCAPNG;
    if (opt_format && !parse_choice("format", opt_format, formats, &o.format))
        return 2;
    o.keys = KEYS_ESP;
    if (opt_keys && !parse_choice("keys", opt_keys, keys, &o.keys))
        return 2;
    o.esp_fields = opt_esp_fields;
    o.tunnels = opt_tunnels;
    o.snaplen = opt_snaplen;
    o.extra_dips = opt_extra_dips;
    o.late_packets = opt_late;
    o.inner_mtu = opt_inner_mtu ? opt_inner_mtu : (o.link == LINK_PPPOE ? 1340 : 1400);
    if (!o.psk)
        o.psk = g_strdup("nvr510-l2tp");
    if (!o.out_capture)
        o.out_capture = g_strdup("windows-nvr510.pcapng");
    if (!o.out_keys)
        o.out_keys = with_ext(o.out_capture, ".keys");
    if (!o.out_truth)
        o.out_truth = with_ext(o.out_capture, ".truth.json");
    o.cmdline = cmd->str;

    const char *bad = NULL;
    if (o.esp_fields != 8 && o.esp_fields != 10)
        bad = "--esp-fields must be 8 or 10";
    else if (o.tunnels < 1 || o.tunnels > 200)
        bad = "--tunnels must be 1..200";
    else if (o.natt && o.ipv6)
        bad = "--nat-t needs IPv4 outer addresses";
    else if (o.encap_draft && !o.natt)
        bad = "--encap-draft needs --nat-t";
    else if (o.inner_mtu < 576 || o.inner_mtu > 1500)
        bad = "--inner-mtu must be 576..1500";
    else if (o.snaplen < 64)
        bad = "--snaplen must be >= 64";
    else if (o.rate_up < 0 || o.rate_down < 0 || o.rate_up + o.rate_down <= 0)
        bad = "--up/--down: at least one positive rate";
    else if (o.dip_depth < 0 || o.dip_depth >= 1)
        bad = "--dip-depth must be in [0,1)";
    else if (o.life_kb < 0 || o.life_kb > 0xffffffffLL || o.life_s < 0 || o.life_s > 65535)
        bad = "--lifetime-kb must fit 32 bits and --lifetime-s 16 bits";
    else if (o.rekey_pct <= 0 || o.rekey_pct > 100)
        bad = "--rekey-at must be in (0,100]";
    else if (o.duration <= 0)
        bad = "--duration must be > 0";
    int rc = 2;
    if (bad) {
        fprintf(stderr, "mkcapture: %s\n", bad);
        goto out;
    }
    if (o.keys == KEYS_SKEYID && (o.no_ike || o.capture_start > 0))
        fprintf(stderr, "mkcapture: warning: --keys skeyid without the Quick Modes in the capture: ESP keys are not derivable\n");

    rc = 1;
    if (!gcry_check_version("1.6.0")) {
        fprintf(stderr, "mkcapture: libgcrypt too old\n");
        goto out;
    }
    gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
    gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
    rc = run(&o);
out:
    g_string_free(cmd, TRUE);
    g_free(o.psk);
    g_free(o.out_capture);
    g_free(o.out_keys);
    g_free(o.out_truth);
    g_free(opt_count);
    g_free(opt_link);
    g_free(opt_format);
    g_free(opt_keys);
    g_free(opt_switch);
    return rc;
}
