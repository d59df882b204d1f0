#include "analysis.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace ccbench::run {

const std::vector<std::pair<std::string, std::string>> &bpf_twins() {
  static const std::vector<std::pair<std::string, std::string>> twins{{"bpf_cubic", "cubic"}, {"bpf_dctcp", "dctcp"}};
  return twins;
}

const std::vector<MetricDef> &metric_defs() {
  using R = const RunRecord &;
  using O = std::optional<double>;
  static const std::vector<MetricDef> defs{
      {"goodput_mbps", "goodput (Mbit/s)", [](R r) -> O { return r.metrics.goodput_bps / 1e6; }},
      {"utilisation_pct", "utilisation (%)", [](R r) -> O { return r.metrics.utilisation ? O(*r.metrics.utilisation * 100) : O(); }},
      {"retransmits", "retransmits", [](R r) -> O { return r.metrics.retransmits; }},
      {"rtt_mean_ms", "RTT mean (ms)", [](R r) -> O { return r.metrics.rtt_ms_mean; }},
      {"rtt_p50_ms", "RTT p50 (ms)", [](R r) -> O { return r.metrics.rtt_ms_p50; }},
      {"rtt_p95_ms", "RTT p95 (ms)", [](R r) -> O { return r.metrics.rtt_ms_p95; }},
      {"rtt_p99_ms", "RTT p99 (ms)", [](R r) -> O { return r.metrics.rtt_ms_p99; }},
      {"qdelay_p50_ms", "queueing delay p50 (ms)", [](R r) -> O { return r.metrics.qdelay_ms_p50; }},
      {"qdelay_p95_ms", "queueing delay p95 (ms)", [](R r) -> O { return r.metrics.qdelay_ms_p95; }},
      {"qdelay_p99_ms", "queueing delay p99 (ms)", [](R r) -> O { return r.metrics.qdelay_ms_p99; }},
      {"ce_marks", "CE marks", [](R r) -> O { return r.metrics.ce_marks; }},
      {"jain", "Jain's index", [](R r) -> O { return r.flows.size() > 1 ? O(r.metrics.jain) : O(); }},
      {"cpu_sender_s_per_gb", "sender CPU (s/GB)", [](R r) -> O { return r.metrics.cpu_sender_s_per_gb; }},
      {"cpu_receiver_s_per_gb", "receiver CPU (s/GB)", [](R r) -> O { return r.metrics.cpu_receiver_s_per_gb; }},
  };
  return defs;
}

namespace {

std::vector<const RunRecord *> runs_of(const Results &r, const std::string &scenario, const std::string &label) {
  std::vector<const RunRecord *> out;
  for (const auto &run : r.runs)
    if (run.scenario == scenario && run.case_label == label) out.push_back(&run);
  std::sort(out.begin(), out.end(), [](auto *a, auto *b) { return a->run < b->run; });
  return out;
}

std::vector<double> values(const std::vector<const RunRecord *> &runs, const std::function<double(const RunRecord &)> &f) {
  std::vector<double> v;
  for (auto *r : runs) v.push_back(f(*r));
  return v;
}

// The distance between the cwnd trajectories of two runs' first flows (a comparison's cases are
// single-flow). From the sock_ops telemetry when both runs have it, put on a common 10 ms grid
// over the time both cover; else from iperf3's tcp_info readings, one per 100 ms interval.
std::optional<double> cwnd_distance(const RunRecord &a, const RunRecord &b) {
  if (a.flows.empty() || b.flows.empty()) return std::nullopt;
  const auto &ta = a.flows.front().telemetry, &tb = b.flows.front().telemetry;
  if (ta && tb && !ta->t_s.empty() && !tb->t_s.empty()) {
    constexpr double kStep = 0.01;
    const double until = std::min(ta->t_s.back(), tb->t_s.back());
    return trajectory_distance(on_grid(ta->t_s, ta->cwnd_segments, kStep, until),
                               on_grid(tb->t_s, tb->cwnd_segments, kStep, until));
  }
  return trajectory_distance(a.flows.front().r.series.cwnd_bytes, b.flows.front().r.series.cwnd_bytes);
}

}  // namespace

