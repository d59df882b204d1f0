/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel path's bottleneck logic, a tc (cls_bpf, direct-action) program on the router
 * namespace's egress towards the server, in front of the TBF shaper. It implements the same model as the userspace emulator
 * (bottleneck.cpp), so scenario semantics do not depend on the backend:
 *
 *  - random loss: each packet is dropped with probability loss_threshold / 2^32;
 *  - a phantom queue: a FIFO drained at the shaped rate, tracked as the time at which it will be
 *    empty (busy_until). Its backlog is what TBF's real queue holds (TBF may run ahead by at most
 *    its burst, so the real queue is never longer). The kernel gives BPF no view of a qdisc's
 *    backlog, hence the model;
 *  - the buffer: a packet that would take the phantom backlog past the buffer is dropped here,
 *    so drops are recorded per packet; TBF's own limit is set larger, as a backstop;
 *  - ECN step marking: an ECN-capable packet arriving while the backlog exceeds K is marked CE;
 *  - one link_record per packet into a ring buffer, with the dequeue time the model predicts
 *    (flagged LR_ESTIMATED).
 *
 * Deviations from the userspace model: the backlog is fluid bytes, not whole packets, so limits
 * given in packets are converted by the loader at a full-size frame each (exact for MTU-sized
 * traffic, which is all a bulk flow sends with offloads off).
 */
#include "common.bpf.h"
#include <bpf/bpf_endian.h>

#include "link_record.h"

#define TC_ACT_OK 0
#define TC_ACT_SHOT 2
#define ETH_HLEN 14
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ECN_CE 3

/* Set by the loader before load. Times are in picoseconds for precision at 10+ Gbit/s. */
const volatile __u64 ps_per_byte = 0;    /* 8e12 / rate: 0 disables the phantom queue */
const volatile __u64 buffer_ps = 0;      /* buffer in time at the shaped rate; 0: no limit here */
const volatile __u64 ecn_ps = 0;         /* K in time at the shaped rate; 0: no marking */
const volatile __u32 loss_threshold = 0; /* drop when a random u32 is below this */
const volatile bool record = false;

struct phantom {
	struct bpf_spin_lock lock;
	__u64 base_ns;      /* time origin, so busy_until fits in picoseconds */
	__u64 busy_until_ps;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct phantom);
} queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} records SEC(".maps");

/* Counters for `ccbench link stats` when records are off or lost. */
__u64 packets = 0, drops_loss = 0, drops_overflow = 0, ce_marks = 0, records_lost = 0;

/* The ECN field, or -1 if this is not IP; *word gets the first 16 bits of the IP header. */
static __always_inline int read_ecn(struct __sk_buff *skb, __u16 *word)
{
	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		if (bpf_skb_load_bytes(skb, ETH_HLEN, word, 2))
			return -1;
		return bpf_ntohs(*word) & 3;
	}
	if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		if (bpf_skb_load_bytes(skb, ETH_HLEN, word, 2))
			return -1;
		return (bpf_ntohs(*word) >> 4) & 3;
	}
	return -1;
}

static __always_inline void set_ce(struct __sk_buff *skb, __u16 old)
{
	__u16 new;

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		new = bpf_htons(bpf_ntohs(old) | ECN_CE);
		bpf_l3_csum_replace(skb, ETH_HLEN + 10, old, new, 2);
	} else {
		new = bpf_htons(bpf_ntohs(old) | (ECN_CE << 4));
	}
	bpf_skb_store_bytes(skb, ETH_HLEN, &new, 2, 0);
}

SEC("tc")
int link_egress(struct __sk_buff *skb)
{
	struct link_record r = {};
	struct phantom *q;
	__u32 zero = 0;
	__u64 now = bpf_ktime_get_ns();
	__u64 now_ps, start, backlog_ps, tx_ps;
	__u16 word = 0;
	int ecn = read_ecn(skb, &word);
	bool drop_overflow = false, mark = false;

	STAT_INC(packets);
	r.enqueue_ns = now;
	r.size = skb->len;
	r.flags = LR_ESTIMATED | (ecn > 0 ? LR_ECT : 0);

	if (loss_threshold && bpf_get_prandom_u32() < loss_threshold) {
		STAT_INC(drops_loss);
		r.flags |= LR_DROP_LOSS;
		goto out;
	}
	q = bpf_map_lookup_elem(&queue, &zero);
	if (!q || !ps_per_byte)
		goto out_forward;

	tx_ps = (__u64)skb->len * ps_per_byte;
	bpf_spin_lock(&q->lock);
	if (!q->base_ns)
		q->base_ns = now;
	now_ps = (now - q->base_ns) * 1000;
	start = q->busy_until_ps > now_ps ? q->busy_until_ps : now_ps;
	backlog_ps = start - now_ps;
	if (buffer_ps && backlog_ps + tx_ps > buffer_ps) {
		drop_overflow = true;
	} else {
		mark = ecn_ps && backlog_ps > ecn_ps;
		q->busy_until_ps = start + tx_ps;
	}
	bpf_spin_unlock(&q->lock);

	if (drop_overflow) {
		STAT_INC(drops_overflow);
		r.flags |= LR_DROP_OVERFLOW;
		goto out;
	}
	r.dequeue_ns = now + (backlog_ps + tx_ps) / 1000;
	if (mark && ecn > 0) {
		if (ecn != ECN_CE)
			set_ce(skb, word);
		STAT_INC(ce_marks);
		r.flags |= LR_CE;
	}
out_forward:
	if (!r.dequeue_ns)
		r.dequeue_ns = now;
out:
	if (record && bpf_ringbuf_output(&records, &r, sizeof(r), 0))
		STAT_INC(records_lost);
	return (r.flags & (LR_DROP_LOSS | LR_DROP_OVERFLOW)) ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
