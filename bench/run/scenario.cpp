#include "scenario.h"
#include "text_file.h"

#include <fmt/format.h>

#include <toml++/toml.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace ccbench::run {

namespace fs = std::filesystem;
using ccload::fail;

namespace {

const std::set<std::string> kTopKeys{"description", "duration", "flows_per_cc", "mixes", "ccs", "suites", "link", "flow_rtts"};
const std::set<std::string> kLinkKeys{"rate", "rtt", "buffer", "loss", "ecn_threshold", "backend", "gso"};
const std::set<std::string> kSuites{"quick", "full"};

std::string where(const std::string &file, const toml::node &n) {
  const auto &src = n.source();
  return fmt::format("{}:{}", file, src.begin.line);
}

Result<std::vector<std::string>> string_list(const std::string &file, const toml::table &t, const std::string &key) {
  std::vector<std::string> out;
  const toml::node *n = t.get(key);
  if (!n) return out;
  const toml::array *a = n->as_array();
  if (!a) return fail(fmt::format("{}: `{}` must be a list of strings, e.g. {} = [\"cubic\", \"bbr\"]", where(file, *n), key, key));
  for (const auto &e : *a) {
    auto s = e.value<std::string>();
    if (!s || s->empty()) return fail(fmt::format("{}: `{}` must hold non-empty strings", where(file, e), key));
    out.push_back(*s);
  }
  return out;
}

Result<std::string> string_value(const std::string &file, const toml::table &t, const std::string &key,
                                 const std::string &fallback) {
  const toml::node *n = t.get(key);
  if (!n) return fallback;
  auto s = n->value<std::string>();
  if (!s) return fail(fmt::format("{}: `{}` must be a string, e.g. {} = \"40ms\"", where(file, *n), key, key));
  return *s;
}

Result<> check_keys(const std::string &file, const toml::table &t, const std::set<std::string> &known,
                    const std::string &section) {
  for (const auto &[k, v] : t) {
    if (!known.contains(std::string(k.str()))) {
      std::string list;
      for (const auto &s : known) list += (list.empty() ? "" : ", ") + s;
      return fail(fmt::format("{}: unknown key `{}`{}; known keys: {}", where(file, v), k.str(),
                              section.empty() ? "" : " in [" + section + "]", list));
    }
  }
  return {};
}

Result<> check_cc_name(const std::string &file, const std::string &cc) {
  // The kernel's TCP_CA_NAME_MAX is 16 with the terminator.
  if (cc.size() > 15 || std::any_of(cc.begin(), cc.end(), [](char c) { return c <= ' ' || c == ',' || c > '~'; }))
    return fail(fmt::format("{}: `{}` is not a congestion control name (1..15 printable characters, no spaces or commas)",
                            file, cc));
  return {};
}

}  // namespace

