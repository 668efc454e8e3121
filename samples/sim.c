/* The simulation: Windows 10 L2TP/IPsec clients and an NVR510, seen at the router's WAN port.
 *
 * Everything is driven by one time-ordered event queue.  Each event emits at most a few
 * packets, which are built in one static buffer (headroom for the outer headers in front),
 * encrypted in place and written immediately, so output is in time order and nothing is
 * allocated per packet.
 */
#include "samples/gen.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ types */
enum { EV_IKE, EV_DATA, EV_ACK, EV_RETX, EV_HS, EV_XDIP, EV_TIMECHK, EV_KEEPALIVE, EV_L2TP };
enum { MM1 = 1, MM2, MM3, MM4, MM5, MM6, QM1 = 10, QM2, QM3, QDEL };
enum { CAUSE_VOLUME, CAUSE_TIME };

typedef struct {
    uint64_t t, ord, a;
    uint32_t b;
    uint16_t tun;
    uint8_t  kind, flow;
} ev_t;

typedef struct { uint64_t seq; uint32_t len; } hole_t;
#define MAX_HOLES 256

typedef struct {
    bool     on, data_started, done;
    int      dir;                 /* 0: data client->server (up), 1: server->client (down) */
    double   rate_bps;
    uint16_t cport, sport;
    uint32_t isn_snd, isn_rcv;    /* data sender's / receiver's ISN */
    uint64_t snd_nxt, rcv_high;   /* offsets from ISN+1 */
    uint64_t last_ack_t;
    int      unacked;
    hole_t   holes[MAX_HOLES];
    int      nholes;
    uint64_t segs, bytes, lost, retx, acks;
    uint64_t start_ns, end_ns;
} flow_t;

typedef struct {
    uint64_t start, end;
    double   depth;
    int      kind;               /* 0 after a rekey, 1 extra */
    int      rekey;              /* index into g.rekeys or -1 */
} dip_t;

typedef struct {
    int      idx;
    ipaddr_t c_pub, c_priv, s_addr, in_c, in_s;
    uint16_t c_port500, c_port4500;
    bool     on4500;
    uint8_t  cky_i[8], cky_r[8];
    uint8_t  gxi[128], gxr[128], gxy[128];
    uint8_t  ni[32], nr[16];
    uint8_t  skeyid[20], skeyid_d[20], skeyid_a[20], skeyid_e[20], ka[16];
    uint8_t  iv0[16], p1_last[16], iv[16];
    uint8_t *sai_b;
    size_t   sai_len;
    int      ike_line, skeyid_line;
    uint64_t mm_start, mm_end, qm0_start, qm0_end;
    uint32_t qm0_msgid;
    /* SAs, Windows' view: current pair and the pair being retired */
    esp_sa_t *up, *down, *up_old, *down_old;
    esp_sa_t *router_down;       /* the SA the router sends on */
    esp_sa_t *new_up, *new_down; /* negotiated in QM2, used from QM3 on */
    int      late_left;
    esp_sa_t *late_sa;           /* deleted SA the router still has packets for */
    bool     late_toggle;
    bool     rekeying;
    int      gen;
    int      cur_rekey;          /* index into g.rekeys of the exchange in progress, -1 initial */
    /* Quick Mode in progress */
    uint32_t qm_msgid, spi_i, spi_r;
    uint8_t  qm_ni[32], qm_nr[20], qm_iv[16];
    /* L2TP / PPP */
    uint16_t tid_c, sid_c, tid_s, sid_s;   /* ids assigned by client / by server */
    uint16_t ns_c, ns_s;
    uint16_t ipid_c, ipid_s;
    flow_t   flow[2];
    GArray  *dips;
    size_t   dip_from;
    uint64_t bulk_end;
    uint64_t last_qm_start;
} tunnel_t;

typedef struct {
    int       tunnel, index, cause, trigger_dir;
    esp_sa_t *old_up, *old_down, *new_up, *new_down;
    uint64_t  trigger, qm1, qm2, qm3, del;
    uint32_t  msgid, del_msgid;
    uint64_t  counted_up, counted_down, limit;
} rekey_t;

typedef struct {
    int      tunnel;
    const char *name;
    uint8_t  exch;
    uint32_t msgid;
    uint64_t t;
    bool     from_client, encrypted;
    int      len;
} ikelog_t;

/* ------------------------------------------------------------------ globals */
static struct {
    opts_t   *o;
    rng_t     rng;
    capw_t    cap;
    ev_t     *heap;
    size_t    nheap, capheap;
    uint64_t  ord;
    uint64_t  t0;
    tunnel_t *tun;
    GPtrArray *sas, *rekeys;
    GArray   *ikelog;
    GHashTable *spis;
    GString  *keys;
    int       key_lines;
    uint64_t  esp_total;         /* ESP bytes generated (written or not) */
    uint64_t  esp_packets_written, ike_written, keepalives_written;
    uint64_t  limit_bytes;
    uint8_t   pool[65536 + 2048];
    int       mss;
    uint64_t  rtt, lan;
    msg_t     m;
} g;

/* A dip "follows a rekey" when a Quick Mode started at most this long before it; extra dips
 * are only placed where none did. */
#define FOLLOW_WINDOW MS(1000)

#define HEADROOM 128
static uint8_t pkt[HEADROOM + 8192];
#define ESP_AT (pkt + HEADROOM)
#define L2TP_DATA_HDR 8
#define PPP_AT (ESP_AT + 24 + 8 + L2TP_DATA_HDR)
#define INNER_IP_AT (PPP_AT + 4)

/* ------------------------------------------------------------------ event queue */
/* A microsecond pcap cannot hold ns: quantize all times so the ground truth stays exact. */
static uint64_t qt(uint64_t t) { return g.o->format == FMT_PCAP ? t - t % 1000 : t; }

static bool ev_less(const ev_t *a, const ev_t *b) { return a->t < b->t || (a->t == b->t && a->ord < b->ord); }

static void ev_push(uint64_t t, int kind, int tun, int flow, uint64_t a, uint32_t b)
{
    t = qt(t);
    if (g.nheap == g.capheap) {
        g.capheap = g.capheap ? g.capheap * 2 : 1024;
        g.heap = g_realloc(g.heap, g.capheap * sizeof(ev_t));
    }
    ev_t e = { .t = t, .ord = g.ord++, .a = a, .b = b, .tun = (uint16_t)tun, .kind = (uint8_t)kind,
               .flow = (uint8_t)flow };
    size_t i = g.nheap++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!ev_less(&e, &g.heap[p]))
            break;
        g.heap[i] = g.heap[p];
        i = p;
    }
    g.heap[i] = e;
}

static ev_t ev_pop(void)
{
    ev_t top = g.heap[0];
    ev_t last = g.heap[--g.nheap];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const ev_t *mv = &last;
        if (l < g.nheap && ev_less(&g.heap[l], mv)) { m = l; mv = &g.heap[l]; }
        if (r < g.nheap && ev_less(&g.heap[r], mv)) { m = r; mv = &g.heap[r]; }
        if (m == i)
            break;
        g.heap[i] = g.heap[m];
        i = m;
    }
    if (g.nheap)
        g.heap[i] = last;
    return top;
}

/* ------------------------------------------------------------------ helpers */
static uint64_t jitter(uint64_t base_ns, double frac)
{
    return (uint64_t)((double)base_ns * (1.0 + frac * (2.0 * rng_unit(&g.rng) - 1.0)));
}

static uint32_t new_spi(void)
{
    for (;;) {
        uint32_t s = rng_u32(&g.rng);
        if (s < 0x1000 || g_hash_table_contains(g.spis, GUINT_TO_POINTER(s)))
            continue;
        g_hash_table_add(g.spis, GUINT_TO_POINTER(s));
        return s;
    }
}

