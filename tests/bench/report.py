#!/usr/bin/env python3
"""report.py - the table and JSON of `make bench` from its runs (one JSON line per run).

Each case (MTU, store, mode, requests in flight, offered rate) ran A B A B...;
per target the rounds are averaged (IOPS, MB/s, latency percentiles), summed
(retransmits, errors) or pooled (CPU per request = CPU seconds / requests).
Ratios are A / B.  Nothing here judges the figures: they are read, not asserted.
"""
import argparse
import json
import statistics
import sys

CASE_KEYS = ("mtu", "store", "mode", "inflight", "rate")


def summarize(runs):
    """Per-target figures of one case."""
    bench = [r["bench"] for r in runs]
    completed = sum(b["completed"] for b in bench)
    seconds = sum(b["seconds"] for b in bench)
    target_cpu = sum(r["target_cpu_s"] for r in runs)
    bench_cpu = sum(b["bench_cpu_s"] for b in bench)
    others = sum(r["machine_busy_s"] for r in runs) - target_cpu - bench_cpu
    return {
        "runs": len(runs),
        "iops": statistics.mean(b["iops"] for b in bench),
        "iops_min": min(b["iops"] for b in bench),
        "iops_max": max(b["iops"] for b in bench),
        "mb_per_s": statistics.mean(b["mb_per_s"] for b in bench),
        "p50_us": statistics.mean(b["p50_us"] for b in bench),
        "p99_us": statistics.mean(b["p99_us"] for b in bench),
        "retransmits": sum(b["retransmits"] for b in bench),
        "errors": sum(b["errors"] for b in bench),
        "sectors_per_request": bench[0]["sectors_per_request"],
        "target_cpu_us_per_request": 1e6 * target_cpu / completed if completed else None,
        "target_cpu_share": target_cpu / seconds if seconds else None,
        "bench_cpu_share_max": max(b["bench_cpu_share"] for b in bench),
        "bench_busy_share_max": max(b.get("bench_busy_share", b["bench_cpu_share"]) for b in bench),
        "others_cores": max(0.0, others / seconds) if seconds else None,
    }


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def summarize_initiator(runs):
    """aoe-initiator reading a target: throughput and the CPU it took."""
    seconds = sum(r["seconds"] for r in runs)
    total = sum(r["bytes"] for r in runs)
    return {
        "runs": len(runs),
        "mb_per_s": total / seconds / 1e6 if seconds else None,
        "initiator_cpu_share": sum(r["initiator_cpu_s"] for r in runs) / seconds if seconds else None,
        "target_cpu_share": sum(r["target_cpu_s"] for r in runs) / seconds if seconds else None,
    }


def initiator_rows(runs, a_label, b_label):
    rows = {}
    for r in runs:
        if r.get("kind") == "initiator":
            rows.setdefault(r["mtu"], {}).setdefault(r["target"], []).append(r)
    out = []
    for mtu, by_target in rows.items():
        a = summarize_initiator(by_target[a_label]) if a_label in by_target else None
        b = summarize_initiator(by_target[b_label]) if b_label in by_target else None
        any_run = next(iter(by_target.values()))[0]
        out.append({"mtu": mtu, "mib": any_run["bytes"] >> 20, "a": a, "b": b,
                    "ratio": ratio(a and a["mb_per_s"], b and b["mb_per_s"])})
    return out


def initiator_table(rows):
    if not rows:
        return ""
    mib = rows[0]["mib"] if rows else 0
    lines = ["", "", "aoe-initiator reading {} MiB (to /dev/null):".format(mib), "",
             "| MTU | MB/s A / B | A/B | initiator CPU A / B | target CPU A / B |", "|---|---|---|---|---|"]
    for row in rows:
        lines.append("| {} | {} | {} | {} | {} |".format(
            row["mtu"], pair(row, "mb_per_s"), fmt(row["ratio"], "{:.2f}"),
            pair(row, "initiator_cpu_share", "{:.2f}"), pair(row, "target_cpu_share", "{:.2f}")))
    return "\n".join(lines)


