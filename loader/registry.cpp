#include "registry.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "bpf_raii.h"
#include "cc_maps.h"
#include "cc_object.h"
#include "libbpf_log.h"
#include "poll_until.h"
#include "preflight.h"

namespace ccload {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// Undoes a registration that failed half-way: removes every pin and directory it created. The
// links themselves are released by their owners, which unregisters the CCs.
class PinRollback {
 public:
  ~PinRollback() {
    if (committed_) return;
    std::error_code ec;
    for (auto it = paths_.rbegin(); it != paths_.rend(); ++it) fs::remove(*it, ec);
  }
  void created(const std::string &path) { paths_.push_back(path); }
  void commit() { committed_ = true; }

 private:
  std::vector<std::string> paths_;
  bool committed_ = false;
};

std::string now_iso8601() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

Result<> write_state(const std::string &path, const json &j) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  std::ofstream out(path);
  out << j.dump(2) << "\n";
  if (!out) return fail_errno("Failed to write " + path);
  return {};
}

json read_state(const std::string &path) {
  std::ifstream in(path);
  if (!in) return json::object();
  json j = json::parse(in, nullptr, false);
  return (j.is_discarded() || !j.is_object()) ? json::object() : j;
}

uint32_t link_id_of(const bpf_link *link) {
  bpf_link_info info{};
  uint32_t len = sizeof(info);
  if (bpf_link_get_info_by_fd(bpf_link__fd(link), &info, &len) != 0) return 0;
  return info.id;
}

uint32_t map_id_of(int fd) {
  bpf_map_info info{};
  uint32_t len = sizeof(info);
  return bpf_map_get_info_by_fd(fd, &info, &len) == 0 ? info.id : 0;
}

// Waits until the kernel's list agrees that `name` is (or is not) registered. Link release is
// synchronous today; the deadline only guards against a future deferred teardown.
bool wait_available(const std::string &name, bool want) {
  return poll_until([&] { return is_available(name) == want; }, std::chrono::seconds(2));
}

}  // namespace

std::vector<std::string> Registry::pinned() const {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator(pin_root_, ec))
    if (fs::exists(entry.path() / "link")) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

bool Registry::is_pinned(const std::string &name) const { return fs::exists(link_pin(name)); }

void Registry::remove_pins(const std::string &name) const {
  std::error_code ec;
  fs::remove_all(pin_dir(name), ec);
  fs::remove(state_file(name), ec);
}

Result<> Registry::check_name_free(const std::string &name, const std::map<std::string, BpfCc> &bpf) const {
  if (auto r = validate_cc_name(name); !r) return r;
  if (!is_available(name)) return {};
  if (is_pinned(name))
    return fail(name + " is already registered (pinned at " + link_pin(name) + ")",
                "run `ccload unregister " + name + "` first, or `ccload upgrade " + name +
                    " <object>` to replace it in place");
  if (bpf.contains(name))
    return fail(name + " is already registered by another tool (struct_ops map id " +
                    std::to_string(bpf.at(name).map_id) + ")",
                "remove that registration first, or register under another name with --name");
  return fail(name + " is the name of a native congestion control of this kernel",
              "register under another name with --name");
}

