// Registering, unregistering, upgrading and tuning BPF congestion controls.
//
// A registered CC is a struct_ops bpf_link; while a pin of it exists the CC stays registered after
// ccload exits. Layout under the pin root (default /sys/fs/bpf/ccload):
//   <cc-name>/link              the struct_ops link (removing its last pin unregisters the CC)
//   <cc-name>/data_tunables     the object's writable global-data maps, pinned beside it
//                               (bpffs reserves dots in names)
//   <cc-name>/bss ...
// bpffs holds no plain files, so what the kernel does not know (the object's path, when it was
// registered) lives in <state dir>/<cc-name>.json (default /run/ccload, gone at reboot like the
// registration itself).
#pragma once
#include "common.h"
#include "kernel_ccs.h"
#include "result.h"
#include "tunables.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ccload {

inline constexpr const char *kDefaultPinRoot = "/sys/fs/bpf/ccload";
inline constexpr const char *kDefaultStateDir = "/run/ccload";

struct RegisterRequest {
  std::string object;                 // built-in name or path
  std::optional<std::string> name;   // register under this name instead of the object's
  bool allow = false;                 // add to net.ipv4.tcp_allowed_congestion_control
  bool make_default = false;          // make it net.ipv4.tcp_congestion_control
};

struct RegisteredCc {
  std::string name;
  std::string source;
  std::string pin_dir;
  uint32_t link_id = 0;
  uint32_t map_id = 0;
  std::vector<std::string> pins;
};

struct UnregisterOutcome {
  std::string name;
  std::optional<std::string> default_reset_to;  // set when it was the default
};

struct OpInfo {
  std::string op;
  uint32_t prog_id = 0;
  std::string prog_name;
};

struct VariableValue {
  Variable var;
  std::string value;
};

struct CcDetails {
  std::string name;
  bool bpf = false;
  bool pinned_by_ccload = false;
  bool is_default = false;
  bool allowed = false;
  std::string pin_dir;
  std::string source;          // from the state file, when ccload registered it
  std::string registered_at;
  uint32_t map_id = 0, link_id = 0, flags = 0;
  std::vector<OpInfo> ops;
  std::vector<VariableValue> variables;
};

struct TunableChange {
  std::string name, old_value, new_value;
};

class Registry {
 public:
  explicit Registry(std::string pin_root = kDefaultPinRoot, std::string state_dir = kDefaultStateDir)
      : pin_root_(std::move(pin_root)), state_dir_(std::move(state_dir)) {}

  Result<std::vector<RegisteredCc>> register_object(const RegisterRequest &req) const;
  Result<UnregisterOutcome> unregister(const std::string &name) const;
  Result<RegisteredCc> upgrade(const std::string &name, const std::string &object) const;
  Result<CcDetails> show(const std::string &name) const;
  Result<std::vector<TunableChange>> set(const std::string &name, const std::vector<std::string> &assignments) const;

  // The CCs that have a link pinned by ccload.
  std::vector<std::string> pinned() const;
  bool is_pinned(const std::string &name) const;
  std::string pin_dir(const std::string &name) const { return pin_root_ + "/" + name; }
  std::string link_pin(const std::string &name) const { return pin_dir(name) + "/link"; }
  const std::string &pin_root() const { return pin_root_; }

 private:
  Result<> check_name_free(const std::string &name, const std::map<std::string, BpfCc> &bpf) const;
  Result<BpfCc> find_bpf_cc(const std::string &name) const;
  std::string state_file(const std::string &name) const { return state_dir_ + "/" + name + ".json"; }
  void remove_pins(const std::string &name) const;

  std::string pin_root_;
  std::string state_dir_;
};

}  // namespace ccload