static void keyline(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void keyline(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_string_append_vprintf(g.keys, fmt, ap);
    va_end(ap);
    g_string_append_c(g.keys, '\n');
    g.key_lines++;
}

static void key_esp_line(tunnel_t *T, esp_sa_t *sa)
{
    if (g.o->keys == KEYS_SKEYID)
        return;
    char src[64], dst[64], ek[40], ak[48];
    addr_str(src, sa->dir == 0 ? &T->c_pub : &T->s_addr);
    addr_str(dst, sa->dir == 0 ? &T->s_addr : &T->c_pub);
    hexstr(ek, sa->ekey, 16);
    hexstr(ak, sa->akey, 20);
    keyline("\"%s\",\"%s\",\"%s\",\"0x%08x\",\"AES-CBC [RFC3602]\",\"0x%s\",\"HMAC-SHA-1-96 [RFC2404]\",\"0x%s\"%s",
            g.o->ipv6 ? "IPv6" : "IPv4", src, dst, sa->spi, ek, ak,
            g.o->esp_fields == 10 ? ",\"32-bit\",\"0\"" : "");
    sa->key_line = g.key_lines;
}

/* ------------------------------------------------------------------ sending */
static void send_ike(tunnel_t *T, uint64_t t, bool from_client, const char *name)
{
    t = qt(t);
    msg_t *m = &g.m;
    ikelog_t l = { .tunnel = T->idx, .name = name, .exch = m->b[18], .msgid = get32(m->b + 20), .t = t,
                   .from_client = from_client, .encrypted = m->b[19] & 1, .len = (int)m->len };
    if (g.o->no_ike)
        return;
    uint8_t *p = ESP_AT;
    size_t n = m->len;
    memcpy(p, m->b, n);
    uint16_t cport = T->c_port500, sport = 500;
    if (T->on4500) {
        p -= 4;
        memset(p, 0, 4);      /* non-ESP marker */
        n += 4;
        cport = T->c_port4500;
        sport = 4500;
    }
    const ipaddr_t *src = from_client ? &T->c_pub : &T->s_addr, *dst = from_client ? &T->s_addr : &T->c_pub;
    uint8_t *u = put_udp(p, n, from_client ? cport : sport, from_client ? sport : cport, src, dst, true);
    uint8_t *ip = put_ip(u, n + 8, 17, src, dst, from_client ? T->ipid_c++ : T->ipid_s++);
    if (cap_write_ip(&g.cap, t, ip, n + 8 + (size_t)(u - ip), from_client, g.o->ipv6)) {
        g.ike_written++;
        g_array_append_val(g.ikelog, l);
    }
}

static void start_rekey(tunnel_t *T, uint64_t t, int cause, int dir);

/* Wraps the L2TP payload sitting at ESP_AT+24+8 (l2tp_len bytes) into UDP/1701, ESP and the
 * outer headers and writes it.  Returns true when the receiver drops it (late packet on an SA
 * the client already deleted). */
static bool send_esp(tunnel_t *T, uint64_t t, bool up, size_t l2tp_len)
{
    t = qt(t);
    esp_sa_t *sa;
    bool late = false;
    if (up) {
        sa = T->up;
    } else {
        sa = T->router_down;
        /* after the Delete the router still sends --late-packets on the deleted SPI: all before
         * its first packet on the new SPI, or (--router-switch qm3) interleaved with them */
        if (T->late_left > 0 && (!g.o->router_switch_qm3 || (T->late_toggle = !T->late_toggle))) {
            sa = T->late_sa;
            late = true;
            T->late_left--;
        }
    }
    const ipaddr_t *src = up ? &T->c_pub : &T->s_addr, *dst = up ? &T->s_addr : &T->c_pub;
    uint8_t *udp = ESP_AT + 24;
    size_t ulen = l2tp_len + 8;
    put16(udp, 1701);
    put16(udp + 2, 1701);
    put16(udp + 4, (uint16_t)ulen);
    put16(udp + 6, 0);
    if (g.o->ipv6) {     /* the transport-mode UDP checksum covers the outer addresses */
        uint32_t s = csum_add(0, src->a, 16);
        s = csum_add(s, dst->a, 16);
        s += 17 + (uint32_t)ulen;
        s = csum_add(s, udp, ulen);
        uint16_t c = csum_fold(s);
        put16(udp + 6, c ? c : 0xffff);
    }
    uint8_t iv[16];
    rng_bytes(&g.rng, iv, 16);
    size_t elen = sa_seal(sa, ESP_AT, ulen, 17, iv);
    uint8_t *p = ESP_AT;
    size_t n = elen;
    if (g.o->natt) {
        uint16_t cport = T->c_port4500;
        p = put_udp(p, n, up ? cport : 4500, up ? 4500 : cport, src, dst, false);
        n += 8;
    }
    uint8_t *ip = put_ip(p, n, g.o->natt ? 17 : 50, src, dst, up ? T->ipid_c++ : T->ipid_s++);
    n += (size_t)(p - ip);
    g.esp_total += elen;
    sa->counted += g.o->count_basis == COUNT_PLAIN ? ulen : elen;
    if (cap_write_ip(&g.cap, t, ip, n, up, g.o->ipv6)) {
        g.esp_packets_written++;
        if (!sa->packets)
            sa->first_ns = t;
        sa->last_ns = t;
        sa->packets++;
        sa->esp_bytes += elen;
        sa->plain_bytes += ulen;
        if (late) {
            sa->late_packets++;
            sa->late_last_ns = t;
        }
    }
    /* Windows counts its own SA pair and rekeys the pair when either direction reaches the limit */
    if (!T->rekeying && g.limit_bytes) {
        if (T->up->counted >= g.limit_bytes)
            start_rekey(T, t, CAUSE_VOLUME, 0);
        else if (T->down->counted >= g.limit_bytes)
            start_rekey(T, t, CAUSE_VOLUME, 1);
    }
    return late;
}

/* PPP frame: FF 03 <proto> then body already at PPP_AT+4; L2TP data header in front. */
static bool send_ppp(tunnel_t *T, uint64_t t, bool up, uint16_t proto, size_t body_len)
{
    uint8_t *l2 = ESP_AT + 24 + 8;
    size_t plen = 4 + body_len;
    put16(l2, 0x4002);                       /* L bit, version 2 */
    put16(l2 + 2, (uint16_t)(plen + L2TP_DATA_HDR));
    put16(l2 + 4, up ? T->tid_s : T->tid_c);  /* ids of the receiving end */
    put16(l2 + 6, up ? T->sid_s : T->sid_c);
    PPP_AT[0] = 0xff;
    PPP_AT[1] = 0x03;
    put16(PPP_AT + 2, proto);
    return send_esp(T, t, up, plen + L2TP_DATA_HDR);
}

/* ------------------------------------------------------------------ TCP */
static double rate_factor(tunnel_t *T, uint64_t t)
{
    double f = 1.0;
    dip_t *d = (dip_t *)T->dips->data;
    while (T->dip_from < T->dips->len && d[T->dip_from].end <= t)
        T->dip_from++;
    for (size_t i = T->dip_from; i < T->dips->len; i++)
        if (d[i].start <= t && t < d[i].end && 1.0 - d[i].depth < f)
            f = 1.0 - d[i].depth;
    return f;
}

/* Inner IPv4+TCP segment at INNER_IP_AT; returns its length. */
static size_t build_tcp(tunnel_t *T, bool from_client, uint16_t sport, uint16_t dport, uint32_t seq,
                        uint32_t ack, uint8_t flags, uint64_t pool_off, size_t plen, bool syn_opts)
{
    uint8_t *ip = INNER_IP_AT;
    uint8_t *tcp = ip + 20;
    size_t thl = syn_opts ? 32 : 20;
    size_t total = 20 + thl + plen;
    const ipaddr_t *s = from_client ? &T->in_c : &T->in_s, *d = from_client ? &T->in_s : &T->in_c;
    ip[0] = 0x45;
    ip[1] = 0;
    put16(ip + 2, (uint16_t)total);
    put16(ip + 4, from_client ? T->ipid_c : T->ipid_s);
    put16(ip + 6, 0x4000);
    ip[8] = from_client ? 128 : 64;
    ip[9] = 6;
    put16(ip + 10, 0);
    memcpy(ip + 12, s->a, 4);
    memcpy(ip + 16, d->a, 4);
    put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
    put16(tcp, sport);
    put16(tcp + 2, dport);
    put32(tcp + 4, seq);
    put32(tcp + 8, ack);
    tcp[12] = (uint8_t)((thl / 4) << 4);
    tcp[13] = flags;
    put16(tcp + 14, syn_opts ? 64240 : 1026);     /* window scale 8 after the handshake */
    put16(tcp + 16, 0);
    put16(tcp + 18, 0);
    if (syn_opts) {
        static const uint8_t o[12] = { 2, 4, 0, 0, 1, 3, 3, 8, 1, 1, 4, 2 };
        memcpy(tcp + 20, o, 12);
        put16(tcp + 22, (uint16_t)g.mss);
    }
    if (plen)
        memcpy(tcp + thl, g.pool + (pool_off & 0xffff), plen);
    uint32_t sum = csum_add(0, ip + 12, 8);
    sum += 6 + (uint32_t)(thl + plen);
    sum = csum_add(sum, tcp, thl + plen);
    put16(tcp + 16, csum_fold(sum));
    return total;
}

static void flow_send_ack(tunnel_t *T, flow_t *f, uint64_t t, uint64_t ackoff)
{
    bool from_client = f->dir == 1;
    uint16_t sp = from_client ? f->cport : f->sport, dp = from_client ? f->sport : f->cport;
    size_t n = build_tcp(T, from_client, sp, dp, f->isn_rcv + 1, f->isn_snd + 1 + (uint32_t)ackoff, 0x10, 0,
                         0, false);
    send_ppp(T, t, from_client, 0x0021, n);
    f->acks++;
}

static void add_ack(tunnel_t *T, flow_t *f, uint64_t t)
{
    uint64_t ackv = f->nholes ? f->holes[0].seq : f->rcv_high;
    uint64_t at = t + (f->dir == 0 ? g.lan : g.rtt);
    if (at < f->last_ack_t)
        at = f->last_ack_t;
    f->last_ack_t = at;
    ev_push(at, EV_ACK, T->idx, f->dir, ackv, 0);
}

static void flow_send_data(tunnel_t *T, flow_t *f, uint64_t t, uint64_t off, uint32_t len, bool retx,
                           uint64_t interval)
{
    bool from_client = f->dir == 0;
    uint16_t sp = from_client ? f->cport : f->sport, dp = from_client ? f->sport : f->cport;
    size_t n = build_tcp(T, from_client, sp, dp, f->isn_snd + 1 + (uint32_t)off, f->isn_rcv + 1, 0x18, off,
                         len, false);
    bool lost = send_ppp(T, t, from_client, 0x0021, n);
    if (!lost && g.o->loss > 0 && rng_unit(&g.rng) < g.o->loss)
        lost = true;
    if (retx)
        f->retx++;
    else {
        f->segs++;
        f->bytes += len;
    }
    if (lost && (retx || f->nholes < MAX_HOLES)) {
        if (!retx)
            f->holes[f->nholes++] = (hole_t){ off, len };
        f->lost++;
        ev_push(t + g.rtt + 3 * interval + MS(1), EV_RETX, T->idx, f->dir, off, len);
        return;
    }
    if (retx) {
        for (int i = 0; i < f->nholes; i++)
            if (f->holes[i].seq == off) {
                memmove(&f->holes[i], &f->holes[i + 1], (size_t)(f->nholes - i - 1) * sizeof(hole_t));
                f->nholes--;
                break;
            }
    }
    if (off + len > f->rcv_high)
        f->rcv_high = off + len;
    if (f->nholes || retx) {
        add_ack(T, f, t);
        f->unacked = 0;
    } else if (++f->unacked >= 2) {
        add_ack(T, f, t);
        f->unacked = 0;
    }
}

static uint64_t seg_interval(tunnel_t *T, flow_t *f, uint64_t t)
{
    double r = f->rate_bps * rate_factor(T, t);
    return (uint64_t)((double)g.mss * 8.0 / r * 1e9);
}

static void on_data(tunnel_t *T, flow_t *f, uint64_t t)
{
    if (t >= T->bulk_end || (g.o->total_bytes && g.esp_total >= (uint64_t)g.o->total_bytes)) {
        f->done = true;
        f->end_ns = t;
        if (f->unacked)
            add_ack(T, f, t);
        return;
    }
    if (!f->data_started) {
        f->data_started = true;
        f->start_ns = t;
    }
    uint64_t iv = seg_interval(T, f, t);
    flow_send_data(T, f, t, f->snd_nxt, (uint32_t)g.mss, false, iv);
    f->snd_nxt += (uint64_t)g.mss;
    ev_push(t + jitter(iv, 0.03), EV_DATA, T->idx, f->dir, 0, 0);
}

/* three-way handshake: both connections are opened by the client (iperf3 -c, and -R for down) */
static void on_hs(tunnel_t *T, flow_t *f, uint64_t t, int step)
{
    bool client_is_sender = f->dir == 0;
    uint32_t isn_c = client_is_sender ? f->isn_snd : f->isn_rcv;
    uint32_t isn_s = client_is_sender ? f->isn_rcv : f->isn_snd;
    size_t n;
    switch (step) {
    case 0:
        n = build_tcp(T, true, f->cport, f->sport, isn_c, 0, 0x02, 0, 0, true);
        send_ppp(T, t, true, 0x0021, n);
        ev_push(t + g.lan, EV_HS, T->idx, f->dir, 1, 0);
        break;
    case 1:
        n = build_tcp(T, false, f->sport, f->cport, isn_s, isn_c + 1, 0x12, 0, 0, true);
        send_ppp(T, t, false, 0x0021, n);
        ev_push(t + g.rtt, EV_HS, T->idx, f->dir, 2, 0);
        break;
    default:
        n = build_tcp(T, true, f->cport, f->sport, isn_c + 1, isn_s + 1, 0x10, 0, 0, false);
        send_ppp(T, t, true, 0x0021, n);
        ev_push(t + MS(1), EV_DATA, T->idx, f->dir, 0, 0);
        break;
    }
}

/* ------------------------------------------------------------------ L2TP control + PPP setup */
static size_t avp(uint8_t *p, uint16_t type, const void *val, size_t len)
{
    put16(p, (uint16_t)(0x8000 | (6 + len)));
    put16(p + 2, 0);
    put16(p + 4, type);
    memcpy(p + 6, val, len);
    return 6 + len;
}

static size_t avp16(uint8_t *p, uint16_t type, uint16_t v)
{
    uint8_t b[2];
    put16(b, v);
    return avp(p, type, b, 2);
}

static size_t avp32(uint8_t *p, uint16_t type, uint32_t v)
{
    uint8_t b[4];
    put32(b, v);
    return avp(p, type, b, 4);
}

static void send_l2tp_ctrl(tunnel_t *T, uint64_t t, bool up, int msgtype)
{
    uint8_t *l = ESP_AT + 24 + 8;
    size_t n = 12;
    uint16_t *ns = up ? &T->ns_c : &T->ns_s;
    uint16_t nr = up ? T->ns_s : T->ns_c;
    if (msgtype) {
        n += avp16(l + n, 0, (uint16_t)msgtype);
        switch (msgtype) {
        case 1: /* SCCRQ */
        case 2: /* SCCRP */
            n += avp16(l + n, 2, 0x0100);
            n += avp32(l + n, 3, 3);
            if (msgtype == 1)
                n += avp32(l + n, 4, 0);
            n += avp16(l + n, 6, msgtype == 1 ? 0x0600 : 0x1500);
            n += avp(l + n, 7, msgtype == 1 ? "DESKTOP-W10" : "NVR510", msgtype == 1 ? 11 : 6);
            n += avp(l + n, 8, msgtype == 1 ? "Microsoft" : "YAMAHA Corporation", msgtype == 1 ? 9 : 18);
            n += avp16(l + n, 9, msgtype == 1 ? T->tid_c : T->tid_s);
            n += avp16(l + n, 10, msgtype == 1 ? 8 : 4);
            break;
        case 10: /* ICRQ */
            n += avp16(l + n, 14, T->sid_c);
            n += avp32(l + n, 15, 1);
            n += avp32(l + n, 18, 1);
            break;
        case 11: /* ICRP */
            n += avp16(l + n, 14, T->sid_s);
            break;
        case 12: /* ICCN */
            n += avp32(l + n, 24, 100000000);
            n += avp32(l + n, 19, 1);
            break;
        }
    }
    put16(l, 0xc802);
    put16(l + 2, (uint16_t)n);
    put16(l + 4, up ? T->tid_s : T->tid_c);
    put16(l + 6, (msgtype == 12 && up) ? T->sid_s : 0);
    put16(l + 8, *ns);
    put16(l + 10, nr);
    if (msgtype)
        (*ns)++;
    send_esp(T, t, up, n);
}

static size_t ppp_cp(uint8_t code, uint8_t id, const uint8_t *opts, size_t olen)
{
    uint8_t *b = PPP_AT + 4;
    b[0] = code;
    b[1] = id;
    put16(b + 2, (uint16_t)(4 + olen));
    memcpy(b + 4, opts, olen);
    return 4 + olen;
}

static void start_flows(tunnel_t *T, uint64_t t);

/* The L2TP tunnel/session and PPP come up right after the first Quick Mode. */
static void on_l2tp(tunnel_t *T, uint64_t t, int step)
{
    uint64_t rt = g.rtt, lan = MS(0.3);
    uint8_t o[16];
    switch (step) {
    case 0: send_l2tp_ctrl(T, t, true, 1);  ev_push(t + lan, EV_L2TP, T->idx, 0, 1, 0); break;
    case 1: send_l2tp_ctrl(T, t, false, 2); ev_push(t + rt, EV_L2TP, T->idx, 0, 2, 0); break;
    case 2: send_l2tp_ctrl(T, t, true, 3);  ev_push(t + MS(0.2), EV_L2TP, T->idx, 0, 3, 0); break;
    case 3: send_l2tp_ctrl(T, t, true, 10); ev_push(t + lan, EV_L2TP, T->idx, 0, 4, 0); break;
    case 4: send_l2tp_ctrl(T, t, false, 11); ev_push(t + rt, EV_L2TP, T->idx, 0, 5, 0); break;
    case 5: send_l2tp_ctrl(T, t, true, 12); ev_push(t + lan, EV_L2TP, T->idx, 0, 6, 0); break;
    case 6: /* ZLB ack, then LCP Configure-Request from the server (MRU) */
        send_l2tp_ctrl(T, t, false, 0);
        o[0] = 1; o[1] = 4; put16(o + 2, 1400);
        send_ppp(T, t + MS(0.1), false, 0xc021, ppp_cp(1, 1, o, 4));
        ev_push(t + rt, EV_L2TP, T->idx, 0, 7, 0);
        break;
    case 7: /* client: Configure-Request (MRU, magic), Configure-Ack */
        o[0] = 1; o[1] = 4; put16(o + 2, 1400);
        o[4] = 5; o[5] = 6; put32(o + 6, 0x3e5a1c07u + (uint32_t)T->idx);
        send_ppp(T, t, true, 0xc021, ppp_cp(1, 0, o, 10));
        o[0] = 1; o[1] = 4; put16(o + 2, 1400);
        send_ppp(T, t + MS(0.05), true, 0xc021, ppp_cp(2, 1, o, 4));
        ev_push(t + lan, EV_L2TP, T->idx, 0, 8, 0);
        break;
    case 8: /* server: Configure-Ack, IPCP Configure-Request (its address) */
        o[0] = 1; o[1] = 4; put16(o + 2, 1400);
        o[4] = 5; o[5] = 6; put32(o + 6, 0x3e5a1c07u + (uint32_t)T->idx);
        send_ppp(T, t, false, 0xc021, ppp_cp(2, 0, o, 10));
        o[0] = 3; o[1] = 6; memcpy(o + 2, T->in_s.a, 4);
        send_ppp(T, t + MS(0.05), false, 0x8021, ppp_cp(1, 1, o, 6));
        ev_push(t + rt, EV_L2TP, T->idx, 0, 9, 0);
        break;
    case 9: /* client: IPCP Configure-Request 0.0.0.0, Configure-Ack */
        o[0] = 3; o[1] = 6; memset(o + 2, 0, 4);
        send_ppp(T, t, true, 0x8021, ppp_cp(1, 1, o, 6));
        o[0] = 3; o[1] = 6; memcpy(o + 2, T->in_s.a, 4);
        send_ppp(T, t + MS(0.05), true, 0x8021, ppp_cp(2, 1, o, 6));
        ev_push(t + lan, EV_L2TP, T->idx, 0, 10, 0);
        break;
    case 10: /* server: Configure-Nak with the client's address */
        o[0] = 3; o[1] = 6; memcpy(o + 2, T->in_c.a, 4);
        send_ppp(T, t, false, 0x8021, ppp_cp(3, 1, o, 6));
        ev_push(t + rt, EV_L2TP, T->idx, 0, 11, 0);
        break;
    case 11:
        o[0] = 3; o[1] = 6; memcpy(o + 2, T->in_c.a, 4);
        send_ppp(T, t, true, 0x8021, ppp_cp(1, 2, o, 6));
        ev_push(t + lan, EV_L2TP, T->idx, 0, 12, 0);
        break;
    case 12:
        o[0] = 3; o[1] = 6; memcpy(o + 2, T->in_c.a, 4);
        send_ppp(T, t, false, 0x8021, ppp_cp(2, 2, o, 6));
        start_flows(T, t + rt + MS(5));
        break;
    }
}

/* ------------------------------------------------------------------ IKE */
static const uint8_t VID_MSNT5[] = { 0x1e, 0x2b, 0x51, 0x69, 0x05, 0x99, 0x1c, 0x7d, 0x7c, 0x96, 0xfc, 0xbf,
                                     0xb5, 0x87, 0xe4, 0x61, 0x00, 0x00, 0x00, 0x09 };
static const uint8_t VID_RFC3947[] = { 0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45, 0x5c, 0x57, 0x28, 0xf2,
                                       0x0e, 0x95, 0x45, 0x2f };
static const uint8_t VID_DRAFT02N[] = { 0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e, 0x08, 0x63, 0x81, 0xb5,
                                        0xec, 0x42, 0x7b, 0x1f };
static const uint8_t VID_FRAG[] = { 0x40, 0x48, 0xb7, 0xd5, 0x6e, 0xbc, 0xe8, 0x85, 0x25, 0xe7, 0xde, 0x7f,
                                    0x00, 0xd6, 0xc2, 0xd3 };
static const uint8_t VID_MSNEG[] = { 0xfb, 0x1d, 0xe3, 0xcd, 0xf3, 0x41, 0xb7, 0xea, 0x16, 0xb7, 0xe5, 0xbe,
                                     0x08, 0x55, 0xf1, 0x20 };
static const uint8_t VID_INITC[] = { 0x26, 0x24, 0x4d, 0x38, 0xed, 0xdb, 0x61, 0xb3, 0x17, 0x2a, 0x36, 0xe3,
                                     0xd0, 0xcf, 0xb8, 0x19 };
static const uint8_t VID_CGA[] = { 0xe3, 0xa5, 0x96, 0x6a, 0x76, 0x37, 0x9f, 0xe7, 0x07, 0x22, 0x82, 0x31,
                                   0xe5, 0xce, 0x86, 0x52 };
static const uint8_t VID_DPD[] = { 0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9, 0x6b, 0x86, 0x96, 0xfc,
                                   0x77, 0x57, 0x01, 0x00 };

static void attr_tv(msg_t *m, uint16_t type, uint16_t v)
{
    msg_u16(m, (uint16_t)(0x8000 | type));
    msg_u16(m, v);
}

static void attr_tlv32(msg_t *m, uint16_t type, uint32_t v)
{
    msg_u16(m, type);
    msg_u16(m, 4);
    msg_u32(m, v);
}

static void vid(msg_t *m, const uint8_t *v, size_t n)
{
    size_t o = pl_begin(m, 13);
    msg_put(m, v, n);
    pl_end(m, o);
}

/* Phase-1 transform (KEY_IKE); enc 7 = AES-CBC, 5 = 3DES; keylen 0 = none */
static void p1_transform(msg_t *m, bool last, uint8_t num, uint16_t enc, uint16_t keylen, uint16_t group)
{
    size_t o = m->len;
    msg_u8(m, last ? 0 : 3);
    msg_u8(m, 0);
    msg_u16(m, 0);
    msg_u8(m, num);
    msg_u8(m, 1);
    msg_u16(m, 0);
    attr_tv(m, 1, enc);
    if (keylen)
        attr_tv(m, 14, keylen);
    attr_tv(m, 2, 2);            /* SHA */
    attr_tv(m, 4, group);
    attr_tv(m, 3, 1);            /* pre-shared key */
    attr_tv(m, 11, 1);           /* life type seconds */
    attr_tlv32(m, 12, 28800);
    put16(m->b + o + 2, (uint16_t)(m->len - o));
}

static uint16_t encap_mode(void)
{
    if (!g.o->natt)
        return 2;
    return g.o->encap_draft ? 61444 : 4;
}

/* Phase-2 ESP transform as Windows sends it: lifetime in seconds and kilobytes, the latter
 * always as a 4-byte variable-length attribute (00 02 00 04 <kb>). */
static void p2_transform(msg_t *m, uint8_t num, uint8_t id, bool aes)
{
    size_t o = m->len;
    msg_u8(m, 0);
    msg_u8(m, 0);
    msg_u16(m, 0);
    msg_u8(m, num);
    msg_u8(m, id);
    msg_u16(m, 0);
    attr_tv(m, 4, encap_mode());
    if (g.o->life_s > 0) {
        attr_tv(m, 1, 1);
        attr_tv(m, 2, (uint16_t)g.o->life_s);
    }
    if (g.o->life_kb > 0) {
        attr_tv(m, 1, 2);
        attr_tlv32(m, 2, (uint32_t)g.o->life_kb);
    }
    attr_tv(m, 5, 2);            /* HMAC-SHA */
    if (aes)
        attr_tv(m, 6, 128);
    put16(m->b + o + 2, (uint16_t)(m->len - o));
}

static void p2_proposal(msg_t *m, bool last, uint8_t num, uint32_t spi, uint8_t tid, bool aes)
{
    size_t o = m->len;
    msg_u8(m, last ? 0 : 2);
    msg_u8(m, 0);
    msg_u16(m, 0);
    msg_u8(m, num);
    msg_u8(m, 3);                /* ESP */
    msg_u8(m, 4);
    msg_u8(m, 1);
    msg_u32(m, spi);
    p2_transform(m, 1, tid, aes);
    put16(m->b + o + 2, (uint16_t)(m->len - o));
}

static void id_payload(msg_t *m, const ipaddr_t *a, uint16_t port)
{
    size_t o = pl_begin(m, 5);
    msg_u8(m, a->len == 4 ? 1 : 5);
    msg_u8(m, 17);
    msg_u16(m, port);
    msg_put(m, a->a, (size_t)a->len);
    pl_end(m, o);
}

static void natd(msg_t *m, tunnel_t *T, const ipaddr_t *a, uint16_t port)
{
    uint8_t h[20], pb[2];
    put16(pb, port);
    gcry_md_hd_t md;
    gcry_md_open(&md, GCRY_MD_SHA1, 0);
    gcry_md_write(md, T->cky_i, 8);
    gcry_md_write(md, T->cky_r, 8);
    gcry_md_write(md, a->a, (size_t)a->len);
    gcry_md_write(md, pb, 2);
    memcpy(h, gcry_md_read(md, GCRY_MD_SHA1), 20);
    gcry_md_close(md);
    size_t o = pl_begin(m, g.o->encap_draft ? 130 : 20);
    msg_put(m, h, 20);
    pl_end(m, o);
}

static void nat_oa(msg_t *m, const ipaddr_t *a)
{
    size_t o = pl_begin(m, g.o->encap_draft ? 131 : 21);
    msg_u8(m, a->len == 4 ? 1 : 2);
    msg_u8(m, 0);
    msg_u16(m, 0);
    msg_put(m, a->a, (size_t)a->len);
    pl_end(m, o);
}

static void derive_p1(tunnel_t *T)
{
    const char *psk = g.o->psk;
    size_t pl = strlen(psk);
    prf_sha1(T->skeyid, (const uint8_t *)psk, pl, 2, T->ni, sizeof T->ni, T->nr, sizeof T->nr);
    uint8_t c0 = 0, c1 = 1, c2 = 2;
    prf_sha1(T->skeyid_d, T->skeyid, 20, 4, T->gxy, sizeof T->gxy, T->cky_i, (size_t)8, T->cky_r, (size_t)8,
             &c0, (size_t)1);
    prf_sha1(T->skeyid_a, T->skeyid, 20, 5, T->skeyid_d, (size_t)20, T->gxy, sizeof T->gxy, T->cky_i,
             (size_t)8, T->cky_r, (size_t)8, &c1, (size_t)1);
    prf_sha1(T->skeyid_e, T->skeyid, 20, 5, T->skeyid_a, (size_t)20, T->gxy, sizeof T->gxy, T->cky_i,
             (size_t)8, T->cky_r, (size_t)8, &c2, (size_t)1);
    memcpy(T->ka, T->skeyid_e, 16);
    uint8_t h[20];
    gcry_md_hd_t md;
    gcry_md_open(&md, GCRY_MD_SHA1, 0);
    gcry_md_write(md, T->gxi, sizeof T->gxi);
    gcry_md_write(md, T->gxr, sizeof T->gxr);
    memcpy(h, gcry_md_read(md, GCRY_MD_SHA1), 20);
    gcry_md_close(md);
    memcpy(T->iv0, h, 16);
    memcpy(T->iv, h, 16);
}

/* IV of a new phase-2 exchange: trunc16(SHA1(last phase-1 CBC block | msgid)) */
static void p2_iv(tunnel_t *T, uint32_t msgid, uint8_t iv[16])
{
    uint8_t mb[4], h[20];
    put32(mb, msgid);
    gcry_md_hd_t md;
    gcry_md_open(&md, GCRY_MD_SHA1, 0);
    gcry_md_write(md, T->p1_last, 16);
    gcry_md_write(md, mb, 4);
    memcpy(h, gcry_md_read(md, GCRY_MD_SHA1), 20);
    gcry_md_close(md);
    memcpy(iv, h, 16);
}

static uint32_t new_msgid(void)
{
    uint32_t v;
    do
        v = rng_u32(&g.rng);
    while (!v);
    return v;
}

static esp_sa_t *new_sa(tunnel_t *T, uint32_t spi, int dir, uint64_t t)
{
    esp_sa_t *sa = g_new0(esp_sa_t, 1);
    sa->spi = spi;
    sa->tunnel = T->idx;
    sa->gen = T->gen;
    sa->dir = dir;
    sa->qm_msgid = T->qm_msgid;
    sa->installed_ns = t;
    sa_keymat(sa, T->skeyid_d, T->qm_ni, sizeof T->qm_ni, T->qm_nr, sizeof T->qm_nr);
    sa_open(sa);
    g_ptr_array_add(g.sas, sa);
    return sa;
}

static void add_dip(tunnel_t *T, uint64_t start, int kind, int rekey)
{
    if (g.o->dip_depth <= 0 || g.o->dip_len <= 0)
        return;
    dip_t d = { .start = start, .end = start + (uint64_t)(g.o->dip_len * 1e9), .depth = g.o->dip_depth,
                .kind = kind, .rekey = rekey };
    g_array_append_val(T->dips, d);
}

static void send_delete(tunnel_t *T, uint64_t t)
{
    rekey_t *rk = g.rekeys->pdata[T->cur_rekey];
    msg_t *m = &g.m;
    uint32_t mid = new_msgid();
    msg_init(m, T->cky_i, T->cky_r, 5, 0, mid);
    size_t ho = pl_begin(m, 8);
    msg_put(m, (uint8_t[20]){ 0 }, 20);
    pl_end(m, ho);
    size_t d0 = pl_begin(m, 12);
    msg_u32(m, 1);
    msg_u8(m, 3);
    msg_u8(m, 4);
    msg_u16(m, 1);
    msg_u32(m, rk->old_down->spi);       /* Windows' own inbound SPI */
    pl_end(m, d0);
    uint8_t mb[4];
    put32(mb, mid);
    prf_sha1(m->b + ho + 4, T->skeyid_a, 20, 2, mb, (size_t)4, m->b + d0, m->len - d0);
    uint8_t iv[16];
    p2_iv(T, mid, iv);
    msg_encrypt(m, T->ka, iv);
    send_ike(T, t, true, "informational-delete");
    rk->del = t;
    rk->del_msgid = mid;
    rk->old_down->deleted = true;
    rk->old_up->deleted = true;
    T->late_left = g.o->late_packets;
    T->late_sa = rk->old_down;
    T->late_toggle = false;
    T->router_down = T->new_down;
    add_dip(T, t + g.rtt, 0, T->cur_rekey);
}

static void on_ike(tunnel_t *T, uint64_t t, int step)
{
    msg_t *m = &g.m;
    static const uint8_t zero8[8];
    size_t o;
    uint8_t mb[4];
    switch (step) {
    case MM1:
        T->mm_start = t;
        msg_init(m, T->cky_i, zero8, 2, 0, 0);
        o = pl_begin(m, 1);
        msg_u32(m, 1);
        msg_u32(m, 1);
        {
            size_t po = m->len;
            msg_u8(m, 0);
            msg_u8(m, 0);
            msg_u16(m, 0);
            msg_u8(m, 1);
            msg_u8(m, 1);
            msg_u8(m, 0);
            msg_u8(m, 4);
            p1_transform(m, false, 1, 7, 256, 14);
            p1_transform(m, false, 2, 7, 128, 2);
            p1_transform(m, false, 3, 5, 0, 14);
            p1_transform(m, true, 4, 5, 0, 2);
            put16(m->b + po + 2, (uint16_t)(m->len - po));
        }
        pl_end(m, o);
        T->sai_len = m->len - o - 4;
        T->sai_b = g_memdup2(m->b + o + 4, T->sai_len);
        vid(m, VID_MSNT5, sizeof VID_MSNT5);
        vid(m, VID_RFC3947, 16);
        vid(m, VID_DRAFT02N, 16);
        vid(m, VID_FRAG, 16);
        vid(m, VID_MSNEG, 16);
        vid(m, VID_INITC, 16);
        vid(m, VID_CGA, 16);
        msg_finish(m);
        send_ike(T, t, true, "main-mode-1");
        ev_push(t + MS(1.5), EV_IKE, T->idx, 0, MM2, 0);
        break;
    case MM2:
        msg_init(m, T->cky_i, T->cky_r, 2, 0, 0);
        o = pl_begin(m, 1);
        msg_u32(m, 1);
        msg_u32(m, 1);
        {
            size_t po = m->len;
            msg_u8(m, 0);
            msg_u8(m, 0);
            msg_u16(m, 0);
            msg_u8(m, 1);
            msg_u8(m, 1);
            msg_u8(m, 0);
            msg_u8(m, 1);
            p1_transform(m, true, 2, 7, 128, 2);   /* AES-CBC-128 / SHA1 / MODP1024 */
            put16(m->b + po + 2, (uint16_t)(m->len - po));
        }
        pl_end(m, o);
        vid(m, g.o->encap_draft ? VID_DRAFT02N : VID_RFC3947, 16);
        vid(m, VID_DPD, 16);
        msg_finish(m);
        send_ike(T, t, false, "main-mode-2");
        ev_push(t + g.rtt + MS(2), EV_IKE, T->idx, 0, MM3, 0);
        break;
    case MM3:
        msg_init(m, T->cky_i, T->cky_r, 2, 0, 0);
        o = pl_begin(m, 4); msg_put(m, T->gxi, sizeof T->gxi); pl_end(m, o);
        o = pl_begin(m, 10); msg_put(m, T->ni, sizeof T->ni); pl_end(m, o);
        natd(m, T, &T->s_addr, 500);
        natd(m, T, &T->c_priv, 500);
        msg_finish(m);
        send_ike(T, t, true, "main-mode-3");
        ev_push(t + MS(3), EV_IKE, T->idx, 0, MM4, 0);
        break;
    case MM4:
        msg_init(m, T->cky_i, T->cky_r, 2, 0, 0);
        o = pl_begin(m, 4); msg_put(m, T->gxr, sizeof T->gxr); pl_end(m, o);
        o = pl_begin(m, 10); msg_put(m, T->nr, sizeof T->nr); pl_end(m, o);
        natd(m, T, &T->c_pub, T->c_port500);
        natd(m, T, &T->s_addr, 500);
        msg_finish(m);
        send_ike(T, t, false, "main-mode-4");
        derive_p1(T);
        ev_push(t + g.rtt + MS(3), EV_IKE, T->idx, 0, MM5, 0);
        break;
    case MM5:
    case MM6: {
        bool ini = step == MM5;
        if (ini && g.o->natt)
            T->on4500 = true;      /* NAT detected: switch to 4500 */
        msg_init(m, T->cky_i, T->cky_r, 2, 0, 0);
        size_t io = pl_begin(m, 5);
        const ipaddr_t *ida = ini ? &T->c_priv : &T->s_addr;
        msg_u8(m, ida->len == 4 ? 1 : 5);
        msg_u8(m, 17);
        msg_u16(m, 500);
        msg_put(m, ida->a, (size_t)ida->len);
        pl_end(m, io);
        uint8_t h[20];
        const uint8_t *g1 = ini ? T->gxi : T->gxr, *g2 = ini ? T->gxr : T->gxi;
        const uint8_t *c1 = ini ? T->cky_i : T->cky_r, *c2 = ini ? T->cky_r : T->cky_i;
        prf_sha1(h, T->skeyid, 20, 6, g1, (size_t)128, g2, (size_t)128, c1, (size_t)8, c2, (size_t)8,
                 T->sai_b, T->sai_len, m->b + io + 4, m->len - io - 4);
        o = pl_begin(m, 8); msg_put(m, h, 20); pl_end(m, o);
        msg_encrypt(m, T->ka, T->iv);
        send_ike(T, t, ini, ini ? "main-mode-5" : "main-mode-6");
        if (ini) {
            ev_push(t + MS(2), EV_IKE, T->idx, 0, MM6, 0);
        } else {
            memcpy(T->p1_last, T->iv, 16);
            T->mm_end = t;
            char ck[17], ka[33], sd[41];
            hexstr(ck, T->cky_i, 8);
            hexstr(ka, T->ka, 16);
            hexstr(sd, T->skeyid_d, 20);
            keyline("%s,%s", ck, ka);
            T->ike_line = g.key_lines;
            if (g.o->keys != KEYS_ESP) {
                keyline("skeyid_d %s %s", ck, sd);
                T->skeyid_line = g.key_lines;
            }
            ev_push(t + g.rtt + MS(1), EV_IKE, T->idx, 0, QM1, 0);
        }
        break;
    }
    case QM1:
        T->qm_msgid = new_msgid();
        if (T->cur_rekey < 0) {
            T->qm0_start = t;
            T->qm0_msgid = T->qm_msgid;
        } else {
            rekey_t *rk = g.rekeys->pdata[T->cur_rekey];
            rk->qm1 = t;
            rk->msgid = T->qm_msgid;
        }
        T->last_qm_start = t;
        rng_bytes(&g.rng, T->qm_ni, sizeof T->qm_ni);
        T->spi_i = new_spi();
        msg_init(m, T->cky_i, T->cky_r, 32, 0, T->qm_msgid);
        {
            size_t ho = pl_begin(m, 8);
            msg_put(m, (uint8_t[20]){ 0 }, 20);
            pl_end(m, ho);
            size_t rest = m->len;
            o = pl_begin(m, 1);
            msg_u32(m, 1);
            msg_u32(m, 1);
            p2_proposal(m, false, 1, T->spi_i, 12, true);
            p2_proposal(m, true, 2, T->spi_i, 3, false);
            pl_end(m, o);
            o = pl_begin(m, 10); msg_put(m, T->qm_ni, sizeof T->qm_ni); pl_end(m, o);
            id_payload(m, &T->c_priv, 1701);
            id_payload(m, &T->s_addr, 1701);
            if (g.o->natt) {
                nat_oa(m, &T->c_priv);
                nat_oa(m, &T->s_addr);
            }
            put32(mb, T->qm_msgid);
            prf_sha1(m->b + ho + 4, T->skeyid_a, 20, 2, mb, (size_t)4, m->b + rest, m->len - rest);
        }
        p2_iv(T, T->qm_msgid, T->qm_iv);
        msg_encrypt(m, T->ka, T->qm_iv);
        send_ike(T, t, true, "quick-mode-1");
        ev_push(t + jitter(MS(2), 0.3), EV_IKE, T->idx, 0, QM2, 0);
        break;
    case QM2:
        rng_bytes(&g.rng, T->qm_nr, sizeof T->qm_nr);
        T->spi_r = new_spi();
        msg_init(m, T->cky_i, T->cky_r, 32, 0, T->qm_msgid);
        {
            size_t ho = pl_begin(m, 8);
            msg_put(m, (uint8_t[20]){ 0 }, 20);
            pl_end(m, ho);
            size_t rest = m->len;
            o = pl_begin(m, 1);
            msg_u32(m, 1);
            msg_u32(m, 1);
            p2_proposal(m, true, 1, T->spi_r, 12, true);
            pl_end(m, o);
            o = pl_begin(m, 10); msg_put(m, T->qm_nr, sizeof T->qm_nr); pl_end(m, o);
            id_payload(m, &T->c_priv, 1701);
            id_payload(m, &T->s_addr, 1701);
            if (g.o->natt) {
                nat_oa(m, &T->c_pub);
                nat_oa(m, &T->s_addr);
            }
            put32(mb, T->qm_msgid);
            prf_sha1(m->b + ho + 4, T->skeyid_a, 20, 3, mb, (size_t)4, T->qm_ni, sizeof T->qm_ni, m->b + rest,
                     m->len - rest);
        }
        msg_encrypt(m, T->ka, T->qm_iv);
        send_ike(T, t, false, "quick-mode-2");
        {
            T->gen++;
            esp_sa_t *up = new_sa(T, T->spi_r, 0, t), *down = new_sa(T, T->spi_i, 1, t);
            key_esp_line(T, up);
            key_esp_line(T, down);
            if (T->cur_rekey >= 0) {
                rekey_t *rk = g.rekeys->pdata[T->cur_rekey];
                rk->qm2 = t;
                rk->new_up = up;
                rk->new_down = down;
            }
            T->new_up = up;         /* Windows switches at QM3, the router after the Delete */
            T->new_down = down;
        }
        if (T->cur_rekey >= 0 && g.o->delete_before_qm3) {
            ev_push(t + g.rtt + MS(0.2), EV_IKE, T->idx, 0, QDEL, 0);
            ev_push(t + g.rtt + MS(0.5), EV_IKE, T->idx, 0, QM3, 0);
        } else {
            ev_push(t + g.rtt + MS(0.3), EV_IKE, T->idx, 0, QM3, 0);
        }
        break;
    case QM3:
        msg_init(m, T->cky_i, T->cky_r, 32, 0, T->qm_msgid);
        {
            size_t ho = pl_begin(m, 8);
            uint8_t z = 0;
            put32(mb, T->qm_msgid);
            uint8_t h[20];
            prf_sha1(h, T->skeyid_a, 20, 4, &z, (size_t)1, mb, (size_t)4, T->qm_ni, sizeof T->qm_ni, T->qm_nr,
                     sizeof T->qm_nr);
            msg_put(m, h, 20);
            pl_end(m, ho);
        }
        msg_encrypt(m, T->ka, T->qm_iv);
        send_ike(T, t, true, "quick-mode-3");
        T->up_old = T->up;
        T->down_old = T->down;
        T->up = T->new_up;
        T->down = T->new_down;
        if (T->cur_rekey < 0 || g.o->router_switch_qm3)
            T->router_down = T->down;
        T->up->installed_ns = t;
        T->down->installed_ns = t;
        if (g.o->life_s > 0)
            ev_push(t + (uint64_t)((double)g.o->life_s * g.o->rekey_pct / 100.0 * 1e9), EV_TIMECHK, T->idx, 0,
                    (uint64_t)T->gen, 0);
        if (T->cur_rekey < 0) {
            T->qm0_end = t;
            if (g.o->no_l2tp_setup)
                start_flows(T, t + MS(5));
            else
                ev_push(t + MS(3), EV_L2TP, T->idx, 0, 0, 0);
        } else {
            rekey_t *rk = g.rekeys->pdata[T->cur_rekey];
            rk->qm3 = t;
            T->rekeying = false;
            if (!g.o->delete_before_qm3)
                ev_push(t + jitter(MS(2), 0.5), EV_IKE, T->idx, 0, QDEL, 0);
        }
        break;
    case QDEL:
        send_delete(T, t);
        break;
    }
}

static void start_rekey(tunnel_t *T, uint64_t t, int cause, int dir)
{
    rekey_t *rk = g_new0(rekey_t, 1);
    rk->tunnel = T->idx;
    int n = 0;
    for (guint i = 0; i < g.rekeys->len; i++)
        if (((rekey_t *)g.rekeys->pdata[i])->tunnel == T->idx)
            n++;
    rk->index = n + 1;
    rk->cause = cause;
    rk->trigger_dir = dir;
    rk->trigger = t;
    rk->old_up = T->up;
    rk->old_down = T->down;
    rk->counted_up = T->up->counted;
    rk->counted_down = T->down->counted;
    rk->limit = g.limit_bytes;
    g_ptr_array_add(g.rekeys, rk);
    T->cur_rekey = (int)g.rekeys->len - 1;
    T->rekeying = true;
    ev_push(t + jitter(MS(1.5), 0.5), EV_IKE, T->idx, 0, QM1, 0);
}

/* ------------------------------------------------------------------ tunnels */
static void start_flows(tunnel_t *T, uint64_t t)
{
    T->bulk_end = t + (uint64_t)(g.o->duration * 1e9);
    for (int k = 0; k < 2; k++) {
        flow_t *f = &T->flow[k];
        if (!f->on)
            continue;
        ev_push(t + (uint64_t)k * MS(3), EV_HS, T->idx, k, 0, 0);
    }
    /* extra dips, away from rekeys (re-checked when they fire) */
    for (int i = 0; i < g.o->extra_dips; i++) {
        double at = g.o->duration * (0.1 + 0.85 * rng_unit(&g.rng));
        ev_push(t + (uint64_t)(at * 1e9), EV_XDIP, T->idx, 0, 0, 0);
    }
    if (g.o->natt)
        ev_push(t + 20 * NS_PER_S, EV_KEEPALIVE, T->idx, 0, 0, 0);
}

static void on_xdip(tunnel_t *T, uint64_t t, uint32_t tries)
{
    uint64_t guard = FOLLOW_WINDOW + MS(500);     /* clearly outside the window */
    if (t >= T->bulk_end)
        return;
    /* nor just before one: estimate when the next volume / time rekey is due */
    double eta = 1e9;
    for (int k = 0; k < 2 && g.limit_bytes && T->up; k++) {
        flow_t *f = &T->flow[k];
        esp_sa_t *sa = k ? T->down : T->up;
        if (f->on && sa->counted < g.limit_bytes) {
            double e = (double)(g.limit_bytes - sa->counted) / (f->rate_bps / 8.0 * 1.2);
            if (e < eta)
                eta = e;
        }
    }
    if (T->up && g.o->life_s > 0) {
        double due = (double)T->up->installed_ns / 1e9 + (double)g.o->life_s * g.o->rekey_pct / 100.0 - (double)t / 1e9;
        if (due < eta)
            eta = due;
    }
    if (T->rekeying || (T->last_qm_start && t - T->last_qm_start < guard) || eta < g.o->dip_len + 0.5) {
        if (tries < 50)
            ev_push(t + MS(100), EV_XDIP, T->idx, 0, 0, tries + 1);
        return;
    }
    /* keep dips ordered by start (rate_factor relies on it) */
    dip_t *d = (dip_t *)T->dips->data;
    if (T->dips->len && d[T->dips->len - 1].end > t) {
        if (tries < 50)
            ev_push(d[T->dips->len - 1].end + MS(100), EV_XDIP, T->idx, 0, 0, tries + 1);
        return;
    }
    add_dip(T, t, 1, -1);
}

static void on_keepalive(tunnel_t *T, uint64_t t)
{
    if (t >= T->bulk_end)
        return;
    uint8_t *p = ESP_AT;
    p[0] = 0xff;
    uint8_t *u = put_udp(p, 1, T->c_port4500, 4500, &T->c_pub, &T->s_addr, true);
    uint8_t *ip = put_ip(u, 9, 17, &T->c_pub, &T->s_addr, T->ipid_c++);
    if (cap_write_ip(&g.cap, t, ip, 9 + (size_t)(u - ip), true, false))
        g.keepalives_written++;
    ev_push(t + 20 * NS_PER_S, EV_KEEPALIVE, T->idx, 0, 0, 0);
}

static void setup_tunnel(tunnel_t *T, int i)
{
    opts_t *o = g.o;
    T->idx = i;
    T->cur_rekey = -1;
    T->dips = g_array_new(FALSE, TRUE, sizeof(dip_t));
    if (o->ipv6) {
        static const uint8_t c6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10 };
        static const uint8_t s6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 };
        memcpy(T->c_pub.a, c6, 16);
        T->c_pub.a[15] = (uint8_t)(0x10 + i);
        memcpy(T->s_addr.a, s6, 16);
        T->c_pub.len = T->s_addr.len = 16;
    } else {
        T->c_pub = (ipaddr_t){ { 203, 0, 113, (uint8_t)(10 + i) }, 4 };
        T->s_addr = (ipaddr_t){ { 198, 51, 100, 1 }, 4 };
    }
    T->c_priv = T->c_pub;
    T->c_port500 = 500;
    T->c_port4500 = 4500;
    if (o->natt) {
        T->c_priv = (ipaddr_t){ { 192, 168, 1, (uint8_t)(10 + i) }, 4 };
        T->c_port500 = (uint16_t)rng_range(&g.rng, 1024, 65000);
        T->c_port4500 = (uint16_t)(T->c_port500 + 1);
    }
    T->in_c = (ipaddr_t){ { 192, 168, 100, (uint8_t)(200 + i) }, 4 };
    T->in_s = (ipaddr_t){ { 192, 168, 100, 10 }, 4 };
    do
        rng_bytes(&g.rng, T->cky_i, 8);
    while (!T->cky_i[0]);
    do
        rng_bytes(&g.rng, T->cky_r, 8);
    while (!T->cky_r[0]);
    rng_bytes(&g.rng, T->gxi, 128);
    rng_bytes(&g.rng, T->gxr, 128);
    rng_bytes(&g.rng, T->gxy, 128);
    T->gxi[0] |= 0x80;
    T->gxr[0] |= 0x80;
    rng_bytes(&g.rng, T->ni, sizeof T->ni);
    rng_bytes(&g.rng, T->nr, sizeof T->nr);
    T->tid_c = (uint16_t)rng_range(&g.rng, 1, 65535);
    T->sid_c = (uint16_t)rng_range(&g.rng, 1, 65535);
    T->tid_s = (uint16_t)rng_range(&g.rng, 1, 65535);
    T->sid_s = (uint16_t)rng_range(&g.rng, 1, 65535);
    if (o->no_l2tp_setup) { /* ids only */ }
    T->ipid_c = (uint16_t)rng_u32(&g.rng);
    T->ipid_s = (uint16_t)rng_u32(&g.rng);
    for (int k = 0; k < 2; k++) {
        flow_t *f = &T->flow[k];
        f->dir = k;
        f->rate_bps = (k == 0 ? o->rate_up : o->rate_down) * 1e6;
        f->on = f->rate_bps > 0;
        f->cport = (uint16_t)(50100 + 2 * i + k);
        f->sport = 5201;
        f->isn_snd = rng_u32(&g.rng);
        f->isn_rcv = rng_u32(&g.rng);
    }
}