Result<std::vector<RegisteredCc>> Registry::register_object(const RegisterRequest &req) const {
  if (auto r = require_bpf_privileges("registering a congestion control"); !r) return std::unexpected(r.error());
  if (auto r = require_kernel_btf(); !r) return std::unexpected(r.error());

  auto obj = CcObject::open(req.object);
  if (!obj) return std::unexpected(obj.error());
  auto ccs = obj->congestion_controls();
  if (req.name) {
    if (ccs.size() != 1)
      return fail(obj->source() + " holds " + std::to_string(ccs.size()) +
                  " congestion controls; --name renames only an object that holds one");
    if (auto r = obj->rename(ccs[0].name, *req.name); !r) return std::unexpected(r.error());
    ccs = obj->congestion_controls();
  }

  auto bpf = registered_bpf_ccs();
  if (!bpf) return std::unexpected(bpf.error());
  for (const auto &cc : ccs) {
    if (auto r = check_name_free(cc.name, *bpf); !r) return std::unexpected(r.error());
    // A directory without a live CC is debris of an interrupted run: clear it.
    remove_pins(cc.name);
  }

  if (auto r = ensure_bpffs_dir(pin_root_); !r) return std::unexpected(r.error());
  if (auto r = obj->load(); !r) return std::unexpected(r.error());

  PinRollback rollback;
  std::vector<BpfLinkPtr> links;  // released at return: pinned links stay, the rest unregister
  std::vector<RegisteredCc> done;
  for (const auto &cc : ccs) {
    LibbpfLog::clear();
    BpfLinkPtr link(bpf_map__attach_struct_ops(cc.map));
    if (!link) {
      int err = errno;
      return fail_errno(err, "Failed to register " + cc.name,
                        err == EEXIST ? "a congestion control with this name appeared meanwhile; run "
                                        "`ccload list`"
                                      : "rerun with -v for libbpf's log");
    }
    RegisteredCc reg{cc.name, obj->source(), pin_dir(cc.name), link_id_of(link.get()),
                     map_id_of(bpf_map__fd(cc.map)), {}};
    std::error_code ec;
    fs::create_directories(reg.pin_dir, ec);
    if (ec) return fail_errno(ec.value(), "Failed to create " + reg.pin_dir);
    rollback.created(reg.pin_dir);
    if (int err = bpf_link__pin(link.get(), link_pin(cc.name).c_str()); err)
      return fail_errno(err, "Failed to pin the link of " + cc.name + " at " + link_pin(cc.name));
    rollback.created(link_pin(cc.name));
    reg.pins.push_back(link_pin(cc.name));
    for (bpf_map *m : obj->global_data_maps()) {
      std::string path = reg.pin_dir + "/" + data_map_pin_name(bpf_map__name(m));
      if (bpf_obj_pin(bpf_map__fd(m), path.c_str()) != 0)
        return fail_errno("Failed to pin map " + std::string(bpf_map__name(m)) + " at " + path);
      rollback.created(path);
      reg.pins.push_back(path);
    }
    json state = {{"name", cc.name}, {"source", obj->source()}, {"registered_at", now_iso8601()}};
    if (auto r = write_state(state_file(cc.name), state); !r) return std::unexpected(r.error());
    rollback.created(state_file(cc.name));
    links.push_back(std::move(link));
    done.push_back(std::move(reg));
  }

  for (const auto &reg : done) {
    if (req.allow)
      if (auto r = allow_cc(reg.name); !r)
        return std::unexpected(std::move(r.error()).context("Failed to allow " + reg.name));
  }
  if (req.make_default) {
    if (done.size() != 1)
      return fail("--default needs an object with exactly one congestion control; run `ccload default <name>`");
    if (auto r = set_default_cc(done[0].name); !r) return std::unexpected(r.error());
  }
  rollback.commit();
  LibbpfLog::flush_warnings();
  return done;
}

Result<UnregisterOutcome> Registry::unregister(const std::string &name) const {
  if (auto r = require_bpf_privileges("unregistering a congestion control"); !r) return std::unexpected(r.error());
  if (!is_pinned(name)) {
    auto bpf = registered_bpf_ccs();
    if (bpf && bpf->contains(name))
      return fail(name + " was registered by another tool (struct_ops map id " +
                      std::to_string(bpf->at(name).map_id) + "), not by ccload",
                  "remove it the way it was registered (for bpftool: rm its bpffs pin)");
    if (is_available(name)) return fail(name + " is a native congestion control; it cannot be unregistered");
    remove_pins(name);  // debris, if any
    return fail(name + " is not registered", "run `ccload list` to see what is");
  }

  UnregisterOutcome outcome{name, std::nullopt};
  // New sockets must not pick a CC that is going away; sockets already using it keep a
  // reference and run to completion.
  if (auto def = default_cc(); def && *def == name) {
    std::string fallback = is_available("cubic") ? "cubic" : "reno";
    if (auto r = set_default_cc(fallback); !r) return std::unexpected(r.error());
    outcome.default_reset_to = fallback;
  }
  remove_pins(name);
  if (!wait_available(name, false))
    return fail(name + " is still registered after its pins were removed: another process holds its link",
                "find it with `bpftool link show` and close it");
  return outcome;
}

Result<RegisteredCc> Registry::upgrade(const std::string &name, const std::string &object) const {
  if (auto r = require_bpf_privileges("upgrading a congestion control"); !r) return std::unexpected(r.error());
  if (!is_pinned(name))
    return fail(name + " is not registered by ccload", "register it first: `ccload register <object>`");
  auto obj = CcObject::open(object);
  if (!obj) return std::unexpected(obj.error());
  auto ccs = obj->congestion_controls();
  auto match = std::find_if(ccs.begin(), ccs.end(), [&](const CcMap &c) { return c.name == name; });
  if (match == ccs.end()) {
    if (ccs.size() != 1)
      return fail(obj->source() + " holds several congestion controls and none is named " + name);
    // One CC under another name: it takes over this name, so sockets and sysctls keep working.
    if (auto r = obj->rename(ccs[0].name, name); !r) return std::unexpected(r.error());
    ccs = obj->congestion_controls();
    match = ccs.begin();
  }
  if (auto r = obj->load(); !r) return std::unexpected(r.error());

  BpfLinkPtr link(bpf_link__open(link_pin(name).c_str()));
  if (!link) return fail_errno(errno, "Failed to open the link pinned at " + link_pin(name));
  if (int err = bpf_link__update_map(link.get(), match->map); err)
    return fail_errno(err, "Failed to swap the implementation of " + name);

  // The old object's data maps are no longer used by the running CC: pin the new ones instead.
  RegisteredCc reg{name, obj->source(), pin_dir(name), link_id_of(link.get()),
                   map_id_of(bpf_map__fd(match->map)), {link_pin(name)}};
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator(pin_dir(name), ec))
    if (entry.path().filename() != "link") fs::remove(entry.path(), ec);
  for (bpf_map *m : obj->global_data_maps()) {
    std::string path = reg.pin_dir + "/" + data_map_pin_name(bpf_map__name(m));
    if (bpf_obj_pin(bpf_map__fd(m), path.c_str()) != 0)
      return fail_errno("Failed to pin map " + std::string(bpf_map__name(m)) + " at " + path);
    reg.pins.push_back(path);
  }
  json state = read_state(state_file(name));
  state["name"] = name;
  state["source"] = obj->source();
  state["upgraded_at"] = now_iso8601();
  if (auto r = write_state(state_file(name), state); !r) return std::unexpected(r.error());
  LibbpfLog::flush_warnings();
  return reg;
}

