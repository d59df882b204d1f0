// A scenario: one emulated path and the flows to run across it, read from a TOML file in
// bench/scenarios/ (or any file the user names). Validation happens here, once, so `ccbench run`
// and `ccbench scenarios` reject a bad file with the same message: which file, which key, what
// is accepted.
#pragma once
#include "common.h"
#include "link_spec.h"
#include "result.h"

#include <optional>
#include <string>
#include <vector>

namespace ccbench::run {

using ccload::Result;

// Flow i (from 0) of a case talks to an iperf3 server on this port + i; per-flow RTTs are keyed
// by it.
inline constexpr int kFirstFlowPort = 5301;

struct Scenario {
  std::string name;         // the file's stem: "wan"
  std::string file;
  std::string description;  // one line, for `ccbench scenarios` and the report
  // The bottleneck; empty for a bare veth pair (the CPU-bound overhead comparison).
  std::optional<link::LinkArgs> link;
  std::optional<link::LinkSpec> spec;  // `link` validated and resolved
  double duration_s = 0;               // 0: the command line's --duration
  int flows_per_cc = 1;                // concurrent flows of one CC in a single-CC case
  // Head to head: each mix is one case, one flow per listed CC, all on the bottleneck at once.
  std::vector<std::vector<std::string>> mixes;
  std::vector<std::string> ccs;        // this scenario's CCs when --cc is not given
  std::vector<std::string> suites;     // "quick", "full": which suites include it
  // Flow i's base RTT (RTT unfairness); empty: every flow has the link's RTT. When given, every
  // case has exactly this many flows and the link's rtt is the shortest of them.
  std::vector<std::string> flow_rtts;
};

// A case is one set of concurrent flows: ["cubic"], ["bbr","bbr","bbr","bbr"], ["bpf_cubic","bbr"].
struct Case {
  std::string label;  // "cubic", "4 x bbr", "bpf_cubic vs bbr"
  std::vector<std::string> flow_ccs;
};

Result<Scenario> parse_scenario(const std::string &text, const std::string &file);
Result<Scenario> load_scenario(const std::string &file);
// Every *.toml in `dir`, sorted by name. Any invalid file fails the whole load: a suite that
// silently drops a scenario would compare less than the user thinks.
Result<std::vector<Scenario>> load_scenario_dir(const std::string &dir);
// `name_or_path`: a scenario name from `dir` or a path to a file.
Result<Scenario> find_scenario(const std::string &dir, const std::string &name_or_path);

// The cases to run: the mixes if the scenario has any, else one case per CC (cc_override if not
// empty, else the scenario's own list, else default_ccs).
std::vector<Case> cases_for(const Scenario &s, const std::vector<std::string> &cc_override,
                            const std::vector<std::string> &default_ccs);

// One line: "wan  100mbit, rtt 40ms, buffer 1bdp: WAN path ...".
std::string one_line(const Scenario &s);

}  // namespace ccbench::run
