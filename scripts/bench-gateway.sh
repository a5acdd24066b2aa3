#!/usr/bin/env bash
# Load benchmark of the gateway (issue #5) and of its audit writes (issue #7),
# side by side with LiteLLM's proxy, in one run on loopback.
set -euo pipefail
export LC_ALL=C

usage() {
  cat <<'EOF'
Usage: scripts/bench-gateway.sh [OPTIONS]

Measures, in one run on loopback, with the same provider double behind every
gateway (`hushgate-double`, an echo server speaking OpenAI's wire format):

  a) client -> double directly (the baseline);
  b) client -> Hushgate -> double, a 4 KB prompt without findings;
  c) the same with a 4 KB prompt full of findings (names, e-mails, cards,
     SSNs, phones, IBANs, dates), pseudonymized on the way out and restored
     in the answer;
  d) streaming (`stream: true`, the answer in 32-byte deltas), direct and
     through Hushgate, with findings;
  e) LiteLLM's proxy in front of the same double, without and with its
     Presidio guardrail (pre-call anonymization, output_parse_pii);
  f) the audit trail: Hushgate on PostgreSQL instead of SQLite, and the
     store's own audit-append benchmark (open loop at 1,000 appends/s).

For each: latency p50/p99 at fixed request rates (open loop, oha -q, with
latency correction) and the added latency against the direct baseline at the
same rate; the most requests per second with 32 connections (closed loop);
CPU time per request of the gateway process; and the gateway's resident
memory (VmRSS) after start-up and after the load.

Processes are pinned: each gateway (and Presidio, which is part of LiteLLM's
guardrail) runs on CPU 1, the double and the load generator on CPU 0. The
machine may be shared: compare figures within one run.

Tools it installs when missing (idempotent): oha 1.16.0 (`cargo install
--locked`: constant-rate load with latency correction; Debian's wrk 4.1 has
only closed-loop load, and wrk2 is not packaged), and a virtualenv under
~/.cache/hushgate/bench-venv with litellm[proxy] 1.108.7 and
opentelemetry-sdk (uv, with certifi overridden), plus the pinned Presidio
virtualenv that scripts/bench-detect.sh uses (~/.cache/hushgate/presidio-venv).

Options:
  --secs N         seconds per fixed-rate run (default 8)
  --max-secs N     seconds per closed-loop (max RPS) run (default 6)
  --rates "A B"    fixed rates, requests/s (default "200 1000")
  --peer-rate N    the fixed rate at which LiteLLM is compared (default 50;
                   LiteLLM saturates near 100 req/s on one core)
  --presidio-n N   requests sent one at a time through LiteLLM + Presidio
                   (default 8; Presidio takes about a second per 4 KB prompt)
  --no-litellm     skip LiteLLM (and Presidio)
  --no-presidio    skip LiteLLM's Presidio guardrail
  --no-postgres    skip Hushgate on PostgreSQL
  --no-audit-bench skip `cargo bench -p hushgate-store --bench audit_append`
  --write          replace the section between <!-- bench-gateway:begin -->
                   and <!-- bench-gateway:end --> in BENCHMARKS.md
  --note TEXT      a remark printed with the figures
  --out DIR        working files (default <repo>/target/bench-gateway)
  -h, --help       this help

Environment: CARGO_TARGET_DIR, HUSHGATE_BENCH_PG (PostgreSQL server URL
without database, default postgres://postgres@127.0.0.1:5432; a fresh
database is created and dropped), HUSHGATE_PYTHON (default python3).

Example:
  CARGO_TARGET_DIR=/tmp/t scripts/bench-gateway.sh --write
EOF
}

