// A CC's tunables and counters, discovered from BTF rather than hard-coded per CC.
//
// The convention (cc/common.bpf.h): tunables are globals in SEC(".data.tunables"), counters are
// globals in .bss. Any other object's writable globals (.data, .data.*) count as tunables too, so
// `ccload set` works for CCs written without our header. Each global-data map is one array
// element laid out as a BTF DATASEC; a variable is a byte range of that element.
#pragma once
#include "common.h"
#include "result.h"

#include <bpf/btf.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ccload {

enum class ValueKind { Signed, Unsigned, Bool, String, Unsupported };

struct Variable {
  std::string name;
  std::string type_name;   // as written in the source: "__u32", "int", "char[16]"
  ValueKind kind = ValueKind::Unsupported;
  uint32_t offset = 0;     // within the map's value
  uint32_t size = 0;
  std::string section;     // pin name of its map: "data.tunables", "data", "bss"
  // Counters (.bss) are read-only for users: the program owns them.
  bool is_tunable() const { return section != "bss"; }
};

// The variables of one DATASEC type in `b`.
std::vector<Variable> datasec_variables(const btf *b, uint32_t datasec_type_id, const std::string &section);

// The value of `v` in a map value, as text: 717, true, "cubic".
std::string format_value(const Variable &v, std::span<const uint8_t> map_value);
// Parses `text` as a value of v's type and writes it into map_value. Refuses values out of range.
Result<> encode_value(const Variable &v, std::string_view text, std::span<uint8_t> map_value);
// "name=value" -> {name, value}.
Result<std::pair<std::string, std::string>> parse_assignment(std::string_view arg);
// "beta (int), fast_convergence (bool)": for messages that list what is valid.
std::string describe_variables(const std::vector<Variable> &vars, bool tunables_only);

}  // namespace ccload
