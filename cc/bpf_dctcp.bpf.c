// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_dctcp: Data Center TCP, behaving as net/ipv4/tcp_dctcp.c of Linux 6.18.
 *
 * Algorithm
 *   DCTCP needs ECN on every packet (TCP_CONG_NEEDS_ECN) and a bottleneck
 *   that marks CE above a shallow queue threshold. Once per window of data
 *   (when snd_una passes the snd_nxt recorded at the previous update) the
 *   sender updates the estimate of the fraction of marked packets
 *       alpha <- (1 - g) * alpha + g * F,   F = delivered_ce / delivered,
 *   with g = 2^-shift_g and alpha in [0, 1024]. On an ECN-Echo the window is
 *   reduced in proportion to the congestion seen,
 *       ssthresh = cwnd * (1 - alpha / 2),
 *   instead of Reno's halving; growth is Reno's (tcp_reno_cong_avoid). Loss
 *   still halves the window, once per window: entering Recovery and an RTO
 *   (CA_EVENT_LOSS) both set ssthresh = max(cwnd / 2, 2).
 *   The receiver runs a two-state CE machine so its ACKs echo the exact
 *   sequence of CE marks despite delayed ACKs: when the CE state of arriving
 *   data flips, an ACK that was being delayed is sent first with the old
 *   state (covering data up to prior_rcv_nxt), and the next ACK is sent at
 *   once (ICSK_ACK_NOW) with the new state in TCP_ECN_DEMAND_CWR.
 *   Undo after a spurious reduction restores max(cwnd, cwnd before the cut).
 *
 * Without ECN
 *   If the connection did not negotiate ECN (neither RFC 3168 nor AccECN
 *   mode in tp->ecn_flags) and the socket is not LISTEN/CLOSE, .init switches
 *   the socket to the CC named by the fallback_cc tunable with
 *   bpf_setsockopt(TCP_CONGESTION). The kernel's switch also clears ECT on
 *   the socket, as the native INET_ECN_dontxmit() does.
 *
 * Tunables (.data.tunables)
 *   shift_g        u32      4        g = 1/2^shift_g, [0, 10] as the native
 *                                    module parameter; larger values act as
 *                                    10 (the native module refuses them)
 *   alpha_on_init  u32      1024     alpha at connection start (max 1024)
 *   fallback_cc    char[16] "reno"   CC for connections without ECN; a
 *                                    NUL-terminated name (TCP_CA_NAME_MAX);
 *                                    "" keeps bpf_dctcp without ECN (its
 *                                    packets then still carry ECT)
 *
 * Statistics (.bss)
 *   stat_inits             .init calls that kept bpf_dctcp
 *   stat_fallbacks         connections switched to fallback_cc
 *   stat_fallback_errors   switches that failed (bpf_setsockopt error); those
 *                          connections stay on bpf_dctcp, initialised
 *   stat_alpha_updates     per-window alpha updates
 *   stat_ce_windows        windows in which some data was CE-marked
 *   stat_ce_state_changes  receiver CE state flips (0->1 and 1->0)
 *   stat_loss_reactions    window halvings on Recovery or RTO
 *   stat_last_alpha        alpha after the most recent update (gauge)
 *
 * Deviations from the native module
 *   1. Fallback: the native module switches to its private "dctcp-reno" ops
 *      (Reno plus DCTCP's get_info); BPF cannot install an ops table
 *      directly, so we switch by name to fallback_cc, by default the
 *      kernel's "reno", which runs the same Reno code. ss/inet_diag then
 *      shows "reno" instead of "dctcp-reno".
 *   2. No PLB (Protective Load Balancing, tcp_plb_*): those functions are not
 *      kfuncs. PLB is off unless net.ipv4.tcp_plb_enabled is set.
 *   3. No get_info (inet_diag DCTCP info): struct_ops does not support it.
 *   4. shift_g and alpha_on_init are read on every use instead of being
 *      module parameters; alpha_on_init is read only at .init, like native.
 *   5. When a sock_ops program picks bpf_dctcp at TCP_CONNECT_CB (before the
 *      handshake), the native module falls back to dctcp-reno for good;
 *      here the nested switch is refused (-EBUSY), the socket stays on
 *      bpf_dctcp, and .init runs again when the connection is established,
 *      deciding then with the negotiated ECN.
 */
#include "common.bpf.h"

char _license[] SEC("license") = "GPL";

#define DCTCP_MAX_ALPHA 1024U

/* ---- tunables ------------------------------------------------------------ */

/* EWMA gain g = 1/2^shift_g for alpha; clamped to [0, 10] */
CCLOAD_TUNABLE __u32 shift_g = 4;
/* alpha at connection start, in 1/1024 (1024 = assume full congestion) */
CCLOAD_TUNABLE __u32 alpha_on_init = DCTCP_MAX_ALPHA;
/*
 * CC to switch to when ECN was not negotiated: NUL-terminated name of at
 * most 15 characters (TCP_CA_NAME_MAX); empty = stay on bpf_dctcp.
 */
CCLOAD_TUNABLE char fallback_cc[TCP_CA_NAME_MAX] = "reno";

/* ---- statistics ---------------------------------------------------------- */

__u64 stat_inits;		/* .init calls that kept bpf_dctcp */
__u64 stat_fallbacks;		/* switches to fallback_cc */
__u64 stat_fallback_errors;	/* failed switches */
__u64 stat_alpha_updates;	/* per-window alpha updates */
__u64 stat_ce_windows;		/* windows with CE-marked deliveries */
__u64 stat_ce_state_changes;	/* receiver CE state flips */
__u64 stat_loss_reactions;	/* halvings on Recovery or RTO */
__u64 stat_last_alpha;		/* last alpha computed (gauge, /1024) */

/* ---- per-socket state ------------------------------------------------------ */

struct bpf_dctcp_ca {
	__u32 old_delivered;	/* tp->delivered at the start of the window */
	__u32 old_delivered_ce;	/* tp->delivered_ce at the start of the window */
	__u32 prior_rcv_nxt;	/* rcv_nxt when the CE state last changed */
	__u32 dctcp_alpha;	/* marked fraction, EWMA, /1024 */
	__u32 next_seq;		/* window ends when snd_una passes this */
	__u32 ce_state;		/* receiver: 1 if the last data was CE */
	__u32 loss_cwnd;	/* cwnd before the last reduction, for undo */
};

_Static_assert(sizeof(struct bpf_dctcp_ca) <= 13 * sizeof(__u64),
	       "per-socket state must fit icsk_ca_priv");

/* ---- helpers -------------------------------------------------------------- */

static __always_inline void dctcp_reset(const struct tcp_sock *tp, struct bpf_dctcp_ca *ca)
{
	ca->next_seq = tp->snd_nxt;
	ca->old_delivered = tp->delivered;
	ca->old_delivered_ce = tp->delivered_ce;
}

static __always_inline __u32 cur_shift_g(void)
{
	return min(TUNABLE(shift_g), 10U);
}

/* Loss: halve, at most once per window (the callers guarantee that). */
static __always_inline void dctcp_react_to_loss(struct sock *sk)
{
	struct bpf_dctcp_ca *ca = inet_csk_ca(sk);
	struct tcp_sock *tp = tcp_sk(sk);

	ca->loss_cwnd = tcp_snd_cwnd(tp);
	tp->snd_ssthresh = max(tcp_snd_cwnd(tp) >> 1U, 2U);
	STAT_INC(stat_loss_reactions);
}

/* Reflect ce_state in the ECE bit of the ACKs we send. */
static __always_inline void dctcp_ece_ack_cwr(struct sock *sk, __u32 ce_state)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (ce_state == 1)
		tp->ecn_flags |= TCP_ECN_DEMAND_CWR;
	else
		tp->ecn_flags &= ~TCP_ECN_DEMAND_CWR;
}