say() { printf 'bench-gateway: %s\n' "$*" >&2; }
die() { printf 'bench-gateway: error: %s\n' "$*" >&2; exit 2; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
ORIG_ARGS=("$@")
BENCH_DIR=$ROOT/scripts/bench
SECS=8 MAX_SECS=6 RATES="200 1000" PEER_RATE=50 PRESIDIO_N=8
LITELLM=1 PRESIDIO=1 POSTGRES=1 AUDIT_BENCH=1 WRITE=0 NOTE=
OUT=$ROOT/target/bench-gateway
PG_BASE=${HUSHGATE_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
PY=${HUSHGATE_PYTHON:-python3}
OHA_VERSION=1.16.0
LITELLM_VERSION=1.108.7

while [[ $# -gt 0 ]]; do
  case $1 in
    --secs) SECS=${2:?}; shift 2 ;;
    --max-secs) MAX_SECS=${2:?}; shift 2 ;;
    --rates) RATES=${2:?}; shift 2 ;;
    --peer-rate) PEER_RATE=${2:?}; shift 2 ;;
    --presidio-n) PRESIDIO_N=${2:?}; shift 2 ;;
    --no-litellm) LITELLM=0; PRESIDIO=0; shift ;;
    --no-presidio) PRESIDIO=0; shift ;;
    --no-postgres) POSTGRES=0; shift ;;
    --no-audit-bench) AUDIT_BENCH=0; shift ;;
    --write) WRITE=1; shift ;;
    --note) NOTE=${2:?}; shift 2 ;;
    --out) OUT=${2:?}; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

START_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
T_START=$(date +%s)
rm -rf "$OUT"
mkdir -p "$OUT/runs"

# ---------------------------------------------------------------- processes
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do
    kill "$p" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  if [[ -n ${PG_DB:-} ]]; then
    psql -q "$PG_BASE/postgres" -c "DROP DATABASE IF EXISTS $PG_DB" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

