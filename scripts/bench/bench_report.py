#!/usr/bin/env python3
"""Helpers for scripts/bench-detect.sh (Python standard library only).

    bench_report.py prepare INPUT OUTDIR [--big-mb 20]
        Writes OUTDIR/records.jsonl ({"id", "text"} only, the scan contract) and
        OUTDIR/records-big.jsonl (the same texts repeated, with fresh ids, until
        they hold at least --big-mb MB of text) and prints key=value counts.
    bench_report.py report OUTDIR [--write BENCHMARKS.md]
        Reads OUTDIR/run.env (written by the shell script), the timings, the
        Presidio stats and the scorer's JSON; prints a summary and a Markdown
        block; with --write, replaces the block between the bench-detect
        markers in that file.

Throughput is UTF-8 bytes of the records' "text" fields (MB = 10^6 bytes) per
second; the JSON framing and ids are not counted.
"""
import argparse
import hashlib
import json
import os
import re
import sys

BEGIN = "<!-- bench-detect:begin -->"
END = "<!-- bench-detect:end -->"


def die(msg):
    print("bench_report.py: error: " + msg, file=sys.stderr)
    sys.exit(2)


# ---------------------------------------------------------------- prepare

def prepare(args):
    records = []
    sha = hashlib.sha256()
    try:
        with open(args.input, "rb") as f:
            raw = f.read()
    except OSError as e:
        die("cannot read %s: %s" % (args.input, e))
    sha.update(raw)
    has_gold = False
    for n, line in enumerate(raw.decode("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            rid, text = obj["id"], obj["text"]
        except (ValueError, KeyError, TypeError) as e:
            die("%s line %d: expected {\"id\", \"text\"} (%s)" % (args.input, n, e))
        if not isinstance(text, str):
            die("%s line %d: \"text\" is not a string" % (args.input, n))
        has_gold = has_gold or "spans" in obj
        records.append((rid, text))
    if not records:
        die("%s holds no records" % args.input)
    os.makedirs(args.outdir, exist_ok=True)
    text_bytes = 0
    with open(os.path.join(args.outdir, "records.jsonl"), "w", encoding="utf-8") as f:
        for rid, text in records:
            text_bytes += len(text.encode("utf-8"))
            f.write(json.dumps({"id": rid, "text": text}, ensure_ascii=False) + "\n")
    target = int(args.big_mb * 1e6)
    if target <= 0:
        die("--big-mb must be above 0")
    big_bytes = big_records = 0
    with open(os.path.join(args.outdir, "records-big.jsonl"), "w", encoding="utf-8") as f:
        rep = 0
        while big_bytes < target:
            for rid, text in records:
                f.write(json.dumps({"id": "%s#%d" % (rid, rep), "text": text}, ensure_ascii=False) + "\n")
                big_bytes += len(text.encode("utf-8"))
                big_records += 1
                if big_bytes >= target:
                    break
            rep += 1
    print("dev_records=%d" % len(records))
    print("dev_text_bytes=%d" % text_bytes)
    print("big_records=%d" % big_records)
    print("big_text_bytes=%d" % big_bytes)
    print("input_sha256=%s" % sha.hexdigest()[:16])
    print("has_gold=%d" % has_gold)


# ---------------------------------------------------------------- report

def read_env(path):
    env = {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                key, sep, value = line.rstrip("\n").partition("=")
                if sep:
                    env[key] = value
    except OSError as e:
        die("cannot read %s: %s" % (path, e))
    return env


def read_json(path):
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def times(env, key):
    return [float(t) for t in env.get(key, "").split(",") if t]


def median(xs):
    s = sorted(xs)
    n = len(s)
    return (s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2) if s else None


def fmt_rate(x, unit=""):
    if x is None:
        return "—"
    if x >= 100:
        return "{:,.0f}{}".format(x, unit)
    if x >= 1:
        return "%.1f%s" % (x, unit)
    if x >= 0.01:
        return "%.3f%s" % (x, unit)
    return "%.4f%s" % (x, unit)


def pct(x):
    return "—" if x is None else "%.1f%%" % (100 * x)


def f3(x):
    return "—" if x is None else "%.3f" % x


def yes(ok):
    return "yes" if ok else "**no**"


class Figures:
    """Everything the summary and the Markdown block show."""

    def __init__(self, outdir):
        self.env = env = read_env(os.path.join(outdir, "run.env"))
        self.dev_records = int(env["dev_records"])
        self.dev_bytes = int(env["dev_text_bytes"])
        self.big_records = int(env["big_records"])
        self.big_bytes = int(env["big_text_bytes"])
        self.dev_times = times(env, "hg_dev_times")
        self.big_times = times(env, "hg_big_times")
        if not self.dev_times or not self.big_times:
            die("run.env has no Hushgate timings")
        best_dev, best_big = min(self.dev_times), min(self.big_times)
        self.hg_dev_s = best_dev
        self.hg_dev_mbps = self.dev_bytes / 1e6 / best_dev
        self.hg_dev_rps = self.dev_records / best_dev
        self.hg_big_s = best_big
        self.hg_big_mbps = self.big_bytes / 1e6 / best_big
        self.hg_big_rps = self.big_records / best_big
        self.pr = read_json(os.path.join(outdir, "presidio-stats.json")) if env.get("presidio") == "1" else None
        if self.pr:
            a = self.pr["analysis_seconds"]
            self.pr_mbps = self.pr["text_bytes"] / 1e6 / a
            self.pr_rps = self.pr["records"] / a
            self.ratio_dev = self.hg_dev_mbps / self.pr_mbps
            self.ratio_big = self.hg_big_mbps / self.pr_mbps
        self.scores = {}
        for key in ("hushgate", "presidio", "presidio-0.4"):
            s = read_json(os.path.join(outdir, "score-%s.json" % key))
            if s:
                self.scores[key] = s

    def columns(self):
        cols = [("Hushgate", "hushgate")]
        if "presidio" in self.scores:
            cols.append(("Presidio", "presidio"))
        if "presidio-0.4" in self.scores:
            cols.append(("Presidio, score ≥ 0.4", "presidio-0.4"))
        return cols


def quality_rows(fig, cols):
    def neg_fp(s):
        neg = s.get("per_slice", {}).get("negative")
        return None if neg is None else "%d spans in %d records" % (neg["fp_spans"], neg["records_with_fp"])

    rows = [
        ("leak rate (gold PII code points left uncovered)", lambda s: pct(s["leak_rate"])),
        ("over-redaction (non-PII code points covered)", lambda s: pct(s["over_redaction"])),
        ("micro P / R, overlap match", lambda s: "%s / %s" % (f3(s["micro"]["overlap"]["precision"]),
                                                                f3(s["micro"]["overlap"]["recall"]))),
        ("micro P / R, exact match", lambda s: "%s / %s" % (f3(s["micro"]["exact"]["precision"]),
                                                              f3(s["micro"]["exact"]["recall"]))),
        ("macro F1 (overlap)", lambda s: f3(s["macro_f1_overlap"])),
        ("false positives on the `negative` slice", lambda s: neg_fp(s) or "—"),
    ]
    out = []
    for label, get in rows:
        out.append("| %s | %s |" % (label, " | ".join(get(fig.scores[k]) if k in fig.scores else "—"
                                                   for _, k in cols)))
    return out


def per_type_rows(fig, cols):
    types = []
    for _, k in cols:
        for t in fig.scores.get(k, {}).get("per_type", {}):
            if t not in types:
                types.append(t)
    gold = {}
    for _, k in cols:
        for t, m in fig.scores.get(k, {}).get("per_type", {}).items():
            gold[t] = max(gold.get(t, 0), m["gold"])
    types.sort(key=lambda t: (-gold[t], t))
    out = []
    for t in types:
        cells = []
        for _, k in cols:
            m = fig.scores.get(k, {}).get("per_type", {}).get(t)
            if m is None:
                cells.append("— | — | —")
            else:
                o = m["overlap"]
                cells.append("%s | %s | %s" % (f3(o["precision"]) if m["pred"] else "—",
                                               f3(o["recall"]) if m["gold"] else "—", pct(m["leak"])))
        out.append("| %s | %d | %s |" % (t, gold[t], " | ".join(cells)))
    return out


def markdown(fig):
    e = fig.env
    cols = fig.columns()
    L = []
    L.append("### Run of %s" % e.get("date", "?"))
    L.append("")
    L.append("- Machine: %s, `nproc` = %s, %s; %s." % (e.get("cpu", "?"), e.get("nproc", "?"),
                                                      e.get("kernel", "?"), e.get("pinning", "?")))
    L.append("- Hushgate %s (release build, %s)." % (e.get("commit", "?"), e.get("rustc", "?")))
    if fig.pr:
        counts = fig.pr.get("analyzer_result_types", {})
        dropped = ", ".join("%s %s" % (t, "{:,}".format(counts.get(t, 0))) for t in fig.pr.get("dropped_types", []))
        L.append("- Presidio: presidio-analyzer %s, spaCy %s with `%s`, default English recognizers, "
                 "analyzer threshold 0 (its default), spans as its AnonymizerEngine would replace them "
                 "(results dropped: %s); Python %s." % (fig.pr["presidio_analyzer"], fig.pr["spacy"],
                                                         fig.pr["model"], dropped or "none", e.get("python", "?")))
    L.append("- Input: `%s` (sha256 %s…), {:,} records, %.2f MB of text; steady state: the same texts "
             "repeated to {:,} records, %.1f MB.".format(fig.dev_records, fig.big_records)
             % (e.get("input_name", "?"), e.get("input_sha256", "?"), fig.dev_bytes / 1e6, fig.big_bytes / 1e6))
    L.append("- Command: `%s`" % e.get("command", "scripts/bench-detect.sh"))
    if e.get("note"):
        L.append("- Note: %s" % e["note"])
    L.append("")
    L.append("| throughput, one thread | Hushgate | Presidio |")
    L.append("|---|---:|---:|")
    pr = fig.pr
    L.append("| dev records: MB/s | %s | %s |" % (fmt_rate(fig.hg_dev_mbps), fmt_rate(fig.pr_mbps) if pr else "—"))
    L.append("| dev records: records/s | %s | %s |" % (fmt_rate(fig.hg_dev_rps), fmt_rate(fig.pr_rps) if pr else "—"))
    L.append("| dev records: seconds | %.3f (best of %d, whole process) | %s |" % (
        fig.hg_dev_s, len(fig.dev_times),
        "%.1f (analysis only; + %.1f model load)" % (pr["analysis_seconds"], pr["load_seconds"]) if pr else "—"))
    L.append("| steady state, %s MB: MB/s | %s | — |" % (fmt_rate(fig.big_bytes / 1e6), fmt_rate(fig.hg_big_mbps)))
    L.append("| steady state: records/s | %s | — |" % fmt_rate(fig.hg_big_rps))
    L.append("")
    if pr:
        L.append("Hushgate / Presidio throughput on the same records: **%s×** (Hushgate's whole process, "
                 "start-up included, against Presidio's `analyze()` calls alone); steady state: **%s×**."
                 % (fmt_rate(fig.ratio_dev), fmt_rate(fig.ratio_big)))
        L.append("")
    if fig.scores:
        L.append("| quality on the same records | %s |" % " | ".join(c for c, _ in cols))
        L.append("|---|" + "---:|" * len(cols))
        L.extend(quality_rows(fig, cols))
        L.append("")
    L.append("Targets of issue #3:")
    L.append("")
    L.append("| target | measured | met |")
    L.append("|---|---:|:---:|")
    L.append("| ≥ 50 MB/s single thread on mixed dev text (steady state) | %s MB/s | %s |" % (
        fmt_rate(fig.hg_big_mbps), yes(fig.hg_big_mbps >= 50)))
    if pr:
        L.append("| ≥ 100× Presidio's throughput (same records) | %s× | %s |" % (
            fmt_rate(fig.ratio_dev), yes(fig.ratio_dev >= 100)))
    if "hushgate" in fig.scores and "presidio" in fig.scores:
        h, p = fig.scores["hushgate"]["leak_rate"], fig.scores["presidio"]["leak_rate"]
        L.append("| leak rate below Presidio's (same records) | %s vs %s | %s |" % (pct(h), pct(p), yes(h < p)))
    L.append("")
    if fig.scores:
        L.append("<details><summary>Per type: overlap precision, recall, and leak (share of the type's "
                 "code points left uncovered)</summary>")
        L.append("")
        type_cols = [c for c in cols if c[1] != "presidio-0.4"]
        head = " | ".join("%s P | %s R | %s leak" % (c, c, c) for c, _ in type_cols)
        L.append("| type | gold | %s |" % head)
        L.append("|---|---:|" + "---:|" * (3 * len(type_cols)))
        L.extend(per_type_rows(fig, type_cols))
        L.append("")
        L.append("</details>")
    return "\n".join(L) + "\n"


def summary(fig):
    w = sys.stdout.write
    w("THROUGHPUT (one thread, MB = 10^6 bytes of text)\n")
    w("  hushgate  dev records  %9s MB/s %10s records/s  best %.3f s, median %.3f s of %d runs (whole process)\n"
      % (fmt_rate(fig.hg_dev_mbps), fmt_rate(fig.hg_dev_rps), fig.hg_dev_s, median(fig.dev_times),
         len(fig.dev_times)))
    w("  hushgate  %3.0f MB       %9s MB/s %10s records/s  best %.3f s, median %.3f s of %d runs\n"
      % (fig.big_bytes / 1e6, fmt_rate(fig.hg_big_mbps), fmt_rate(fig.hg_big_rps), fig.hg_big_s,
         median(fig.big_times), len(fig.big_times)))
    if fig.pr:
        w("  presidio  dev records  %9s MB/s %10s records/s  analysis %.1f s (+ model load %.1f s, wall %.1f s)\n"
          % (fmt_rate(fig.pr_mbps), fmt_rate(fig.pr_rps), fig.pr["analysis_seconds"], fig.pr["load_seconds"],
             fig.pr["wall_seconds"]))
        w("  ratio     %s× on the same records (hushgate whole process vs presidio analysis), %s× steady state\n"
          % (fmt_rate(fig.ratio_dev), fmt_rate(fig.ratio_big)))
    if fig.scores:
        w("\nQUALITY\n")
        cols = fig.columns()
        for label, k in cols:
            s = fig.scores[k]
            w("  %-22s leak %6s  over-redaction %5s  micro overlap P %s R %s\n" % (
                label, pct(s["leak_rate"]), pct(s["over_redaction"]), f3(s["micro"]["overlap"]["precision"]),
                f3(s["micro"]["overlap"]["recall"])))


def write_section(path, block):
    try:
        with open(path, encoding="utf-8") as f:
            doc = f.read()
    except OSError as e:
        die("cannot read %s: %s" % (path, e))
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    if not pattern.search(doc):
        die("%s has no %s ... %s section" % (path, BEGIN, END))
    doc = pattern.sub(lambda _: BEGIN + "\n" + block + END, doc, count=1)
    with open(path, "w", encoding="utf-8") as f:
        f.write(doc)


def report(args):
    fig = Figures(args.outdir)
    summary(fig)
    block = markdown(fig)
    sys.stdout.write("\nMARKDOWN for BENCHMARKS.md (between the bench-detect markers)\n\n")
    sys.stdout.write(block)
    if args.write:
        write_section(args.write, block)
        print("\nbench_report.py: updated %s" % args.write, file=sys.stderr)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0],
                                 epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare", help="write the scan inputs")
    p.add_argument("input")
    p.add_argument("outdir")
    p.add_argument("--big-mb", type=float, default=20.0)
    p.set_defaults(func=prepare)
    r = sub.add_parser("report", help="print the summary and the Markdown block")
    r.add_argument("outdir")
    r.add_argument("--write", metavar="FILE", help="replace the bench-detect section of FILE")
    r.set_defaults(func=report)
    args = ap.parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
