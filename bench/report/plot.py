#!/usr/bin/python3
"""Plots for `ccbench report`: reads results.json, writes PNGs named <scenario>_<kind>.png.

  tput_delay  Pantheon-style: goodput against p95 delay, one small point per run, the mean as a
              large marker; delay axis reversed so better is up and right. The delay is the
              link's p95 queueing delay when the path has a bottleneck, else the p95 RTT.
  timeseries  run 1 of each case: throughput per 100 ms (the receiver's iperf3 intervals); cwnd
              and RTT from the sock_ops telemetry when the run had it (every sample; the RTT
              pane shows the smoothed RTT), else from iperf3's 100 ms tcp_info readings.
  cdf         CDF of RTT samples (the telemetry's RTT measurements, else iperf3's smoothed RTT)
              and of queueing delay, all runs of a case pooled.

Usage: plot.py RESULTS_JSON OUT_DIR
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")  # no display: files only
import matplotlib.pyplot as plt  # noqa: E402


def runs_by_case(results, scenario):
    cases = {}
    for run in results["runs"]:
        if run["scenario"] == scenario:
            cases.setdefault(run["case"], []).append(run)
    for runs in cases.values():
        runs.sort(key=lambda r: r["run"])
    return cases


def delay_of(run):
    m = run["metrics"]
    if m.get("qdelay_ms_p95") is not None:
        return m["qdelay_ms_p95"], "p95 queueing delay (ms)"
    return m["rtt_ms_p95"], "p95 RTT (ms)"


def tput_delay(name, cases, out):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    label = "p95 delay (ms)"
    for i, (case, runs) in enumerate(sorted(cases.items())):
        colour = f"C{i % 10}"
        xs, ys = [], []
        for run in runs:
            x, label = delay_of(run)
            xs.append(x)
            ys.append(run["metrics"]["goodput_bps"] / 1e6)
        ax.scatter(xs, ys, s=14, color=colour, alpha=0.5)
        ax.scatter([sum(xs) / len(xs)], [sum(ys) / len(ys)], s=110, color=colour, edgecolors="black", label=case)
    ax.set_xlabel(label)
    ax.set_ylabel("goodput (Mbit/s)")
    ax.invert_xaxis()
    ax.grid(alpha=0.3)
    ax.set_title(f"{name}: throughput vs delay")
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    fig.savefig(f"{out}/{name}_tput_delay.png", dpi=90)
    plt.close(fig)


def timeseries(name, cases, out):
    fig, axes = plt.subplots(3, 1, figsize=(9, 8), sharex=True)
    for i, (case, runs) in enumerate(sorted(cases.items())):
        colour = f"C{i % 10}"
        first = runs[0]
        for k, flow in enumerate(first["flows"]):
            s = flow["series"]
            lab = case if k == 0 else None
            style = "-" if k == 0 else ["--", ":", "-."][(k - 1) % 3]
            axes[0].plot(s["t_s"], [b / 1e6 for b in s["throughput_bps"]], style, color=colour, label=lab, lw=1)
            t = flow.get("telemetry")
            if t:
                axes[1].plot(t["t_s"], t["cwnd_segments"], style, color=colour, lw=0.8, drawstyle="steps-post")
                axes[2].plot(t["t_s"], t["srtt_ms"], style, color=colour, lw=0.8)
            else:
                axes[1].plot(s["t_s"], [c / 1448 for c in s["cwnd_bytes"]], style, color=colour, lw=1)
                axes[2].plot(s["t_s"], s["rtt_ms"], style, color=colour, lw=1)
    axes[0].set_ylabel("throughput (Mbit/s)")
    axes[1].set_ylabel("cwnd (segments)")
    axes[2].set_ylabel("smoothed RTT (ms)")
    axes[2].set_xlabel("time (s)")
    for ax in axes:
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8, loc="best")
    axes[0].set_title(f"{name}: run 1 of each case (dashed: further flows of the case)")
    fig.tight_layout()
    fig.savefig(f"{out}/{name}_timeseries.png", dpi=80)
    plt.close(fig)


def rtt_samples(flow):
    """The telemetry's RTT measurements when the flow has them, else iperf3's srtt readings."""
    t = flow.get("telemetry")
    return t["rtt_ms"] if t else flow["series"]["rtt_ms"]


def cdf(name, cases, out):
    has_q = any(run.get("link") for runs in cases.values() for run in runs)
    fig, axes = plt.subplots(1, 2 if has_q else 1, figsize=(10 if has_q else 6, 4))
    axes = list(axes) if has_q else [axes]
    for i, (case, runs) in enumerate(sorted(cases.items())):
        colour = f"C{i % 10}"
        rtts = sorted(r for run in runs for f in run["flows"] for r in rtt_samples(f))
        if rtts:
            axes[0].plot(rtts, [(k + 1) / len(rtts) for k in range(len(rtts))], color=colour, label=case)
        if has_q:
            # Pool the per-run quantiles (101 per run): equal weight per run.
            q = sorted(v for run in runs if run.get("link") for v in run["link"]["qdelay_ms_quantiles"])
            if q:
                axes[1].plot(q, [(k + 1) / len(q) for k in range(len(q))], color=colour, label=case)
    measured = any(f.get("telemetry") for runs in cases.values() for run in runs for f in run["flows"])
    axes[0].set_xlabel("RTT measurements (ms)" if measured else "smoothed RTT (ms)")
    axes[0].set_ylabel("CDF")
    axes[0].legend(fontsize=8, loc="lower right")
    if has_q:
        axes[1].set_xlabel("queueing delay (ms)")
    for ax in axes:
        ax.grid(alpha=0.3)
    fig.suptitle(f"{name}: RTT and queueing delay")
    fig.tight_layout()
    fig.savefig(f"{out}/{name}_cdf.png", dpi=80)
    plt.close(fig)


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        results = json.load(f)
    out = sys.argv[2]
    for scenario in results["scenarios"]:
        cases = runs_by_case(results, scenario["name"])
        if not cases:
            continue
        tput_delay(scenario["name"], cases, out)
        timeseries(scenario["name"], cases, out)
        cdf(scenario["name"], cases, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
