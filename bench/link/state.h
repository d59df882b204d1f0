// What is up: one JSON file per link in /run/ccbench/links/<name>.json, written by the link's
// daemon once the link works, read by `ccbench link list|down|stats` and the benchmark. /run is
// tmpfs, so a reboot forgets every link, as it forgets the namespaces.
#pragma once
#include "common.h"
#include "result.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ccbench::link {

using ccload::Result;

inline constexpr const char *kLinksDir = "/run/ccbench/links";
// Both backends give the ends the same addresses: each link has namespaces of its own.
inline constexpr const char *kClientAddress = "10.201.0.1";
inline constexpr const char *kServerAddress = "10.201.0.2";

struct LinkState {
  std::string name;
  int pid = -1;              // the daemon (or, while starting, the `up` that reserved the name)
  bool starting = true;
  std::string backend;       // "tun", "kernel" or "kernel+netem"
  std::string backend_note;  // why that backend, for the user
  std::string client_ns, server_ns;
  std::string router_ns;     // kernel path: the namespace holding the bottleneck
  std::string client_dev, server_dev;
  std::string records;       // per-packet record file, empty when recording is off
  std::string log;           // the daemon's stderr
  nlohmann::json spec;       // to_json(LinkSpec)

  bool alive() const;        // the owning process still exists
};

// True if the process exists and is not a zombie (a daemon whose parent is gone may stay a zombie
// for as long as nobody reaps it; it is dead for our purposes).
bool pid_alive(int pid);

std::string state_path(const std::string &name);
std::string default_record_dir(const std::string &name);

nlohmann::json to_json(const LinkState &s);
Result<LinkState> read_state(const std::string &name);
// Writes atomically (rename), so readers never see half a file.
Result<> write_state(const LinkState &s);
// Creates the state file only if none exists: the name reservation `up` makes before starting
// the daemon, so two concurrent `up`s cannot take the same name.
Result<bool> reserve_name(const std::string &name);
std::vector<LinkState> list_states();
void remove_state(const LinkState &s);

}  // namespace ccbench::link
