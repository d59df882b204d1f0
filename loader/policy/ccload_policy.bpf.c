// SPDX-License-Identifier: GPL-2.0
/*
 * Per-connection TCP policy and telemetry, as cgroup sock_ops programs.
 *
 * ccload_policy: for every TCP connection of a process in the cgroup, find the first rule (in
 * rules-file order) whose remote/local prefix and port ranges match, and apply its settings
 * with bpf_setsockopt at the earliest callback where each one takes effect:
 *
 *   TIMEOUT_INIT          SYN / SYN-ACK RTO (reply, in jiffies)
 *   TCP_CONNECT_CB        cc (before the SYN, so a CC that needs ECN negotiates it), buffers
 *                         (before the SYN, so the window scale reflects the receive buffer)
 *   *_ESTABLISHED_CB      initial cwnd (TCP_BPF_IW is only accepted before data is sent),
 *                         cwnd clamp, min RTO; the passive side also sets cc and buffers here
 *
 * Prefix matching uses two LPM tries (remote, local) whose values are bit masks of rules: user
 * space stores, for each distinct prefix, every rule whose prefix contains it, so the longest
 * match yields exactly the rules that match the address (prefixes containing one address are
 * nested). AND of both masks, then the lowest set bit whose ports match is the first matching
 * rule. Rules change by rewriting the maps; the program is never reloaded.
 *
 * Delayed-ACK negotiation (TCP header option, RFC 6994 experimental format, see
 * policy_common.h): a connecting socket whose rule sets delack_max_ms sends it in its SYN. A
 * listener whose rule for that peer also sets it answers in the SYN-ACK (with the RESEND flag if
 * the SYN-ACK is a syncookie one: the server then keeps no state and needs the option again in
 * the client's ACK). When both sides saw the other's option, each applies TCP_BPF_DELACK_MAX =
 * its own value (it is the receiver of the peer's data) and TCP_BPF_RTO_MIN = the peer's value
 * (the peer will not delay its ACKs longer than that). Peers without the option are left alone.
 *
 * ccload_trace: independent of the policy; sets BPF_SOCK_OPS_RTT_CB_FLAG on every new connection
 * and sends one sample per RTT measurement through a ring buffer, or, with an interval, a time
 * series (see trace_interval_ns).
 *
 * Both programs may run on the same socket, so cb flags are always changed relative to the
 * socket's current flags, never overwritten.
 */
#include "common.bpf.h"
#include <bpf/bpf_endian.h>

#include "policy_common.h"

char _license[] SEC("license") = "GPL";

#define AF_INET 2
#define AF_INET6 10
#define SOL_SOCKET 1
#define SO_SNDBUF 7
#define SO_RCVBUF 8
#define TCP_SAVE_SYN 27
#define ENOENT 2
#define ENOMSG 42

#define TCPHDR_SYN 0x02
#define TCPHDR_ACK 0x10

#define HDR_CB_FLAGS (BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG | BPF_SOCK_OPS_PARSE_ALL_HDR_OPT_CB_FLAG)

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 2 * POLICY_MAX_RULES);
	__type(key, struct policy_lpm_key);
	__type(value, __u64);
} remote_lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 2 * POLICY_MAX_RULES);
	__type(key, struct policy_lpm_key);
	__type(value, __u64);
} local_lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, POLICY_MAX_RULES);
	__type(key, __u32);
	__type(value, struct policy_rule);
} rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct policy_config);
} policy_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct policy_sk_state);
} policy_sk SEC(".maps");

/* When the trace last sampled a connection, to rate-limit it (trace_interval_ns). */
struct trace_sk_state {
	__u64 last_ns;		/* any sample */
	__u64 last_rtt_ns;	/* a sample at an RTT measurement */
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct trace_sk_state);
} trace_sk SEC(".maps");

/*
 * 0: one sample per RTT measurement (RTT_CB, which the kernel runs once per round trip, and on
 * every ACK when the round trip is shorter than the time between ACKs).
 * Otherwise a time series: at most one sample per connection per interval at an RTT measurement,
 * and, so that a round trip longer than the interval leaves no gap, a sample of the state when
 * the connection sends (HDR_OPT_LEN_CB, which runs for every outgoing segment while
 * WRITE_HDR_OPT_CB_FLAG is set; it reserves no option space) once the interval has passed
 * without any sample. Set by user space before load.
 */
