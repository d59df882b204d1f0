// The boot configuration: which CCs `ccload boot` registers (registrations do not survive a
// reboot), with their flags and tunables. TOML, by default /etc/ccload/boot.toml:
//
//   [[cc]]
//   object = "bpf_cubic"          # built-in name or path of a BPF object
//   name = "cubic_tuned"          # optional: register under another name
//   allow = true                  # add to net.ipv4.tcp_allowed_congestion_control
//   default = false               # make it the default CC
//   set = { beta = 819 }          # tunables applied after registration
#pragma once
#include "common.h"
#include "result.h"

#include <optional>
#include <string>
#include <vector>

namespace ccload {

inline constexpr const char *kDefaultBootConfig = "/etc/ccload/boot.toml";

struct BootEntry {
  std::string object;
  std::optional<std::string> name;
  bool allow = false;
  bool make_default = false;
  std::vector<std::string> assignments;  // "param=value"
};

Result<std::vector<BootEntry>> parse_boot_config(const std::string &text, const std::string &origin);
Result<std::vector<BootEntry>> load_boot_config(const std::string &path);

}  // namespace ccload