/*
 * Receiver CE state machine (state: was the last data segment CE-marked?).
 * On a flip, flush a pending delayed ACK with the old state, then ACK now.
 */
static __always_inline void dctcp_ece_ack_update(struct sock *sk, enum tcp_ca_event evt,
						 struct bpf_dctcp_ca *ca)
{
	__u32 new_ce_state = (evt == CA_EVENT_ECN_IS_CE) ? 1 : 0;

	if (ca->ce_state != new_ce_state) {
		STAT_INC(stat_ce_state_changes);
		if (inet_csk(sk)->icsk_ack.pending & ICSK_ACK_TIMER) {
			dctcp_ece_ack_cwr(sk, ca->ce_state);
			/* the helper form of __tcp_send_ack(sk, rcv_nxt, 0) */
			bpf_tcp_send_ack(sk, ca->prior_rcv_nxt);
		}
		inet_csk(sk)->icsk_ack.pending |= ICSK_ACK_NOW;
	}
	ca->prior_rcv_nxt = tcp_sk(sk)->rcv_nxt;
	ca->ce_state = new_ce_state;
	dctcp_ece_ack_cwr(sk, new_ce_state);
}

/* ---- struct_ops callbacks -------------------------------------------------- */

SEC("struct_ops")
void BPF_PROG(dctcp_init, struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	struct bpf_dctcp_ca *ca = inet_csk_ca(sk);
	__u8 state = sk_state(sk);
	char fallback[TCP_CA_NAME_MAX];

	/* one copy: user space may rewrite the name while we use it */
	__builtin_memcpy(fallback, (const void *)fallback_cc, sizeof(fallback));
	fallback[TCP_CA_NAME_MAX - 1] = '\0';

	if (!(tp->ecn_flags & TCP_ECN_MODE_ANY) && state != TCP_LISTEN && state != TCP_CLOSE &&
	    fallback[0]) {
		/*
		 * No ECN: hand the socket to the fallback CC. The kernel runs the
		 * new CC's .init from inside this call and refuses (-EBUSY) a
		 * further TCP_CONGESTION change from that nested .init, so two bpf
		 * CCs cannot bounce a socket between each other. After a switch
		 * the private area belongs to the new CC: do not touch it.
		 */
		if (!bpf_setsockopt(sk, SOL_TCP, TCP_CONGESTION, fallback, sizeof(fallback))) {
			STAT_INC(stat_fallbacks);
			return;
		}
		/*
		 * Refused (unknown name, CC locked by the route, or already inside
		 * a TCP_CONGESTION change): stay DCTCP with a proper state rather
		 * than zeroed one. ECT stays on the socket's packets; BPF cannot
		 * clear it as the native INET_ECN_dontxmit() does.
		 */
		STAT_INC(stat_fallback_errors);
	}
	ca->prior_rcv_nxt = tp->rcv_nxt;
	ca->dctcp_alpha = min(TUNABLE(alpha_on_init), DCTCP_MAX_ALPHA);
	ca->loss_cwnd = 0;
	ca->ce_state = 0;
	dctcp_reset(tp, ca);
	STAT_INC(stat_inits);
}