const volatile __u64 trace_interval_ns = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20); /* user space shrinks it when only the policy is loaded */
} trace_events SEC(".maps");

/* The option as it is on the wire (padded to 8 so loads and stores have room). */
struct delack_opt {
	__u8 kind, len;
	__be16 exid;
	__u8 flags;
	__u8 delack_ms;
	__u8 pad[2];
};

/* ---- rule lookup --------------------------------------------------------- */

static __always_inline void fill_key(struct policy_lpm_key *key, __u32 family, __u32 ip4, const __u32 *ip6)
{
	key->prefixlen = 128;
	if (family == AF_INET) {
		__builtin_memset(key->addr, 0, 10);
		key->addr[10] = 0xff;
		key->addr[11] = 0xff;
		__builtin_memcpy(&key->addr[12], &ip4, 4);
	} else {
		__builtin_memcpy(key->addr, ip6, 16);
	}
}

static __always_inline bool port_in(__u16 port, __u16 lo, __u16 hi)
{
	return port >= lo && port <= hi;
}

/* Index + 1 of the first matching rule, 0 when none matches. */
static __u32 match_rule(struct bpf_sock_ops *skops)
{
	struct policy_lpm_key key = {};
	__u32 family = skops->family, ip6[4];
	__u64 mask, *m;
	__u16 rport, lport;

	if (family != AF_INET && family != AF_INET6)
		return 0;

	ip6[0] = skops->remote_ip6[0];
	ip6[1] = skops->remote_ip6[1];
	ip6[2] = skops->remote_ip6[2];
	ip6[3] = skops->remote_ip6[3];
	fill_key(&key, family, skops->remote_ip4, ip6);
	m = bpf_map_lookup_elem(&remote_lpm, &key);
	if (!m)
		return 0;
	mask = *m;

	ip6[0] = skops->local_ip6[0];
	ip6[1] = skops->local_ip6[1];
	ip6[2] = skops->local_ip6[2];
	ip6[3] = skops->local_ip6[3];
	fill_key(&key, family, skops->local_ip4, ip6);
	m = bpf_map_lookup_elem(&local_lpm, &key);
	if (!m)
		return 0;
	mask &= *m;

	/* remote_port is the network-order port in the upper half, local_port host order */
	rport = bpf_ntohl(skops->remote_port);
	lport = skops->local_port;

	for (__u32 i = 0; i < POLICY_MAX_RULES; i++) {
		struct policy_rule *r;
		__u32 idx = i;

		if (!(mask & (1ULL << i)))
			continue;
		r = bpf_map_lookup_elem(&rules, &idx);
		if (!r)
			return 0;
		if (port_in(rport, r->remote_port_lo, r->remote_port_hi) &&
		    port_in(lport, r->local_port_lo, r->local_port_hi))
			return i + 1;
	}
	return 0;
}

static __always_inline struct policy_action *rule_action(__u32 rule)
{
	__u32 idx = rule - 1;
	struct policy_rule *r;

	if (!rule)
		return NULL;
	r = bpf_map_lookup_elem(&rules, &idx);
	return r ? &r->action : NULL;
}

/* ---- applying settings -------------------------------------------------- */

static __always_inline void set_int(struct bpf_sock_ops *skops, struct policy_sk_state *st, int level,
				    int opt, int val)
{
	int err = bpf_setsockopt(skops, level, opt, &val, sizeof(val));

	if (err && st) {
		st->setsockopt_errors++;
		st->last_error = err;
	}
}

static __always_inline void set_cc(struct bpf_sock_ops *skops, struct policy_sk_state *st,
				   struct policy_action *a)
{
	char name[POLICY_CC_NAME_MAX];
	int err;

	__builtin_memcpy(name, a->cc, sizeof(name));
	name[POLICY_CC_NAME_MAX - 1] = 0;
	err = bpf_setsockopt(skops, SOL_TCP, TCP_CONGESTION, name, sizeof(name));
	if (err && st) {
		st->setsockopt_errors++;
		st->last_error = err;
	}
}

