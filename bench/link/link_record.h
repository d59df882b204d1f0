/* One record per packet that reached the bottleneck, in the layout both the userspace emulator
 * and the kernel path's tc program write, so one reader serves both. Times are CLOCK_MONOTONIC
 * nanoseconds (bpf_ktime_get_ns() in BPF). A records file is a link_records_header followed by
 * link_record entries. Shared by BPF and user space: plain C, fixed-width types only. */
#ifndef CCBENCH_LINK_RECORD_H
#define CCBENCH_LINK_RECORD_H

#ifdef __bpf__
typedef __u64 lr_u64;
typedef __u32 lr_u32;
#else
#include <stdint.h>
typedef uint64_t lr_u64;
typedef uint32_t lr_u32;
#endif

enum link_record_flags {
	LR_ECT = 1u << 0,           /* the packet was ECN-capable (ECT(0) or ECT(1)) */
	LR_CE = 1u << 1,            /* we marked it CE (or it arrived CE) */
	LR_DROP_LOSS = 1u << 2,     /* dropped by the random-loss draw */
	LR_DROP_OVERFLOW = 1u << 3, /* dropped because the buffer was full */
	LR_ESTIMATED = 1u << 4,     /* dequeue time from a model of the queue, not observed */
};

struct link_record {
	lr_u64 enqueue_ns;
	lr_u64 dequeue_ns; /* 0 when dropped */
	lr_u32 size;       /* bytes charged to the bottleneck (IP length + framing) */
	lr_u32 flags;
};

#define LINK_RECORDS_MAGIC "CCBLREC1"
struct link_records_header {
	char magic[8];
	lr_u32 version;     /* 1 */
	lr_u32 record_size; /* sizeof(struct link_record) */
};

#endif