SEC("struct_ops")
__u32 BPF_PROG(dctcp_ssthresh, struct sock *sk)
{
	struct bpf_dctcp_ca *ca = inet_csk_ca(sk);
	struct tcp_sock *tp = tcp_sk(sk);
	__u32 cwnd = tcp_snd_cwnd(tp);

	ca->loss_cwnd = cwnd;
	/* cwnd * (1 - alpha/2), alpha in /1024 */
	return max(cwnd - ((cwnd * ca->dctcp_alpha) >> 11U), 2U);
}

/* in_ack_event: once per window, fold the window's CE fraction into alpha. */
SEC("struct_ops")
void BPF_PROG(dctcp_update_alpha, struct sock *sk, __u32 flags)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	struct bpf_dctcp_ca *ca = inet_csk_ca(sk);

	if (!before(tp->snd_una, ca->next_seq)) {
		__u32 delivered = tp->delivered - ca->old_delivered;
		__u32 delivered_ce = tp->delivered_ce - ca->old_delivered_ce;
		__u32 alpha = ca->dctcp_alpha;
		__u32 g = cur_shift_g();

		/* alpha = (1 - g) * alpha + g * F */
		alpha -= min_not_zero(alpha, alpha >> g);
		if (delivered_ce) {
			/* F * 1024 * g; 32 bits suffice unless g = 1/2 and 8M packets */
			delivered_ce <<= (10 - g);
			delivered_ce /= max(1U, delivered);

			alpha = min(alpha + delivered_ce, DCTCP_MAX_ALPHA);
			STAT_INC(stat_ce_windows);
		}
		ca->dctcp_alpha = alpha;
		STAT_SET(stat_last_alpha, alpha);
		STAT_INC(stat_alpha_updates);
		dctcp_reset(tp, ca);
	}
}

SEC("struct_ops")
void BPF_PROG(dctcp_state, struct sock *sk, __u8 new_state)
{
	/* RTO is handled in cwnd_event (CA_EVENT_LOSS): one reaction per window */
	if (new_state == TCP_CA_Recovery && new_state != ca_state(sk))
		dctcp_react_to_loss(sk);
}

SEC("struct_ops")
void BPF_PROG(dctcp_cwnd_event, struct sock *sk, enum tcp_ca_event ev)
{
	struct bpf_dctcp_ca *ca = inet_csk_ca(sk);

	switch (ev) {
	case CA_EVENT_ECN_IS_CE:
	case CA_EVENT_ECN_NO_CE:
		dctcp_ece_ack_update(sk, ev, ca);
		break;
	case CA_EVENT_LOSS:
		dctcp_react_to_loss(sk);
		break;
	default:
		break;
	}
}

SEC("struct_ops")
__u32 BPF_PROG(dctcp_cwnd_undo, struct sock *sk)
{
	const struct bpf_dctcp_ca *ca = inet_csk_ca(sk);

	return max(tcp_snd_cwnd(tcp_sk(sk)), ca->loss_cwnd);
}

SEC("struct_ops")
void BPF_PROG(dctcp_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	tcp_reno_cong_avoid(sk, ack, acked);
}

SEC(".struct_ops.link")
struct tcp_congestion_ops bpf_dctcp = {
	.init = (void *)dctcp_init,
	.in_ack_event = (void *)dctcp_update_alpha,
	.cwnd_event = (void *)dctcp_cwnd_event,
	.ssthresh = (void *)dctcp_ssthresh,
	.cong_avoid = (void *)dctcp_cong_avoid,
	.undo_cwnd = (void *)dctcp_cwnd_undo,
	.set_state = (void *)dctcp_state,
	.flags = TCP_CONG_NEEDS_ECN,
	.name = "bpf_dctcp",
};
