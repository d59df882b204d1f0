/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Layouts shared by the sock_ops policy program (ccload_policy.bpf.c) and its user-space half
 * (the .cpp files beside it): map keys and values, socket storage, trace samples, and the TCP option
 * used for delayed-ACK negotiation. Only fixed-width types, so both compilers agree on the layout.
 */
#ifndef CCLOAD_POLICY_COMMON_H
#define CCLOAD_POLICY_COMMON_H

#ifdef __bpf__
/* vmlinux.h (through common.bpf.h) provides the __u* types */
#else
#include <linux/types.h>
#endif

#define POLICY_MAX_RULES 64 /* one bit each in a __u64 match mask */
#define POLICY_CC_NAME_MAX 16

/*
 * Delayed-ACK negotiation option (RFC 6994 shared experimental option): kind 253, length 6,
 * a 16-bit experiment identifier, then one flags byte and the sender's max delayed ACK in ms.
 * The ExID is not IANA-registered; it only has to be unlikely to collide inside one network.
 */
#define POLICY_OPT_KIND 253
#define POLICY_OPT_EXID 0xCC1D
#define POLICY_OPT_LEN 6
#define POLICY_OPT_F_RESEND 0x1 /* SYN-ACK sent as a syncookie: repeat your option in the ACK */

/* Which fields of a policy_action are set (an unset field leaves the kernel's default). */
enum policy_action_field {
	POLICY_SET_CC = 1 << 0,
	POLICY_SET_IW = 1 << 1,
	POLICY_SET_SYN_RTO = 1 << 2,
	POLICY_SET_SNDBUF = 1 << 3,
	POLICY_SET_RCVBUF = 1 << 4,
	POLICY_SET_CWND_CLAMP = 1 << 5,
	POLICY_SET_RTO_MIN = 1 << 6,
	POLICY_SET_DELACK = 1 << 7, /* negotiate delayed ACK with the peer */
};

struct policy_action {
	__u32 fields;			/* POLICY_SET_* */
	char cc[POLICY_CC_NAME_MAX];
	__u32 iw;			/* segments */
	__u32 syn_rto_ms;
	__u32 sndbuf, rcvbuf;		/* bytes */
	__u32 cwnd_clamp;		/* segments */
	__u32 rto_min_us;
	__u32 delack_max_ms;		/* what we advertise; 1..200 */
};

/* A prefix as the LPM trie sees it: IPv4 addresses are IPv4-mapped IPv6 (::ffff:a.b.c.d/96+n). */
struct policy_lpm_key {
	__u32 prefixlen;
	__u8 addr[16];
};

/* One entry of the rules array, in file order. Prefixes live in the tries; they are repeated
 * here so `policy show` can render the rule from the maps alone. */
struct policy_rule {
	__u16 remote_port_lo, remote_port_hi; /* 0..65535 means any */
	__u16 local_port_lo, local_port_hi;
	struct policy_lpm_key remote, local;  /* prefixlen 0 means any */
	struct policy_action action;
	__u32 line;			/* line in the rules file, for show and trace */
	__u32 is_default;
};

struct policy_config {
	__u32 nrules;			/* entries used in the rules array (the default rule is last) */
	__u32 any_delack;		/* some rule negotiates: listeners must save SYNs */
};

/* Per-connection state in BPF_MAP_TYPE_SK_STORAGE: freed with the socket. */
enum policy_sk_flag {
	POLICY_SK_ACTIVE = 1 << 0,	/* we connected */
	POLICY_SK_OPT_SENT = 1 << 1,	/* our SYN / SYN-ACK carried the option */
	POLICY_SK_OPT_RECEIVED = 1 << 2, /* the peer's SYN / SYN-ACK / ACK carried it */
	POLICY_SK_RESEND = 1 << 3,	/* peer was in syncookie mode: repeat option until acked */
	POLICY_SK_SYNCOOKIE = 1 << 4,	/* passive side: option came from the ACK */
	POLICY_SK_DELACK_SET = 1 << 5,	/* TCP_BPF_DELACK_MAX applied */
	POLICY_SK_RTO_MIN_SET = 1 << 6,	/* TCP_BPF_RTO_MIN applied from the peer's value */
};

struct policy_sk_state {
	__u32 rule;			/* index + 1 of the matched rule, 0 when none matched */
	__u32 flags;			/* POLICY_SK_* */
	__u32 local_delack_ms;		/* what we advertised */
	__u32 peer_delack_ms;		/* what the peer advertised */
	__u32 setsockopt_errors;	/* bpf_setsockopt calls that failed */
	__s32 last_error;		/* the last of those errors (negative errno) */
};

/* One trace sample, emitted at BPF_SOCK_OPS_RTT_CB through the ring buffer. */
struct trace_sample {
	__u64 time_ns;			/* bpf_ktime_get_ns (CLOCK_MONOTONIC) */
	__u32 family;			/* AF_INET / AF_INET6 */
	__u8 local_ip[16], remote_ip[16]; /* IPv4 in the first 4 bytes */
	__u16 local_port, remote_port;	/* host order */
	char cc[POLICY_CC_NAME_MAX];
	__u32 cwnd, ssthresh;		/* segments */
	__u32 srtt_us, min_rtt_us;
	__u32 rtt_us;			/* this measurement (0 before Linux 6.10) */
	__u32 delivered, delivered_ce;
	__u32 total_retrans;
	__u32 ca_state;
	__u64 pacing_rate;		/* bytes per second */
	__u64 cookie;			/* socket cookie: identifies the connection */
};

#endif /* CCLOAD_POLICY_COMMON_H */
