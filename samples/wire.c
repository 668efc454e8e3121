/* Byte-level helpers, IP/UDP headers, link layers and the pcap / pcapng writer. */
#include "samples/gen.h"

#include <arpa/inet.h>
#include <string.h>

void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

uint32_t get32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

void hexstr(char *out, const uint8_t *b, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hx[b[i] >> 4];
        out[2 * i + 1] = hx[b[i] & 15];
    }
    out[2 * n] = 0;
}

void addr_str(char *out, const ipaddr_t *a)
{
    inet_ntop(a->len == 4 ? AF_INET : AF_INET6, a->a, out, 64);
}

/* ------------------------------------------------------------ checksums */
uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
    size_t i = 0;
    for (; i + 1 < n; i += 2)
        sum += ((uint32_t)p[i] << 8) | p[i + 1];
    if (i < n)
        sum += (uint32_t)p[i] << 8;
    return sum;
}

uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

uint8_t *put_ip(uint8_t *payload, size_t payload_len, uint8_t proto, const ipaddr_t *src,
                const ipaddr_t *dst, uint16_t ipid)
{
    if (src->len == 16) {
        uint8_t *h = payload - 40;
        put32(h, 0x60000000u);
        put16(h + 4, (uint16_t)payload_len);
        h[6] = proto;
        h[7] = 64;
        memcpy(h + 8, src->a, 16);
        memcpy(h + 24, dst->a, 16);
        return h;
    }
    uint8_t *h = payload - 20;
    h[0] = 0x45;
    h[1] = 0;
    put16(h + 2, (uint16_t)(payload_len + 20));
    put16(h + 4, ipid);
    put16(h + 6, 0);
    h[8] = 64;
    h[9] = proto;
    put16(h + 10, 0);
    memcpy(h + 12, src->a, 4);
    memcpy(h + 16, dst->a, 4);
    put16(h + 10, csum_fold(csum_add(0, h, 20)));
    return h;
}

uint8_t *put_udp(uint8_t *payload, size_t payload_len, uint16_t sport, uint16_t dport,
                 const ipaddr_t *src, const ipaddr_t *dst, bool csum)
{
    uint8_t *u = payload - 8;
    size_t ulen = payload_len + 8;
    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, (uint16_t)ulen);
    put16(u + 6, 0);
    if (csum) {
        uint32_t s = csum_add(0, src->a, (size_t)src->len);
        s = csum_add(s, dst->a, (size_t)dst->len);
        s += 17;
        s += (uint32_t)ulen;
        s = csum_add(s, u, ulen);
        uint16_t c = csum_fold(s);
        put16(u + 6, c ? c : 0xffff);
    }
    return u;
}

/* ------------------------------------------------------------ link layer */
static const uint8_t mac_router[6] = { 0x00, 0xa0, 0xde, 0x8c, 0x51, 0x0a }; /* Yamaha OUI */
static const uint8_t mac_peer[6]   = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 }; /* upstream side */
#define PPPOE_SESSION 0x2f41
#define VLAN_ID 10

/* Prepends the link header; returns the frame start. */
static uint8_t *put_link(int link, uint8_t *ip, size_t len, bool from_client, bool v6)
{
    const uint8_t *src = from_client ? mac_peer : mac_router;
    const uint8_t *dst = from_client ? mac_router : mac_peer;
    uint8_t *p;
    switch (link) {
    case LINK_PPPOE:
        p = ip - 26;
        memcpy(p, dst, 6);
        memcpy(p + 6, src, 6);
        put16(p + 12, 0x8100);
        put16(p + 14, VLAN_ID);
        put16(p + 16, 0x8864);
        p[18] = 0x11;
        p[19] = 0x00;
        put16(p + 20, PPPOE_SESSION);
        put16(p + 22, (uint16_t)(len + 2));
        put16(p + 24, v6 ? 0x0057 : 0x0021);
        return p;
    case LINK_SLL:
        p = ip - 16;
        put16(p, from_client ? 0 : 4);  /* to us / outgoing */
        put16(p + 2, 1);                /* ARPHRD_ETHER */
        put16(p + 4, 6);
        memcpy(p + 6, src, 6);
        put16(p + 12, 0);
        put16(p + 14, v6 ? 0x86dd : 0x0800);
        return p;
    default:
        p = ip - 14;
        memcpy(p, dst, 6);
        memcpy(p + 6, src, 6);
        put16(p + 12, v6 ? 0x86dd : 0x0800);
        return p;
    }
}

/* ------------------------------------------------------------ capture files */
static void le16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void le32(uint8_t *p, uint32_t v) { le16(p, (uint16_t)v); le16(p + 2, (uint16_t)(v >> 16)); }

