/* SPDX-License-Identifier: GPL-2.0 */
#ifndef __bpf__
#error "common.bpf.h is for BPF programs only; user space includes lib/ headers"
#endif

/*
 * Shared by every cc/<name>.bpf.c: the kernel types (vmlinux.h generated from
 * the running kernel's BTF), the libbpf BPF-side headers, the few TCP
 * definitions that are macros or static inlines in the kernel and therefore
 * missing from BTF, the kfuncs a tcp_congestion_ops program may call, and the
 * project's conventions for run-time tunables and statistics.
 *
 * Conventions (the loader and `ccload set` rely on them):
 *
 *  - Tunables: every run-time knob of a CC is a plain, non-const global in
 *    the ".data.tunables" section, declared with CCLOAD_TUNABLE, of an
 *    integer or bool type, with a comment. The loader pins that map and
 *    rewrites values while sockets use the CC, so a callback reads a tunable
 *    with TUNABLE() each time it needs it (one read per callback, so a
 *    concurrent rewrite cannot make one callback see two values) and never
 *    caches it in per-socket state unless the native CC does the same.
 *  - Statistics: read-only counters for tests and `ccload stats` are plain
 *    __u64 globals in .bss, bumped with STAT_INC()/STAT_ADD(); gauges (last
 *    value seen) are written with STAT_SET().
 */
#ifndef CCLOAD_COMMON_BPF_H
#define CCLOAD_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/* ---- project conventions ------------------------------------------------ */

#define CCLOAD_TUNABLE SEC(".data.tunables")

/* A single, untorn read of a tunable that user space may rewrite at any time. */
#define TUNABLE(x) (*(volatile typeof(x) *)&(x))

/* Statistics are shared by all sockets on all CPUs: update atomically. */
#define STAT_ADD(x, n) __sync_fetch_and_add(&(x), (n))
#define STAT_INC(x) STAT_ADD(x, 1)
#define STAT_SET(x, v) (*(volatile typeof(x) *)&(x) = (v))

/* ---- generic helpers ---------------------------------------------------- */

#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define min_t(type, a, b) min((type)(a), (type)(b))
#define max_t(type, a, b) max((type)(a), (type)(b))
#define clamp(val, lo, hi) min(max(val, lo), hi)
/* min of two values, where 0 means "no value" rather than "smallest" */
#define min_not_zero(x, y) ((x) == 0 ? (y) : ((y) == 0 ? (x) : min(x, y)))

/* TCP sequence-space comparisons (wrap-safe), as in include/net/tcp.h */
static __always_inline bool before(__u32 seq1, __u32 seq2)
{
	return (__s32)(seq1 - seq2) < 0;
}
#define after(seq2, seq1) before(seq1, seq2)

/*
 * Index of the most significant set bit, 1-based, 0 for 0 (the kernel's
 * fls64). Written as a branchy binary search because the BPF backend has no
 * count-leading-zeros instruction and the verifier must see straight code.
 */
static __always_inline __u32 fls64(__u64 x)
{
	__u32 n = 64;

	if (!x)
		return 0;
	if (!(x & 0xffffffff00000000ULL)) { x <<= 32; n -= 32; }
	if (!(x & 0xffff000000000000ULL)) { x <<= 16; n -= 16; }
	if (!(x & 0xff00000000000000ULL)) { x <<= 8;  n -= 8; }
	if (!(x & 0xf000000000000000ULL)) { x <<= 4;  n -= 4; }
	if (!(x & 0xc000000000000000ULL)) { x <<= 2;  n -= 2; }
	if (!(x & 0x8000000000000000ULL)) { n -= 1; }
	return n;
}

/* ---- time --------------------------------------------------------------- */

#define USEC_PER_MSEC 1000UL
#define USEC_PER_SEC 1000000UL

/*
 * The kernel's HZ. libbpf fills it from the running kernel's config
 * (/proc/config.gz or /boot/config-$(uname -r)); only CCs that convert
 * between jiffies and time reference it, so only they need the config.
 */
extern unsigned long CONFIG_HZ __kconfig;
/* an int like the kernel's HZ, so signed jiffies comparisons stay signed */
#define HZ ((int)CONFIG_HZ)

/*
 * tcp_jiffies32 is the low 32 bits of jiffies. bpf_jiffies64() returns
 * jiffies_64, whose truncation is the same value on 64-bit kernels.
 */
