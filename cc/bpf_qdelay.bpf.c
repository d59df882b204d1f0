// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_qdelay: hold the bottleneck queueing delay near a target (Swift-style
 * AIMD on delay). Our own algorithm, not a port of a kernel CC.
 *
 * Signals
 *   base RTT   the kernel's windowed minimum RTT (tcp_min_rtt(), a min
 *              filter over net.ipv4.tcp_min_rtt_wlen, 300 s by default): the
 *              path's propagation delay as long as the queue empties at least
 *              once per window, which slow start and any decrease provide.
 *   qdelay     mean RTT of one round minus base RTT. A round is one window of
 *              data: it ends when snd_una passes the snd_nxt recorded at its
 *              start. The mean over a round (hundreds of samples on a
 *              100 Mbit/s x 40 ms path) averages out per-packet jitter of
 *              about a millisecond that would make a per-ACK rule oscillate.
 *
 * Control law, evaluated once per round (in pkts_acked) in TCP_CA_Open/Disorder
 *   qdelay <= target:  additive increase during the next round,
 *                      ai_segments per RTT, accumulated fractionally per ACK
 *                      (tcp_cong_avoid_ai with w = cwnd / ai_segments).
 *   qdelay < target/4: fast increase instead: cwnd / FAST_INCREASE_DIV
 *                      (1/8) per RTT, or ai_segments if more. A queue this
 *                      far below target means the link may be idle: after a
 *                      decrease caused by RTT jitter rather than queue (a
 *                      busy host delays packets too), or an early slow-start
 *                      exit, additive increase alone would take hundreds of
 *                      RTTs to refill a large BDP (measured: 71-76 %
 *                      utilisation on 100 Mbit/s x 20 ms with a loaded
 *                      2-core host). The queue is at about target in the
 *                      steady state, so fast increase is then off.
 *   qdelay >  target:  decrease to the window of the target delay, once
 *                      per RTT:
 *                      cwnd *= 1 - min(beta * (qdelay - target) / rtt, max_mdf)
 *                      where rtt = base + qdelay is the mean RTT of the round.
 *                      With the default beta = 1000 this is rate matching
 *                      (FAST/Vegas style): cwnd / rtt is the delivery rate of
 *                      the round, and cwnd * (base + target) / rtt is the
 *                      window that holds exactly target of queue at that
 *                      rate. The cut removes the queue in excess of the
 *                      target (beta < 1000: that share of it) and never the
 *                      queue below it, so the link stays busy while the queue
 *                      lands on target from above. max_mdf (50 %) bounds one
 *                      cut; a larger excess takes further rounds.
 *                      The cut starts a new round, and that round is skipped:
 *                      its samples belong to data sent before the decrease,
 *                      and acting on them would cut twice for one excess.
 *                      Until the next verdict cwnd holds.
 *   Slow start:        exponential (tcp_slow_start) until cwnd reaches
 *                      ssthresh or the minimum of the first 8 RTT samples of
 *                      a round exceeds base + target / 2 (a standing queue,
 *                      not the transient burst queue of slow start, which the
 *                      first samples of a round do not see). The exit sets
 *                      cwnd = ssthresh = rate * (base + target), the window of
 *                      the target delay at the kernel's latest delivery-rate
 *                      sample (tp->rate_delivered / tp->rate_interval_us,
 *                      about one RTT long; with a standing queue it is the
 *                      bottleneck rate), floor min_cwnd, not capped by
 *                      max_mdf; then the round in progress (pre-cut data) is
 *                      skipped as after a decrease. Without pacing, slow
 *                      start doubles per RTT and the first samples of a round
 *                      show the queue of one RTT earlier, so the exit comes
 *                      with cwnd about 4 BDP on deep_buffer (measured: 640
 *                      segments, 60 ms of queue at the peak). Keeping that
 *                      window and cutting by max_mdf per two RTTs kept the
 *                      queue above target for about 0.3 s, over 5 % of a 6 s
 *                      run's packets (p95 7-10 ms); the rate-matched cut
 *                      lands on about BDP + target (about 210 segments)
 *                      in one step, the sender pauses until the excess has
 *                      drained, and only the packets sent during the
 *                      overshoot itself (under 1 %) see more than target.
 *                      If the rate sample allows a larger window (an exit on
 *                      jitter below the BDP) or there is none, cwnd stays
 *                      and ssthresh = cwnd.
 *                      Known weakness: a host stall (not a queue) early in
 *                      slow start both triggers the exit and lowers the rate
 *                      sample, so the cut can land far below the BDP (seen
 *                      once on the loaded host: cwnd 10 -> 2, 1.1 s to
 *                      refill with fast increase, 80 % utilisation in 6 s).
 *   Loss:              ssthresh = cwnd * (1 - max_mdf) (the kernel's
 *                      recovery then brings cwnd there), floor min_cwnd;
 *                      undo restores max(cwnd, prior_cwnd) like Reno.
 *   With a standing queue of about target, a path with a buffer larger than
 *   target keeps its bottleneck busy: utilisation is limited by decreases
 *   on RTT jitter from a loaded host, which fast increase repairs.
 *
 * Tunables (.data.tunables)
 *   target_delay_us  u32  5000  queueing delay to hold, us
 *   ai_segments      u32  1     additive increase per RTT, segments (0 = none)
 *   beta             u32  1000  decrease gain, per mille (1.0 = rate
 *                               matching); clamped to <= 1000
 *   max_mdf          u32  500   largest decrease per RTT and loss decrease,
 *                               per mille (0.5); clamped to <= 1000
 *   min_cwnd         u32  2     floor for cwnd and ssthresh after decreases
 *
 * Statistics (.bss)
 *   stat_rounds        rounds evaluated (in congestion avoidance)
 *   stat_decreases     delay-based decreases
 *   stat_loss_events   ssthresh() calls (loss or ECN)
 *   stat_ss_exits      slow-start exits on delay
 *   stat_last_qdelay_us  qdelay of the last evaluated round (gauge)
 *   stat_last_cwnd       cwnd after the last evaluation (gauge)
 */
