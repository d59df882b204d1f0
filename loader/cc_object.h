// A BPF object file that holds one or more TCP congestion controls: ours (built in, from the
// generated skeletons) or anyone's (a path). Opening never needs privileges; load() does.
#pragma once
#include "common.h"
#include "bpf_raii.h"
#include "result.h"
#include "tunables.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ccload {

// One struct_ops map of type tcp_congestion_ops: what the kernel will register as a CC.
struct CcMap {
  bpf_map *map = nullptr;
  std::string name;     // the CC's name (the struct's .name)
  uint32_t flags = 0;   // TCP_CONG_* flags from the struct
};

inline constexpr size_t kCcNameMax = 15;  // TCP_CA_NAME_MAX - 1

class CcObject {
 public:
  // `spec` is a built-in name (see builtin_ccs.h) or a path to a .o file.
  static Result<CcObject> open(const std::string &spec);
  static Result<CcObject> open_file(const std::string &path);
  static Result<CcObject> open_memory(const std::string &name, const void *data, size_t size);

  bpf_object *get() const { return obj_.get(); }
  // Where it came from: an absolute path, or "builtin:<name>".
  const std::string &source() const { return source_; }

  // The tcp_congestion_ops maps, in the object's order. Never empty after open().
  std::vector<CcMap> congestion_controls() const;
  // The writable global-data maps (.data, .data.*, .bss): tunables and counters.
  std::vector<bpf_map *> global_data_maps() const;
  // The variables of the global-data maps with their values in the object file, from its BTF
  // (what `ccload show` will report once the object is registered).
  std::vector<std::pair<Variable, std::string>> variables() const;
  // Gives a CC a different name before load (`ccload register --name`).
  Result<> rename(const std::string &from, const std::string &to);
  // Loads every program and map into the kernel; a rejection comes with the verifier's last lines.
  Result<> load();

 private:
  CcObject(BpfObjectPtr obj, std::string source) : obj_(std::move(obj)), source_(std::move(source)) {}
  Result<> check_has_congestion_controls() const;
  BpfObjectPtr obj_;
  std::string source_;
};

// libbpf's text for an error code, including its own (LIBBPF_ERRNO__FORMAT: "Invalid ELF format").
std::string libbpf_error(int err);

// Checks a CC name against the kernel's rules (1..15 printable characters, no spaces).
Result<> validate_cc_name(const std::string &name);

// The section a global-data map holds, from its map name: ".data.tunables" -> "data.tunables",
// "bpf_cub.bss" -> "bss" (libbpf prefixes .data/.bss map names with part of the object name).
std::string data_map_section(const std::string &map_name);
// The file name a section's map is pinned under: bpffs reserves dots, so "data.tunables" ->
// "data_tunables".
std::string data_map_pin_name(const std::string &map_name);

}  // namespace ccload
