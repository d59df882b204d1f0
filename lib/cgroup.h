// cgroup v2 directories that ccload creates (transient cgroups for `ccload exec`, test cgroups),
// always removed again.
//
// Every cgroup we create is named "ccload-<pid>-<role>" directly under the unified hierarchy,
// where pid is the creating process. A run killed with SIGKILL leaves its cgroup (and perhaps
// processes in it) behind; reap_stale_cgroups() kills what is inside those whose pid is gone and
// removes them, without touching a concurrent run's cgroups.
#pragma once
#include "common.h"
#include "result.h"

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ccload {

// This machine mounts cgroup v2 here (hybrid layout); /sys/fs/cgroup itself is v1.
inline constexpr const char *kCgroupRoot = "/sys/fs/cgroup/unified";
inline constexpr std::string_view kCgroupPrefix = "ccload-";

// "ccload-<pid>-<role>" for this process.
std::string owned_cgroup_name(std::string_view role);
// The pid in an owned cgroup name, or -1 when the name is not ours.
int cgroup_owner_pid(std::string_view name);

// A user's cgroup argument as an absolute path. Paths under /sys/fs/cgroup are taken as they are;
// any other path, absolute or not, names a cgroup below kCgroupRoot as systemd spells them
// ("/", "/system.slice/nginx.service", "ccload-123-exec").
std::string cgroup_path(const std::string &arg);
// The cgroup id BPF uses for `path` (its inode number on cgroup2), or an error if it is not a
// cgroup v2 directory.
Result<uint64_t> cgroup_id(const std::string &path);
// The path below kCgroupRoot of the cgroup with that id, or an empty string.
std::string find_cgroup_by_id(uint64_t id);

// Moves process `pid` (0: the caller) into the cgroup at `path`.
Result<> move_to_cgroup(const std::string &path, pid_t pid = 0);
// The caller's cgroup v2 path (absolute).
Result<std::string> current_cgroup();
// Kills everything in the cgroup, waits until it is empty, and removes it; a missing cgroup is
// not an error.
Result<> remove_cgroup(const std::string &path,
                       std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));
// Removes our cgroups whose creator is gone. Returns their names.
std::vector<std::string> reap_stale_cgroups();

class Cgroup {
 public:
  // Creates kCgroupRoot/<name>. Fails if it exists.
  static Result<Cgroup> create(const std::string &name);
  Cgroup() = default;
  Cgroup(Cgroup &&other) noexcept : path_(std::exchange(other.path_, {})) {}
  Cgroup &operator=(Cgroup &&other) noexcept;
  Cgroup(const Cgroup &) = delete;
  Cgroup &operator=(const Cgroup &) = delete;
  ~Cgroup() { (void)remove(); }

  const std::string &path() const { return path_; }
  // Kills what is left inside and removes the directory.
  Result<> remove();

 private:
  explicit Cgroup(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// Puts the calling process into a cgroup for as long as it lives, then back where it was.
// Sockets remember the cgroup they were created in, so sockets created meanwhile keep it.
class CgroupMembership {
 public:
  static Result<CgroupMembership> join(const std::string &path);
  CgroupMembership(CgroupMembership &&other) noexcept : original_(std::exchange(other.original_, {})) {}
  CgroupMembership(const CgroupMembership &) = delete;
  CgroupMembership &operator=(const CgroupMembership &) = delete;
  CgroupMembership &operator=(CgroupMembership &&) = delete;
  ~CgroupMembership() {
    if (!original_.empty()) (void)move_to_cgroup(original_);
  }

 private:
  explicit CgroupMembership(std::string original) : original_(std::move(original)) {}
  std::string original_;
};

}  // namespace ccload
