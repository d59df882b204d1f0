#include "netns.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "owned_names.h"
#include "process.h"

namespace ccload {

namespace fs = std::filesystem;

std::string owned_name(std::string_view role) { return pid_tagged_name(kNamePrefix, role); }

int owner_pid(std::string_view name) { return pid_in_name(kNamePrefix, name); }

bool is_stale(std::string_view name) { return creator_gone(kNamePrefix, name); }

std::vector<std::string> list_namespaces() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator("/run/netns", ec))
    names.push_back(entry.path().filename().string());
  return names;
}

Result<> delete_namespace(const std::string &name) {
  if (!fs::exists("/run/netns/" + name)) return {};
  // Processes inside keep a namespace alive after `ip netns del`; stop them first.
  if (auto pids = run({"ip", "netns", "pids", name}); pids && pids->ok()) {
    std::istringstream in(pids->out);
    for (int pid; in >> pid;) ::kill(pid, SIGKILL);
  }
  auto r = run_checked({"ip", "netns", "delete", name});
  if (!r) return std::unexpected(std::move(r.error()).context("Failed to delete namespace " + name));
  return {};
}

std::vector<std::string> reap_stale_namespaces() {
  std::vector<std::string> removed;
  for (const auto &name : list_namespaces())
    if (is_stale(name) && delete_namespace(name)) removed.push_back(name);
  return removed;
}

Result<NetNamespace> NetNamespace::create(std::string name) {
  if (auto r = run_checked({"ip", "netns", "add", name}); !r)
    return std::unexpected(std::move(r.error()).context("Failed to create namespace " + name));
  NetNamespace ns(std::move(name));
  if (auto r = ns.exec({"ip", "link", "set", "lo", "up"}); !r) return std::unexpected(r.error());
  return ns;
}

NetNamespace &NetNamespace::operator=(NetNamespace &&other) noexcept {
  if (this != &other) {
    reset();
    name_ = std::exchange(other.name_, {});
  }
  return *this;
}

void NetNamespace::reset() {
  if (name_.empty()) return;
  (void)delete_namespace(name_);
  name_.clear();
}

std::vector<std::string> in_netns(const std::string &ns, const std::vector<std::string> &argv) {
  std::vector<std::string> full{"ip", "netns", "exec", ns};
  full.insert(full.end(), argv.begin(), argv.end());
  return full;
}

std::vector<std::string> NetNamespace::wrap(const std::vector<std::string> &argv) const { return in_netns(name_, argv); }

Result<std::string> NetNamespace::exec(const std::vector<std::string> &argv) const {
  return run_checked(wrap(argv));
}

Result<NetnsEnter> NetnsEnter::enter(const std::string &name) {
  UniqueFd original(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!original) return fail_errno("Failed to open this thread's network namespace");
  std::string path = "/run/netns/" + name;
  UniqueFd target(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!target) return fail_errno("Failed to open " + path);
  if (::setns(target.get(), CLONE_NEWNET) < 0)
    return fail_errno("Failed to enter namespace " + name, "this needs CAP_SYS_ADMIN: run as root");
  return NetnsEnter(std::move(original));
}

NetnsEnter::~NetnsEnter() {
  if (original_) (void)::setns(original_.get(), CLONE_NEWNET);
}

Result<> connect_veth(const VethEnd &a, const VethEnd &b) {
  auto r = run_checked({"ip", "link", "add", a.device, "netns", a.ns->name(), "type", "veth", "peer",
                        "name", b.device, "netns", b.ns->name()});
  if (!r) return std::unexpected(std::move(r.error()).context("Failed to create veth pair"));
  for (const VethEnd *end : {&a, &b}) {
    if (auto r2 = end->ns->exec({"ip", "addr", "add", end->address, "dev", end->device}); !r2)
      return std::unexpected(r2.error());
    if (auto r2 = end->ns->exec({"ip", "link", "set", end->device, "up"}); !r2)
      return std::unexpected(r2.error());
  }
  return {};
}

}  // namespace ccload
