// Attaching a policy (the ccload_policy sock_ops program and its rule maps) to a cgroup v2.
//
// `ccload policy attach` pins everything under /sys/fs/bpf/ccload-policy/<cgroup id>/:
//   link        the cgroup attachment (removing its pin detaches the program)
//   prog        the program
//   remote_lpm local_lpm rules policy_cfg   the rule tables
//   policy_sk   per-connection state (socket storage), readable by socket fd
// so that a later process can show, update and detach it. Attaching to a cgroup that already
// has a policy rewrites the maps in place: the program is not reloaded and connections keep
// their state. `ccload exec` uses an unpinned Attachment that lives as long as the command.
#pragma once
#include "common.h"
#include "bpf_raii.h"
#include "rule_tables.h"
#include "unique_fd.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct ccload_policy;

namespace ccload::policy {

inline constexpr const char *kPolicyPinRoot = "/sys/fs/bpf/ccload-policy";

struct CgroupRef {
  std::string path;   // absolute
  uint64_t id = 0;
};
Result<CgroupRef> resolve_cgroup(const std::string &arg);
std::string pin_dir(const CgroupRef &cg);

struct SkeletonDeleter {
  void operator()(::ccload_policy *s) const;
};
using SkeletonPtr = std::unique_ptr<::ccload_policy, SkeletonDeleter>;

// Opens and loads the BPF object. For the policy, the trace ring buffer is shrunk to a page and
// the trace program not loaded; for the trace, the reverse. `trace_interval` is the trace's
// minimum time between two samples of one connection (0: every RTT measurement).
enum class Role { kPolicy, kTrace };
Result<SkeletonPtr> load_skeleton(Role role, std::chrono::nanoseconds trace_interval = {});

// The rule maps, however they were obtained (a fresh skeleton or pins).
struct RuleMaps {
  UniqueFd remote_lpm, local_lpm, rules, config, sk_state;
  static Result<RuleMaps> from_skeleton(const ::ccload_policy &skel);
  static Result<RuleMaps> from_pins(const std::string &dir);
  // Replaces the tables' contents (stale trie entries are deleted after the new ones are in).
  Result<> write(const RuleTables &tables) const;
  Result<RuleTables> read() const;
};

// An attachment held by this process only (ccload exec, tests that do not pin).
class Attachment {
 public:
  static Result<Attachment> attach(const CgroupRef &cg, const RuleSet &rules);
  const RuleMaps &maps() const { return maps_; }
  ::ccload_policy &skeleton() const { return *skel_; }
  bpf_link *link() const { return link_.get(); }

 private:
  Attachment(SkeletonPtr skel, BpfLinkPtr link, RuleMaps maps)
      : skel_(std::move(skel)), link_(std::move(link)), maps_(std::move(maps)) {}
  SkeletonPtr skel_;
  BpfLinkPtr link_;   // declared after skel_: destroyed (detached) first
  RuleMaps maps_;
};

struct AttachOutcome {
  CgroupRef cgroup;
  std::string pin_dir;
  bool updated = false;   // the cgroup had a policy: its maps were rewritten
  size_t rules = 0;
};
Result<AttachOutcome> attach_pinned(const CgroupRef &cg, const RuleSet &rules);
Result<> detach_pinned(const CgroupRef &cg);

struct PolicyInfo {
  uint64_t cgroup_id = 0;
  std::string cgroup;      // relative to the cgroup root; empty if the cgroup is gone
  std::string pin_dir;
  uint32_t link_id = 0, prog_id = 0;
  RuleTables tables;
};
// One cgroup's policy, or every pinned one when `cg` is empty.
Result<std::vector<PolicyInfo>> show(const std::optional<CgroupRef> &cg);
// Removes pins whose cgroup no longer exists (its link is defunct already). Returns their dirs.
std::vector<std::string> reap_orphan_pins();

// The policy's per-connection state for a socket of this process.
Result<policy_sk_state> socket_state(const RuleMaps &maps, int sockfd);

}  // namespace ccload::policy
