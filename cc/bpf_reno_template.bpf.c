// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_reno_tmpl: the smallest useful CC, and the file to copy when starting
 * a new one.
 *
 * Algorithm: Reno. Slow start doubles cwnd per RTT up to ssthresh, then
 * congestion avoidance adds one segment per RTT; on loss ssthresh becomes
 * cwnd / 2 (the kernel's tcp_reno_ssthresh) and undo restores
 * max(cwnd, prior_cwnd). All three are the kernel's own Reno functions,
 * called as kfuncs. One example tunable, ssthresh_floor, shows the
 * convention: the kernel halves, we then apply the floor.
 *
 * To start a new CC:
 *   1. cp cc/bpf_reno_template.bpf.c cc/bpf_<name>.bpf.c and add
 *      'bpf_<name>': files('bpf_<name>.bpf.c') to bpf_programs in
 *      cc/meson.build (or build it out of tree: docs/writing-a-cc.md).
 *   2. Rename the ops table and its .name (at most 15 characters; it is what
 *      TCP_CONGESTION and tcp_available_congestion_control show).
 *   3. Per-socket state goes in inet_csk_ca(sk) (104 bytes, zeroed before
 *      .init); run-time tunables are CCLOAD_TUNABLE globals read with
 *      TUNABLE() in each callback; counters are .bss globals bumped with
 *      STAT_INC(). See cc/common.bpf.h.
 *   4. Required callbacks: ssthresh, cong_avoid (or cong_control) and
 *      undo_cwnd; init, release, set_state, cwnd_event, in_ack_event,
 *      pkts_acked, min_tso_segs and sndbuf_expand are optional.
 *
 * Tunables (.data.tunables)
 *   ssthresh_floor  u32  2   lowest ssthresh after a loss, segments
 * Statistics (.bss)
 *   stat_loss_events  ssthresh() calls
 */
#include "common.bpf.h"

char _license[] SEC("license") = "GPL";

/* lowest ssthresh after a loss, segments (Reno's own floor is 2) */
CCLOAD_TUNABLE __u32 ssthresh_floor = 2;

__u64 stat_loss_events;	/* ssthresh() calls: losses and ECN reductions */

SEC("struct_ops")
__u32 BPF_PROG(reno_tmpl_ssthresh, struct sock *sk)
{
	STAT_INC(stat_loss_events);
	return max(tcp_reno_ssthresh(sk), TUNABLE(ssthresh_floor));
}

SEC("struct_ops")
void BPF_PROG(reno_tmpl_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	tcp_reno_cong_avoid(sk, ack, acked);
}

SEC("struct_ops")
__u32 BPF_PROG(reno_tmpl_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

SEC(".struct_ops.link")
struct tcp_congestion_ops bpf_reno_tmpl = {
	.ssthresh = (void *)reno_tmpl_ssthresh,
	.cong_avoid = (void *)reno_tmpl_cong_avoid,
	.undo_cwnd = (void *)reno_tmpl_undo_cwnd,
	.name = "bpf_reno_tmpl",
};