Result<Scenario> parse_scenario(const std::string &text, const std::string &file) {
  Scenario s;
  s.file = file;
  s.name = fs::path(file).stem().string();
  if (auto r = link::check_name(s.name); !r)
    return fail(fmt::format("{}: the file name makes the scenario name; {}", file, r.error().message));
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error &e) {
    return fail(fmt::format("{}:{}: {}", file, e.source().begin.line, e.description()));
  }
  if (auto r = check_keys(file, root, kTopKeys, ""); !r) return std::unexpected(r.error());

  auto desc = string_value(file, root, "description", "");
  if (!desc) return std::unexpected(desc.error());
  if (desc->empty()) return fail(file + ": `description` is missing; add one line saying what the path models");
  s.description = *desc;

  if (const toml::node *n = root.get("duration")) {
    auto d = n->value<double>();
    if (!d || *d < 1 || *d > 600) return fail(fmt::format("{}: `duration` must be seconds between 1 and 600", where(file, *n)));
    s.duration_s = *d;
  }
  if (const toml::node *n = root.get("flows_per_cc")) {
    auto f = n->value<int64_t>();
    if (!f || *f < 1 || *f > 16) return fail(fmt::format("{}: `flows_per_cc` must be an integer between 1 and 16", where(file, *n)));
    s.flows_per_cc = static_cast<int>(*f);
  }
  auto ccs = string_list(file, root, "ccs");
  if (!ccs) return std::unexpected(ccs.error());
  s.ccs = *ccs;
  for (const auto &cc : s.ccs)
    if (auto r = check_cc_name(file, cc); !r) return std::unexpected(r.error());

  auto suites = string_list(file, root, "suites");
  if (!suites) return std::unexpected(suites.error());
  s.suites = suites->empty() ? std::vector<std::string>{"full"} : *suites;
  for (const auto &su : s.suites)
    if (!kSuites.contains(su)) return fail(fmt::format("{}: unknown suite `{}` in `suites`; use \"quick\" and/or \"full\"", file, su));

  if (const toml::node *n = root.get("mixes")) {
    const toml::array *a = n->as_array();
    if (!a) return fail(fmt::format("{}: `mixes` must be a list of lists, e.g. mixes = [[\"bpf_cubic\", \"cubic\"]]", where(file, *n)));
    for (const auto &m : *a) {
      const toml::array *inner = m.as_array();
      if (!inner || inner->size() < 2 || inner->size() > 16)
        return fail(fmt::format("{}: each entry of `mixes` must list 2 to 16 CCs, one per flow", where(file, m)));
      std::vector<std::string> mix;
      for (const auto &e : *inner) {
        auto cc = e.value<std::string>();
        if (!cc) return fail(fmt::format("{}: `mixes` entries must be strings", where(file, e)));
        if (auto r = check_cc_name(file, *cc); !r) return std::unexpected(r.error());
        mix.push_back(*cc);
      }
      s.mixes.push_back(std::move(mix));
    }
    if (s.flows_per_cc != 1) return fail(file + ": `flows_per_cc` and `mixes` exclude each other; a mix lists every flow");
  }

  auto flow_rtts = string_list(file, root, "flow_rtts");
  if (!flow_rtts) return std::unexpected(flow_rtts.error());
  s.flow_rtts = *flow_rtts;
  const toml::node *flow_rtts_node = root.get("flow_rtts");
  int64_t shortest_rtt_ns = INT64_MAX;
  std::string shortest_rtt;
  if (flow_rtts_node) {
    const std::string at = where(file, *flow_rtts_node);
    if (s.flow_rtts.size() < 2 || s.flow_rtts.size() > link::kMaxFlowRtts)
      return fail(fmt::format("{}: `flow_rtts` must list 2 to {} RTTs, one per flow, e.g. flow_rtts = [\"10ms\", \"80ms\"]",
                              at, link::kMaxFlowRtts));
    for (const auto &r : s.flow_rtts) {
      auto ns = link::parse_duration("flow_rtts", r);
      if (!ns) return fail(fmt::format("{}: `flow_rtts`: {}", at, ns.error().message));
      if (*ns < shortest_rtt_ns) shortest_rtt_ns = *ns, shortest_rtt = r;
    }
    const size_t flows = s.flow_rtts.size();
    if (!root.get("link")) return fail(fmt::format("{}: `flow_rtts` needs a [link] (the shared bottleneck)", at));
    if (const toml::node *f = root.get("flows_per_cc"); f && s.flows_per_cc != static_cast<int>(flows))
      return fail(fmt::format("{}: `flows_per_cc` is {} but `flow_rtts` lists {} RTTs; give one RTT per flow", where(file, *f),
                              s.flows_per_cc, flows));
    for (const auto &m : s.mixes)
      if (m.size() != flows)
        return fail(fmt::format("{}: a mix of {} flows with `flow_rtts` of {}; give one RTT per flow", at, m.size(), flows));
    if (s.mixes.empty()) s.flows_per_cc = static_cast<int>(flows);
  }

  if (const toml::node *n = root.get("link")) {
    const toml::table *lt = n->as_table();
    if (!lt) return fail(fmt::format("{}: `link` must be a table ([link])", where(file, *n)));
    if (auto r = check_keys(file, *lt, kLinkKeys, "link"); !r) return std::unexpected(r.error());
    link::LinkArgs a;
    a.name = s.name;  // replaced per run; validation only needs a legal one
    struct Field { const char *key; std::string *dst; };
    for (auto [key, dst] : {Field{"rate", &a.rate}, Field{"rtt", &a.rtt}, Field{"buffer", &a.buffer},
                            Field{"loss", &a.loss}, Field{"ecn_threshold", &a.ecn_threshold},
                            Field{"backend", &a.backend}}) {
      auto v = string_value(file, *lt, key, *dst);
      if (!v) return std::unexpected(v.error());
      *dst = *v;
    }
    if (const toml::node *g = lt->get("gso")) {
      auto b = g->value<bool>();
      if (!b) return fail(fmt::format("{}: `gso` must be true or false", where(file, *g)));
      a.gso = *b;
    }
    if (flow_rtts_node) {
      // The link's RTT is the shortest flow's: the others get the difference as extra delay.
      if (const toml::node *r = lt->get("rtt")) {
        auto ns = link::parse_duration("rtt", a.rtt);
        if (ns && *ns != shortest_rtt_ns)
          return fail(fmt::format("{}: `rtt` must be the shortest of `flow_rtts` ({}) or left out; the buffer's BDP is "
                                  "computed from it", where(file, *r), shortest_rtt));
      }
      a.rtt = shortest_rtt;
      for (size_t i = 0; i < s.flow_rtts.size(); ++i)
        a.flow_rtts.push_back(fmt::format("{}={}", kFirstFlowPort + static_cast<int>(i), s.flow_rtts[i]));
    }
    if (a.rate.empty()) return fail(file + ": [link] needs `rate` (e.g. rate = \"100mbit\"); leave out [link] for a bare veth pair");
    auto spec = link::resolve(a);
    if (!spec) {
      if (flow_rtts_node && spec.error().message.starts_with("--flow-rtt"))
        return fail(fmt::format("{}: `flow_rtts`: {}", where(file, *flow_rtts_node), spec.error().message));
      return fail(file + ": [link]: " + spec.error().message);
    }
    s.link = a;
    s.spec = *spec;
  }
  return s;
}