/* ------------------------------------------------------------------ ground truth */
static void jtime(GString *s, const char *key, uint64_t t, uint64_t base)
{
    if (!t) {
        g_string_append_printf(s, "\"%s\": null, \"%s_rel\": null", key, key);
        return;
    }
    int64_t rel = (int64_t)(t - base);
    uint64_t ar = rel < 0 ? (uint64_t)-rel : (uint64_t)rel;
    g_string_append_printf(s, "\"%s\": %" G_GUINT64_FORMAT ".%09" G_GUINT64_FORMAT ", \"%s_rel\": %s%" G_GUINT64_FORMAT
                           ".%09" G_GUINT64_FORMAT, key, t / NS_PER_S, t % NS_PER_S, key, rel < 0 ? "-" : "",
                           ar / NS_PER_S, ar % NS_PER_S);
}

static void jhex(GString *s, const char *key, const uint8_t *b, size_t n)
{
    char h[300];
    hexstr(h, b, n);
    g_string_append_printf(s, "\"%s\": \"%s\"", key, h);
}

static const char *linkname(int l) { return l == LINK_PPPOE ? "ethernet-vlan-pppoe" : l == LINK_SLL ? "linux-sll" : "ethernet"; }

static bool write_truth(const char *path, uint64_t base)
{
    opts_t *o = g.o;
    GString *s = g_string_new("{\n");
    char a1[64], a2[64];
    g_string_append_printf(s, "  \"generator\": \"esprekey samples/mkcapture\",\n  \"schema\": 1,\n");
    gchar *esc = g_strescape(o->cmdline, NULL);
    g_string_append_printf(s, "  \"command\": \"%s\",\n", esc);
    g_free(esc);
    g_string_append_printf(s, "  \"seed\": %" G_GINT64_FORMAT ",\n", o->seed);
    g_string_append_printf(s, "  \"about\": \"Synthetic Windows 10 (IKEv1 initiator, L2TP/IPsec client) <-> Yamaha NVR510 (responder), "
                              "captured at the router WAN port. Times: epoch seconds (9 decimals) and *_rel = seconds since the first "
                              "packet in the file. up = client->server. plaintext_bytes = decrypted ESP payload without padding/pad "
                              "length/next header (the inner UDP/1701 datagram); esp_bytes = SPI..ICV.\",\n");
    g_string_append_printf(s, "  \"capture\": {\"file\": \"%s\", \"format\": \"%s\", \"link\": \"%s\", \"snaplen\": %d, "
                              "\"outer_ip\": %d, \"nat_t\": %s, \"ike_in_capture\": %s, \"packets\": %" G_GUINT64_FORMAT
                              ", \"esp_packets\": %" G_GUINT64_FORMAT ", \"isakmp_packets\": %" G_GUINT64_FORMAT
                              ", \"natt_keepalives\": %" G_GUINT64_FORMAT ", ",
                           o->out_capture, o->format == FMT_PCAPNG ? "pcapng" : o->format == FMT_PCAP ? "pcap" : "pcap-ns",
                           linkname(o->link), o->snaplen, o->ipv6 ? 6 : 4, o->natt ? "true" : "false",
                           o->no_ike ? "false" : "true", g.cap.packets, g.esp_packets_written, g.ike_written,
                           g.keepalives_written);
    jtime(s, "start", g.cap.first_ns, base);
    g_string_append(s, ", ");
    jtime(s, "end", g.cap.last_ns, base);
    g_string_append(s, "},\n");
    g_string_append_printf(s, "  \"keys\": {\"file\": \"%s\", \"format\": \"%s\", \"esp_sa_fields\": %d},\n", o->out_keys,
                           o->keys == KEYS_ESP ? "esp_sa+ikev1" : o->keys == KEYS_SKEYID ? "ikev1+skeyid_d" : "all",
                           o->esp_fields);
    g_string_append_printf(s, "  \"lifetime\": {\"seconds\": %" G_GINT64_FORMAT ", \"kilobytes\": %" G_GINT64_FORMAT
                              ", \"counting\": \"%s\", \"bytes_per_kb\": %d, \"rekey_at_percent\": %g, \"limit_bytes\": %"
                              G_GUINT64_FORMAT "},\n",
                           o->life_s, o->life_kb, o->count_basis == COUNT_PLAIN ? "plaintext" : "esp", o->kb_unit,
                           o->rekey_pct, g.limit_bytes);
    g_string_append_printf(s, "  \"traffic\": {\"up_mbit\": %g, \"down_mbit\": %g, \"rate_basis\": \"TCP payload\", "
                              "\"duration_s\": %g, \"total_bytes\": %" G_GINT64_FORMAT ", \"mss\": %d, \"rtt_ms\": %g, "
                              "\"loss\": %g, \"dip_depth\": %g, \"dip_length_s\": %g, \"extra_dips\": %d, \"late_packets\": %d, "
                              "\"delete_before_qm3\": %s, \"router_switch\": \"%s\", \"follow_window_s\": %g},\n",
                           o->rate_up, o->rate_down, o->duration, o->total_bytes, g.mss, o->rtt_ms, o->loss, o->dip_depth,
                           o->dip_len, o->extra_dips, o->late_packets, o->delete_before_qm3 ? "true" : "false",
                           o->router_switch_qm3 ? "qm3" : "delete", (double)FOLLOW_WINDOW / 1e9);
    /* tunnels */
    g_string_append(s, "  \"tunnels\": [\n");
    for (int i = 0; i < o->tunnels; i++) {
        tunnel_t *T = &g.tun[i];
        addr_str(a1, &T->c_pub);
        addr_str(a2, &T->s_addr);
        g_string_append_printf(s, "    {\"index\": %d, \"client\": \"%s\", \"client_private\": ", i, a1);
        addr_str(a1, &T->c_priv);
        g_string_append_printf(s, "\"%s\", \"server\": \"%s\", \"client_ike_port\": %u, \"client_natt_port\": %u, ", a1, a2,
                               T->c_port500, T->c_port4500);
        addr_str(a1, &T->in_c);
        addr_str(a2, &T->in_s);
        g_string_append_printf(s, "\"inner_client\": \"%s\", \"inner_server\": \"%s\",\n      ", a1, a2);
        jhex(s, "cky_i", T->cky_i, 8); g_string_append(s, ", ");
        jhex(s, "cky_r", T->cky_r, 8); g_string_append(s, ", ");
        jhex(s, "ka", T->ka, 16); g_string_append(s, ", ");
        jhex(s, "skeyid", T->skeyid, 20); g_string_append(s, ",\n      ");
        jhex(s, "skeyid_d", T->skeyid_d, 20); g_string_append(s, ", ");
        jhex(s, "skeyid_a", T->skeyid_a, 20); g_string_append(s, ", ");
        jhex(s, "skeyid_e", T->skeyid_e, 20); g_string_append(s, ",\n      ");
        jhex(s, "gxy", T->gxy, sizeof T->gxy); g_string_append(s, ",\n      ");
        jhex(s, "iv0", T->iv0, 16); g_string_append(s, ", ");
        jhex(s, "phase1_last_block", T->p1_last, 16);
        gchar *pe = g_strescape(o->psk, NULL);
        g_string_append_printf(s, ", \"psk\": \"%s\", \"ike_key_line\": %d, \"skeyid_line\": ", pe, T->ike_line);
        if (T->skeyid_line)
            g_string_append_printf(s, "%d,\n      ", T->skeyid_line);
        else
            g_string_append(s, "null,\n      ");
        g_free(pe);
        jtime(s, "mm_start", T->mm_start, base); g_string_append(s, ", ");
        jtime(s, "mm_end", T->mm_end, base); g_string_append(s, ",\n      ");
        jtime(s, "qm_start", T->qm0_start, base); g_string_append(s, ", ");
        jtime(s, "qm_end", T->qm0_end, base);
        g_string_append_printf(s, ", \"qm_msgid\": \"0x%08x\",\n      \"flows\": [", T->qm0_msgid);
        bool first = true;
        for (int k = 0; k < 2; k++) {
            flow_t *f = &T->flow[k];
            if (!f->on)
                continue;
            g_string_append_printf(s, "%s\n        {\"direction\": \"%s\", \"client_port\": %u, \"server_port\": %u, "
                                      "\"isn_data\": %u, \"isn_ack\": %u, \"rate_mbit\": %g, \"segments\": %" G_GUINT64_FORMAT
                                      ", \"payload_bytes\": %" G_GUINT64_FORMAT ", \"lost\": %" G_GUINT64_FORMAT
                                      ", \"retransmissions\": %" G_GUINT64_FORMAT ", \"acks\": %" G_GUINT64_FORMAT ", ",
                                   first ? "" : ",", k ? "down" : "up", f->cport, f->sport, f->isn_snd, f->isn_rcv,
                                   f->rate_bps / 1e6, f->segs, f->bytes, f->lost, f->retx, f->acks);
            jtime(s, "data_start", f->start_ns, base);
            g_string_append(s, ", ");
            jtime(s, "data_end", f->end_ns, base);
            g_string_append(s, "}");
            first = false;
        }
        g_string_append_printf(s, "]}%s\n", i + 1 < o->tunnels ? "," : "");
    }
    g_string_append(s, "  ],\n");
    /* SAs */
    g_string_append(s, "  \"sas\": [\n");
    for (guint i = 0; i < g.sas->len; i++) {
        esp_sa_t *sa = g.sas->pdata[i];
        tunnel_t *T = &g.tun[sa->tunnel];
        addr_str(a1, sa->dir == 0 ? &T->c_pub : &T->s_addr);
        addr_str(a2, sa->dir == 0 ? &T->s_addr : &T->c_pub);
        g_string_append_printf(s, "    {\"tunnel\": %d, \"spi\": \"0x%08x\", \"direction\": \"%s\", \"src\": \"%s\", \"dst\": \"%s\", "
                                  "\"generation\": %d, \"qm_msgid\": \"0x%08x\", \"key_line\": ",
                               sa->tunnel, sa->spi, sa->dir ? "down" : "up", a1, a2, sa->gen - 1, sa->qm_msgid);
        if (sa->key_line)
            g_string_append_printf(s, "%d", sa->key_line);
        else
            g_string_append(s, "null");
        g_string_append(s, ", ");
        jhex(s, "enc_key", sa->ekey, 16);
        g_string_append(s, ", ");
        jhex(s, "auth_key", sa->akey, 20);
        g_string_append_printf(s, ",\n      \"lifetime_seconds\": %" G_GINT64_FORMAT ", \"lifetime_kilobytes\": %" G_GINT64_FORMAT
                                  ", \"packets\": %" G_GUINT64_FORMAT ", \"esp_bytes\": %" G_GUINT64_FORMAT
                                  ", \"plaintext_bytes\": %" G_GUINT64_FORMAT ", \"lifetime_counter_bytes\": %" G_GUINT64_FORMAT
                                  ", \"late_packets\": %" G_GUINT64_FORMAT ", \"deleted\": %s,\n      ",
                               o->life_s, o->life_kb, sa->packets, sa->esp_bytes, sa->plain_bytes, sa->counted,
                               sa->late_packets, sa->deleted ? "true" : "false");
        jtime(s, "installed", sa->installed_ns, base);
        g_string_append(s, ", ");
        jtime(s, "first", sa->first_ns, base);
        g_string_append(s, ", ");
        jtime(s, "last", sa->last_ns, base);
        g_string_append_printf(s, "}%s\n", i + 1 < g.sas->len ? "," : "");
    }
    g_string_append(s, "  ],\n");
    /* rekeys */
    g_string_append(s, "  \"rekeys\": [\n");
    for (guint i = 0; i < g.rekeys->len; i++) {
        rekey_t *rk = g.rekeys->pdata[i];
        g_string_append_printf(s, "    {\"tunnel\": %d, \"index\": %d, \"cause\": \"%s\", \"trigger_direction\": \"%s\", "
                                  "\"counted_up\": %" G_GUINT64_FORMAT ", \"counted_down\": %" G_GUINT64_FORMAT
                                  ", \"limit_bytes\": %" G_GUINT64_FORMAT ",\n      ",
                               rk->tunnel, rk->index, rk->cause == CAUSE_VOLUME ? "volume" : "time",
                               rk->cause == CAUSE_TIME ? "both" : rk->trigger_dir ? "down" : "up", rk->counted_up,
                               rk->counted_down, rk->limit);
        g_string_append_printf(s, "\"old_spi\": {\"up\": \"0x%08x\", \"down\": \"0x%08x\"}, ", rk->old_up->spi, rk->old_down->spi);
        if (rk->new_up)
            g_string_append_printf(s, "\"new_spi\": {\"up\": \"0x%08x\", \"down\": \"0x%08x\"}, ", rk->new_up->spi,
                                   rk->new_down->spi);
        else
            g_string_append(s, "\"new_spi\": null, ");
        g_string_append_printf(s, "\"qm_msgid\": \"0x%08x\", \"deleted_spi\": ", rk->msgid);
        if (rk->del)
            g_string_append_printf(s, "\"0x%08x\", \"delete_msgid\": \"0x%08x\", \"late_packets\": %" G_GUINT64_FORMAT ",\n      ",
                                   rk->old_down->spi, rk->del_msgid, rk->old_down->late_packets);
        else
            g_string_append(s, "null, \"delete_msgid\": null, \"late_packets\": 0,\n      ");
        jtime(s, "trigger", rk->trigger, base); g_string_append(s, ", ");
        jtime(s, "qm_start", rk->qm1, base); g_string_append(s, ",\n      ");
        jtime(s, "qm_response", rk->qm2, base); g_string_append(s, ", ");
        jtime(s, "qm_end", rk->qm3, base); g_string_append(s, ",\n      ");
        jtime(s, "delete", rk->del, base); g_string_append(s, ", ");
        jtime(s, "late_last", rk->old_down->late_last_ns, base);
        g_string_append_printf(s, "}%s\n", i + 1 < g.rekeys->len ? "," : "");
    }
    g_string_append(s, "  ],\n");
    /* dips */
    g_string_append(s, "  \"dips\": [\n");
    bool firstd = true;
    for (int i = 0; i < o->tunnels; i++) {
        tunnel_t *T = &g.tun[i];
        for (guint k = 0; k < T->dips->len; k++) {
            dip_t *d = &g_array_index(T->dips, dip_t, k);
            /* nearest rekeys of this tunnel, judged honestly from the rekey list */
            int64_t before = -1, after = -1;
            int before_idx = -1;
            for (guint r = 0; r < g.rekeys->len; r++) {
                rekey_t *rk = g.rekeys->pdata[r];
                if (rk->tunnel != i || !rk->qm1)
                    continue;
                if (rk->qm1 <= d->start) {
                    before = (int64_t)(d->start - rk->qm1);
                    before_idx = rk->index;
                } else if (after < 0) {
                    after = (int64_t)(rk->qm1 - d->start);
                }
            }
            bool follows = before >= 0 && (uint64_t)before <= FOLLOW_WINDOW;
            g_string_append_printf(s, "%s    {\"tunnel\": %d, \"kind\": \"%s\", \"direction\": \"both\", \"depth\": %g, "
                                      "\"duration_s\": %g, \"follows_rekey\": %s, \"rekey_index\": ",
                                   firstd ? "" : ",\n", i, d->kind ? "extra" : "after-rekey", d->depth,
                                   (double)(d->end - d->start) / 1e9, follows ? "true" : "false");
            if (follows)
                g_string_append_printf(s, "%d", before_idx);
            else
                g_string_append(s, "null");
            g_string_append(s, ", \"since_prev_qm_s\": ");
            if (before >= 0)
                g_string_append_printf(s, "%.9f", (double)before / 1e9);
            else
                g_string_append(s, "null");
            g_string_append(s, ", \"until_next_qm_s\": ");
            if (after >= 0)
                g_string_append_printf(s, "%.9f", (double)after / 1e9);
            else
                g_string_append(s, "null");
            g_string_append(s, ", ");
            jtime(s, "start", d->start, base);
            g_string_append(s, ", ");
            jtime(s, "end", d->end, base);
            g_string_append(s, "}");
            firstd = false;
        }
    }
    g_string_append(s, "\n  ],\n");
    /* IKE messages in the capture */
    g_string_append(s, "  \"ike_messages\": [\n");
    for (guint i = 0; i < g.ikelog->len; i++) {
        ikelog_t *l = &g_array_index(g.ikelog, ikelog_t, i);
        g_string_append_printf(s, "    {\"tunnel\": %d, \"message\": \"%s\", \"exchange\": %u, \"msgid\": \"0x%08x\", "
                                  "\"from\": \"%s\", \"encrypted\": %s, \"isakmp_length\": %d, ",
                               l->tunnel, l->name, l->exch, l->msgid, l->from_client ? "client" : "server",
                               l->encrypted ? "true" : "false", l->len);
        jtime(s, "time", l->t, base);
        g_string_append_printf(s, "}%s\n", i + 1 < g.ikelog->len ? "," : "");
    }
    g_string_append(s, "  ]\n}\n");
    gboolean ok = g_file_set_contents(path, s->str, (gssize)s->len, NULL);
    g_string_free(s, TRUE);
    return ok;
}

