#include "cc_object.h"

#include <fcntl.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "builtin_ccs.h"
#include "libbpf_log.h"
#include "unique_fd.h"

namespace ccload {
namespace {

bool is_cc_map(const bpf_object *obj, const bpf_map *map) {
  if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS) return false;
  const btf *b = bpf_object__btf(obj);
  if (!b) return false;
  const btf_type *t = btf__type_by_id(b, bpf_map__btf_value_type_id(map));
  return t && std::strcmp(btf__name_by_offset(b, t->name_off), "tcp_congestion_ops") == 0;
}

// Byte offset of a member of struct tcp_congestion_ops as the object lays it out.
int member_offset(const bpf_object *obj, const bpf_map *map, const char *member) {
  const btf *b = bpf_object__btf(obj);
  const btf_type *t = btf__type_by_id(b, bpf_map__btf_value_type_id(map));
  const btf_member *m = btf_members(t);
  for (int i = 0; i < btf_vlen(t); ++i, ++m)
    if (std::strcmp(btf__name_by_offset(b, m->name_off), member) == 0)
      return static_cast<int>(btf_member_bit_offset(t, i) / 8);
  return -1;
}

Result<> check_elf(const std::string &path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return fail_errno("Failed to open " + path);
  unsigned char magic[4] = {};
  if (::read(fd.get(), magic, sizeof(magic)) != sizeof(magic) || std::memcmp(magic, "\x7f" "ELF", 4) != 0)
    return fail(path + " is not an ELF file",
                "pass a BPF object built with `clang -target bpf -g -O2 -c x.bpf.c`, or a built-in "
                "name (run `ccload list --builtin`)");
  return {};
}

}  // namespace

std::string libbpf_error(int err) {
  char buf[256];
  libbpf_strerror(err < 0 ? err : -err, buf, sizeof(buf));
  return buf;
}

Result<> validate_cc_name(const std::string &name) {
  if (name.empty()) return fail("a congestion control name must not be empty");
  if (name.size() > kCcNameMax)
    return fail("congestion control name '" + name + "' is " + std::to_string(name.size()) +
                    " characters long; the kernel allows at most 15",
                "choose a shorter name with --name");
  for (char c : name)
    if (c <= ' ' || c > '~')
      return fail("congestion control name '" + name + "' contains a space or non-printable character");
  return {};
}

std::string data_map_section(const std::string &map_name) {
  auto dot = map_name.find('.');
  return dot == std::string::npos ? map_name : map_name.substr(dot + 1);
}

std::string data_map_pin_name(const std::string &map_name) {
  std::string pin = data_map_section(map_name);
  std::replace(pin.begin(), pin.end(), '.', '_');
  return pin;
}

Result<CcObject> CcObject::open(const std::string &spec) {
  if (const BuiltinCc *b = find_builtin(spec)) {
    size_t size = 0;
    const void *data = b->elf_bytes(&size);
    return open_memory(b->name, data, size);
  }
  if (spec.find('/') == std::string::npos && !spec.ends_with(".o") && !std::filesystem::exists(spec))
    return fail("'" + spec + "' is neither a built-in congestion control nor a file",
                "built-ins are: " + builtin_names() + "; or pass the path of a BPF object (.o)");
  return open_file(spec);
}

Result<CcObject> CcObject::open_file(const std::string &path) {
  if (auto r = check_elf(path); !r) return std::unexpected(r.error());
  LibbpfLog::clear();
  bpf_object *raw = bpf_object__open_file(path.c_str(), nullptr);
  if (!raw) {
    int err = errno;
    return std::unexpected(Error{err, "Failed to open BPF object " + path + ": " + libbpf_error(err),
                                 "is it a complete BPF object file (not truncated, built with -target bpf -g)?"});
  }
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  CcObject obj(BpfObjectPtr(raw), ec ? path : abs.lexically_normal().string());
  if (auto r = obj.check_has_congestion_controls(); !r) return std::unexpected(r.error());
  return obj;
}

Result<CcObject> CcObject::open_memory(const std::string &name, const void *data, size_t size) {
  LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = name.c_str());
  LibbpfLog::clear();
  bpf_object *raw = bpf_object__open_mem(data, size, &opts);
  if (!raw) {
    int err = errno;
    return std::unexpected(Error{err, "Failed to open built-in BPF object " + name + ": " + libbpf_error(err), {}});
  }
  CcObject obj(BpfObjectPtr(raw), "builtin:" + name);
  if (auto r = obj.check_has_congestion_controls(); !r) return std::unexpected(r.error());
  return obj;
}

Result<> CcObject::check_has_congestion_controls() const {
  if (!congestion_controls().empty()) return {};
  return fail(source_ + " holds no struct tcp_congestion_ops map",
              "a CC object defines `SEC(\".struct_ops.link\") struct tcp_congestion_ops name = {...}`");
}

