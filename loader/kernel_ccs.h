// What the kernel says about congestion controls in the current network namespace: which exist,
// which are allowed for unprivileged use, the default, and which of them are BPF struct_ops.
#pragma once
#include "common.h"
#include "result.h"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ccload {

Result<std::vector<std::string>> available_ccs();
Result<std::vector<std::string>> allowed_ccs();
Result<std::string> default_cc();
Result<> set_default_cc(const std::string &name);
// Adds `name` to net.ipv4.tcp_allowed_congestion_control (keeping the others).
Result<> allow_cc(const std::string &name);
bool is_available(const std::string &name);

// A CC the kernel has registered from a struct_ops map.
struct BpfCc {
  std::string name;
  uint32_t map_id = 0;
  uint32_t link_id = 0;   // 0 for CCs registered without a link (legacy SEC(".struct_ops"))
  uint32_t flags = 0;     // TCP_CONG_* flags
  // The ops the CC implements and the struct_ops program behind each (the kernel reports prog ids
  // in the op slots of the map's value).
  std::vector<std::pair<std::string, uint32_t>> ops;
};

// Every registered BPF CC, whoever registered it (ccload, bpftool, a test), keyed by name.
Result<std::map<std::string, BpfCc>> registered_bpf_ccs();

// Splits a sysctl's space-separated list.
std::vector<std::string> split_words(const std::string &s);

}  // namespace ccload
