#include "policy.h"

#include <bpf/bpf.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "ccload_policy.skel.h"
#include "cgroup.h"
#include "libbpf_log.h"
#include "preflight.h"

namespace ccload::policy {

namespace fs = std::filesystem;

void SkeletonDeleter::operator()(::ccload_policy *s) const { ccload_policy__destroy(s); }

Result<CgroupRef> resolve_cgroup(const std::string &arg) {
  CgroupRef cg{cgroup_path(arg), 0};
  auto id = cgroup_id(cg.path);
  if (!id) return std::unexpected(id.error());
  cg.id = *id;
  return cg;
}

std::string pin_dir(const CgroupRef &cg) { return fmt::format("{}/{}", kPolicyPinRoot, cg.id); }

static std::unexpected<Error> load_error(int err, const std::string &what) {
  std::string tail = verifier_log_tail();
  return fail_errno(err, what + (tail.empty() ? "" : "\n" + tail),
                    "run with -v for libbpf's log; the kernel needs sock_ops, socket storage and TCP header options");
}

Result<SkeletonPtr> load_skeleton(Role role, std::chrono::nanoseconds trace_interval) {
  if (auto r = require_bpf_privileges("loading the sock_ops policy"); !r) return std::unexpected(r.error());
  LibbpfLog::clear();
  SkeletonPtr skel(ccload_policy__open());
  if (!skel) return load_error(errno, "Failed to open the policy BPF object");
  if (role == Role::kPolicy) {
    bpf_map__set_max_entries(skel->maps.trace_events, getpagesize());
    bpf_program__set_autoload(skel->progs.ccload_trace, false);
  } else {
    bpf_program__set_autoload(skel->progs.ccload_policy, false);
    skel->rodata->trace_interval_ns = static_cast<uint64_t>(trace_interval.count());
  }
  if (int err = ccload_policy__load(skel.get())) return load_error(err, "Failed to load the policy BPF object");
  return skel;
}

// ---- maps -----------------------------------------------------------------

static const char *const kMapPins[] = {"remote_lpm", "local_lpm", "rules", "policy_cfg", "policy_sk"};

Result<RuleMaps> RuleMaps::from_skeleton(const ::ccload_policy &skel) {
  RuleMaps m;
  auto dup = [](bpf_map *map) { return UniqueFd(::fcntl(bpf_map__fd(map), F_DUPFD_CLOEXEC, 3)); };
  m.remote_lpm = dup(skel.maps.remote_lpm);
  m.local_lpm = dup(skel.maps.local_lpm);
  m.rules = dup(skel.maps.rules);
  m.config = dup(skel.maps.policy_cfg);
  m.sk_state = dup(skel.maps.policy_sk);
  if (!m.remote_lpm || !m.local_lpm || !m.rules || !m.config || !m.sk_state)
    return fail_errno("Failed to duplicate the policy's map fds");
  return m;
}

Result<RuleMaps> RuleMaps::from_pins(const std::string &dir) {
  UniqueFd fds[5];
  for (int i = 0; i < 5; i++) {
    std::string path = dir + "/" + kMapPins[i];
    fds[i] = UniqueFd(bpf_obj_get(path.c_str()));
    if (!fds[i]) return fail_errno("Failed to open pinned map " + path, "detach and attach the policy again");
  }
  RuleMaps m;
  m.remote_lpm = std::move(fds[0]);
  m.local_lpm = std::move(fds[1]);
  m.rules = std::move(fds[2]);
  m.config = std::move(fds[3]);
  m.sk_state = std::move(fds[4]);
  return m;
}

static Result<> write_trie(int fd, const std::map<Prefix, uint64_t> &entries, const char *name) {
  for (const auto &[p, mask] : entries) {
    policy_lpm_key k = lpm_key(p);
    if (bpf_map_update_elem(fd, &k, &mask, BPF_ANY))
      return fail_errno(fmt::format("Failed to write {} entry {}", name, p.str()));
  }
  // Entries of the previous rules that the new ones do not have.
  std::vector<policy_lpm_key> stale;
  policy_lpm_key key{}, next{};
  for (void *prev = nullptr; bpf_map_get_next_key(fd, prev, &next) == 0; prev = &key) {
    key = next;
    if (!entries.contains(prefix_of(key))) stale.push_back(key);
  }
  for (auto &k : stale) (void)bpf_map_delete_elem(fd, &k);
  return {};
}

static std::map<Prefix, uint64_t> read_trie(int fd) {
  std::map<Prefix, uint64_t> out;
  policy_lpm_key key{}, next{};
  for (void *prev = nullptr; bpf_map_get_next_key(fd, prev, &next) == 0; prev = &key) {
    key = next;
    uint64_t mask = 0;
    if (bpf_map_lookup_elem(fd, &key, &mask) == 0) out[prefix_of(key)] = mask;
  }
  return out;
}

Result<> RuleMaps::write(const RuleTables &t) const {
  // Rules first, then the tries, then the count: a connection that races with an update sees
  // either rule set's masks over rules that are already in place.
  for (uint32_t i = 0; i < t.rules.size(); i++)
    if (bpf_map_update_elem(rules.get(), &i, &t.rules[i], BPF_ANY))
      return fail_errno(fmt::format("Failed to write rule {}", i));
  if (auto r = write_trie(remote_lpm.get(), t.remote, "remote_lpm"); !r) return r;
  if (auto r = write_trie(local_lpm.get(), t.local, "local_lpm"); !r) return r;
  uint32_t zero = 0;
  if (bpf_map_update_elem(config.get(), &zero, &t.config, BPF_ANY)) return fail_errno("Failed to write policy_cfg");
  return {};
}

Result<RuleTables> RuleMaps::read() const {
  RuleTables t;
  uint32_t zero = 0;
  if (bpf_map_lookup_elem(config.get(), &zero, &t.config)) return fail_errno("Failed to read policy_cfg");
  for (uint32_t i = 0; i < t.config.nrules && i < POLICY_MAX_RULES; i++) {
    policy_rule r{};
    if (bpf_map_lookup_elem(rules.get(), &i, &r)) return fail_errno(fmt::format("Failed to read rule {}", i));
    t.rules.push_back(r);
  }
  t.remote = read_trie(remote_lpm.get());
  t.local = read_trie(local_lpm.get());
  return t;
}

Result<policy_sk_state> socket_state(const RuleMaps &maps, int sockfd) {
  policy_sk_state st{};
  if (bpf_map_lookup_elem(maps.sk_state.get(), &sockfd, &st))
    return fail_errno("No policy state for this socket", "the policy did not match it, or it was created before attach");
  return st;
}

// ---- attaching --------------------------------------------------------------

static Result<UniqueFd> open_cgroup(const CgroupRef &cg) {
  UniqueFd fd(::open(cg.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return fail_errno("Failed to open cgroup " + cg.path);
  return fd;
}

static Result<BpfLinkPtr> attach_prog(bpf_program *prog, const CgroupRef &cg) {
  auto fd = open_cgroup(cg);
  if (!fd) return std::unexpected(fd.error());
  BpfLinkPtr link(bpf_program__attach_cgroup(prog, fd->get()));
  if (!link) return fail_errno(errno, "Failed to attach " + std::string(bpf_program__name(prog)) + " to " + cg.path);
  return link;
}

Result<Attachment> Attachment::attach(const CgroupRef &cg, const RuleSet &rules) {
  auto skel = load_skeleton(Role::kPolicy);
  if (!skel) return std::unexpected(skel.error());
  auto maps = RuleMaps::from_skeleton(**skel);
  if (!maps) return std::unexpected(maps.error());
  // Rules are in place before the first connection can see the program.
  if (auto r = maps->write(compile(rules)); !r) return std::unexpected(r.error());
  auto link = attach_prog((*skel)->progs.ccload_policy, cg);
  if (!link) return std::unexpected(link.error());
  return Attachment(std::move(*skel), std::move(*link), std::move(*maps));
}

Result<AttachOutcome> attach_pinned(const CgroupRef &cg, const RuleSet &rules) {
  AttachOutcome out{cg, pin_dir(cg), false, rules.rules.size()};
  if (fs::exists(out.pin_dir + "/link")) {
    auto maps = RuleMaps::from_pins(out.pin_dir);
    if (!maps) return std::unexpected(maps.error());
    if (auto r = maps->write(compile(rules)); !r) return std::unexpected(r.error());
    out.updated = true;
    return out;
  }
  if (auto r = ensure_bpffs_dir(out.pin_dir); !r) return std::unexpected(r.error());
  auto att = Attachment::attach(cg, rules);
  if (!att) {
    std::error_code ec;
    fs::remove(out.pin_dir, ec);
    return std::unexpected(att.error());
  }
  auto pin_all = [&]() -> Result<> {
    if (int err = bpf_link__pin(att->link(), (out.pin_dir + "/link").c_str()))
      return fail_errno(err, "Failed to pin the policy link in " + out.pin_dir);
    if (int err = bpf_program__pin(att->skeleton().progs.ccload_policy, (out.pin_dir + "/prog").c_str()))
      return fail_errno(err, "Failed to pin the policy program in " + out.pin_dir);
    bpf_map *maps[] = {att->skeleton().maps.remote_lpm, att->skeleton().maps.local_lpm, att->skeleton().maps.rules,
                       att->skeleton().maps.policy_cfg, att->skeleton().maps.policy_sk};
    for (size_t i = 0; i < std::size(maps); i++)
      if (int err = bpf_map__pin(maps[i], (out.pin_dir + "/" + kMapPins[i]).c_str()))
        return fail_errno(err, "Failed to pin map " + std::string(kMapPins[i]));
    return {};
  };
  if (auto r = pin_all(); !r) {
    std::error_code ec;
    fs::remove_all(out.pin_dir, ec);   // the unpinned link detaches when `att` goes
    return std::unexpected(r.error());
  }
  return out;
}

Result<> detach_pinned(const CgroupRef &cg) {
  std::string dir = pin_dir(cg);
  if (!fs::exists(dir))
    return fail("no policy is attached to " + cg.path + " by ccload", "run `ccload policy show` to list policies");
  std::error_code ec;
  fs::remove_all(dir, ec);   // the last reference to the link goes with its pin: detached
  if (ec) return fail_errno(ec.value(), "Failed to remove " + dir);
  return {};
}

static uint32_t obj_id(const std::string &path, bool link) {
  UniqueFd fd(bpf_obj_get(path.c_str()));
  if (!fd) return 0;
  if (link) {
    bpf_link_info info{};
    uint32_t len = sizeof(info);
    return bpf_link_get_info_by_fd(fd.get(), &info, &len) == 0 ? info.id : 0;
  }
  bpf_prog_info info{};
  uint32_t len = sizeof(info);
  return bpf_prog_get_info_by_fd(fd.get(), &info, &len) == 0 ? info.id : 0;
}

static Result<PolicyInfo> info_for(const std::string &dir, uint64_t id) {
  PolicyInfo p;
  p.cgroup_id = id;
  p.cgroup = find_cgroup_by_id(id);
  p.pin_dir = dir;
  p.link_id = obj_id(dir + "/link", true);
  p.prog_id = obj_id(dir + "/prog", false);
  auto maps = RuleMaps::from_pins(dir);
  if (!maps) return std::unexpected(maps.error());
  auto t = maps->read();
  if (!t) return std::unexpected(t.error());
  p.tables = std::move(*t);
  return p;
}

Result<std::vector<PolicyInfo>> show(const std::optional<CgroupRef> &cg) {
  std::vector<PolicyInfo> out;
  if (cg) {
    std::string dir = pin_dir(*cg);
    if (!fs::exists(dir)) return fail("no policy is attached to " + cg->path, "attach one with `ccload policy attach`");
    auto p = info_for(dir, cg->id);
    if (!p) return std::unexpected(p.error());
    out.push_back(std::move(*p));
    return out;
  }
  std::error_code ec;
  for (const auto &e : fs::directory_iterator(kPolicyPinRoot, ec)) {
    uint64_t id = std::strtoull(e.path().filename().c_str(), nullptr, 10);
    auto p = info_for(e.path().string(), id);
    if (p) out.push_back(std::move(*p));
  }
  return out;
}

std::vector<std::string> reap_orphan_pins() {
  std::vector<std::string> removed;
  std::error_code ec;
  for (const auto &e : fs::directory_iterator(kPolicyPinRoot, ec)) {
    uint64_t id = std::strtoull(e.path().filename().c_str(), nullptr, 10);
    if (!find_cgroup_by_id(id).empty()) continue;
    std::error_code ec2;
    fs::remove_all(e.path(), ec2);
    if (!ec2) removed.push_back(e.path().string());
  }
  return removed;
}

}  // namespace ccload::policy
