#include "cc_maps.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>

#include <algorithm>
#include <set>

#include "bpf_raii.h"
#include "cc_object.h"

namespace ccload {
namespace {

std::vector<uint32_t> map_ids_of_prog(uint32_t prog_id) {
  UniqueFd fd(bpf_prog_get_fd_by_id(prog_id));
  if (!fd) return {};
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  if (bpf_prog_get_info_by_fd(fd.get(), &info, &len) != 0 || info.nr_map_ids == 0) return {};
  std::vector<uint32_t> ids(info.nr_map_ids);
  uint32_t n = info.nr_map_ids;
  info = {};
  info.nr_map_ids = n;
  info.map_ids = reinterpret_cast<uint64_t>(ids.data());
  len = sizeof(info);
  if (bpf_prog_get_info_by_fd(fd.get(), &info, &len) != 0) return {};
  ids.resize(std::min(n, info.nr_map_ids));
  return ids;
}

bool is_data_section(const std::string &section) {
  return section == "bss" || section == "data" || section.starts_with("data.");
}

}  // namespace

std::string prog_name(uint32_t prog_id) {
  UniqueFd fd(bpf_prog_get_fd_by_id(prog_id));
  if (!fd) return "?";
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  if (bpf_prog_get_info_by_fd(fd.get(), &info, &len) != 0) return "?";
  std::string short_name = info.name;
  // The kernel keeps only 15 characters of a program's name; its BTF keeps the whole function
  // name, as bpftool shows it.
  if (info.btf_id == 0 || info.nr_func_info == 0) return short_name;
  bpf_func_info first{};
  uint32_t rec_size = info.func_info_rec_size;
  info = {};
  info.nr_func_info = 1;
  info.func_info_rec_size = rec_size;
  info.func_info = reinterpret_cast<uint64_t>(&first);
  len = sizeof(info);
  if (rec_size != sizeof(first) || bpf_prog_get_info_by_fd(fd.get(), &info, &len) != 0) return short_name;
  BtfPtr b(btf__load_from_kernel_by_id(info.btf_id));
  const btf_type *t = b ? btf__type_by_id(b.get(), first.type_id) : nullptr;
  return t ? btf__name_by_offset(b.get(), t->name_off) : short_name;
}

Result<> DataMap::refresh() {
  uint32_t key = 0;
  if (bpf_map_lookup_elem(fd.get(), &key, value.data()) != 0)
    return fail_errno("Failed to read map " + name);
  return {};
}

Result<> DataMap::write(const std::vector<uint8_t> &new_value) {
  uint32_t key = 0;
  if (bpf_map_update_elem(fd.get(), &key, new_value.data(), BPF_ANY) != 0)
    return fail_errno("Failed to write map " + name);
  value = new_value;
  return {};
}

Result<std::vector<DataMap>> data_maps_of(const BpfCc &cc) {
  std::set<uint32_t> ids;
  for (const auto &[op, prog] : cc.ops)
    for (uint32_t id : map_ids_of_prog(prog)) ids.insert(id);

  std::vector<DataMap> maps;
  for (uint32_t id : ids) {
    UniqueFd fd(bpf_map_get_fd_by_id(id));
    if (!fd) continue;
    bpf_map_info info{};
    uint32_t len = sizeof(info);
    if (bpf_map_get_info_by_fd(fd.get(), &info, &len) != 0) continue;
    if (info.type != BPF_MAP_TYPE_ARRAY || info.max_entries != 1 || info.btf_id == 0) continue;
    std::string section = data_map_section(info.name);
    if (!is_data_section(section)) continue;
    BtfPtr b(btf__load_from_kernel_by_id(info.btf_id));
    if (!b) continue;
    DataMap m;
    m.id = id;
    m.name = info.name;
    m.section = section;
    m.vars = datasec_variables(b.get(), info.btf_value_type_id, section);
    m.value.resize(info.value_size);
    m.fd = std::move(fd);
    if (auto r = m.refresh(); !r) return std::unexpected(r.error());
    maps.push_back(std::move(m));
  }
  std::stable_sort(maps.begin(), maps.end(), [](const DataMap &a, const DataMap &b) {
    auto rank = [](const std::string &s) { return s == "bss" ? 2 : s == "data" ? 1 : 0; };
    return rank(a.section) < rank(b.section);
  });
  return maps;
}

}  // namespace ccload
