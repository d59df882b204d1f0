#include "kernel_ccs.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>

#include <algorithm>
#include <cstring>
#include <sstream>

#include "bpf_raii.h"
#include "sysctl.h"
#include "unique_fd.h"

namespace ccload {
namespace {

constexpr const char *kAvailable = "net.ipv4.tcp_available_congestion_control";
constexpr const char *kAllowed = "net.ipv4.tcp_allowed_congestion_control";
constexpr const char *kDefault = "net.ipv4.tcp_congestion_control";

// Offset in bytes of `member` inside the struct `type_id`, or -1.
int member_offset(const btf *b, uint32_t type_id, const char *member, uint32_t *member_type = nullptr) {
  const btf_type *t = btf__type_by_id(b, type_id);
  if (!t || !btf_is_composite(t)) return -1;
  const btf_member *m = btf_members(t);
  for (int i = 0; i < btf_vlen(t); ++i, ++m) {
    if (std::strcmp(btf__name_by_offset(b, m->name_off), member) != 0) continue;
    if (member_type) *member_type = m->type;
    return static_cast<int>(btf_member_bit_offset(t, i) / 8);
  }
  return -1;
}

// Layout of the kernel's struct bpf_struct_ops_tcp_congestion_ops, from vmlinux BTF.
struct ValueLayout {
  int name = -1, flags = -1;
  std::vector<std::pair<std::string, int>> ops;  // op name, offset of its slot
  bool ok() const { return name >= 0 && flags >= 0; }
};

ValueLayout value_layout(const btf *vmlinux, uint32_t value_type_id) {
  ValueLayout l;
  uint32_t data_type = 0;
  int data = member_offset(vmlinux, value_type_id, "data", &data_type);
  if (data < 0) return l;
  int name = member_offset(vmlinux, data_type, "name");
  int flags = member_offset(vmlinux, data_type, "flags");
  if (name < 0 || flags < 0) return l;
  l.name = data + name;
  l.flags = data + flags;
  const btf_type *t = btf__type_by_id(vmlinux, data_type);
  const btf_member *m = btf_members(t);
  for (int i = 0; i < btf_vlen(t); ++i, ++m) {
    const btf_type *mt = btf__type_by_id(vmlinux, m->type);
    if (mt && btf_is_ptr(mt) && btf_is_func_proto(btf__type_by_id(vmlinux, btf__resolve_type(vmlinux, mt->type))))
      l.ops.emplace_back(btf__name_by_offset(vmlinux, m->name_off),
                         data + static_cast<int>(btf_member_bit_offset(t, i) / 8));
  }
  return l;
}

// struct_ops map id -> link id, for every struct_ops link.
std::map<uint32_t, uint32_t> struct_ops_links() {
  std::map<uint32_t, uint32_t> out;
  for (uint32_t id = 0; bpf_link_get_next_id(id, &id) == 0;) {
    UniqueFd fd(bpf_link_get_fd_by_id(id));
    if (!fd) continue;
    bpf_link_info info{};
    uint32_t len = sizeof(info);
    if (bpf_link_get_info_by_fd(fd.get(), &info, &len) == 0 && info.type == BPF_LINK_TYPE_STRUCT_OPS)
      out[info.struct_ops.map_id] = id;
  }
  return out;
}

}  // namespace

std::vector<std::string> split_words(const std::string &s) {
  std::istringstream in(s);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

Result<std::vector<std::string>> available_ccs() {
  auto v = read_sysctl(kAvailable);
  if (!v) return std::unexpected(v.error());
  return split_words(*v);
}

Result<std::vector<std::string>> allowed_ccs() {
  auto v = read_sysctl(kAllowed);
  if (!v) return std::unexpected(v.error());
  return split_words(*v);
}

Result<std::string> default_cc() { return read_sysctl(kDefault); }

Result<> set_default_cc(const std::string &name) {
  if (!is_available(name))
    return fail(name + " is not a congestion control this kernel offers",
                "register it first (`ccload register`) or pick one from `ccload list`");
  auto r = write_sysctl(kDefault, name);
  if (!r && r.error().errnum == EPERM)
    return fail("Failed to make " + name + " the default: Operation not permitted",
                "a child network namespace may only choose a CC listed in "
                "net.ipv4.tcp_allowed_congestion_control; run `ccload allow " + name +
                    "` in the initial namespace (or register it with --allow)");
  return r;
}

Result<> allow_cc(const std::string &name) {
  auto allowed = allowed_ccs();
  if (!allowed) return std::unexpected(allowed.error());
  if (std::find(allowed->begin(), allowed->end(), name) != allowed->end()) return {};
  std::string list;
  for (const auto &a : *allowed) list += a + " ";
  return write_sysctl(kAllowed, list + name);
}

bool is_available(const std::string &name) {
  auto all = available_ccs();
  return all && std::find(all->begin(), all->end(), name) != all->end();
}

Result<std::map<std::string, BpfCc>> registered_bpf_ccs() {
  std::map<std::string, BpfCc> out;
  BtfPtr vmlinux(btf__load_vmlinux_btf());
  if (!vmlinux) return fail_errno(errno, "Failed to load the kernel's BTF");
  auto links = struct_ops_links();
  auto available = available_ccs();

  for (uint32_t id = 0; bpf_map_get_next_id(id, &id) == 0;) {
    UniqueFd fd(bpf_map_get_fd_by_id(id));
    if (!fd) continue;
    bpf_map_info info{};
    uint32_t len = sizeof(info);
    if (bpf_map_get_info_by_fd(fd.get(), &info, &len) != 0 || info.type != BPF_MAP_TYPE_STRUCT_OPS) continue;
    const btf_type *vt = btf__type_by_id(vmlinux.get(), info.btf_vmlinux_value_type_id);
    if (!vt || std::strcmp(btf__name_by_offset(vmlinux.get(), vt->name_off),
                           "bpf_struct_ops_tcp_congestion_ops") != 0)
      continue;
    ValueLayout layout = value_layout(vmlinux.get(), info.btf_vmlinux_value_type_id);
    if (!layout.ok()) continue;
    std::vector<char> value(info.value_size);
    uint32_t key = 0;
    if (bpf_map_lookup_elem(fd.get(), &key, value.data()) != 0) continue;

    BpfCc cc;
    cc.name.assign(value.data() + layout.name, strnlen(value.data() + layout.name, 16));
    std::memcpy(&cc.flags, value.data() + layout.flags, sizeof(cc.flags));
    cc.map_id = id;
    if (auto it = links.find(id); it != links.end()) cc.link_id = it->second;
    for (const auto &[op, off] : layout.ops) {
      uint64_t slot = 0;
      std::memcpy(&slot, value.data() + off, sizeof(slot));
      if (slot) cc.ops.emplace_back(op, static_cast<uint32_t>(slot));
    }
    // A map that was swapped out by an upgrade can linger without being registered; the kernel's
    // list of available CCs decides which entries are live, and a linked map wins a tie.
    bool live = available && std::find(available->begin(), available->end(), cc.name) != available->end();
    if (!live) continue;
    auto existing = out.find(cc.name);
    if (existing == out.end() || (existing->second.link_id == 0 && cc.link_id != 0)) out[cc.name] = cc;
  }
  return out;
}

}  // namespace ccload