/* Settings that must be in place before the first segment of this side leaves. */
static void apply_early(struct bpf_sock_ops *skops, struct policy_sk_state *st, struct policy_action *a)
{
	if (a->fields & POLICY_SET_CC)
		set_cc(skops, st, a);
	if (a->fields & POLICY_SET_SNDBUF)
		set_int(skops, st, SOL_SOCKET, SO_SNDBUF, a->sndbuf);
	if (a->fields & POLICY_SET_RCVBUF)
		set_int(skops, st, SOL_SOCKET, SO_RCVBUF, a->rcvbuf);
}

/* Settings the kernel (re)initialises when the connection is established. */
static void apply_established(struct bpf_sock_ops *skops, struct policy_sk_state *st, struct policy_action *a)
{
	if (a->fields & POLICY_SET_IW)
		set_int(skops, st, SOL_TCP, TCP_BPF_IW, a->iw);
	if (a->fields & POLICY_SET_CWND_CLAMP)
		set_int(skops, st, SOL_TCP, TCP_BPF_SNDCWND_CLAMP, a->cwnd_clamp);
	if (a->fields & POLICY_SET_RTO_MIN)
		set_int(skops, st, SOL_TCP, TCP_BPF_RTO_MIN, a->rto_min_us);
}

static void apply_delack(struct bpf_sock_ops *skops, struct policy_sk_state *st)
{
	/* we receive the peer's data: ACK it at most this late */
	if (!bpf_setsockopt(skops, SOL_TCP, TCP_BPF_DELACK_MAX, &(int){st->local_delack_ms * 1000}, sizeof(int)))
		st->flags |= POLICY_SK_DELACK_SET;
	else
		st->setsockopt_errors++;
	/* the peer ACKs our data at most this late: a shorter RTO would fire spuriously */
	if (!bpf_setsockopt(skops, SOL_TCP, TCP_BPF_RTO_MIN, &(int){st->peer_delack_ms * 1000}, sizeof(int)))
		st->flags |= POLICY_SK_RTO_MIN_SET;
	else
		st->setsockopt_errors++;
}

static __always_inline void cb_flags_add(struct bpf_sock_ops *skops, __u32 add)
{
	bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags | add);
}

static __always_inline void cb_flags_clear(struct bpf_sock_ops *skops, __u32 clear)
{
	bpf_sock_ops_cb_flags_set(skops, skops->bpf_sock_ops_cb_flags & ~clear);
}

/* ---- the delayed-ACK option --------------------------------------------- */

/* 0 and the option in *opt, or a negative errno (-ENOMSG: the packet has none). */
static int load_opt(struct bpf_sock_ops *skops, struct delack_opt *opt, bool from_syn)
{
	int ret;

	__builtin_memset(opt, 0, sizeof(*opt));
	/* kind 253 with len 4: the kernel matches the experiment id too */
	opt->kind = POLICY_OPT_KIND;
	opt->len = 4;
	opt->exid = bpf_htons(POLICY_OPT_EXID);
	ret = bpf_load_hdr_opt(skops, opt, sizeof(*opt), from_syn ? BPF_LOAD_HDR_OPT_TCP_SYN : 0);
	if (ret < 0)
		return ret;
	if (opt->len != POLICY_OPT_LEN || !opt->delack_ms)
		return -ENOMSG;
	return 0;
}

static int store_opt(struct bpf_sock_ops *skops, __u8 flags, __u32 delack_ms)
{
	struct delack_opt opt = {
		.kind = POLICY_OPT_KIND,
		.len = POLICY_OPT_LEN,
		.exid = bpf_htons(POLICY_OPT_EXID),
		.flags = flags,
		.delack_ms = delack_ms,
	};

	return bpf_store_hdr_opt(skops, &opt, POLICY_OPT_LEN, 0);
}

static __always_inline bool is_synack(struct bpf_sock_ops *skops)
{
	return (skops->skb_tcp_flags & (TCPHDR_SYN | TCPHDR_ACK)) == (TCPHDR_SYN | TCPHDR_ACK);
}

/* The SYN-ACK is sent from a request socket: no storage, so everything comes from the rule
 * and the saved SYN. Answer only peers that asked. */
