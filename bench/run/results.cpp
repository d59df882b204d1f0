#include "results.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "stats.h"

namespace ccbench::run {

namespace fs = std::filesystem;
using ccload::fail;
using nlohmann::json;

double max_goodput_bps(double rate_bps) { return rate_bps * 1448.0 / 1514.0; }

RunMetrics compute_metrics(const std::vector<FlowRecord> &flows, const std::optional<LinkRecord> &link,
                           double link_rate_bps) {
  RunMetrics m;
  std::vector<double> goodputs, rtts;
  double bytes = 0, cpu_s = 0, cpu_r = 0;
  for (const auto &f : flows) {
    m.goodput_bps += f.r.goodput_bps;
    m.retransmits += static_cast<double>(f.r.retransmits);
    goodputs.push_back(f.r.goodput_bps);
    bytes += static_cast<double>(f.r.bytes_received);
    cpu_s += f.r.cpu_sender_s;
    cpu_r += f.r.cpu_receiver_s;
  }
  const bool measured = !flows.empty() && std::all_of(flows.begin(), flows.end(), [](const FlowRecord &f) {
    return f.telemetry && !f.telemetry->rtt_ms.empty();
  });
  for (const auto &f : flows) {
    const auto &from = measured ? f.telemetry->rtt_ms : f.r.series.rtt_ms;
    rtts.insert(rtts.end(), from.begin(), from.end());
  }
  if (link_rate_bps > 0) m.utilisation = m.goodput_bps / max_goodput_bps(link_rate_bps);
  std::sort(rtts.begin(), rtts.end());
  m.rtt_ms_mean = mean(rtts);
  m.rtt_ms_p50 = percentile_sorted(rtts, 50);
  m.rtt_ms_p95 = percentile_sorted(rtts, 95);
  m.rtt_ms_p99 = percentile_sorted(rtts, 99);
  m.jain = jain_index(goodputs);
  if (bytes > 0) {
    m.cpu_sender_s_per_gb = cpu_s / (bytes / 1e9);
    m.cpu_receiver_s_per_gb = cpu_r / (bytes / 1e9);
  }
  if (link) {
    m.qdelay_ms_p50 = link->qdelay_ms_p50;
    m.qdelay_ms_p95 = link->qdelay_ms_p95;
    m.qdelay_ms_p99 = link->qdelay_ms_p99;
    m.ce_marks = static_cast<double>(link->ce_marks);
  }
  return m;
}

namespace {

json opt(const std::optional<double> &v) { return v ? json(*v) : json(nullptr); }
std::optional<double> opt_from(const json &j, const char *key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return j[key].get<double>();
}

json to_json(const FlowRecord &f) {
  const auto &s = f.r.series;
  return json{{"cc", f.r.cc},
              {"seconds", f.r.seconds},
              {"bytes_received", f.r.bytes_received},
              {"goodput_bps", f.r.goodput_bps},
              {"sent_bps", f.r.sent_bps},
              {"retransmits", f.r.retransmits},
              {"cpu_sender_s", f.r.cpu_sender_s},
              {"cpu_receiver_s", f.r.cpu_receiver_s},
              {"rtt_min_ms", f.r.rtt_min_ms},
              {"raw", f.raw},
              {"series", {{"t_s", s.t_s}, {"throughput_bps", s.throughput_bps}, {"cwnd_bytes", s.cwnd_bytes}, {"rtt_ms", s.rtt_ms}}},
              {"telemetry", f.telemetry ? json{{"cc", f.telemetry->cc},
                                               {"t_s", f.telemetry->t_s},
                                               {"cwnd_segments", f.telemetry->cwnd_segments},
                                               {"srtt_ms", f.telemetry->srtt_ms},
                                               {"rtt_t_s", f.telemetry->rtt_t_s},
                                               {"rtt_ms", f.telemetry->rtt_ms}}
                                        : json(nullptr)}};
}

FlowRecord flow_from(const json &j) {
  FlowRecord f;
  f.r.cc = j.at("cc");
  f.r.seconds = j.at("seconds");
  f.r.bytes_received = j.at("bytes_received");
  f.r.goodput_bps = j.at("goodput_bps");
  f.r.sent_bps = j.at("sent_bps");
  f.r.retransmits = j.at("retransmits");
  f.r.cpu_sender_s = j.at("cpu_sender_s");
  f.r.cpu_receiver_s = j.at("cpu_receiver_s");
  f.r.rtt_min_ms = j.value("rtt_min_ms", 0.0);
  f.raw = j.value("raw", "");
  const json &s = j.at("series");
  f.r.series.t_s = s.at("t_s").get<std::vector<double>>();
  f.r.series.throughput_bps = s.at("throughput_bps").get<std::vector<double>>();
  f.r.series.cwnd_bytes = s.at("cwnd_bytes").get<std::vector<double>>();
  f.r.series.rtt_ms = s.at("rtt_ms").get<std::vector<double>>();
  if (j.contains("telemetry") && !j["telemetry"].is_null()) {
    const json &t = j["telemetry"];
    f.telemetry = FlowTelemetry{t.at("cc"), t.at("t_s"), t.at("cwnd_segments"), t.at("srtt_ms"), t.at("rtt_t_s"),
                                t.at("rtt_ms")};
  }
  return f;
}

json to_json(const LinkRecord &l) {
  return json{{"packets", l.packets},
              {"forwarded", l.forwarded},
              {"drops_loss", l.drops_loss},
              {"drops_overflow", l.drops_overflow},
              {"ce_marks", l.ce_marks},
              {"estimated", l.estimated},
              {"qdelay_ms", {{"mean", l.qdelay_ms_mean}, {"p50", l.qdelay_ms_p50}, {"p95", l.qdelay_ms_p95}, {"p99", l.qdelay_ms_p99}, {"max", l.qdelay_ms_max}}},
              {"qdelay_ms_quantiles", l.qdelay_ms_quantiles}};
}

LinkRecord link_from(const json &j) {
  LinkRecord l;
  l.packets = j.at("packets");
  l.forwarded = j.at("forwarded");
  l.drops_loss = j.at("drops_loss");
  l.drops_overflow = j.at("drops_overflow");
  l.ce_marks = j.at("ce_marks");
  l.estimated = j.at("estimated");
  const json &q = j.at("qdelay_ms");
  l.qdelay_ms_mean = q.at("mean");
  l.qdelay_ms_p50 = q.at("p50");
  l.qdelay_ms_p95 = q.at("p95");
  l.qdelay_ms_p99 = q.at("p99");
  l.qdelay_ms_max = q.at("max");
  l.qdelay_ms_quantiles = j.at("qdelay_ms_quantiles").get<std::vector<double>>();
  return l;
}

json to_json(const RunMetrics &m) {
  return json{{"goodput_bps", m.goodput_bps},     {"utilisation", opt(m.utilisation)},
              {"retransmits", m.retransmits},     {"rtt_ms_mean", m.rtt_ms_mean},
              {"rtt_ms_p50", m.rtt_ms_p50},       {"rtt_ms_p95", m.rtt_ms_p95},
              {"rtt_ms_p99", m.rtt_ms_p99},       {"qdelay_ms_p50", opt(m.qdelay_ms_p50)},
              {"qdelay_ms_p95", opt(m.qdelay_ms_p95)}, {"qdelay_ms_p99", opt(m.qdelay_ms_p99)},
              {"ce_marks", opt(m.ce_marks)},      {"jain", m.jain},
              {"cpu_sender_s_per_gb", m.cpu_sender_s_per_gb}, {"cpu_receiver_s_per_gb", m.cpu_receiver_s_per_gb}};
}

RunMetrics metrics_from(const json &j) {
  RunMetrics m;
  m.goodput_bps = j.at("goodput_bps");
  m.utilisation = opt_from(j, "utilisation");
  m.retransmits = j.at("retransmits");
  m.rtt_ms_mean = j.at("rtt_ms_mean");
  m.rtt_ms_p50 = j.at("rtt_ms_p50");
  m.rtt_ms_p95 = j.at("rtt_ms_p95");
  m.rtt_ms_p99 = j.at("rtt_ms_p99");
  m.qdelay_ms_p50 = opt_from(j, "qdelay_ms_p50");
  m.qdelay_ms_p95 = opt_from(j, "qdelay_ms_p95");
  m.qdelay_ms_p99 = opt_from(j, "qdelay_ms_p99");
  m.ce_marks = opt_from(j, "ce_marks");
  m.jain = j.at("jain");
  m.cpu_sender_s_per_gb = j.at("cpu_sender_s_per_gb");
  m.cpu_receiver_s_per_gb = j.at("cpu_receiver_s_per_gb");
  return m;
}

}  // namespace

json to_json(const Results &r) {
  json j{{"schema", kSchemaName}, {"schema_version", kSchemaVersion}, {"started", r.started}, {"finished", r.finished},
         {"interrupted", r.interrupted}, {"environment", r.environment}, {"options", r.options}};
  j["scenarios"] = json::array();
  for (const auto &s : r.scenarios)
    j["scenarios"].push_back({{"name", s.name}, {"description", s.description}, {"file", s.file}, {"link", s.link}, {"cases", s.cases}});
  j["skipped"] = json::array();
  for (const auto &s : r.skipped) j["skipped"].push_back({{"scenario", s.scenario}, {"case", s.case_label}, {"reason", s.reason}});
  j["runs"] = json::array();
  for (const auto &run : r.runs) {
    json jr{{"scenario", run.scenario}, {"case", run.case_label}, {"run", run.run}, {"started", run.started},
            {"wall_s", run.wall_s}, {"backend", run.backend}, {"offloads", run.offloads}, {"metrics", to_json(run.metrics)}};
    jr["flows"] = json::array();
    for (const auto &f : run.flows) jr["flows"].push_back(to_json(f));
    jr["link"] = run.link ? to_json(*run.link) : json(nullptr);
    j["runs"].push_back(std::move(jr));
  }
  return j;
}

Result<Results> results_from_json(const json &j) {
  int version = 0;
  try {
    if (j.value("schema", "") != kSchemaName) return fail("not a ccbench results file (no \"schema\": \"ccbench-results\")");
    version = j.at("schema_version");
    if (version < kOldestSchemaVersion || version > kSchemaVersion)
      return fail("results schema version " + std::to_string(version) + ", this ccbench reads versions " +
                      std::to_string(kOldestSchemaVersion) + " to " + std::to_string(kSchemaVersion),
                  "use the ccbench that wrote the results, or re-run them");
    Results r;
    r.started = j.value("started", "");
    r.finished = j.value("finished", "");
    r.interrupted = j.value("interrupted", false);
    r.environment = j.value("environment", json::object());
    r.options = j.value("options", json::object());
    for (const json &s : j.at("scenarios"))
      r.scenarios.push_back({s.at("name"), s.at("description"), s.value("file", ""), s.value("link", json(nullptr)),
                             s.at("cases").get<std::vector<std::string>>()});
    for (const json &s : j.value("skipped", json::array())) r.skipped.push_back({s.at("scenario"), s.at("case"), s.at("reason")});
    for (const json &jr : j.at("runs")) {
      RunRecord run;
      run.scenario = jr.at("scenario");
      run.case_label = jr.at("case");
      run.run = jr.at("run");
      run.started = jr.value("started", "");
      run.wall_s = jr.value("wall_s", 0.0);
      run.backend = jr.value("backend", "");
      run.offloads = jr.value("offloads", "");
      for (const json &f : jr.at("flows")) run.flows.push_back(flow_from(f));
      if (!jr.at("link").is_null()) run.link = link_from(jr["link"]);
      run.metrics = metrics_from(jr.at("metrics"));
      r.runs.push_back(std::move(run));
    }
    return r;
  } catch (const json::exception &e) {
    return fail(fmt::format("results.json does not match schema version {}: {}", version, e.what()));
  }
}

Result<Results> load_results(const std::string &dir) {
  const std::string path = dir + "/results.json";
  std::ifstream in(path);
  if (!in) return ccload::fail_errno("cannot read " + path, "pass the directory `ccbench run --out` wrote");
  try {
    auto r = results_from_json(json::parse(in));
    if (!r) return std::unexpected(std::move(r.error()).context(path));
    return r;
  } catch (const json::exception &e) {
    return fail(path + " is not valid JSON: " + e.what());
  }
}

Result<> save_results(const std::string &dir, const Results &r) {
  const std::string path = dir + "/results.json", tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    if (!out) return ccload::fail_errno("cannot write " + tmp);
    out << to_json(r).dump(1) << "\n";
    if (!out) return ccload::fail_errno("cannot write " + tmp);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return fail("cannot rename " + tmp + " to " + path + ": " + ec.message());
  return {};
}

}  // namespace ccbench::run