static __always_inline __u32 tcp_jiffies32_now(void)
{
	return (__u32)bpf_jiffies64();
}

/*
 * usecs_to_jiffies(): microseconds to jiffies, rounding up like the kernel
 * does for every HZ that divides 1000000 (100, 250, 1000); for other HZ
 * values the kernel's multiply-shift also rounds up, to within one jiffy.
 */
static __always_inline __u64 usecs_to_jiffies(__u32 us)
{
	return ((__u64)us * HZ + USEC_PER_SEC - 1) / USEC_PER_SEC;
}

/* ---- TCP definitions missing from BTF (macros in include/net/tcp.h) ----- */

#define SOL_TCP 6
#define TCP_CONGESTION 13
#define TCP_CA_NAME_MAX 16

#define TCP_INFINITE_SSTHRESH 0x7fffffff

/* tp->ecn_flags bits (Linux 6.18: RFC 3168 mode, AccECN mode, CWR flags) */
#define TCP_ECN_MODE_RFC3168 (1 << 0)
#define TCP_ECN_OK TCP_ECN_MODE_RFC3168	/* pre-AccECN name of bit 0 */
#define TCP_ECN_QUEUE_CWR (1 << 1)
#define TCP_ECN_DEMAND_CWR (1 << 2)
#define TCP_ECN_SEEN (1 << 3)
#define TCP_ECN_MODE_ACCECN (1 << 4)
#define TCP_ECN_MODE_ANY (TCP_ECN_MODE_RFC3168 | TCP_ECN_MODE_ACCECN)

/* tcp_congestion_ops.flags */
#define TCP_CONG_NON_RESTRICTED (1 << 0)
#define TCP_CONG_NEEDS_ECN (1 << 1)

/* ---- casts and accessors (static inlines in the kernel) ----------------- */

static __always_inline struct inet_connection_sock *inet_csk(const struct sock *sk)
{
	return (struct inet_connection_sock *)sk;
}

/* Per-socket CC state: icsk_ca_priv, ICSK_CA_PRIV_SIZE (104) bytes, zeroed
 * by the kernel before .init. */
static __always_inline void *inet_csk_ca(const struct sock *sk)
{
	return (void *)inet_csk(sk)->icsk_ca_priv;
}

static __always_inline struct tcp_sock *tcp_sk(const struct sock *sk)
{
	return (struct tcp_sock *)sk;
}

/* icsk_ca_state is a bitfield: CO-RE bitfield read, not a plain load. */
static __always_inline __u8 ca_state(const struct sock *sk)
{
	return BPF_CORE_READ_BITFIELD(inet_csk(sk), icsk_ca_state);
}

static __always_inline __u8 sk_state(const struct sock *sk)
{
	return sk->__sk_common.skc_state;
}

static __always_inline __u32 tcp_snd_cwnd(const struct tcp_sock *tp)
{
	return tp->snd_cwnd;
}

static __always_inline bool tcp_in_slow_start(const struct tcp_sock *tp)
{
	return tp->snd_cwnd < tp->snd_ssthresh;
}

/*
 * The kernel's tcp_is_cwnd_limited() (6.x form): limited if the last flight
 * was cwnd-limited, or, in slow start, while cwnd < 2 * max_packets_out.
 */
static __always_inline bool tcp_is_cwnd_limited(const struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);

	if (BPF_CORE_READ_BITFIELD(tp, is_cwnd_limited))
		return true;
	if (tcp_in_slow_start(tp))
		return tp->snd_cwnd < 2 * tp->max_packets_out;
	return false;
}

/* Windowed minimum RTT kept by the kernel (tcp_min_rtt_wlen, 300 s). */
static __always_inline __u32 tcp_min_rtt(const struct tcp_sock *tp)
{
	return tp->rtt_min.s[0].v;
}

/* ---- kfuncs (net/ipv4/bpf_tcp_ca.c kfunc set, Linux 6.18) --------------- */

extern __u32 tcp_reno_ssthresh(struct sock *sk) __ksym;
extern void tcp_reno_cong_avoid(struct sock *sk, __u32 ack, __u32 acked) __ksym;
extern __u32 tcp_reno_undo_cwnd(struct sock *sk) __ksym;
extern __u32 tcp_slow_start(struct tcp_sock *tp, __u32 acked) __ksym;
extern void tcp_cong_avoid_ai(struct tcp_sock *tp, __u32 w, __u32 acked) __ksym;

#endif /* CCLOAD_COMMON_BPF_H */
