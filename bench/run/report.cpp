#include "report.h"
#include "text_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "analysis.h"
#include "process.h"
#include "scenario.h"

#ifndef CCBENCH_SOURCE_DIR
#define CCBENCH_SOURCE_DIR "."
#endif

namespace ccbench::run {

namespace fs = std::filesystem;
using ccload::fail;

std::string base64(const std::string &in) {
  static const char *t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], t[v & 63]};
  }
  if (i + 1 == in.size()) {
    const uint32_t v = uint8_t(in[i]) << 16;
    out += {t[v >> 18], t[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == in.size()) {
    const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], '='};
  }
  return out;
}

std::string fmt_ci(double mean, double lo, double hi, int precision) {
  if (lo == hi) return fmt::format("{:.{}f}", mean, precision);
  return fmt::format("{:.{}f} [{:.{}f}, {:.{}f}]", mean, precision, lo, precision, hi, precision);
}

namespace {

struct Block {
  enum class Kind { h1, h2, h3, para, table, image } kind;
  std::string text;                             // heading, paragraph, image caption
  std::vector<std::vector<std::string>> rows;   // table: first row is the header
  std::string image;                            // path relative to the results dir
};

std::string esc(const std::string &s) {
  std::string o;
  for (char c : s) {
    if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else if (c == '&') o += "&amp;";
    else o += c;
  }
  return o;
}

std::string render_md(const std::vector<Block> &doc) {
  std::string o;
  for (const auto &b : doc) {
    switch (b.kind) {
      case Block::Kind::h1: o += "# " + b.text + "\n\n"; break;
      case Block::Kind::h2: o += "## " + b.text + "\n\n"; break;
      case Block::Kind::h3: o += "### " + b.text + "\n\n"; break;
      case Block::Kind::para: o += b.text + "\n\n"; break;
      case Block::Kind::image: o += "![" + b.text + "](" + b.image + ")\n\n"; break;
      case Block::Kind::table:
        for (size_t r = 0; r < b.rows.size(); ++r) {
          o += "|";
          for (const auto &c : b.rows[r]) o += " " + c + " |";
          o += "\n";
          if (r == 0) {
            o += "|";
            for (size_t c = 0; c < b.rows[0].size(); ++c) o += c == 0 ? " --- |" : " ---: |";
            o += "\n";
          }
        }
        o += "\n";
        break;
    }
  }
  return o;
}

std::string read_file(const std::string &p) { return ccload::read_text_file(p).value_or(""); }

std::string render_html(const std::vector<Block> &doc, const std::string &dir) {
  std::string o =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>ccbench report</title><style>"
      "body{font-family:sans-serif;max-width:1300px;margin:2em auto;padding:0 1em;color:#222}"
      "table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:right}"
      "td:first-child,th:first-child{text-align:left}th{background:#eee}img{max-width:100%;border:1px solid #ddd;margin:.5em 0}"
      "figure{margin:0}figcaption{color:#555;font-size:13px}</style></head><body>\n";
  for (const auto &b : doc) {
    switch (b.kind) {
      case Block::Kind::h1: o += "<h1>" + esc(b.text) + "</h1>\n"; break;
      case Block::Kind::h2: o += "<h2>" + esc(b.text) + "</h2>\n"; break;
      case Block::Kind::h3: o += "<h3>" + esc(b.text) + "</h3>\n"; break;
      case Block::Kind::para: {
        // Markdown's `code` spans become <code>.
        std::string t = esc(b.text), out;
        bool open = false;
        for (char c : t) {
          if (c == '`') {
            out += open ? "</code>" : "<code>";
            open = !open;
          } else {
            out += c;
          }
        }
        o += "<p>" + out + "</p>\n";
        break;
      }
      case Block::Kind::image: {
        const std::string png = read_file(dir + "/" + b.image);
        if (png.empty()) break;
        o += "<figure><img alt=\"" + esc(b.text) + "\" src=\"data:image/png;base64," + base64(png) + "\"><figcaption>" +
             esc(b.text) + "</figcaption></figure>\n";
        break;
      }
      case Block::Kind::table:
        o += "<table>\n";
        for (size_t r = 0; r < b.rows.size(); ++r) {
          o += "<tr>";
          for (const auto &c : b.rows[r]) o += (r == 0 ? "<th>" : "<td>") + esc(c) + (r == 0 ? "</th>" : "</td>");
          o += "</tr>\n";
        }
        o += "</table>\n";
        break;
    }
  }
  return o + "</body></html>\n";
}

std::string cell(const CaseSummary &c, const std::string &key, int precision) {
  auto it = c.metrics.find(key);
  if (it == c.metrics.end()) return "-";
  return fmt_ci(it->second.mean, it->second.ci_lo, it->second.ci_hi, precision);
}

std::string median_cell(const CaseSummary &c, const std::string &key, int precision) {
  auto it = c.metrics.find(key);
  return it == c.metrics.end() ? "-" : fmt::format("{:.{}f}", it->second.median, precision);
}

// Per flow of each multi-flow case, over runs: goodput, its share of the case's goodput, and the
// sender's min RTT next to the flow's configured base RTT (the link's, or its own with flow_rtts).
// Empty when no case of the scenario has more than one flow.
std::vector<std::vector<std::string>> per_flow_table(const Results &r, const ScenarioInfo &s, const Analysis &a) {
  std::vector<std::vector<std::string>> rows{{"case", "flow", "CC", "base RTT (ms)", "min RTT (ms)", "goodput (Mbit/s)",
                                              "share (%)", "Jain"}};
  std::map<int, double> base_rtt_ms;  // by server port
  const double link_rtt_ms = s.link.is_null() ? 0 : s.link.value("rtt_ns", 0.0) / 1e6;
  if (!s.link.is_null() && s.link.contains("flow_rtts"))
    for (const auto &f : s.link["flow_rtts"]) base_rtt_ms[f.value("port", 0)] = f.value("rtt_ns", 0.0) / 1e6;
  for (const auto &label : s.cases) {
    std::vector<std::vector<double>> goodput, share, min_rtt;  // [flow][run]
    std::vector<std::string> ccs;
    for (const auto &run : r.runs) {
      if (run.scenario != s.name || run.case_label != label || run.flows.size() < 2) continue;
      double total = 0;
      for (const auto &f : run.flows) total += f.r.goodput_bps;
      if (goodput.size() < run.flows.size()) {
        goodput.resize(run.flows.size()), share.resize(run.flows.size()), min_rtt.resize(run.flows.size());
        ccs.resize(run.flows.size());
      }
      for (size_t i = 0; i < run.flows.size(); ++i) {
        goodput[i].push_back(run.flows[i].r.goodput_bps / 1e6);
        share[i].push_back(total > 0 ? run.flows[i].r.goodput_bps / total * 100 : 0);
        min_rtt[i].push_back(run.flows[i].r.rtt_min_ms);
        ccs[i] = run.flows[i].r.cc;
      }
    }
    std::string jain = "-";
    for (const auto &c : a.cases)
      if (c.scenario == s.name && c.case_label == label) jain = cell(c, "jain", 3);
    for (size_t i = 0; i < goodput.size(); ++i) {
      const int port = kFirstFlowPort + static_cast<int>(i);
      const double base = base_rtt_ms.contains(port) ? base_rtt_ms[port] : link_rtt_ms;
      auto ci = [](const std::vector<double> &xs, int precision) {
        const Summary m = summarize(xs);
        return fmt_ci(m.mean, m.ci_lo, m.ci_hi, precision);
      };
      rows.push_back({i == 0 ? label : "", std::to_string(i + 1), ccs[i], s.link.is_null() ? "-" : fmt::format("{:.1f}", base),
                      ci(min_rtt[i], 2), ci(goodput[i], 1), ci(share[i], 1), i == 0 ? jain : ""});
    }
  }
  if (rows.size() == 1) rows.clear();
  return rows;
}

std::string ratio_cell(const std::optional<Ratio> &r) {
  if (!r) return "n/a (native mean is 0)";
  if (!r->bounded) return fmt::format("{:.3f} (interval unbounded: too few or too noisy runs)", r->value);
  return fmt::format("{:.3f} [{:.3f}, {:.3f}] {}", r->value, r->lo, r->hi, r->within_noise() ? "within noise" : "DIFFERENT");
}

std::string plot_script(const ReportOptions &o) {
  if (!o.plot_script.empty()) return o.plot_script;
  if (const char *e = std::getenv("CCBENCH_PLOT_SCRIPT"); e && *e) return e;
  return std::string(CCBENCH_SOURCE_DIR) + "/bench/report/plot.py";
}

// Debian's matplotlib belongs to /usr/bin/python3; a python3 earlier in PATH may lack it.
std::string python() { return fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3"; }

std::string csv_escape(const std::string &s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string o = "\"";
  for (char c : s) o += c == '"' ? std::string("\"\"") : std::string(1, c);
  return o + "\"";
}

Result<> write_text(const std::string &path, const std::string &text) {
  std::ofstream out(path);
  out << text;
  if (!out) return ccload::fail_errno("cannot write " + path);
  return {};
}

}  // namespace

Result<ReportFiles> write_report(const std::string &dir, const ReportOptions &options) {
  auto res = load_results(dir);
  if (!res) return std::unexpected(res.error());
  const Results &r = *res;
  const Analysis a = analyse(r);
  ReportFiles files;

  // CSVs for spreadsheets: one row per run, and one per case and metric.
  {
    std::string csv = "scenario,case,run,backend,flows";
    for (const auto &m : metric_defs()) csv += "," + m.key;
    csv += "\n";
    for (const auto &run : r.runs) {
      csv += fmt::format("{},{},{},{},{}", csv_escape(run.scenario), csv_escape(run.case_label), run.run, run.backend, run.flows.size());
      for (const auto &m : metric_defs()) {
        auto v = m.get(run);
        csv += v ? fmt::format(",{:.6g}", *v) : ",";
      }
      csv += "\n";
    }
    files.runs_csv = dir + "/runs.csv";
    if (auto w = write_text(files.runs_csv, csv); !w) return std::unexpected(w.error());
    std::string sum = "scenario,case,metric,n,mean,median,sd,ci95_lo,ci95_hi\n";
    for (const auto &c : a.cases)
      for (const auto &[k, s] : c.metrics)
        sum += fmt::format("{},{},{},{},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g}\n", csv_escape(c.scenario), csv_escape(c.case_label), k,
                           s.n, s.mean, s.median, s.sd, s.ci_lo, s.ci_hi);
    files.summary_csv = dir + "/summary.csv";
    if (auto w = write_text(files.summary_csv, sum); !w) return std::unexpected(w.error());
  }

  // Plots first, so the document can refer to the ones that exist.
  if (options.plots) {
    fs::create_directories(dir + "/plots");
    auto p = ccload::run({python(), plot_script(options), dir + "/results.json", dir + "/plots"});
    if (!p || !p->ok())
      files.plot_problem = p ? "plot.py failed: " + p->err.substr(0, 500) : p.error().message;
  }
  auto plot = [&](const std::string &scenario, const std::string &kind) {
    const std::string rel = "plots/" + scenario + "_" + kind + ".png";
    if (fs::exists(dir + "/" + rel)) {
      files.plots.push_back(dir + "/" + rel);
      return rel;
    }
    return std::string();
  };

  std::vector<Block> doc;
  using K = Block::Kind;
  doc.push_back({K::h1, "ccbench report", {}, {}});
  const auto &env = r.environment;
  doc.push_back({K::para,
                 fmt::format("Runs from {} to {}{}. {} runs of {} s per case, cases interleaved run by run. Kernel {}; CPU {} x {}; "
                             "project commit {}; iperf3 `{}`. Figures are mean [95% CI, Student t over runs]; medians in the detail tables.",
                             r.started, r.finished, r.interrupted ? " (INTERRUPTED: partial results)" : "",
                             r.options.value("runs", 0), r.options.value("duration_s", 0.0), env.value("kernel", "?"),
                             env.value("cpus_online", 0), env.value("cpu_model", "?"), env.value("project_commit", "?"),
                             env.contains("tools") ? env["tools"].value("iperf3", "?") : "?"),
                 {}, {}});
  // Results may come from a run with the telemetry off, or from before it existed (schema 1).
  const bool telemetry = std::any_of(r.runs.begin(), r.runs.end(), [](const RunRecord &run) {
    return std::any_of(run.flows.begin(), run.flows.end(), [](const FlowRecord &f) { return f.telemetry.has_value(); });
  });
  doc.push_back({K::para,
                 fmt::format("Goodput is the receiver's. Utilisation is goodput over the most TCP can carry on the link (1448 "
                             "payload bytes per 1514 charged). {} Queueing delay comes from the link's per-packet record. CPU "
                             "per GB is iperf3's own getrusage-based CPU share times the test time, per GB received.",
                             telemetry ? "RTT percentiles are over the senders' RTT measurements as the sock_ops telemetry "
                                         "(`ccload trace`) sampled them: " + env.value("time_series_source", std::string("?")) + "."
                                       : "RTT percentiles are over the sender's smoothed RTT sampled every 100 ms (iperf3 "
                                         "interval reports; the sock_ops telemetry was off)."),
                 {}, {}});

  // BPF against native.
  doc.push_back({K::h2, "BPF against native", {}, {}});
  if (!a.comparisons.empty()) {
    std::vector<std::vector<std::string>> rows{{"scenario", "pair", "runs", "goodput ratio", "p95 RTT ratio", "retransmits ratio",
                                                "sender CPU/GB ratio", "receiver CPU/GB ratio", "cwnd distance"}};
    for (const auto &c : a.comparisons)
      rows.push_back({c.scenario, c.bpf + " / " + c.native, fmt::format("{}+{}", c.bpf_runs, c.native_runs), ratio_cell(c.goodput),
                      ratio_cell(c.rtt_p95), ratio_cell(c.retransmits), ratio_cell(c.cpu_sender), ratio_cell(c.cpu_receiver),
                      c.cwnd_distance ? fmt_ci(c.cwnd_distance->mean, c.cwnd_distance->ci_lo, c.cwnd_distance->ci_hi, 3) : "-"});
    doc.push_back({K::table, "", rows, {}});
    doc.push_back({K::para,
                   std::string("Ratios are BPF / native of the means over runs, with Fieller's 95% interval; \"within noise\" "
                               "means the interval contains 1. The cwnd distance is the mean absolute difference of the two "
                               "CCs' cwnd series ") +
                       (telemetry ? "(run k against run k, the telemetry's samples on a common 10 ms grid)"
                                  : "(run k against run k, iperf3's 100 ms steps)") +
                       " over their mean level: 0 means identical trajectories.",
                   {}, {}});
  } else {
    doc.push_back({K::para, "No BPF CC ran next to its native twin.", {}, {}});
  }
  for (const auto &n : a.notes) doc.push_back({K::para, "Note: " + n + ".", {}, {}});

  if (!a.qdelay.empty()) {
    doc.push_back({K::h2, "bpf_qdelay: utilisation and queueing delay against its target", {}, {}});
    std::vector<std::vector<std::string>> rows{{"scenario", "target (ms)", "utilisation (%)", "queueing delay p95 (ms)", "goal: util >= 90%, p95 <= target + 1 ms"}};
    for (const auto &q : a.qdelay)
      rows.push_back({q.scenario, fmt::format("{:.1f}", q.target_ms),
                      fmt_ci(q.utilisation.mean * 100, q.utilisation.ci_lo * 100, q.utilisation.ci_hi * 100, 1),
                      fmt_ci(q.qdelay_p95_ms.mean, q.qdelay_p95_ms.ci_lo, q.qdelay_p95_ms.ci_hi, 2), q.pass() ? "met" : "not met"});
    doc.push_back({K::table, "", rows, {}});
    doc.push_back({K::para, "The goal is set for the deep-buffer scenario; on paths whose buffer is shorter than the target, the buffer "
                            "bounds the queue for every CC and the row only shows utilisation.", {}, {}});
  }

  for (const auto &s : r.scenarios) {
    doc.push_back({K::h2, "Scenario " + s.name, {}, {}});
    std::string path = "bare veth pair, no bottleneck (CPU-bound)";
    if (!s.link.is_null()) {
      const auto &l = s.link;
      path = fmt::format("rate {:.0f} Mbit/s, RTT {:.2f} ms, buffer {} ({}), loss {}%, ECN threshold {}; {}",
                         l.value("rate_bps", 0.0) / 1e6, l.value("rtt_ns", 0.0) / 1e6, l.value("buffer_text", "?"),
                         l["buffer"].value("packets", 0) ? fmt::format("{} packets", l["buffer"].value("packets", 0))
                                                         : fmt::format("{} bytes", l["buffer"].value("bytes", 0)),
                         l.value("loss", 0.0) * 100,
                         l.contains("ecn_threshold") && !l["ecn_threshold"].is_null()
                             ? (l["ecn_threshold"].value("packets", 0) ? fmt::format("{} packets", l["ecn_threshold"].value("packets", 0))
                                                                       : fmt::format("{} bytes", l["ecn_threshold"].value("bytes", 0)))
                             : "off",
                         l.value("offloads", ""));
    }
    std::string backends;
    for (const auto &run : r.runs)
      if (run.scenario == s.name && backends.find(run.backend) == std::string::npos) backends += (backends.empty() ? "" : ", ") + run.backend;
    doc.push_back({K::para, s.description + " Path: " + path + ". Backend: " + (backends.empty() ? "-" : backends) + ".", {}, {}});
    std::vector<std::vector<std::string>> main{{"case", "runs", "goodput (Mbit/s)", "utilisation (%)", "retransmits", "RTT p95 (ms)",
                                                "queueing delay p95 (ms)", "CE marks", "Jain", "sender CPU (s/GB)", "receiver CPU (s/GB)"}};
    std::vector<std::vector<std::string>> detail{{"case", "goodput median", "RTT mean", "RTT p50", "RTT p99", "qdelay p50", "qdelay p99",
                                                  "RTT p95 median", "qdelay p95 median"}};
    for (const auto &c : a.cases) {
      if (c.scenario != s.name) continue;
      main.push_back({c.case_label, std::to_string(c.metrics.at("goodput_mbps").n), cell(c, "goodput_mbps", 1), cell(c, "utilisation_pct", 1),
                      cell(c, "retransmits", 0), cell(c, "rtt_p95_ms", 2), cell(c, "qdelay_p95_ms", 2), cell(c, "ce_marks", 0),
                      cell(c, "jain", 3), cell(c, "cpu_sender_s_per_gb", 2), cell(c, "cpu_receiver_s_per_gb", 2)});
      detail.push_back({c.case_label, median_cell(c, "goodput_mbps", 1), cell(c, "rtt_mean_ms", 2), cell(c, "rtt_p50_ms", 2),
                        cell(c, "rtt_p99_ms", 2), cell(c, "qdelay_p50_ms", 2), cell(c, "qdelay_p99_ms", 2),
                        median_cell(c, "rtt_p95_ms", 2), median_cell(c, "qdelay_p95_ms", 2)});
    }
    if (main.size() == 1) {
      doc.push_back({K::para, "No finished runs.", {}, {}});
      continue;
    }
    doc.push_back({K::table, "", main, {}});
    doc.push_back({K::table, "", detail, {}});
    if (auto flows = per_flow_table(r, s, a); !flows.empty()) {
      doc.push_back({K::para, "Per flow (flow i's server listens on port " + std::to_string(kFirstFlowPort) +
                                  " + i - 1; min RTT is the sender's smallest srtt sample; share is of the case's goodput):",
                     {}, {}});
      doc.push_back({K::table, "", flows, {}});
    }
    for (const auto &[kind, caption] : std::vector<std::pair<std::string, std::string>>{
             {"tput_delay", "throughput against p95 delay, one point per run, mean marked (Pantheon style: better is up and right)"},
             {"timeseries", telemetry ? "throughput (receiver, iperf3's 100 ms intervals), cwnd and RTT (sender, sock_ops telemetry) "
                                        "over time (run 1 of each case, every flow)"
                                      : "throughput (receiver), cwnd and RTT (sender) over time (run 1 of each case, every flow; "
                                        "iperf3 100 ms intervals)"},
             {"cdf", "CDF of RTT samples and of the link's queueing delay, all runs pooled"}})
      if (auto p = plot(s.name, kind); !p.empty()) doc.push_back({K::image, s.name + ": " + caption, {}, p});
  }
  if (!r.skipped.empty()) {
    doc.push_back({K::h2, "Skipped", {}, {}});
    std::vector<std::vector<std::string>> rows{{"scenario", "case", "why"}};
    for (const auto &k : r.skipped) rows.push_back({k.scenario, k.case_label, k.reason});
    doc.push_back({K::table, "", rows, {}});
  }
  if (!files.plot_problem.empty())
    doc.push_back({K::para, "Plots missing: " + files.plot_problem + " (install python3-matplotlib, then run `ccbench report " + dir + "`).", {}, {}});

  files.markdown = dir + "/report.md";
  files.html = dir + "/report.html";
  if (auto w = write_text(files.markdown, render_md(doc)); !w) return std::unexpected(w.error());
  if (auto w = write_text(files.html, render_html(doc, dir)); !w) return std::unexpected(w.error());
  return files;
}

}  // namespace ccbench::run