std::vector<CcMap> CcObject::congestion_controls() const {
  std::vector<CcMap> out;
  bpf_map *map;
  bpf_object__for_each_map(map, obj_.get()) {
    if (!is_cc_map(obj_.get(), map)) continue;
    size_t size = 0;
    auto *value = static_cast<const char *>(bpf_map__initial_value(map, &size));
    int name_off = member_offset(obj_.get(), map, "name");
    int flags_off = member_offset(obj_.get(), map, "flags");
    CcMap cc{map, {}, 0};
    if (value && name_off >= 0 && static_cast<size_t>(name_off) < size)
      cc.name.assign(value + name_off, strnlen(value + name_off, 16));
    if (value && flags_off >= 0 && static_cast<size_t>(flags_off) + 4 <= size)
      std::memcpy(&cc.flags, value + flags_off, sizeof(cc.flags));
    out.push_back(std::move(cc));
  }
  return out;
}

std::vector<bpf_map *> CcObject::global_data_maps() const {
  std::vector<bpf_map *> out;
  bpf_map *map;
  bpf_object__for_each_map(map, obj_.get()) {
    if (!bpf_map__is_internal(map)) continue;
    std::string section = data_map_section(bpf_map__name(map));
    if (section == "bss" || section == "data" || section.starts_with("data.")) out.push_back(map);
  }
  return out;
}

std::vector<std::pair<Variable, std::string>> CcObject::variables() const {
  std::vector<std::pair<Variable, std::string>> out;
  const btf *b = bpf_object__btf(obj_.get());
  if (!b) return out;
  for (bpf_map *m : global_data_maps()) {
    std::string section = data_map_section(bpf_map__name(m));
    // Before load libbpf has not linked internal maps to their BTF yet: find the DATASEC by name.
    int id = btf__find_by_name_kind(b, ("." + section).c_str(), BTF_KIND_DATASEC);
    if (id < 0) continue;
    size_t size = 0;
    auto *data = static_cast<const uint8_t *>(bpf_map__initial_value(m, &size));
    std::vector<uint8_t> zeros;
    if (!data) {  // .bss has no initial image: it starts zeroed
      zeros.assign(btf__type_by_id(b, static_cast<uint32_t>(id))->size, 0);
      data = zeros.data();
      size = zeros.size();
    }
    for (auto &v : datasec_variables(b, static_cast<uint32_t>(id), section))
      out.emplace_back(v, format_value(v, {data, size}));
  }
  return out;
}

Result<> CcObject::rename(const std::string &from, const std::string &to) {
  if (auto r = validate_cc_name(to); !r) return r;
  for (const auto &cc : congestion_controls()) {
    if (cc.name != from) continue;
    size_t size = 0;
    auto *value = static_cast<char *>(bpf_map__initial_value(cc.map, &size));
    int off = member_offset(obj_.get(), cc.map, "name");
    if (!value || off < 0 || static_cast<size_t>(off) + 16 > size)
      return fail("cannot find the name field of " + from + " in " + source_);
    std::memset(value + off, 0, 16);
    std::memcpy(value + off, to.data(), to.size());
    return {};
  }
  return fail(source_ + " has no congestion control named " + from);
}

Result<> CcObject::load() {
  // Objects written with the legacy SEC(".struct_ops") register through a map update, which
  // cannot be pinned or swapped. Flagging their maps BPF_F_LINK before load registers them through
  // a bpf_link like SEC(".struct_ops.link") objects, so every CC is handled the same way.
  for (const auto &cc : congestion_controls())
    bpf_map__set_map_flags(cc.map, bpf_map__map_flags(cc.map) | BPF_F_LINK);

  LibbpfLog::clear();
  int err = bpf_object__load(obj_.get());
  if (err == 0) return {};
  std::string log = LibbpfLog::text();
  std::string vlog = verifier_log_tail(20);
  std::string reason = libbpf_error(err);
  // The verifier words a missing GPL license differently depending on which check trips first.
  if (log.find("GPL compatible") != std::string::npos || log.find("non-GPL") != std::string::npos)
    return std::unexpected(Error{-err, "Failed to load " + source_ + ": its license is not GPL-compatible",
                                 "struct_ops programs must declare `char _license[] SEC(\"license\") = \"GPL\";`"});
  if (!vlog.empty())
    return std::unexpected(Error{-err,
                                 "Failed to load " + source_ + ": the verifier rejected a program (" + reason +
                                     "); the end of its log:\n" + vlog,
                                 "rerun with -v for the whole log"});
  std::string detail;
  for (const auto &l : LibbpfLog::tail(8)) detail += "\n  " + l;
  return std::unexpected(Error{-err, "Failed to load " + source_ + ": " + reason + detail,
                               "rerun with -v for libbpf's full log"});
}

}  // namespace ccload