free_port() {
  "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_http URL SECONDS: until URL answers (any status).
wait_http() {
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  return 1
}

rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status"; }

# CPU ticks (user + system) of processes (comma-separated PIDs) and their
# child processes.
cpu_ticks() {
  local total=0 p q
  for q in ${1//,/ }; do
    for p in $q $(pgrep -P "$q" || true); do
      [[ -r /proc/$p/stat ]] || continue
      total=$((total + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat")))
    done
  done
  echo "$total"
}

# ---------------------------------------------------------------- tools
OHA=$(command -v oha || true)
[[ -z $OHA && -x $HOME/.cargo/bin/oha ]] && OHA=$HOME/.cargo/bin/oha
if [[ -z $OHA ]] || [[ $("$OHA" --version) != *"$OHA_VERSION"* ]]; then
  say "installing oha $OHA_VERSION (cargo install --locked; a few minutes once)"
  cargo install --locked --quiet oha --version "$OHA_VERSION"
  OHA=$HOME/.cargo/bin/oha
fi
command -v curl >/dev/null || { apt-get install -y -qq curl >/dev/null; }
command -v taskset >/dev/null || die "taskset (util-linux) is needed"

say "building hushgate and hushgate-double (release)"
cargo build --release --quiet -p hushgate-cli -p hushgate-testkit --bin hushgate --bin hushgate-double
TARGET=$(cargo metadata --format-version 1 --no-deps |
  "$PY" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
HG=$TARGET/release/hushgate
DOUBLE=$TARGET/release/hushgate-double

VENV=${XDG_CACHE_HOME:-$HOME/.cache}/hushgate/bench-venv
setup_litellm() {
  if [[ ! -x $VENV/bin/python ]]; then
    say "creating $VENV (LiteLLM $LITELLM_VERSION; a minute or two once)"
    mkdir -p "$(dirname "$VENV")"
    "$PY" -m venv "$VENV"
  fi
  [[ -x $VENV/bin/uv ]] || "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check uv
  printf 'certifi>=2025.1.1\n' >"$OUT/litellm-overrides.txt"
  # A no-op in a second or so when everything is installed.
  "$VENV/bin/uv" pip install --quiet --python "$VENV/bin/python" \
    --override "$OUT/litellm-overrides.txt" "litellm[proxy]==$LITELLM_VERSION" opentelemetry-sdk
}
PRESIDIO_PY=
setup_presidio() {
  # The same pinned virtualenv as scripts/bench-detect.sh (same key scheme).
  local req=$BENCH_DIR/presidio-requirements.txt pyver key
  local venv=${HUSHGATE_PRESIDIO_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/hushgate/presidio-venv}
  pyver=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  key="py$pyver-$(grep -v '^#' "$req" | sha256sum | cut -c1-16)"
  if ! [[ -x $venv/bin/python && -f $venv/.hushgate-key && $(<"$venv/.hushgate-key") == "$key" ]]; then
    if [[ -e $venv ]]; then
      [[ -f $venv/.hushgate-venv ]] || die "$venv exists and was not made by a bench script"
      rm -rf "$venv"
    fi
    say "creating $venv (pinned Presidio; a few minutes once)"
    "$PY" -m venv "$venv"
    : >"$venv/.hushgate-venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
    printf '%s\n' "$key" >"$venv/.hushgate-key"
  fi
  PRESIDIO_PY=$venv/bin/python
}
if [[ $LITELLM == 1 ]]; then
  setup_litellm
  [[ $PRESIDIO == 1 ]] && setup_presidio
fi

# ---------------------------------------------------------------- inputs
"$PY" "$BENCH_DIR/gateway_prompts.py" "$OUT/prompts" 4096
for p in clean pii; do
  "$HG" scan --format json "$OUT/prompts/$p.txt" >"$OUT/prompts/$p.scan.json"
done
findings() { "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); d=d[0] if isinstance(d,list) else d; print(len(d.get("findings", d.get("entities", []))))' "$1"; }
CLEAN_FINDINGS=$(findings "$OUT/prompts/clean.scan.json")
PII_FINDINGS=$(findings "$OUT/prompts/pii.scan.json")
[[ $CLEAN_FINDINGS == 0 ]] || die "the clean prompt has $CLEAN_FINDINGS findings; fix gateway_prompts.py"
[[ $PII_FINDINGS -gt 10 ]] || die "the PII prompt has only $PII_FINDINGS findings"
say "prompts: clean $(wc -c <"$OUT/prompts/clean.txt") B (0 findings), pii $(wc -c <"$OUT/prompts/pii.txt") B ($PII_FINDINGS findings)"

# ---------------------------------------------------------------- double
DOUBLE_PORT=$(free_port)
taskset -c 0 "$DOUBLE" --port "$DOUBLE_PORT" --chunk 32 >"$OUT/double.out" 2>&1 &
PIDS+=($!)
DOUBLE_URL=http://127.0.0.1:$DOUBLE_PORT/v1
wait_http "$DOUBLE_URL/models" 10 || die "the double did not start"

# ---------------------------------------------------------------- hushgate
# start_hushgate NAME STORAGE_URL: sets HG_PID, HG_URL, HG_KEY
start_hushgate() {
  local name=$1 url=$2 dir=$OUT/$1 port
  mkdir -p "$dir"
  cat >"$dir/gateway.toml" <<EOF2
listen = "127.0.0.1:0"
[storage]
url = "$url"

[audit]
signing_key_file = "$dir/audit.key"
secret_file = "$dir/secret.key"

[[providers]]
name = "double"
kind = "openai_compatible"
base_url = "$DOUBLE_URL"
max_retries = 0
# The double stands for OpenAI's API: its published terms apply.
catalog = "openai"

[[models]]
alias = "gpt-4o-mini"
provider = "double"
model = "upstream-model"

[[tenants]]
name = "bench"
EOF2
  HG_KEY=$("$HG" --config "$dir/gateway.toml" keys create --tenant bench --name bench)
  port=$(free_port)
  taskset -c 1 "$HG" --config "$dir/gateway.toml" serve --listen "127.0.0.1:$port" >"$dir/serve.log" 2>&1 &
  HG_PID=$!
  PIDS+=($HG_PID)
  HG_URL=http://127.0.0.1:$port/v1
  wait_http "http://127.0.0.1:$port/healthz" 20 || die "hushgate ($name) did not start; see $dir/serve.log"
}

# ---------------------------------------------------------------- load
# oha_run NAME URL BODY KEY [RATE]: open loop at RATE req/s, seqN: N requests
# one after the other, none: closed loop with 32 connections; JSON in
# runs/NAME.json.
oha_run() {
  local name=$1 url=$2 body=$3 key=$4 rate=${5:-} args
  args=(--no-tui --output-format json -m POST -T application/json -D "$body"
    -H "Authorization: Bearer $key")
  if [[ $rate == seq* ]]; then
    args+=(-n "${rate#seq}" -c 1)
  elif [[ -n $rate ]]; then
    args+=(-z "${SECS}s" -w -q "$rate" --latency-correction -c 64)
  else
    args+=(-z "${MAX_SECS}s" -w -c 32)
  fi
  taskset -c 0 "$OHA" "${args[@]}" "$url/chat/completions" >"$OUT/runs/$name.json" 2>"$OUT/runs/$name.err" ||
    die "oha failed for $name; see $OUT/runs/$name.err"
  "$PY" "$BENCH_DIR/gateway_report.py" line "$OUT/runs/$name.json" "$name" >&2
}

warm() { # warm URL BODY KEY: 3 s of load to fill pools and caches
  taskset -c 0 "$OHA" --no-tui --output-format json -m POST -T application/json -D "$2" \
    -H "Authorization: Bearer $3" -z 3s -c 16 "$1/chat/completions" >/dev/null 2>&1 || true
}

# check_answer URL BODY KEY [any]: the answer echoes the prompt (restored);
# with `any`, only that the request succeeds.
check_answer() {
  curl -sf -H "Authorization: Bearer $3" -H 'content-type: application/json' \
    --data-binary "@$2" "$1/chat/completions" >"$OUT/answer.json" ||
    die "request to $1 failed"
  [[ ${4:-} == any ]] && return 0
  "$PY" - "$OUT/answer.json" "${2%.json}.txt" <<'PYEOF' || die "the answer from $1 does not echo the prompt"
import json, sys
answer = json.load(open(sys.argv[1]))["choices"][0]["message"]["content"]
prompt = open(sys.argv[2]).read()
sys.exit(0 if answer.strip() == prompt.strip() else 1)
PYEOF
}

# meter NAME PID CMD...: runs CMD, records the PID's CPU ticks used.
meter() {
  local name=$1 pid=$2 t0 t1
  shift 2
  t0=$(cpu_ticks "$pid")
  "$@"
  t1=$(cpu_ticks "$pid")
  printf '%s\t%s\n' "$name" "$((t1 - t0))" >>"$OUT/cpu.tsv"
}
: >"$OUT/cpu.tsv"
: >"$OUT/meta.tsv"
meta() { printf '%s\t%s\n' "$1" "$2" >>"$OUT/meta.tsv"; }

P=$OUT/prompts
DIRECT_KEY=unused

say "a) direct to the double; d) direct streaming"
warm "$DOUBLE_URL" "$P/clean.json" "$DIRECT_KEY"
for r in $RATES; do
  oha_run "direct-clean-r$r" "$DOUBLE_URL" "$P/clean.json" "$DIRECT_KEY" "$r"
  oha_run "direct-pii-r$r" "$DOUBLE_URL" "$P/pii.json" "$DIRECT_KEY" "$r"
  oha_run "direct-pii-stream-r$r" "$DOUBLE_URL" "$P/pii-stream.json" "$DIRECT_KEY" "$r"
done
oha_run direct-clean-max "$DOUBLE_URL" "$P/clean.json" "$DIRECT_KEY"
oha_run direct-pii-stream-max "$DOUBLE_URL" "$P/pii-stream.json" "$DIRECT_KEY"

say "b, c, d) through Hushgate (SQLite audit)"
start_hushgate sqlite "sqlite://$OUT/sqlite/hushgate.db"
sleep 1
meta rss_start_kb "$(rss_kb "$HG_PID")"
check_answer "$HG_URL" "$P/pii.json" "$HG_KEY"
check_answer "$HG_URL" "$P/clean.json" "$HG_KEY"
warm "$HG_URL" "$P/pii.json" "$HG_KEY"
meta rss_warm_kb "$(rss_kb "$HG_PID")"
for r in $RATES; do
  meter "hg-clean-r$r" "$HG_PID" oha_run "hg-clean-r$r" "$HG_URL" "$P/clean.json" "$HG_KEY" "$r"
  meter "hg-pii-r$r" "$HG_PID" oha_run "hg-pii-r$r" "$HG_URL" "$P/pii.json" "$HG_KEY" "$r"
  meter "hg-pii-stream-r$r" "$HG_PID" oha_run "hg-pii-stream-r$r" "$HG_URL" "$P/pii-stream.json" "$HG_KEY" "$r"
done
for s in clean pii pii-stream; do
  meter "hg-$s-max" "$HG_PID" oha_run "hg-$s-max" "$HG_URL" "$P/$s.json" "$HG_KEY"
done
sleep 2
meta rss_after_kb "$(rss_kb "$HG_PID")"
meta hwm_kb "$(hwm_kb "$HG_PID")"
"$HG" --config "$OUT/sqlite/gateway.toml" audit verify >"$OUT/sqlite/verify.txt" 2>&1 ||
  die "audit verify failed after the load; see $OUT/sqlite/verify.txt"
meta sqlite_verify "$(head -1 "$OUT/sqlite/verify.txt")"
kill "$HG_PID"; wait "$HG_PID" 2>/dev/null || true

if [[ $POSTGRES == 1 ]]; then
  if pg_isready -q -d "$PG_BASE/postgres" 2>/dev/null || psql -q "$PG_BASE/postgres" -c 'select 1' >/dev/null 2>&1; then
    PG_DB=hushgate_bench_$$_$(date +%s)
    psql -q "$PG_BASE/postgres" -c "CREATE DATABASE $PG_DB" >/dev/null
    say "f) Hushgate with the audit on PostgreSQL ($PG_DB)"
    start_hushgate postgres "$PG_BASE/$PG_DB"
    warm "$HG_URL" "$P/clean.json" "$HG_KEY"
    for r in $RATES; do
      meter "pg-clean-r$r" "$HG_PID" oha_run "pg-clean-r$r" "$HG_URL" "$P/clean.json" "$HG_KEY" "$r"
    done
    meter pg-clean-max "$HG_PID" oha_run pg-clean-max "$HG_URL" "$P/clean.json" "$HG_KEY"
    kill "$HG_PID"; wait "$HG_PID" 2>/dev/null || true
  else
    say "PostgreSQL at $PG_BASE is not reachable; skipping"
    POSTGRES=0
  fi
fi

if [[ $LITELLM == 1 ]]; then
  say "e) LiteLLM $LITELLM_VERSION in front of the same double"
  export LITELLM_LOCAL_MODEL_COST_MAP=True LITELLM_TELEMETRY=False LITELLM_LOG=ERROR
  PRESIDIO_PORT=
  if [[ $PRESIDIO == 1 ]]; then
    PRESIDIO_PORT=$(free_port)
    taskset -c 1 "$PRESIDIO_PY" "$BENCH_DIR/presidio_server.py" "$PRESIDIO_PORT" >"$OUT/presidio.out" 2>&1 &
    PRESIDIO_PID=$!
    PIDS+=($PRESIDIO_PID)
  fi
  LL_KEY=sk-bench-litellm
  # start_litellm NAME GUARDRAIL(0|1): sets LL_PID, LL_URL
  start_litellm() {
    local dir=$OUT/$1 port
    mkdir -p "$dir"
    {
      printf 'model_list:\n  - model_name: gpt-4o-mini\n    litellm_params:\n'
      printf '      model: openai/upstream-model\n      api_base: %s\n      api_key: sk-double\n' "$DOUBLE_URL"
      printf 'general_settings:\n  master_key: %s\n' "$LL_KEY"
      if [[ $2 == 1 ]]; then
        printf 'guardrails:\n  - guardrail_name: presidio-pii\n    litellm_params:\n'
        printf '      guardrail: presidio\n      mode: pre_call\n      default_on: true\n'
        printf '      output_parse_pii: true\n'
        printf '      presidio_analyzer_api_base: http://127.0.0.1:%s/\n' "$PRESIDIO_PORT"
        printf '      presidio_anonymizer_api_base: http://127.0.0.1:%s/\n' "$PRESIDIO_PORT"
      fi
    } >"$dir/config.yaml"
    port=$(free_port)
    taskset -c 1 "$VENV/bin/litellm" --config "$dir/config.yaml" --host 127.0.0.1 --port "$port" \
      --num_workers 1 >"$dir/litellm.log" 2>&1 &
    LL_PID=$!
    PIDS+=($LL_PID)
    LL_URL=http://127.0.0.1:$port/v1
    local i
    for ((i = 0; i < 600; i++)); do # start-up: 20-35 s on a quiet core
      curl -sf -o /dev/null "http://127.0.0.1:$port/health/liveliness" && break
      kill -0 "$LL_PID" 2>/dev/null || die "LiteLLM exited; see $dir/litellm.log"
      sleep 0.5
    done
    curl -sf -o /dev/null "http://127.0.0.1:$port/health/liveliness" || die "LiteLLM did not start; see $dir/litellm.log"
  }
  start_litellm litellm 0
  meta litellm_rss_kb "$(rss_kb "$LL_PID")"
  check_answer "$LL_URL" "$P/clean.json" "$LL_KEY"
  warm "$LL_URL" "$P/clean.json" "$LL_KEY"
  oha_run "direct-clean-r$PEER_RATE" "$DOUBLE_URL" "$P/clean.json" "$DIRECT_KEY" "$PEER_RATE"
  meter "ll-clean-r$PEER_RATE" "$LL_PID" oha_run "ll-clean-r$PEER_RATE" "$LL_URL" "$P/clean.json" "$LL_KEY" "$PEER_RATE"
  meter ll-clean-max "$LL_PID" oha_run ll-clean-max "$LL_URL" "$P/clean.json" "$LL_KEY"
  kill "$LL_PID"; wait "$LL_PID" 2>/dev/null || true

  if [[ $PRESIDIO == 1 ]]; then
    for ((i = 0; i < 600; i++)); do
      grep -q ready "$OUT/presidio.out" && break
      kill -0 "$PRESIDIO_PID" 2>/dev/null || die "the Presidio server exited; see $OUT/presidio.out"
      sleep 0.5
    done
    grep -q ready "$OUT/presidio.out" || die "the Presidio server did not start"
    start_litellm litellm-presidio 1
    check_answer "$LL_URL" "$P/pii.json" "$LL_KEY" any
    # Whether the answer came back restored (output_parse_pii), for the report.
    "$PY" -c 'import json,sys; a=json.load(open(sys.argv[1]))["choices"][0]["message"]["content"]; print(sum(v in a for v in ["Jane Doe","jane.doe@example.org","536-90-4399","4111 1111 1111 1111"]))' \
      "$OUT/answer.json" >"$OUT/litellm-presidio/restored.txt" || true
    # Presidio analyses ~4 KB/s (BENCHMARKS.md, detection): about a second
    # per prompt, so requests go one at a time.
    oha_run direct-pii-rseq200 "$DOUBLE_URL" "$P/pii.json" "$DIRECT_KEY" seq200
    meter "llp-pii-rseq$PRESIDIO_N" "$LL_PID,$PRESIDIO_PID" oha_run "llp-pii-rseq$PRESIDIO_N" "$LL_URL" "$P/pii.json" "$LL_KEY" "seq$PRESIDIO_N"
    kill "$LL_PID" "$PRESIDIO_PID"; wait "$LL_PID" "$PRESIDIO_PID" 2>/dev/null || true
  fi

  # Hushgate at the peers' rates, for the ratios at equal load.
  say "Hushgate again at the peers' rates"
  start_hushgate sqlite-peer "sqlite://$OUT/sqlite-peer/hushgate.db"
  warm "$HG_URL" "$P/clean.json" "$HG_KEY"
  meter "hg-clean-r$PEER_RATE" "$HG_PID" oha_run "hg-clean-r$PEER_RATE" "$HG_URL" "$P/clean.json" "$HG_KEY" "$PEER_RATE"
  [[ $PRESIDIO == 1 ]] &&
    meter hg-pii-rseq200 "$HG_PID" oha_run hg-pii-rseq200 "$HG_URL" "$P/pii.json" "$HG_KEY" seq200
  kill "$HG_PID"; wait "$HG_PID" 2>/dev/null || true
fi

if [[ $AUDIT_BENCH == 1 ]]; then
  say "f) the store's audit-append benchmark (cargo bench; builds it the first time)"
  pg_env=()
  if [[ $POSTGRES == 1 ]]; then
    pg_env=(HUSHGATE_TEST_POSTGRES_URL="$PG_BASE/$PG_DB")
  fi
  env "${pg_env[@]}" cargo bench --quiet -p hushgate-store --bench audit_append -- --secs 5 --rps 1000 \
    >"$OUT/audit_append.md" 2>"$OUT/audit_append.err" ||
    die "the audit benchmark failed; see $OUT/audit_append.err"
  cat "$OUT/audit_append.md" >&2
fi

# ---------------------------------------------------------------- report
cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
rev=$(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
git -C "$ROOT" diff --quiet HEAD 2>/dev/null || rev="$rev (with uncommitted changes)"
cmd="scripts/bench-gateway.sh${ORIG_ARGS[*]:+ ${ORIG_ARGS[*]}}"
{
  meta date "$(date -u '+%Y-%m-%d %H:%M UTC')"
  meta cpu "${cpu:-$(uname -m)}"
  meta nproc "$(nproc)"
  meta kernel "$(uname -sr)"
  meta load_start "$START_LOAD"
  meta load_end "$(cut -d' ' -f1-3 /proc/loadavg)"
  meta rev "$rev"
  meta rustc "$(rustc --version | cut -d' ' -f2)"
  meta oha "$("$OHA" --version | head -1)"
  meta command "$cmd"
  meta note "$NOTE"
  meta rates "$RATES"
  meta peer_rate "$PEER_RATE"
  meta presidio_n "$PRESIDIO_N"
  meta litellm "$([[ $LITELLM == 1 ]] && echo "$LITELLM_VERSION" || echo)"
  meta presidio "$([[ $PRESIDIO == 1 ]] && echo 2.2.366 || echo)"
  meta postgres "$POSTGRES"
  meta audit_bench "$AUDIT_BENCH"
  meta clean_bytes "$(wc -c <"$P/clean.txt")"
  meta pii_bytes "$(wc -c <"$P/pii.txt")"
  meta pii_findings "$PII_FINDINGS"
  meta clk_tck "$(getconf CLK_TCK)"
  meta secs "$SECS"
  meta max_secs "$MAX_SECS"
  meta runtime_s "$(($(date +%s) - T_START))"
}
report_args=("$OUT")
[[ $WRITE == 1 ]] && report_args+=(--write "$ROOT/BENCHMARKS.md")
"$PY" "$BENCH_DIR/gateway_report.py" report "${report_args[@]}"
say "done in $(($(date +%s) - T_START)) s; working files in $OUT"