/* ------------------------------------------------------------------ main loop */
int run(opts_t *o)
{
    memset(&g, 0, sizeof g);
    g.o = o;
    rng_seed(&g.rng, (uint64_t)o->seed);
    g.t0 = (uint64_t)o->start_epoch * NS_PER_S;
    g.sas = g_ptr_array_new();
    g.rekeys = g_ptr_array_new();
    g.ikelog = g_array_new(FALSE, TRUE, sizeof(ikelog_t));
    g.spis = g_hash_table_new(g_direct_hash, g_direct_equal);
    g.keys = g_string_new(NULL);
    g.mss = o->inner_mtu - 40;
    g.rtt = (uint64_t)(o->rtt_ms * 1e6);
    g.lan = MS(0.2);
    g.limit_bytes = o->life_kb > 0 ? (uint64_t)((double)o->life_kb * o->kb_unit * o->rekey_pct / 100.0) : 0;
    rng_bytes(&g.rng, g.pool, sizeof g.pool);
    keyline("# esprekey mkcapture seed %" G_GINT64_FORMAT ": %s", o->seed,
            o->keys == KEYS_SKEYID ? "ikev1_decryption_table lines + skeyid_d <CKY-I> <SKEYID_d>"
                                   : "Wireshark ikev1_decryption_table and esp_sa lines");

    if (!cap_open(&g.cap, o->out_capture, o->format, o->link, (uint32_t)o->snaplen))
        return 1;
    g.cap.drop_before_ns = g.t0 + (uint64_t)(o->capture_start * 1e9);

    g.tun = g_new0(tunnel_t, (gsize)o->tunnels);
    for (int i = 0; i < o->tunnels; i++) {
        setup_tunnel(&g.tun[i], i);
        ev_push(g.t0 + MS(20) + (uint64_t)i * MS(700), EV_IKE, i, 0, MM1, 0);
    }
    while (g.nheap) {
        ev_t e = ev_pop();
        tunnel_t *T = &g.tun[e.tun];
        flow_t *f = &T->flow[e.flow];
        switch (e.kind) {
        case EV_IKE: on_ike(T, e.t, (int)e.a); break;
        case EV_L2TP: on_l2tp(T, e.t, (int)e.a); break;
        case EV_HS: on_hs(T, f, e.t, (int)e.a); break;
        case EV_DATA: on_data(T, f, e.t); break;
        case EV_ACK: flow_send_ack(T, f, e.t, e.a); break;
        case EV_RETX: {
            uint64_t iv = seg_interval(T, f, e.t);
            flow_send_data(T, f, e.t, e.a, e.b, true, iv);
            break;
        }
        case EV_XDIP: on_xdip(T, e.t, e.b); break;
        case EV_KEEPALIVE: on_keepalive(T, e.t); break;
        case EV_TIMECHK:
            if (!T->rekeying && (uint64_t)T->gen == e.a && e.t < T->bulk_end)
                start_rekey(T, e.t, CAUSE_TIME, 0);
            break;
        }
    }
    if (!cap_close(&g.cap)) {
        fprintf(stderr, "mkcapture: writing %s failed\n", o->out_capture);
        return 1;
    }
    if (!g_file_set_contents(o->out_keys, g.keys->str, (gssize)g.keys->len, NULL)) {
        fprintf(stderr, "mkcapture: writing %s failed\n", o->out_keys);
        return 1;
    }
    uint64_t base = g.cap.packets ? g.cap.first_ns : g.t0;
    if (!write_truth(o->out_truth, base)) {
        fprintf(stderr, "mkcapture: writing %s failed\n", o->out_truth);
        return 1;
    }
    fprintf(stderr, "mkcapture: %s: %" G_GUINT64_FORMAT " packets (%" G_GUINT64_FORMAT " ESP, %" G_GUINT64_FORMAT
                    " ISAKMP), %" G_GUINT64_FORMAT " bytes, %u SAs, %u rekeys\n",
            o->out_capture, g.cap.packets, g.esp_packets_written, g.ike_written, g.cap.bytes, g.sas->len, g.rekeys->len);
    for (guint i = 0; i < g.sas->len; i++)
        sa_close(g.sas->pdata[i]);
    return 0;
}
