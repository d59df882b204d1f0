// Checks made before touching the kernel, so that a missing privilege or feature is reported as
// what it is instead of as an EPERM from deep inside libbpf.
#pragma once
#include "common.h"
#include "result.h"

#include <string>

namespace ccload {

inline constexpr const char *kVmlinuxBtf = "/sys/kernel/btf/vmlinux";

// Registering a CC needs CAP_BPF and CAP_NET_ADMIN (or CAP_SYS_ADMIN, which implies both).
Result<> require_bpf_privileges(const std::string &action);
// struct_ops needs the kernel's BTF to resolve struct tcp_congestion_ops.
Result<> require_kernel_btf(const std::string &path = kVmlinuxBtf);
// Makes sure `dir` lies on a BPF filesystem, mounting one at /sys/fs/bpf when that is where it
// lies and nothing is mounted yet, and creates `dir`.
Result<> ensure_bpffs_dir(const std::string &dir);

}  // namespace ccload
