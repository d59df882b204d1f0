#include "cgroup.h"

#include "owned_names.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <linux/magic.h>

namespace ccload {

namespace fs = std::filesystem;

std::string owned_cgroup_name(std::string_view role) { return pid_tagged_name(kCgroupPrefix, role); }

int cgroup_owner_pid(std::string_view name) { return pid_in_name(kCgroupPrefix, name); }

std::string cgroup_path(const std::string &arg) {
  if (arg.starts_with("/sys/fs/cgroup")) return fs::path(arg).lexically_normal().string();
  std::string below = arg;
  while (below.starts_with("/")) below.erase(0, 1);
  std::string path = (fs::path(kCgroupRoot) / below).lexically_normal().string();
  while (path.size() > 1 && path.ends_with("/")) path.pop_back();
  return path;
}

Result<uint64_t> cgroup_id(const std::string &path) {
  struct statfs sfs {};
  if (::statfs(path.c_str(), &sfs) < 0)
    return fail_errno("Failed to open cgroup " + path,
                      "give a path relative to " + std::string(kCgroupRoot) + " or an absolute one");
  if (sfs.f_type != CGROUP2_SUPER_MAGIC)
    return fail(path + " is not a cgroup v2 directory",
                "sock_ops programs attach to cgroup v2; use a cgroup under " + std::string(kCgroupRoot));
  struct stat st {};
  if (::stat(path.c_str(), &st) < 0) return fail_errno("Failed to stat " + path);
  return static_cast<uint64_t>(st.st_ino);
}

std::string find_cgroup_by_id(uint64_t id) {
  std::error_code ec;
  struct stat st {};
  if (::stat(kCgroupRoot, &st) == 0 && st.st_ino == id) return "/";
  for (auto it = fs::recursive_directory_iterator(kCgroupRoot, ec); !ec && it != fs::end(it); it.increment(ec)) {
    if (!it->is_directory(ec)) continue;
    if (::stat(it->path().c_str(), &st) == 0 && st.st_ino == id)
      return it->path().lexically_relative(kCgroupRoot).string();
  }
  return {};
}

static Result<> write_file(const std::string &path, const std::string &value) {
  std::ofstream out(path);
  if (!out) return fail_errno("Failed to open " + path);
  out << value;
  out.flush();
  if (!out) return fail_errno("Failed to write '" + value + "' to " + path);
  return {};
}

Result<> move_to_cgroup(const std::string &path, pid_t pid) {
  return write_file(path + "/cgroup.procs", std::to_string(pid));
}

Result<std::string> current_cgroup() {
  std::ifstream in("/proc/self/cgroup");
  for (std::string line; std::getline(in, line);)
    if (line.starts_with("0::/")) return (fs::path(kCgroupRoot) / line.substr(4)).lexically_normal().string();
  return fail("this process has no cgroup v2 membership in /proc/self/cgroup",
              "mount cgroup2 at " + std::string(kCgroupRoot));
}

static bool populated(const std::string &path) {
  std::ifstream in(path + "/cgroup.events");
  for (std::string key, value; in >> key >> value;)
    if (key == "populated") return value != "0";
  return false;
}

Result<> remove_cgroup(const std::string &path, std::chrono::milliseconds timeout) {
  if (!fs::exists(path)) return {};
  if (populated(path)) {
    // cgroup.kill (Linux 5.14) SIGKILLs every process inside, including ones that forked away
    // from the command we started.
    if (auto r = write_file(path + "/cgroup.kill", "1"); !r)
      return std::unexpected(std::move(r.error()).context("Failed to empty cgroup " + path));
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  // The kernel empties the cgroup asynchronously once the killed processes are reaped.
  while (::rmdir(path.c_str()) < 0) {
    if (errno == ENOENT) return {};
    if (errno != EBUSY || std::chrono::steady_clock::now() > deadline)
      return fail_errno("Failed to remove cgroup " + path,
                        "a process in it may not have been reaped yet; see " + path + "/cgroup.procs");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return {};
}

std::vector<std::string> reap_stale_cgroups() {
  std::vector<std::string> removed;
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator(kCgroupRoot, ec)) {
    std::string name = entry.path().filename().string();
    if (!entry.is_directory() || !creator_gone(kCgroupPrefix, name)) continue;
    if (remove_cgroup(entry.path().string())) removed.push_back(name);
  }
  return removed;
}

Result<Cgroup> Cgroup::create(const std::string &name) {
  std::string path = std::string(kCgroupRoot) + "/" + name;
  if (::mkdir(path.c_str(), 0755) < 0)
    return fail_errno("Failed to create cgroup " + path,
                      errno == EEXIST ? "a cgroup of that name exists; remove it with rmdir" : "run as root");
  return Cgroup(std::move(path));
}

Cgroup &Cgroup::operator=(Cgroup &&other) noexcept {
  if (this != &other) {
    (void)remove();
    path_ = std::exchange(other.path_, {});
  }
  return *this;
}

Result<> Cgroup::remove() {
  if (path_.empty()) return {};
  auto r = remove_cgroup(path_);
  if (r) path_.clear();
  return r;
}

Result<CgroupMembership> CgroupMembership::join(const std::string &path) {
  auto original = current_cgroup();
  if (!original) return std::unexpected(original.error());
  if (auto r = move_to_cgroup(path); !r) return std::unexpected(r.error());
  return CgroupMembership(*original);
}

}  // namespace ccload