Result<Scenario> load_scenario(const std::string &file) {
  auto text = ccload::read_text_file(file);
  if (!text)
    return ccload::fail_errno(text.error().errnum, "cannot read scenario " + file,
                              "check the path, or run `ccbench scenarios` for the names");
  return parse_scenario(*text, file);
}

Result<std::vector<Scenario>> load_scenario_dir(const std::string &dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto &e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".toml") files.push_back(e.path().string());
  if (ec) return fail("cannot list scenarios in " + dir + ": " + ec.message(), "pass --scenario-dir DIR");
  std::sort(files.begin(), files.end());
  std::vector<Scenario> out;
  for (const auto &f : files) {
    auto s = load_scenario(f);
    if (!s) return std::unexpected(s.error());
    out.push_back(std::move(*s));
  }
  return out;
}

Result<Scenario> find_scenario(const std::string &dir, const std::string &name_or_path) {
  if (name_or_path.find('/') != std::string::npos || name_or_path.ends_with(".toml")) return load_scenario(name_or_path);
  const std::string file = dir + "/" + name_or_path + ".toml";
  if (!fs::exists(file))
    return fail("no scenario named `" + name_or_path + "` in " + dir, "run `ccbench scenarios` to list them, or pass a file path");
  return load_scenario(file);
}

std::vector<Case> cases_for(const Scenario &s, const std::vector<std::string> &cc_override,
                            const std::vector<std::string> &default_ccs) {
  std::vector<Case> out;
  if (!s.mixes.empty()) {
    for (const auto &m : s.mixes) {
      std::string label;
      for (const auto &cc : m) label += (label.empty() ? "" : " vs ") + cc;
      out.push_back({label, m});
    }
    return out;
  }
  const auto &ccs = !cc_override.empty() ? cc_override : !s.ccs.empty() ? s.ccs : default_ccs;
  for (const auto &cc : ccs) {
    Case c;
    c.label = s.flows_per_cc == 1 ? cc : fmt::format("{} x {}", s.flows_per_cc, cc);
    c.flow_ccs.assign(static_cast<size_t>(s.flows_per_cc), cc);
    out.push_back(std::move(c));
  }
  return out;
}

std::string one_line(const Scenario &s) {
  std::string path = "bare veth, no bottleneck";
  if (s.spec) {
    path = fmt::format("{}, rtt {}, buffer {}", link::format_rate(s.spec->rate_bps), link::format_duration(s.spec->rtt_ns),
                       s.spec->buffer_text);
    if (s.spec->loss > 0) path += fmt::format(", loss {}%", s.spec->loss * 100);
    if (s.link && !s.link->ecn_threshold.empty()) path += ", ECN K=" + s.link->ecn_threshold;
    if (!s.flow_rtts.empty()) {
      std::string rtts;
      for (const auto &r : s.flow_rtts) rtts += (rtts.empty() ? "" : "/") + r;
      path += ", flow RTTs " + rtts;
    }
  }
  std::string flows = s.mixes.empty() ? (s.flows_per_cc > 1 ? fmt::format(", {} flows per CC", s.flows_per_cc) : "")
                                      : fmt::format(", {} head-to-head mixes", s.mixes.size());
  std::string suites;
  for (const auto &su : s.suites) suites += (suites.empty() ? "" : ",") + su;
  return fmt::format("{:<14} [{}] {}{}: {}", s.name, suites, path, flows, s.description);
}

}  // namespace ccbench::run