static __u32 synack_delack_ms(struct bpf_sock_ops *skops)
{
	struct policy_action *a = rule_action(match_rule(skops));
	struct delack_opt syn_opt;

	if (!a || !(a->fields & POLICY_SET_DELACK))
		return 0;
	if (load_opt(skops, &syn_opt, true))
		return 0;
	return a->delack_max_ms;
}

/* What this socket (not a request socket) has to say in the packet being built, 0 if nothing. */
static __u32 own_delack_ms(struct bpf_sock_ops *skops, struct policy_sk_state **stp)
{
	struct bpf_sock *sk = skops->sk;
	struct policy_sk_state *st;

	if (!sk)
		return 0;
	st = bpf_sk_storage_get(&policy_sk, sk, NULL, 0);
	*stp = st;
	if (!st || !st->local_delack_ms)
		return 0;
	if (skops->skb_tcp_flags & TCPHDR_SYN)
		return st->local_delack_ms;
	return (st->flags & POLICY_SK_RESEND) ? st->local_delack_ms : 0;
}

static void hdr_opt_len(struct bpf_sock_ops *skops)
{
	struct policy_sk_state *st = NULL;
	__u32 ms = is_synack(skops) ? synack_delack_ms(skops) : own_delack_ms(skops, &st);

	if (ms)
		bpf_reserve_hdr_opt(skops, POLICY_OPT_LEN, 0);
}

static void write_hdr_opt(struct bpf_sock_ops *skops)
{
	struct policy_sk_state *st = NULL;
	__u8 flags = 0;
	__u32 ms;

	if (is_synack(skops)) {
		ms = synack_delack_ms(skops);
		if (skops->args[0] == BPF_WRITE_HDR_TCP_SYNACK_COOKIE)
			flags |= POLICY_OPT_F_RESEND;
	} else {
		ms = own_delack_ms(skops, &st);
	}
	if (ms && !store_opt(skops, flags, ms) && st)
		st->flags |= POLICY_SK_OPT_SENT;
}

/* ---- connection events -------------------------------------------------- */

static struct policy_sk_state *state_create(struct bpf_sock_ops *skops)
{
	struct bpf_sock *sk = skops->sk; /* read once: the verifier tracks the NULL check per load */

	if (!sk)
		return NULL;
	return bpf_sk_storage_get(&policy_sk, sk, NULL, BPF_SK_STORAGE_GET_F_CREATE);
}

static struct policy_sk_state *existing_state(struct bpf_sock_ops *skops)
{
	struct bpf_sock *sk = skops->sk;

	return sk ? bpf_sk_storage_get(&policy_sk, sk, NULL, 0) : NULL;
}

