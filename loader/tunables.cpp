#include "tunables.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace ccload {
namespace {

// Follows typedefs and qualifiers to the type that decides how a value is read.
const btf_type *resolve(const btf *b, uint32_t id) {
  int resolved = btf__resolve_type(b, id);
  return resolved < 0 ? nullptr : btf__type_by_id(b, static_cast<uint32_t>(resolved));
}

std::string type_name(const btf *b, uint32_t id) {
  const btf_type *t = btf__type_by_id(b, id);
  while (t && (btf_is_volatile(t) || btf_is_const(t))) t = btf__type_by_id(b, id = t->type);
  if (!t) return "?";
  if (btf_is_array(t)) {
    const struct btf_array *a = btf_array(t);
    return type_name(b, a->type) + "[" + std::to_string(a->nelems) + "]";
  }
  const char *n = btf__name_by_offset(b, t->name_off);
  return (n && *n) ? n : "?";
}

ValueKind kind_of(const btf *b, uint32_t id) {
  const btf_type *t = resolve(b, id);
  if (!t) return ValueKind::Unsupported;
  if (btf_is_int(t)) {
    uint8_t enc = btf_int_encoding(t);
    if (enc & BTF_INT_BOOL) return ValueKind::Bool;
    return (enc & BTF_INT_SIGNED) ? ValueKind::Signed : ValueKind::Unsigned;
  }
  if (btf_is_enum(t) || btf_is_enum64(t)) return btf_kflag(t) ? ValueKind::Signed : ValueKind::Unsigned;
  if (btf_is_array(t)) {
    const btf_type *elem = resolve(b, btf_array(t)->type);
    if (elem && btf_is_int(elem) && elem->size == 1) return ValueKind::String;
  }
  return ValueKind::Unsupported;
}

template <class T>
Result<T> parse_number(const Variable &v, std::string_view text) {
  T value{};
  int base = 10;
  if (text.starts_with("0x")) {
    text.remove_prefix(2);
    base = 16;
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec == std::errc::result_out_of_range || (ec == std::errc() && end != text.data() + text.size()))
    ec = ec == std::errc() ? std::errc::invalid_argument : ec;
  if (ec != std::errc()) return fail("'" + std::string(text) + "' is not a valid " + v.type_name + " for " + v.name);
  return value;
}

Result<> range_check(const Variable &v, long double value, std::string_view text) {
  long double lo, hi;
  unsigned bits = v.size * 8;
  if (v.kind == ValueKind::Signed) {
    lo = -std::ldexp(1.0L, bits - 1);
    hi = std::ldexp(1.0L, bits - 1) - 1;
  } else {
    lo = 0;
    hi = std::ldexp(1.0L, bits) - 1;
  }
  if (value < lo || value > hi)
    return fail(v.name + " is " + v.type_name + ": " + std::string(text) + " is outside " +
                std::to_string(static_cast<long long>(lo)) + ".." +
                (v.kind == ValueKind::Signed ? std::to_string(static_cast<long long>(hi))
                                             : std::to_string(static_cast<unsigned long long>(hi))));
  return {};
}

}  // namespace

std::vector<Variable> datasec_variables(const btf *b, uint32_t datasec_type_id, const std::string &section) {
  std::vector<Variable> out;
  const btf_type *ds = btf__type_by_id(b, datasec_type_id);
  if (!ds || !btf_is_datasec(ds)) return out;
  const btf_var_secinfo *vsi = btf_var_secinfos(ds);
  for (int i = 0; i < btf_vlen(ds); ++i, ++vsi) {
    const btf_type *var = btf__type_by_id(b, vsi->type);
    if (!var || !btf_is_var(var)) continue;
    Variable v;
    v.name = btf__name_by_offset(b, var->name_off);
    v.type_name = type_name(b, var->type);
    v.kind = kind_of(b, var->type);
    v.offset = vsi->offset;
    v.size = vsi->size;
    v.section = section;
    out.push_back(std::move(v));
  }
  return out;
}

std::string format_value(const Variable &v, std::span<const uint8_t> map_value) {
  if (v.offset + v.size > map_value.size()) return "?";
  const uint8_t *p = map_value.data() + v.offset;
  switch (v.kind) {
    case ValueKind::String:
      return std::string(reinterpret_cast<const char *>(p), strnlen(reinterpret_cast<const char *>(p), v.size));
    case ValueKind::Bool:
      return *p ? "true" : "false";
    case ValueKind::Signed: {
      int64_t x = 0;
      switch (v.size) {
        case 1: x = *reinterpret_cast<const int8_t *>(p); break;
        case 2: { int16_t y; std::memcpy(&y, p, 2); x = y; break; }
        case 4: { int32_t y; std::memcpy(&y, p, 4); x = y; break; }
        case 8: std::memcpy(&x, p, 8); break;
        default: return "?";
      }
      return std::to_string(x);
    }
    case ValueKind::Unsigned: {
      uint64_t x = 0;
      if (v.size > 8) return "?";
      std::memcpy(&x, p, v.size);  // little-endian: the low bytes come first
      return std::to_string(x);
    }
    case ValueKind::Unsupported:
      break;
  }
  return "<" + v.type_name + ">";
}

Result<> encode_value(const Variable &v, std::string_view text, std::span<uint8_t> map_value) {
  if (v.offset + v.size > map_value.size()) return fail("variable " + v.name + " lies outside its map");
  uint8_t *p = map_value.data() + v.offset;
  switch (v.kind) {
    case ValueKind::String:
      if (text.size() >= v.size)
        return fail(v.name + " holds at most " + std::to_string(v.size - 1) + " characters");
      std::memset(p, 0, v.size);
      std::memcpy(p, text.data(), text.size());
      return {};
    case ValueKind::Bool:
      if (text == "1" || text == "true" || text == "on" || text == "yes") *p = 1;
      else if (text == "0" || text == "false" || text == "off" || text == "no") *p = 0;
      else return fail(v.name + " is a bool: use true/false, 1/0 or on/off, not '" + std::string(text) + "'");
      return {};
    case ValueKind::Signed: {
      auto x = parse_number<int64_t>(v, text);
      if (!x) return std::unexpected(x.error());
      if (auto r = range_check(v, static_cast<long double>(*x), text); !r) return r;
      std::memcpy(p, &*x, v.size);  // little-endian truncation keeps the value after the check
      return {};
    }
    case ValueKind::Unsigned: {
      if (text.starts_with("-")) return range_check(v, -1, text);
      auto x = parse_number<uint64_t>(v, text);
      if (!x) return std::unexpected(x.error());
      if (auto r = range_check(v, static_cast<long double>(*x), text); !r) return r;
      std::memcpy(p, &*x, v.size);
      return {};
    }
    case ValueKind::Unsupported:
      break;
  }
  return fail(v.name + " has type " + v.type_name + ", which ccload cannot set");
}

Result<std::pair<std::string, std::string>> parse_assignment(std::string_view arg) {
  auto eq = arg.find('=');
  if (eq == std::string_view::npos || eq == 0)
    return fail("'" + std::string(arg) + "' is not of the form <param>=<value>");
  return std::pair{std::string(arg.substr(0, eq)), std::string(arg.substr(eq + 1))};
}

std::string describe_variables(const std::vector<Variable> &vars, bool tunables_only) {
  std::string s;
  for (const auto &v : vars) {
    if (tunables_only && !v.is_tunable()) continue;
    s += (s.empty() ? "" : ", ") + v.name + " (" + v.type_name + ")";
  }
  return s.empty() ? "none" : s;
}

}  // namespace ccload
