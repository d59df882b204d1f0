// Network namespaces that ccload's tests, benchmarks and links create, and always remove.
//
// Every namespace we create is named "ccl-<pid>-<role>", where pid is the creating process. A run
// that was killed (kill -9 gets no chance to clean up) leaves namespaces whose pid is gone;
// reap_stale_namespaces() removes exactly those, so the next run starts clean without touching a
// concurrent run's namespaces or anybody else's.
#pragma once
#include "common.h"
#include "owned_names.h"
#include "result.h"
#include "unique_fd.h"

#include <string>
#include <string_view>
#include <vector>

namespace ccload {

inline constexpr std::string_view kNamePrefix = "ccl-";

// "ccl-<pid>-<role>": a name this process owns.
std::string owned_name(std::string_view role);
// The pid embedded in an owned name, or -1 if the name is not ours.
int owner_pid(std::string_view name);
// True if `name` is ours and its creating process no longer exists.
bool is_stale(std::string_view name);

// argv prefixed with `ip netns exec <ns>`.
std::vector<std::string> in_netns(const std::string &ns, const std::vector<std::string> &argv);

// All network namespaces named by iproute2 (/run/netns).
std::vector<std::string> list_namespaces();
// Deletes our namespaces whose creator is gone (and the processes still running in them).
// Returns the names removed.
std::vector<std::string> reap_stale_namespaces();
// Kills what runs in `name` and deletes it; a namespace that does not exist is not an error.
Result<> delete_namespace(const std::string &name);

class NetNamespace {
 public:
  // Creates the namespace with loopback up. Fails if the name exists.
  static Result<NetNamespace> create(std::string name);
  // Adopts an existing namespace, which will be deleted when this object is destroyed.
  static NetNamespace adopt(std::string name) { return NetNamespace(std::move(name)); }

  NetNamespace() = default;
  NetNamespace(NetNamespace &&other) noexcept : name_(std::exchange(other.name_, {})) {}
  NetNamespace &operator=(NetNamespace &&other) noexcept;
  NetNamespace(const NetNamespace &) = delete;
  NetNamespace &operator=(const NetNamespace &) = delete;
  ~NetNamespace() { reset(); }

  const std::string &name() const { return name_; }
  // argv prefixed with `ip netns exec <name>`.
  std::vector<std::string> wrap(const std::vector<std::string> &argv) const;
  // Runs a command inside the namespace; a non-zero exit is an error.
  Result<std::string> exec(const std::vector<std::string> &argv) const;
  // Stops owning the namespace without deleting it.
  std::string release() { return std::exchange(name_, {}); }
  void reset();

 private:
  explicit NetNamespace(std::string name) : name_(std::move(name)) {}
  std::string name_;
};

// Moves the calling thread into a namespace until destroyed (setns affects only this thread).
// Sockets created meanwhile belong to that namespace and keep it after the guard is gone.
class NetnsEnter {
 public:
  static Result<NetnsEnter> enter(const std::string &name);
  NetnsEnter(NetnsEnter &&other) noexcept : original_(std::move(other.original_)) {}
  NetnsEnter(const NetnsEnter &) = delete;
  NetnsEnter &operator=(const NetnsEnter &) = delete;
  NetnsEnter &operator=(NetnsEnter &&) = delete;
  ~NetnsEnter();

 private:
  explicit NetnsEnter(UniqueFd original) : original_(std::move(original)) {}
  UniqueFd original_;
};

struct VethEnd {
  const NetNamespace *ns;
  std::string device;   // name inside that namespace (unique only there)
  std::string address;  // "10.0.0.1/24"
};

// Joins two namespaces with a veth pair, addresses both ends and brings them up.
Result<> connect_veth(const VethEnd &a, const VethEnd &b);

}  // namespace ccload
