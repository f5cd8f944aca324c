/* TCP headers and options: parse and build, with the checksum. */
#include "net/tcp_header.h"

#include "lib/byteorder.h"
#include "lib/string.h"
#include "net/checksum.h"
#include "net/ipv4.h"
#include "themelios/errno.h"

static uint16_t
tcp_checksum(const uint8_t *hdr, size_t hlen, const void *data, size_t data_len, uint32_t src,
	     uint32_t dst)
{
	struct inet_csum c;

	inet_csum_init(&c);
	inet_csum_add_pseudo(&c, src, dst, IPV4_PROTO_TCP, (uint16_t)(hlen + data_len));
	inet_csum_add(&c, hdr, hlen);
	inet_csum_add(&c, data, data_len);
	return inet_csum_result(&c);
}

/*
 * The option list, kind by kind.  A length byte below 2 or past the
 * end would make the walk loop or overrun, and a known kind with
 * another length is no option of ours: both reject the segment.
 */
static int
parse_options(const uint8_t *p, size_t len, struct tcp_options *o)
{
	size_t i = 0;

	while (i < len) {
		uint8_t kind = p[i], olen;

		if (kind == TCP_OPT_EOL)
			break;
		if (kind == TCP_OPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			return -E_CORRUPT;
		olen = p[i + 1];
		if (olen < 2 || olen > len - i)
			return -E_CORRUPT;
		switch (kind) {
		case TCP_OPT_MSS:
			if (olen != 4)
				return -E_CORRUPT;
			o->has_mss = true;
			o->mss = be16(p + i + 2);
			break;
		case TCP_OPT_WSCALE:
			if (olen != 3)
				return -E_CORRUPT;
			o->has_wscale = true;
			o->wscale = p[i + 2] > TCP_WSCALE_MAX ? TCP_WSCALE_MAX : p[i + 2];
			break;
		case TCP_OPT_SACK_PERM:
			if (olen != 2)
				return -E_CORRUPT;
			o->sack_permitted = true;
			break;
		case TCP_OPT_SACK:
			if (olen < 10 || (olen - 2) % 8)
				return -E_CORRUPT;
			o->nsack = 0;
			for (size_t b = i + 2; b < i + olen && o->nsack < TCP_MAX_SACK; b += 8) {
				o->sack[o->nsack].start = be32(p + b);
				o->sack[o->nsack].end = be32(p + b + 4);
				o->nsack++;
			}
			break;
		case TCP_OPT_TS:
			if (olen != 10)
				return -E_CORRUPT;
			o->has_ts = true;
			o->ts_val = be32(p + i + 2);
			o->ts_ecr = be32(p + i + 6);
			break;
		default:
			break;
		}
		i += olen;
	}
	return 0;
}

int
tcp_parse(const void *buf, size_t len, uint32_t src, uint32_t dst, struct tcp_segment *out)
{
	const uint8_t *p = buf;
	size_t hlen;

	if (len < TCP_HEADER_LEN || len > 0xffff)
		return -E_CORRUPT;
	hlen = (size_t)(p[12] >> 4) * 4;
	if (hlen < TCP_HEADER_LEN || hlen > len)
		return -E_CORRUPT;
	if (tcp_checksum(p, len, NULL, 0, src, dst) != 0)
		return -E_CORRUPT;
	memset(out, 0, sizeof(*out));
	out->src_port = be16(p);
	out->dst_port = be16(p + 2);
	out->seq = be32(p + 4);
	out->ack = be32(p + 8);
	out->flags = p[13] & 0x3f;
	out->window = be16(p + 14);
	out->urgent = be16(p + 18);
	out->data = p + hlen;
	out->data_len = len - hlen;
	return parse_options(p + TCP_HEADER_LEN, hlen - TCP_HEADER_LEN, &out->opt);
}

size_t
tcp_options_len(const struct tcp_options *o)
{
	size_t n = 0;

	if (o->has_mss)
		n += 4;
	if (o->has_wscale)
		n += 4; /* NOP, then 3 bytes */
	if (o->has_ts)
		n += 12; /* with the SACK-permitted option or two NOPs in front */
	else if (o->sack_permitted)
		n += 4;
	if (o->nsack)
		n += 4 + 8 * (size_t)o->nsack;
	return n;
}

/* The layout Linux uses, so that traces look familiar. */
static void
build_options(uint8_t *p, const struct tcp_options *o)
{
	if (o->has_mss) {
		p[0] = TCP_OPT_MSS;
		p[1] = 4;
		put_be16(p + 2, o->mss);
		p += 4;
	}
	if (o->has_ts) {
		if (o->sack_permitted) {
			p[0] = TCP_OPT_SACK_PERM;
			p[1] = 2;
		} else {
			p[0] = p[1] = TCP_OPT_NOP;
		}
		p[2] = TCP_OPT_TS;
		p[3] = 10;
		put_be32(p + 4, o->ts_val);
		put_be32(p + 8, o->ts_ecr);
		p += 12;
	} else if (o->sack_permitted) {
		p[0] = p[1] = TCP_OPT_NOP;
		p[2] = TCP_OPT_SACK_PERM;
		p[3] = 2;
		p += 4;
	}
	if (o->has_wscale) {
		p[0] = TCP_OPT_NOP;
		p[1] = TCP_OPT_WSCALE;
		p[2] = 3;
		p[3] = o->wscale;
		p += 4;
	}
	if (o->nsack) {
		p[0] = p[1] = TCP_OPT_NOP;
		p[2] = TCP_OPT_SACK;
		p[3] = (uint8_t)(2 + 8 * o->nsack);
		for (unsigned i = 0; i < o->nsack; i++) {
			put_be32(p + 4 + 8 * i, o->sack[i].start);
			put_be32(p + 8 + 8 * i, o->sack[i].end);
		}
	}
}

int
tcp_build(void *buf, size_t cap, uint32_t src, uint32_t dst, const struct tcp_segment *seg,
	  const void *data, size_t data_len)
{
	uint8_t *p = buf;
	size_t olen = tcp_options_len(&seg->opt), hlen = TCP_HEADER_LEN + olen;

	if (olen > TCP_MAX_HEADER_LEN - TCP_HEADER_LEN || seg->opt.nsack > TCP_MAX_SACK ||
	    data_len > cap || hlen > cap - data_len || hlen + data_len > 0xffff)
		return -E_RANGE;
	if (data_len && p + hlen != data)
		memmove(p + hlen, data, data_len);
	put_be16(p, seg->src_port);
	put_be16(p + 2, seg->dst_port);
	put_be32(p + 4, seg->seq);
	put_be32(p + 8, seg->ack);
	p[12] = (uint8_t)(hlen / 4 << 4);
	p[13] = seg->flags;
	put_be16(p + 14, seg->window);
	put_be16(p + 16, 0);
	put_be16(p + 18, seg->urgent);
	build_options(p + TCP_HEADER_LEN, &seg->opt);
	put_be16(p + 16, tcp_checksum(p, hlen + data_len, NULL, 0, src, dst));
	return (int)(hlen + data_len);
}