static size_t opt_put(uint8_t *p, uint16_t code, const void *val, uint16_t len)
{
    le16(p, code);
    le16(p + 2, len);
    memcpy(p + 4, val, len);
    size_t n = 4 + len;
    while (n % 4)
        p[n++] = 0;
    return n;
}

bool cap_open(capw_t *w, const char *path, int format, int link, uint32_t snaplen)
{
    memset(w, 0, sizeof *w);
    w->f = fopen(path, "wb");
    if (!w->f) {
        perror(path);
        return false;
    }
    setvbuf(w->f, NULL, _IOFBF, 1 << 22);
    w->format = format;
    w->link = link;
    w->snaplen = snaplen;
    uint32_t dlt = link == LINK_SLL ? 113 : 1;
    uint8_t b[256];
    if (format == FMT_PCAPNG) {
        /* Section Header Block */
        size_t n = 8;
        le32(b + n, 0x1a2b3c4d); n += 4;
        le16(b + n, 1); le16(b + n + 2, 0); n += 4;
        le32(b + n, 0xffffffff); le32(b + n + 4, 0xffffffff); n += 8;
        static const char app[] = "esprekey mkcapture (synthetic Windows 10 / NVR510 L2TP/IPsec)";
        n += opt_put(b + n, 4, app, sizeof app - 1);          /* shb_userappl */
        n += opt_put(b + n, 0, "", 0);
        le32(b, 0x0a0d0d0a);
        le32(b + 4, (uint32_t)(n + 4));
        le32(b + n, (uint32_t)(n + 4));
        n += 4;
        fwrite(b, 1, n, w->f);
        /* Interface Description Block */
        n = 8;
        le16(b + n, (uint16_t)dlt); le16(b + n + 2, 0); n += 4;
        le32(b + n, snaplen); n += 4;
        static const char ifname[] = "lan2";                   /* NVR510 WAN port name */
        n += opt_put(b + n, 2, ifname, sizeof ifname - 1);     /* if_name */
        uint8_t tsres = 9;
        n += opt_put(b + n, 9, &tsres, 1);                     /* if_tsresol: ns */
        n += opt_put(b + n, 0, "", 0);
        le32(b, 1);
        le32(b + 4, (uint32_t)(n + 4));
        le32(b + n, (uint32_t)(n + 4));
        n += 4;
        fwrite(b, 1, n, w->f);
    } else {
        le32(b, format == FMT_PCAP_NS ? 0xa1b23c4d : 0xa1b2c3d4);
        le16(b + 4, 2);
        le16(b + 6, 4);
        le32(b + 8, 0);
        le32(b + 12, 0);
        le32(b + 16, snaplen);
        le32(b + 20, dlt);
        fwrite(b, 1, 24, w->f);
    }
    return true;
}

bool cap_write_ip(capw_t *w, uint64_t t_ns, uint8_t *ip, size_t len, bool from_client, bool v6)
{
    if (t_ns < w->drop_before_ns)
        return false;
    uint8_t *frame = put_link(w->link, ip, len, from_client, v6);
    size_t flen = len + (size_t)(ip - frame);
    size_t caplen = flen < w->snaplen ? flen : w->snaplen;
    uint8_t h[28];
    if (w->format == FMT_PCAPNG) {
        size_t pad = (4 - caplen % 4) % 4;
        uint32_t blen = (uint32_t)(28 + caplen + pad + 4);
        le32(h, 6);
        le32(h + 4, blen);
        le32(h + 8, 0);
        le32(h + 12, (uint32_t)(t_ns >> 32));
        le32(h + 16, (uint32_t)t_ns);
        le32(h + 20, (uint32_t)caplen);
        le32(h + 24, (uint32_t)flen);
        fwrite(h, 1, 28, w->f);
        fwrite(frame, 1, caplen, w->f);
        static const uint8_t zero[4];
        uint8_t tail[8];
        memcpy(tail, zero, pad);
        le32(tail + pad, blen);
        fwrite(tail, 1, pad + 4, w->f);
    } else {
        uint64_t sub = w->format == FMT_PCAP_NS ? t_ns % NS_PER_S : (t_ns % NS_PER_S) / 1000;
        le32(h, (uint32_t)(t_ns / NS_PER_S));
        le32(h + 4, (uint32_t)sub);
        le32(h + 8, (uint32_t)caplen);
        le32(h + 12, (uint32_t)flen);
        fwrite(h, 1, 16, w->f);
        fwrite(frame, 1, caplen, w->f);
    }
    if (!w->packets)
        w->first_ns = t_ns;
    w->last_ns = t_ns;
    w->packets++;
    w->bytes += flen;
    return true;
}

bool cap_close(capw_t *w)
{
    bool ok = !ferror(w->f);
    if (fclose(w->f) != 0)
        ok = false;
    return ok;
}