#include "common.bpf.h"

char _license[] SEC("license") = "GPL";

#define SS_MIN_SAMPLES 8	/* samples per round before the slow-start test */
#define SS_EXIT_DIV 2		/* slow start ends at a queue of target / 2 */
#define FAST_INCREASE_DIV 8	/* fast increase: cwnd / 8 per RTT ... */
#define FAST_INCREASE_BELOW 4	/* ... while qdelay < target / 4 */

/* ---- tunables ------------------------------------------------------------ */

/* queueing delay to hold at the bottleneck, microseconds */
CCLOAD_TUNABLE __u32 target_delay_us = 5000;
/* additive increase per RTT while below target, segments (0 disables) */
CCLOAD_TUNABLE __u32 ai_segments = 1;
/* decrease gain in per mille: share of the excess queue removed per RTT, <= 1000 */
CCLOAD_TUNABLE __u32 beta = 1000;
/* maximum multiplicative decrease per RTT (and on loss), per mille, <= 1000 */
CCLOAD_TUNABLE __u32 max_mdf = 500;
/* lower bound on cwnd and ssthresh after a decrease, segments (>= 1) */
CCLOAD_TUNABLE __u32 min_cwnd = 2;

/* ---- statistics ---------------------------------------------------------- */

__u64 stat_rounds;		/* rounds evaluated in congestion avoidance */
__u64 stat_decreases;		/* delay-based decreases */
__u64 stat_loss_events;		/* ssthresh() calls */
__u64 stat_ss_exits;		/* slow-start exits on delay */
__u64 stat_last_qdelay_us;	/* gauge: qdelay of the last evaluated round */
__u64 stat_last_cwnd;		/* gauge: cwnd after the last evaluation */

/* ---- per-socket state ------------------------------------------------------ */

struct bpf_qdelay_ca {
	__u64 rtt_sum;		/* sum of this round's RTT samples, us */
	__u32 rtt_cnt;		/* number of this round's RTT samples */
	__u32 round_end;	/* round ends when snd_una passes this */
	__u32 ss_min_rtt;	/* min of the round's first samples (slow start) */
	__u8 ss_samples;	/* samples counted into ss_min_rtt */
	__u8 grow;		/* last verdict: 0 hold, 1 additive, 2 fast increase */
	__u8 skip_round;	/* next verdict is stale (follows a decrease) */
	__u8 unused;
};

_Static_assert(sizeof(struct bpf_qdelay_ca) <= 13 * sizeof(__u64),
	       "per-socket state must fit icsk_ca_priv");

/* ---- helpers -------------------------------------------------------------- */

static __always_inline __u32 cur_min_cwnd(void)
{
	return max(TUNABLE(min_cwnd), 1U);
}

static __always_inline void new_round(struct bpf_qdelay_ca *ca, const struct tcp_sock *tp)
{
	ca->round_end = tp->snd_nxt;
	ca->rtt_sum = 0;
	ca->rtt_cnt = 0;
	ca->ss_min_rtt = ~0U;
	ca->ss_samples = 0;
}

