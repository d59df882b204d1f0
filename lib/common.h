// User-space only: the C++ side of ccload (loader, bench, tests) includes lib/ headers.
// BPF programs include cc/common.bpf.h instead; layouts both sides read live in include/ccload/.
#pragma once
#if defined(__bpf__) || defined(__KERNEL__)
#error "lib/common.h is user-space only; BPF programs include cc/common.bpf.h"
#endif