def build_summary(runs, a_label, b_label):
    cases = {}
    for r in runs:
        if r.get("kind") == "initiator":
            continue
        key = tuple(r[k] for k in CASE_KEYS)
        cases.setdefault(key, {}).setdefault(r["target"], []).append(r)
    rows = []
    for key, by_target in cases.items():
        row = dict(zip(CASE_KEYS, key))
        a = summarize(by_target[a_label]) if a_label in by_target else None
        b = summarize(by_target[b_label]) if b_label in by_target else None
        row["a"], row["b"] = a, b
        if a and b:
            row["ratio"] = {
                "iops": ratio(a["iops"], b["iops"]),
                "p50": ratio(a["p50_us"], b["p50_us"]),
                "p99": ratio(a["p99_us"], b["p99_us"]),
                "cpu_per_request": ratio(a["target_cpu_us_per_request"], b["target_cpu_us_per_request"]),
            }
        rows.append(row)
    return rows


def fmt(value, spec="{:.0f}"):
    return "-" if value is None else spec.format(value)


def pair(row, field, spec="{:.0f}"):
    a, b = row["a"], row["b"]
    return "{} / {}".format(fmt(a and a[field], spec), fmt(b and b[field], spec))


def load_text(row):
    text = "{} q{}".format(row["mode"], row["inflight"])
    if row["rate"]:
        text += " @{}k/s".format(row["rate"] // 1000)
    return text


def table(rows, a_label, b_label):
    head = ("| MTU | store | load | sect | IOPS A / B | A/B | MB/s A / B | p50 us A / B | "
            "p99 us A / B | retx A / B | CPU us/req A / B | CPU A/B | gen busy A / B | others |")
    lines = ["A = {}, B = {}".format(a_label, b_label), "", head,
             "|" + "---|" * (head.count("|") - 1)]
    for row in rows:
        r = row.get("ratio", {})
        sect = (row["a"] or row["b"])["sectors_per_request"]
        others = max((x or {}).get("others_cores") or 0.0 for x in (row["a"], row["b"]))
        lines.append("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
            row["mtu"], row["store"], load_text(row), sect, pair(row, "iops"),
            fmt(r.get("iops"), "{:.2f}"), pair(row, "mb_per_s"), pair(row, "p50_us"),
            pair(row, "p99_us"), pair(row, "retransmits"),
            pair(row, "target_cpu_us_per_request", "{:.2f}"), fmt(r.get("cpu_per_request"), "{:.2f}"),
            pair(row, "bench_busy_share_max", "{:.2f}"), "{:.2f}".format(others)))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", required=True)
    parser.add_argument("--json", required=True)
    parser.add_argument("--markdown", required=True)
    parser.add_argument("--a", required=True)
    parser.add_argument("--b", required=True)
    parser.add_argument("--meta", action="append", default=[])
    args = parser.parse_args()
    with open(args.runs) as f:
        runs = [json.loads(line) for line in f if line.strip()]
    rows = build_summary(runs, args.a, args.b)
    irows = initiator_rows(runs, args.a, args.b)
    meta = dict(m.split("=", 1) for m in args.meta)
    text = table(rows, args.a, args.b) + initiator_table(irows)
    notes = ("\nCPU us/req: target CPU time (utime+stime, all threads) per completed request.  "
             "gen busy: the generator's CPU share (1.00 = one core) without the time it spent "
             "spinning idle on its ring (--spin); near 1.00 it was the limit.  others: cores the "
             "rest of the machine used meanwhile.  "
             + ", ".join("{}={}".format(k, v) for k, v in meta.items()))
    with open(args.json, "w") as f:
        json.dump({"meta": meta, "a": args.a, "b": args.b, "summary": rows,
                   "initiator": irows, "runs": runs}, f, indent=1)
    with open(args.markdown, "w") as f:
        f.write(text + "\n" + notes + "\n")
    print(text)
    print(notes)


if __name__ == "__main__":
    sys.exit(main())