Analysis analyse(const Results &r) {
  Analysis a;
  for (const auto &s : r.scenarios) {
    for (const auto &label : s.cases) {
      auto runs = runs_of(r, s.name, label);
      if (runs.empty()) continue;
      CaseSummary cs{s.name, label, {}};
      for (const auto &m : metric_defs()) {
        std::vector<double> xs;
        for (auto *run : runs)
          if (auto v = m.get(*run)) xs.push_back(*v);
        if (xs.size() == runs.size()) cs.metrics[m.key] = summarize(xs);
      }
      a.cases.push_back(std::move(cs));
    }
  }

  std::set<std::string> noted;
  for (const auto &s : r.scenarios) {
    for (const auto &[bpf, native] : bpf_twins()) {
      auto b = runs_of(r, s.name, bpf);
      if (b.empty()) continue;
      auto n = runs_of(r, s.name, native);
      if (n.empty()) {
        bool skipped = std::any_of(r.skipped.begin(), r.skipped.end(), [&](const Skip &k) { return k.case_label == native; });
        std::string why = skipped ? fmt::format("{} has no native twin here: {} is not available in this kernel", bpf, native)
                                  : fmt::format("{} was not run next to its native twin {}; add it with --cc", bpf, native);
        if (noted.insert(why).second) a.notes.push_back(why);
        continue;
      }
      Comparison c{s.name, bpf, native, b.size(), n.size(), {}, {}, {}, {}, {}, {}};
      c.goodput = ratio_of_means(values(b, [](auto &x) { return x.metrics.goodput_bps; }),
                                 values(n, [](auto &x) { return x.metrics.goodput_bps; }));
      c.rtt_p95 = ratio_of_means(values(b, [](auto &x) { return x.metrics.rtt_ms_p95; }),
                                 values(n, [](auto &x) { return x.metrics.rtt_ms_p95; }));
      c.retransmits = ratio_of_means(values(b, [](auto &x) { return x.metrics.retransmits; }),
                                     values(n, [](auto &x) { return x.metrics.retransmits; }));
      c.cpu_sender = ratio_of_means(values(b, [](auto &x) { return x.metrics.cpu_sender_s_per_gb; }),
                                    values(n, [](auto &x) { return x.metrics.cpu_sender_s_per_gb; }));
      c.cpu_receiver = ratio_of_means(values(b, [](auto &x) { return x.metrics.cpu_receiver_s_per_gb; }),
                                      values(n, [](auto &x) { return x.metrics.cpu_receiver_s_per_gb; }));
      std::vector<double> d;
      for (auto *rb : b)
        for (auto *rn : n)
          if (rb->run == rn->run)
            if (auto dist = cwnd_distance(*rb, *rn)) d.push_back(*dist);
      if (!d.empty()) c.cwnd_distance = summarize(d);
      a.comparisons.push_back(std::move(c));
    }
  }

  const double target_us = r.environment.value("bpf_qdelay_target_delay_us", 5000.0);
  for (const auto &s : r.scenarios) {
    if (s.link.is_null()) continue;
    auto q = runs_of(r, s.name, "bpf_qdelay");
    if (q.empty()) continue;
    QdelayCheck c;
    c.scenario = s.name;
    c.target_ms = target_us / 1000.0;
    c.utilisation = summarize(values(q, [](auto &x) { return x.metrics.utilisation.value_or(0); }));
    c.qdelay_p95_ms = summarize(values(q, [](auto &x) { return x.metrics.qdelay_ms_p95.value_or(0); }));
    a.qdelay.push_back(c);
  }
  return a;
}

}  // namespace ccbench::run