static void on_connect(struct bpf_sock_ops *skops)
{
	__u32 rule = match_rule(skops);
	struct policy_action *a = rule_action(rule);
	struct policy_sk_state *st;

	if (!a)
		return;
	st = state_create(skops);
	if (!st)
		return;
	st->rule = rule;
	st->flags |= POLICY_SK_ACTIVE;
	apply_early(skops, st, a);
	if (a->fields & POLICY_SET_DELACK) {
		st->local_delack_ms = a->delack_max_ms;
		cb_flags_add(skops, BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
	}
}

static void on_active_established(struct bpf_sock_ops *skops)
{
	struct policy_sk_state *st = existing_state(skops);
	struct policy_action *a;
	struct delack_opt opt;

	if (!st)
		return; /* connected before the policy was attached, or no rule matched */
	a = rule_action(st->rule);
	if (a)
		apply_established(skops, st, a);
	if (!st->local_delack_ms)
		return;
	/* the SYN went out with our option (WRITE_HDR_OPT ran for it) */
	st->flags |= POLICY_SK_OPT_SENT;
	if (load_opt(skops, &opt, false)) {
		cb_flags_clear(skops, HDR_CB_FLAGS); /* the peer does not negotiate: leave it alone */
		return;
	}
	st->flags |= POLICY_SK_OPT_RECEIVED;
	st->peer_delack_ms = opt.delack_ms;
	apply_delack(skops, st);
	if (opt.flags & POLICY_OPT_F_RESEND) {
		/* keep writing the option until a packet from the server proves it got our ACK */
		st->flags |= POLICY_SK_RESEND;
		cb_flags_add(skops, BPF_SOCK_OPS_PARSE_ALL_HDR_OPT_CB_FLAG);
	} else {
		cb_flags_clear(skops, HDR_CB_FLAGS);
	}
}

static void on_passive_established(struct bpf_sock_ops *skops)
{
	__u32 rule = match_rule(skops);
	struct policy_action *a = rule_action(rule);
	struct policy_sk_state *st;
	struct delack_opt opt;
	int err;

	/* the child inherited the listener's flags; it writes no options itself */
	cb_flags_clear(skops, HDR_CB_FLAGS);
	if (!a)
		return;
	st = state_create(skops);
	if (!st)
		return;
	st->rule = rule;
	apply_early(skops, st, a);
	apply_established(skops, st, a);
	if (!(a->fields & POLICY_SET_DELACK))
		return;
	err = load_opt(skops, &opt, true);
	if (err == -ENOENT) {
		/* no saved SYN: the SYN-ACK was a syncookie; the client repeats its option in the ACK */
		err = load_opt(skops, &opt, false);
		st->flags |= POLICY_SK_SYNCOOKIE;
	}
	if (err)
		return;
	st->local_delack_ms = a->delack_max_ms;
	st->peer_delack_ms = opt.delack_ms;
	st->flags |= POLICY_SK_OPT_SENT | POLICY_SK_OPT_RECEIVED;
	apply_delack(skops, st);
}

/* Only reached with PARSE_ALL_HDR set, i.e. by a client repeating its option after a syncookie
 * SYN-ACK: any packet from the server now means it has our ACK. */
static void on_parse_hdr(struct bpf_sock_ops *skops)
{
	struct policy_sk_state *st = existing_state(skops);

	if (st)
		st->flags &= ~POLICY_SK_RESEND;
	cb_flags_clear(skops, HDR_CB_FLAGS);
}

static void on_listen(struct bpf_sock_ops *skops)
{
	__u32 zero = 0;
	struct policy_config *cfg = bpf_map_lookup_elem(&policy_cfg, &zero);

	if (!cfg || !cfg->any_delack)
		return;
	/* the SYN's option is read again at PASSIVE_ESTABLISHED */
	bpf_setsockopt(skops, SOL_TCP, TCP_SAVE_SYN, &(int){1}, sizeof(int));
	cb_flags_add(skops, BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
}

static __u32 syn_rto_jiffies(struct bpf_sock_ops *skops)
{
	struct policy_action *a = rule_action(match_rule(skops));

	if (!a || !(a->fields & POLICY_SET_SYN_RTO))
		return 0;
	return usecs_to_jiffies(a->syn_rto_ms * USEC_PER_MSEC);
}

SEC("sockops")
int ccload_policy(struct bpf_sock_ops *skops)
{
	__u32 jiffies;

	switch (skops->op) {
	case BPF_SOCK_OPS_TIMEOUT_INIT:
		jiffies = syn_rto_jiffies(skops);
		if (jiffies)
			skops->reply = jiffies;
		break;
	case BPF_SOCK_OPS_TCP_LISTEN_CB:
		on_listen(skops);
		break;
	case BPF_SOCK_OPS_TCP_CONNECT_CB:
		on_connect(skops);
		break;
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
		on_active_established(skops);
		break;
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		on_passive_established(skops);
		break;
	case BPF_SOCK_OPS_HDR_OPT_LEN_CB:
		hdr_opt_len(skops);
		break;
	case BPF_SOCK_OPS_WRITE_HDR_OPT_CB:
		write_hdr_opt(skops);
		break;
	case BPF_SOCK_OPS_PARSE_HDR_OPT_CB:
		on_parse_hdr(skops);
		break;
	}
	return 1;
}

/* ---- trace -------------------------------------------------------------- */

/* `measured`: called at an RTT measurement (RTT_CB), whose args carry it. */
static void emit_sample(struct bpf_sock_ops *skops, bool measured)
{
	struct bpf_sock *sk = skops->sk;
	struct trace_sample *s;
	struct tcp_sock *tp;
	__u32 srtt8;

	if (!sk)
		return;
	tp = bpf_skc_to_tcp_sock(sk);
	if (!tp)
		return;
	s = bpf_ringbuf_reserve(&trace_events, sizeof(*s), 0);
	if (!s)
		return; /* reader too slow: drop rather than stall the stack */
	__builtin_memset(s, 0, sizeof(*s));
	s->time_ns = bpf_ktime_get_ns();
	s->family = skops->family;
	if (skops->family == AF_INET) {
		__u32 l = skops->local_ip4, r = skops->remote_ip4;

		__builtin_memcpy(s->local_ip, &l, 4);
		__builtin_memcpy(s->remote_ip, &r, 4);
	} else {
		/* ctx fields need constant offsets: no loop */
		__u32 l[4] = { skops->local_ip6[0], skops->local_ip6[1], skops->local_ip6[2], skops->local_ip6[3] };
		__u32 r[4] = { skops->remote_ip6[0], skops->remote_ip6[1], skops->remote_ip6[2], skops->remote_ip6[3] };

		__builtin_memcpy(s->local_ip, l, 16);
		__builtin_memcpy(s->remote_ip, r, 16);
	}
	s->local_port = skops->local_port;
	s->remote_port = bpf_ntohl(skops->remote_port);
	bpf_getsockopt(skops, SOL_TCP, TCP_CONGESTION, s->cc, sizeof(s->cc));
	s->cwnd = tp->snd_cwnd;
	s->ssthresh = tp->snd_ssthresh;
	/*
	 * RTT_CB runs inside tcp_rtt_estimator() just before tp->srtt_us takes the new value, which
	 * Linux >= 6.10 passes in args[1] (args[0] is the measurement). Both are 8 * srtt, as
	 * TCP_INFO undoes too. Older kernels pass 0: the previous srtt is the best there is.
	 */
	srtt8 = measured ? skops->args[1] : 0;
	if (!srtt8)
		srtt8 = tp->srtt_us;
	s->srtt_us = srtt8 >> 3;
	s->min_rtt_us = tp->rtt_min.s[0].v;
	s->delivered = tp->delivered;
	s->delivered_ce = tp->delivered_ce;
	s->total_retrans = tp->total_retrans;
	s->ca_state = BPF_CORE_READ_BITFIELD(&tp->inet_conn, icsk_ca_state);
	s->pacing_rate = tp->inet_conn.icsk_inet.sk.sk_pacing_rate;
	s->rtt_us = measured ? skops->args[0] : 0;
	s->cookie = bpf_get_socket_cookie(skops);
	bpf_ringbuf_submit(s, 0);
}

/* Whether to sample now, rate-limited per connection; records the sample's time. */
static bool sample_due(struct bpf_sock_ops *skops, bool measured)
{
	struct trace_sk_state *st;
	struct bpf_sock *sk;
	__u64 now;

	if (!trace_interval_ns)
		return measured;
	sk = skops->sk; /* each ctx load is a new maybe-NULL pointer to the verifier */
	if (!sk)
		return false;
	st = bpf_sk_storage_get(&trace_sk, sk, NULL, BPF_SK_STORAGE_GET_F_CREATE);
	if (!st)
		return false;
	now = bpf_ktime_get_ns();
	if (measured ? now - st->last_rtt_ns < trace_interval_ns : now - st->last_ns < trace_interval_ns)
		return false;
	st->last_ns = now;
	if (measured)
		st->last_rtt_ns = now;
	return true;
}

SEC("sockops")
int ccload_trace(struct bpf_sock_ops *skops)
{
	switch (skops->op) {
	case BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:
	case BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:
		cb_flags_add(skops, trace_interval_ns ? BPF_SOCK_OPS_RTT_CB_FLAG | BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG
						      : BPF_SOCK_OPS_RTT_CB_FLAG);
		break;
	case BPF_SOCK_OPS_RTT_CB:
		/* The policy clears the header-option flags once its handshake is over: take them back. */
		if (trace_interval_ns && !(skops->bpf_sock_ops_cb_flags & BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG))
			cb_flags_add(skops, BPF_SOCK_OPS_WRITE_HDR_OPT_CB_FLAG);
		if (sample_due(skops, true))
			emit_sample(skops, true);
		break;
	case BPF_SOCK_OPS_HDR_OPT_LEN_CB:
		if (sample_due(skops, false))
			emit_sample(skops, false);
		break;
	}
	return 1;
}