/*
 * Set cwnd to next (floored at min_cwnd) if that is a decrease, and leave
 * slow start there. The round in progress holds data sent before the cut:
 * start a new round now and skip it, so the next verdict is on data sent at
 * the new window. Returns whether cwnd was lowered.
 */
static __always_inline bool cut_cwnd(struct tcp_sock *tp, struct bpf_qdelay_ca *ca, __u32 next)
{
	__u32 cwnd = tcp_snd_cwnd(tp);

	next = max(next, cur_min_cwnd());
	if (next >= cwnd)
		return false;
	tp->snd_cwnd = next;
	/* stay out of slow start at the lower window */
	tp->snd_ssthresh = max(next, 2U);
	new_round(ca, tp);
	ca->skip_round = 1;
	ca->grow = 0;
	return true;
}

/*
 * Window that gives a queueing delay of target at the current delivery
 * rate: rate * (base + target), with the kernel's latest rate sample
 * (tp->rate_delivered packets over tp->rate_interval_us, measured over about
 * one RTT, the same sample tcp_info's delivery_rate reports). 0 when there
 * is no sample yet.
 */
static __always_inline __u32 target_cwnd_from_rate(const struct tcp_sock *tp, __u32 base)
{
	__u32 interval = tp->rate_interval_us;
	__u64 w;

	if (!interval || base == ~0U)
		return 0;
	w = (__u64)tp->rate_delivered * (base + TUNABLE(target_delay_us)) / interval;
	return (__u32)min(w, (__u64)TCP_INFINITE_SSTHRESH);
}

/* End of a round in congestion avoidance: decide grow / hold / decrease. */
static __always_inline void evaluate_round(struct sock *sk, struct bpf_qdelay_ca *ca)
{
	struct tcp_sock *tp = tcp_sk(sk);
	__u32 base = tcp_min_rtt(tp);
	__u32 target = TUNABLE(target_delay_us);
	__u32 cwnd = tcp_snd_cwnd(tp);
	__u32 rtt, qdelay;

	if (ca->skip_round) {
		ca->skip_round = 0;
		return;
	}
	if (!ca->rtt_cnt || base == ~0U)
		return;		/* no samples: keep the previous verdict */

	rtt = ca->rtt_sum / ca->rtt_cnt;
	qdelay = rtt > base ? rtt - base : 0;
	STAT_INC(stat_rounds);
	STAT_SET(stat_last_qdelay_us, qdelay);

	if (qdelay < target / FAST_INCREASE_BELOW) {
		ca->grow = 2;
	} else if (qdelay <= target) {
		ca->grow = 1;
	} else {
		__u32 mdf = min(TUNABLE(max_mdf), 1000U);
		__u64 cut;

		ca->grow = 0;
		/*
		 * cwnd * beta/1000 * (qdelay - target) / rtt, at most
		 * cwnd * max_mdf; with beta = 1000 this is cwnd * (base +
		 * target) / rtt, the window of the target delay at the rate
		 * cwnd / rtt of this round.
		 */
		cut = (__u64)cwnd * min(TUNABLE(beta), 1000U) * (qdelay - target) /
		      ((__u64)rtt * 1000);
		cut = min(cut, (__u64)cwnd * mdf / 1000);
		/* a cut that rounds to 0 segments: hold, the excess is tiny */
		if (cut && cut_cwnd(tp, ca, cwnd - (__u32)cut))
			STAT_INC(stat_decreases);
	}
	STAT_SET(stat_last_cwnd, tcp_snd_cwnd(tp));
}

/* ---- struct_ops callbacks -------------------------------------------------- */

SEC("struct_ops")
void BPF_PROG(qdelay_init, struct sock *sk)
{
	struct bpf_qdelay_ca *ca = inet_csk_ca(sk);

	new_round(ca, tcp_sk(sk));
	ca->grow = 1;
	ca->skip_round = 0;
}