Result<BpfCc> Registry::find_bpf_cc(const std::string &name) const {
  auto bpf = registered_bpf_ccs();
  if (!bpf) return std::unexpected(bpf.error());
  auto it = bpf->find(name);
  if (it != bpf->end()) return it->second;
  if (is_available(name)) return fail(name + " is a native congestion control; it has no BPF tunables");
  return fail(name + " is not registered", "run `ccload list` to see what is");
}

Result<CcDetails> Registry::show(const std::string &name) const {
  CcDetails d;
  d.name = name;
  if (!is_available(name)) return fail(name + " is not registered", "run `ccload list` to see what is");
  if (auto def = default_cc()) d.is_default = *def == name;
  if (auto allowed = allowed_ccs())
    d.allowed = std::find(allowed->begin(), allowed->end(), name) != allowed->end();
  auto bpf = registered_bpf_ccs();
  if (!bpf) return std::unexpected(bpf.error());
  auto it = bpf->find(name);
  if (it == bpf->end()) return d;  // native

  const BpfCc &cc = it->second;
  d.bpf = true;
  d.map_id = cc.map_id;
  d.link_id = cc.link_id;
  d.flags = cc.flags;
  d.pinned_by_ccload = is_pinned(name);
  if (d.pinned_by_ccload) {
    d.pin_dir = pin_dir(name);
    json state = read_state(state_file(name));
    d.source = state.value("source", "");
    d.registered_at = state.value("registered_at", "");
  }
  for (const auto &[op, prog] : cc.ops) d.ops.push_back({op, prog, prog_name(prog)});
  auto maps = data_maps_of(cc);
  if (!maps) return std::unexpected(maps.error());
  for (const auto &m : *maps)
    for (const auto &v : m.vars) d.variables.push_back({v, format_value(v, m.value)});
  return d;
}

Result<std::vector<TunableChange>> Registry::set(const std::string &name,
                                                 const std::vector<std::string> &assignments) const {
  if (auto r = require_bpf_privileges("changing a tunable"); !r) return std::unexpected(r.error());
  auto cc = find_bpf_cc(name);
  if (!cc) return std::unexpected(cc.error());
  auto maps = data_maps_of(*cc);
  if (!maps) return std::unexpected(maps.error());

  std::vector<Variable> all;
  for (const auto &m : *maps) all.insert(all.end(), m.vars.begin(), m.vars.end());
  // Parse everything before writing anything: a bad assignment changes nothing.
  std::vector<std::vector<uint8_t>> staged;
  for (const auto &m : *maps) staged.push_back(m.value);
  std::vector<TunableChange> changes;
  for (const auto &arg : assignments) {
    auto kv = parse_assignment(arg);
    if (!kv) return std::unexpected(kv.error());
    const auto &[key, text] = *kv;
    bool found = false;
    for (size_t i = 0; i < maps->size() && !found; ++i) {
      for (const auto &v : (*maps)[i].vars) {
        if (v.name != key) continue;
        found = true;
        if (!v.is_tunable())
          return fail(key + " is a counter the program maintains, not a tunable",
                      "tunables of " + name + ": " + describe_variables(all, true));
        std::string old_value = format_value(v, staged[i]);
        if (auto r = encode_value(v, text, staged[i]); !r)
          return std::unexpected(std::move(r.error()).context("Failed to set " + key));
        changes.push_back({key, old_value, format_value(v, staged[i])});
        break;
      }
    }
    if (!found)
      return fail(name + " has no tunable named '" + key + "'",
                  "tunables of " + name + ": " + describe_variables(all, true));
  }
  for (size_t i = 0; i < maps->size(); ++i)
    if (staged[i] != (*maps)[i].value)
      if (auto r = (*maps)[i].write(staged[i]); !r) return std::unexpected(r.error());
  return changes;
}

}  // namespace ccload
