// Bringing links up and down: what `ccbench link up|down|list` and the benchmark call.
#pragma once
#include "common.h"
#include "link_spec.h"
#include "result.h"
#include "state.h"

#include <chrono>
#include <string>
#include <vector>

namespace ccbench::link {

using ccload::Result;

struct UpOptions {
  // The ccbench executable, re-run as `ccbench link daemon`. Empty: $CCBENCH_EXE, else this
  // process's own executable (right for ccbench itself; tests set $CCBENCH_EXE).
  std::string exe;
  std::chrono::milliseconds timeout{30000};
};

// Starts the link's daemon and waits until the link works. A spec without a name gets the first
// free "linkN". Stale links are reaped first.
Result<LinkState> link_up(LinkSpec spec, const UpOptions &options = {});
// Stops the daemon and removes whatever it left (namespaces, state, records in /run).
Result<> link_down(const std::string &name);
// Removes every link; returns the names removed.
std::vector<std::string> link_down_all();
// Removes links (and ccl-* namespaces) whose owning process is gone; returns the names removed.
std::vector<std::string> reap_stale_links();
// True if a link of that name exists and its daemon is alive.
bool link_exists(const std::string &name);

// A link that is brought down when this object is destroyed: the benchmark's and tests' handle.
class Link {
 public:
  static Result<Link> up(LinkSpec spec, const UpOptions &options = {});
  Link() = default;
  Link(Link &&other) noexcept : state_(std::move(other.state_)) { other.state_.name.clear(); }
  Link &operator=(Link &&other) noexcept;
  Link(const Link &) = delete;
  Link &operator=(const Link &) = delete;
  ~Link() { down(); }

  const LinkState &state() const { return state_; }
  // argv run in the client's or the server's namespace.
  std::vector<std::string> in_client(const std::vector<std::string> &argv) const;
  std::vector<std::string> in_server(const std::vector<std::string> &argv) const;
  void down();

 private:
  LinkState state_;
};

}  // namespace ccbench::link
