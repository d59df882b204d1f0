#include "runner.h"
#include "text_file.h"

#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include "cc_guard.h"
#include "cgroup.h"
#include "emulator.h"
#include "environment.h"
#include "iperf.h"
#include "links.h"
#include "netns.h"
#include "process.h"
#include "records.h"
#include "registry.h"
#include "stats.h"
#include "telemetry.h"

namespace ccbench::run {

namespace fs = std::filesystem;
using ccload::fail;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kBasePort = kFirstFlowPort;

bool stopped(const RunOptions &o) { return o.stop && o.stop->load(); }

// The two ends of one run's path: a link (whose destructor brings it down) or a bare veth pair
// between two namespaces of our own.
struct Path {
  std::optional<link::Link> link;
  ccload::NetNamespace client, server;  // bare veth only
  std::string client_ns, server_ns, backend, records;
};

// Where a run's link writes its per-packet records; removed after each run and at the end.
std::string record_dir_of(const RunOptions &o) { return fmt::format("{}/.records-{}", o.out_dir, getpid()); }

// A scenario's own duration, else --duration.
double duration_of(const Scenario &s, const RunOptions &o) { return s.duration_s > 0 ? s.duration_s : o.duration_s; }

Result<Path> build_path(const Scenario &s, const std::string &record_dir) {
  Path p;
  if (!s.link) {
    auto c = ccload::NetNamespace::create(ccload::owned_name("bench-c"));
    if (!c) return std::unexpected(c.error());
    auto sv = ccload::NetNamespace::create(ccload::owned_name("bench-s"));
    if (!sv) return std::unexpected(sv.error());
    p.client = std::move(*c);
    p.server = std::move(*sv);
    if (auto r = ccload::connect_veth({&p.client, "veth-c", std::string(link::kClientAddress) + "/24"},
                                      {&p.server, "veth-s", std::string(link::kServerAddress) + "/24"});
        !r)
      return std::unexpected(r.error());
    p.client_ns = p.client.name();
    p.server_ns = p.server.name();
    p.backend = "veth";
    return p;
  }
  // Resolved and validated when the scenario was read; only the name and record directory are per run.
  link::LinkSpec spec = *s.spec;
  spec.name = fmt::format("ccb{}", getpid() % 100000);
  spec.record_dir = record_dir;
  auto l = link::Link::up(spec);
  if (!l) return std::unexpected(std::move(l.error()).context("bringing up the " + s.name + " link"));
  p.link = std::move(*l);
  p.client_ns = p.link->state().client_ns;
  p.server_ns = p.link->state().server_ns;
  p.backend = p.link->state().backend;
  p.records = p.link->state().records;
  return p;
}

std::string offloads_of(const std::string &ns, const std::string &dev) {
  auto r = ccload::run(ccload::in_netns(ns, {"ethtool", "-k", dev}));
  if (!r || !r->ok()) return "unknown (ethtool failed)";
  std::string out;
  std::istringstream in(r->out);
  for (std::string line; std::getline(in, line);)
    for (const char *k : {"tcp-segmentation-offload:", "generic-segmentation-offload:", "generic-receive-offload:"})
      if (line.starts_with(k)) out += (out.empty() ? "" : ", ") + line.substr(0, line.find(" [fixed]"));
  return out;
}

LinkRecord summarise_records(const std::vector<link_record> &all, uint64_t from_ns, uint64_t to_ns) {
  std::vector<link_record> window;
  for (const auto &r : all)
    if (r.enqueue_ns >= from_ns && r.enqueue_ns <= to_ns) window.push_back(r);
  const link::RecordSummary s = link::summarize(window);
  LinkRecord l;
  l.packets = s.packets;
  l.forwarded = s.forwarded;
  l.drops_loss = s.drops_loss;
  l.drops_overflow = s.drops_overflow;
  l.ce_marks = s.marks;
  l.estimated = s.estimated;
  // The report's percentiles interpolate (numpy's default); summarize()'s take the nearest rank.
  const std::vector<double> &q = s.qdelays_ms;
  l.qdelay_ms_mean = mean(q);
  l.qdelay_ms_p50 = percentile_sorted(q, 50);
  l.qdelay_ms_p95 = percentile_sorted(q, 95);
  l.qdelay_ms_p99 = percentile_sorted(q, 99);
  l.qdelay_ms_max = q.empty() ? 0 : q.back();
  if (!q.empty())
    for (int p = 0; p <= 100; ++p) l.qdelay_ms_quantiles.push_back(percentile_sorted(q, p));
  return l;
}

std::string slug(std::string s) {
  for (char &c : s)
    if (!isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') c = '_';
  return s;
}

struct Planned {
  const Scenario *scenario;
  Case c;
  int run;
};

// One run of one case. Stopped (Ctrl-C) runs return an error and record nothing.
Result<RunRecord> run_once(const RunOptions &o, const Planned &p, double duration) {
  const Scenario &s = *p.scenario;
  RunRecord rec;
  rec.scenario = s.name;
  rec.case_label = p.c.label;
  rec.run = p.run;
  rec.started = utc_now_iso();
  const auto wall0 = Clock::now();

  const std::string raw_rel = fmt::format("raw/{}/{}", slug(s.name), slug(p.c.label));
  fs::create_directories(o.out_dir + "/" + raw_rel);
  const std::string record_dir = record_dir_of(o);
  auto path = build_path(s, record_dir);
  if (!path) return std::unexpected(path.error());
  rec.backend = path->backend;

  std::vector<ccload::BackgroundProcess> servers;
  std::vector<std::string> raw_files;
  for (size_t i = 0; i < p.c.flow_ccs.size(); ++i) {
    const int port = kBasePort + static_cast<int>(i);
    auto srv = ccload::BackgroundProcess::start(ccload::in_netns(path->server_ns, {"iperf3", "-s", "-1", "-J", "-i", "0.1", "-p", std::to_string(port)}));
    if (!srv) return std::unexpected(srv.error());
    servers.push_back(std::move(*srv));
  }
  for (size_t i = 0; i < p.c.flow_ccs.size(); ++i)
    if (auto r = link::wait_listening(path->server_ns, kBasePort + static_cast<int>(i), std::chrono::seconds(5)); !r)
      return std::unexpected(r.error());

  // The clients start in the telemetry's cgroup (they inherit it from us: we join it only while
  // starting them, and open no socket meanwhile). Destroyed after the clients.
  std::optional<TelemetryRecorder> telemetry;
  if (o.telemetry_interval.count() > 0) {
    auto t = TelemetryRecorder::start(o.telemetry_interval);
    if (!t) return std::unexpected(t.error());
    telemetry.emplace(std::move(*t));
  }
  std::vector<ccload::BackgroundProcess> clients;
  const uint64_t t0 = static_cast<uint64_t>(link::monotonic_ns());
  {
    std::optional<ccload::CgroupMembership> member;
    if (telemetry) {
      auto m = ccload::CgroupMembership::join(telemetry->cgroup_path());
      if (!m) return std::unexpected(std::move(m.error()).context("starting the clients in the telemetry's cgroup"));
      member.emplace(std::move(*m));
    }
    for (size_t i = 0; i < p.c.flow_ccs.size(); ++i) {
      const std::string rel = fmt::format("{}/run{}-flow{}.json", raw_rel, p.run, i + 1);
      raw_files.push_back(rel);
      auto cli = ccload::BackgroundProcess::start(
          ccload::in_netns(path->client_ns, {"iperf3", "-c", link::kServerAddress, "-p", std::to_string(kBasePort + static_cast<int>(i)),
                                     "-J", "--get-server-output", "-t", fmt::format("{}", duration), "-i", "0.1", "-C",
                                     p.c.flow_ccs[i]}),
          o.out_dir + "/" + rel);
      if (!cli) return std::unexpected(cli.error());
      clients.push_back(std::move(*cli));
    }
  }
  // iperf3 ends by itself after `duration`; the deadline only catches a hung connection.
  const auto deadline = Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(duration * 1000) + 20000);
  for (;;) {
    if (stopped(o)) return fail("stopped");
    if (std::none_of(clients.begin(), clients.end(), [](auto &c) { return c.running(); })) break;
    if (Clock::now() > deadline) return fail(fmt::format("iperf3 did not finish within {} s of its {} s test", 20, duration));
    if (telemetry) {
      if (auto r = telemetry->poll(std::chrono::milliseconds(50)); !r) return std::unexpected(r.error());
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  const uint64_t t1 = static_cast<uint64_t>(link::monotonic_ns());

  std::vector<std::optional<FlowTelemetry>> sampled(p.c.flow_ccs.size());
  if (telemetry) {
    if (auto r = telemetry->poll(std::chrono::milliseconds(0)); !r) return std::unexpected(r.error());
    std::vector<uint16_t> ports;
    for (size_t i = 0; i < p.c.flow_ccs.size(); ++i) ports.push_back(static_cast<uint16_t>(kBasePort + static_cast<int>(i)));
    sampled = telemetry_by_port(telemetry->samples(), ports);
  }
  for (size_t i = 0; i < raw_files.size(); ++i) {
    auto flow = parse_iperf_json(ccload::read_text_file(o.out_dir + "/" + raw_files[i]).value_or(""));
    if (!flow) return std::unexpected(std::move(flow.error()).context(fmt::format("flow {} ({})", i + 1, raw_files[i])));
    if (telemetry && !sampled[i])
      return fail(fmt::format("the sock_ops telemetry saw no connection of flow {} (port {})", i + 1, kBasePort + static_cast<int>(i)),
                  "run with --telemetry-interval 0 to measure without it, and report this");
    rec.flows.push_back({std::move(*flow), raw_files[i], std::move(sampled[i])});
  }
  const std::string offloads = path->link ? "" : offloads_of(path->client_ns, "veth-c");
  // The daemon flushes every record when it stops, so read them after the link is down.
  const std::string records = path->records;
  path->link.reset();
  if (!records.empty()) {
    auto all = link::read_records(records);
    if (!all) return std::unexpected(std::move(all.error()).context("reading the link's records"));
    rec.link = summarise_records(*all, t0, t1);
  }
  std::error_code ec;
  fs::remove_all(record_dir, ec);
  rec.metrics = compute_metrics(rec.flows, rec.link, s.spec ? static_cast<double>(s.spec->rate_bps) : 0);
  rec.wall_s = std::chrono::duration<double>(Clock::now() - wall0).count();
  rec.offloads = offloads;
  return rec;
}

ScenarioInfo info_of(const Scenario &s, const std::vector<Case> &cases) {
  ScenarioInfo i{s.name, s.description, s.file, nullptr, {}};
  if (s.spec) {
    i.link = link::to_json(*s.spec);
    i.link["offloads"] = s.spec->gso ? "GSO/TSO/GRO on (--gso)" : "segmentation and receive offloads off on every path device";
  } else {
    i.link = nullptr;
  }
  for (const auto &c : cases) i.cases.push_back(c.label);
  return i;
}

}  // namespace

Result<Results> run_suite(const RunOptions &o) {
  std::error_code ec;
  fs::create_directories(o.out_dir, ec);
  if (ec) return fail("cannot create " + o.out_dir + ": " + ec.message(), "pass a writable --out DIR");

  Results res;
  res.started = utc_now_iso();
  res.environment = capture_environment();
  res.options = {{"runs", o.runs}, {"duration_s", o.duration_s}, {"cc", o.cc_override}, {"default_ccs", o.default_ccs},
                 {"command", o.command}, {"pin_root", o.pin_root},
                 {"telemetry_interval_ms", o.telemetry_interval.count()}};

  // A run killed with SIGKILL leaves its telemetry cgroup; the next run removes it.
  ccload::reap_stale_cgroups();
  res.environment["time_series_source"] =
      o.telemetry_interval.count() > 0
          ? fmt::format("throughput: iperf3's receiver intervals every 100 ms; cwnd and RTT: sock_ops telemetry "
                        "(ccload trace), one sample per connection every {} ms at an RTT measurement; RTT "
                        "percentiles over those measurements",
                        o.telemetry_interval.count())
          : "iperf3 interval reports every 100 ms (telemetry off): RTT percentiles over tcp_info's smoothed RTT";
  CcGuard guard(o.pin_root);
  std::map<std::string, std::optional<std::string>> unavailable;  // cc -> why not
  std::vector<Planned> plan;
  std::vector<std::pair<const Scenario *, std::vector<Case>>> per_scenario;
  for (const auto &s : o.scenarios) {
    std::vector<Case> runnable;
    for (const auto &c : cases_for(s, o.cc_override, o.default_ccs)) {
      std::string why;
      for (const auto &cc : c.flow_ccs) {
        if (!unavailable.contains(cc)) {
          auto r = guard.ensure(cc);
          unavailable[cc] = r ? std::nullopt : std::optional<std::string>(r.error().message);
        }
        if (unavailable[cc]) why = *unavailable[cc];
      }
      if (!why.empty()) {
        res.skipped.push_back({s.name, c.label, why});
        if (o.on_note) o.on_note(fmt::format("skipping {} / {}: {}", s.name, c.label, why));
        continue;
      }
      runnable.push_back(c);
    }
    res.scenarios.push_back(info_of(s, runnable));
    per_scenario.emplace_back(&s, runnable);
  }
  // Interleaved: run k of every case, in an order rotated by k, before run k+1 of any.
  for (const auto &[s, cases] : per_scenario)
    for (int k = 1; k <= o.runs; ++k)
      for (size_t i = 0; i < cases.size(); ++i) plan.push_back({s, cases[(i + static_cast<size_t>(k) - 1) % cases.size()], k});
  if (plan.empty()) return fail("nothing to run: every case was skipped", "check --cc and the scenario names");
  // bpf_qdelay's goal is stated against its target, which a user may have tuned: record it.
  if (unavailable.contains("bpf_qdelay") && !unavailable["bpf_qdelay"])
    if (auto d = ccload::Registry(o.pin_root).show("bpf_qdelay"))
      for (const auto &v : d->variables)
        if (v.var.name == "target_delay_us") res.environment["bpf_qdelay_target_delay_us"] = std::stod(v.value);

  if (auto r = save_results(o.out_dir, res); !r) return std::unexpected(r.error());
  double overhead_s = 1.0, done_wall = 0;
  size_t done_runs = 0;
  for (size_t idx = 0; idx < plan.size(); ++idx) {
    if (stopped(o)) break;
    const auto &p = plan[idx];
    const double duration = duration_of(*p.scenario, o);
    double left = 0;
    for (size_t j = idx; j < plan.size(); ++j)
      left += duration_of(*plan[j].scenario, o) + overhead_s;
    if (o.on_progress) o.on_progress({idx + 1, plan.size(), p.scenario->name, p.c.label, p.run, o.runs, left});
    auto rec = run_once(o, p, duration);
    if (stopped(o)) break;
    if (!rec) {
      res.skipped.push_back({p.scenario->name, p.c.label, fmt::format("run {} failed: {}", p.run, rec.error().message)});
      if (o.on_note) o.on_note(fmt::format("{} / {} run {} failed: {}", p.scenario->name, p.c.label, p.run, rec.error().message));
      continue;
    }
    done_wall += rec->wall_s - duration;
    overhead_s = std::max(0.2, done_wall / static_cast<double>(++done_runs));
    res.runs.push_back(std::move(*rec));
    res.finished = utc_now_iso();
    if (auto r = save_results(o.out_dir, res); !r) return std::unexpected(r.error());
  }
  res.interrupted = stopped(o);
  res.finished = utc_now_iso();
  res.environment["bpf_ccs_registered_by_this_run"] = guard.registered();
  guard.release_all();
  fs::remove_all(record_dir_of(o), ec);
  if (auto r = save_results(o.out_dir, res); !r) return std::unexpected(r.error());
  return res;
}

}  // namespace ccbench::run