SEC("struct_ops")
void BPF_PROG(qdelay_acked, struct sock *sk, const struct ack_sample *sample)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct bpf_qdelay_ca *ca = inet_csk_ca(sk);
	__s32 rtt_us = sample->rtt_us;
	__u8 state = ca_state(sk);

	if (rtt_us > 0) {
		ca->rtt_sum += rtt_us;
		ca->rtt_cnt++;

		/* slow start: leave on a standing queue of target / SS_EXIT_DIV */
		if (tcp_in_slow_start(tp) && ca->ss_samples < SS_MIN_SAMPLES) {
			__u32 base = tcp_min_rtt(tp);

			ca->ss_min_rtt = min(ca->ss_min_rtt, (__u32)rtt_us);
			ca->ss_samples++;
			if (ca->ss_samples == SS_MIN_SAMPLES && base != ~0U &&
			    ca->ss_min_rtt > base + TUNABLE(target_delay_us) / SS_EXIT_DIV) {
				__u32 next = target_cwnd_from_rate(tp, base);

				STAT_INC(stat_ss_exits);
				if (next && cut_cwnd(tp, ca, next))
					return;	/* a new round has started */
				/* no rate sample, or it allows more: stop growing here */
				tp->snd_ssthresh = max(tcp_snd_cwnd(tp), 2U);
			}
		}
	}

	if (before(tp->snd_una, ca->round_end))
		return;

	/* Round over. Delay decisions only in Open/Disorder: recovery owns cwnd. */
	if (!tcp_in_slow_start(tp) && state <= TCP_CA_Disorder)
		evaluate_round(sk, ca);
	new_round(ca, tp);
}

SEC("struct_ops")
void BPF_PROG(qdelay_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct bpf_qdelay_ca *ca = inet_csk_ca(sk);
	__u32 ai = TUNABLE(ai_segments);

	if (!tcp_is_cwnd_limited(sk))
		return;

	if (tcp_in_slow_start(tp)) {
		acked = tcp_slow_start(tp, acked);
		if (!acked)
			return;
	}
	if (!ca->grow)
		return;
	if (ca->grow == 2) {
		/* +max(cwnd/8, ai) segments per cwnd of ACKed data */
		__u32 w = FAST_INCREASE_DIV;

		if (ai)
			w = min(w, max(tcp_snd_cwnd(tp) / ai, 1U));
		tcp_cong_avoid_ai(tp, w, acked);
		return;
	}
	if (!ai)
		return;
	/* +ai segments per cwnd of ACKed data; snd_cwnd_cnt keeps the fraction */
	tcp_cong_avoid_ai(tp, max(tcp_snd_cwnd(tp) / ai, 1U), acked);
}

SEC("struct_ops")
__u32 BPF_PROG(qdelay_ssthresh, struct sock *sk)
{
	struct tcp_sock *tp = tcp_sk(sk);
	struct bpf_qdelay_ca *ca = inet_csk_ca(sk);
	__u32 cwnd = tcp_snd_cwnd(tp);
	__u32 mdf = min(TUNABLE(max_mdf), 1000U);
	__u32 next = cwnd - (__u32)((__u64)cwnd * mdf / 1000);

	STAT_INC(stat_loss_events);
	/* samples taken across the loss episode say nothing about the new cwnd */
	new_round(ca, tp);
	ca->skip_round = 1;
	return max(next, max(cur_min_cwnd(), 2U));
}

SEC("struct_ops")
void BPF_PROG(qdelay_cwnd_event, struct sock *sk, enum tcp_ca_event ev)
{
	struct bpf_qdelay_ca *ca = inet_csk_ca(sk);

	/* after idle, old samples and round boundaries are stale */
	if (ev == CA_EVENT_TX_START) {
		new_round(ca, tcp_sk(sk));
		ca->skip_round = 0;
	}
}

SEC("struct_ops")
void BPF_PROG(qdelay_set_state, struct sock *sk, __u8 new_state)
{
	struct bpf_qdelay_ca *ca = inet_csk_ca(sk);

	/* after an RTO the window restarts from slow start: start clean */
	if (new_state == TCP_CA_Loss) {
		new_round(ca, tcp_sk(sk));
		ca->grow = 1;
		ca->skip_round = 0;
	}
}

SEC("struct_ops")
__u32 BPF_PROG(qdelay_undo_cwnd, struct sock *sk)
{
	return tcp_reno_undo_cwnd(sk);
}

SEC(".struct_ops.link")
struct tcp_congestion_ops bpf_qdelay = {
	.init = (void *)qdelay_init,
	.ssthresh = (void *)qdelay_ssthresh,
	.cong_avoid = (void *)qdelay_cong_avoid,
	.pkts_acked = (void *)qdelay_acked,
	.cwnd_event = (void *)qdelay_cwnd_event,
	.set_state = (void *)qdelay_set_state,
	.undo_cwnd = (void *)qdelay_undo_cwnd,
	.name = "bpf_qdelay",
};
