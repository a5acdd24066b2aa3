#!/usr/bin/env bash
# Fuzz the streaming restorer and the redactor (fuzz/fuzz_targets/).
#
#   scripts/fuzz.sh                 # each target for 30 s
#   scripts/fuzz.sh 3600            # each target for an hour
#   FUZZ_TARGETS=stream_restore scripts/fuzz.sh 600
#   FUZZ_JOBS=2 scripts/fuzz.sh 3600   # parallel libFuzzer jobs per target
#
# Needs cargo-fuzz (installed here if missing) and nightly compiler features:
# on a stable toolchain the script sets RUSTC_BOOTSTRAP=1. If cargo fuzz still
# cannot build, it says so and runs the property tests
# (crates/hushgate-redact/tests/props.rs, the same properties) for about as
# long instead. Crashes land in fuzz/artifacts/<target>/; replay one with
#   cargo fuzz run <target> fuzz/artifacts/<target>/<file>
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-30}
TARGETS=${FUZZ_TARGETS:-"stream_restore redact"}
JOBS=${FUZZ_JOBS:-1}
export CARGO_TARGET_DIR=${FUZZ_TARGET_DIR:-${CARGO_TARGET_DIR:-$PWD/target}/fuzz}

fallback() {
  echo "fuzz.sh: $1" >&2
  echo "fuzz.sh: falling back to a long property-test run (same properties, random inputs)" >&2
  # About 20 cases a second per property on two cores.
  local cases=$(( SECS * 20 ))
  HUSHGATE_PROPTEST_CASES=$cases cargo test -p hushgate-redact --test props --release
  exit 0
}

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "fuzz.sh: installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked || fallback "cannot install cargo-fuzz"
fi
if ! rustc --version | grep -q nightly; then
  # cargo fuzz passes -Z flags (sanitizer coverage); allow them on stable.
  export RUSTC_BOOTSTRAP=1
fi

# AddressSanitizer adds little to #![forbid(unsafe_code)] crates; use it when
# the toolchain can, otherwise fuzz without a sanitizer.
SANITIZER=address
for t in $TARGETS; do
  if ! cargo fuzz build "$t" --sanitizer "$SANITIZER" >/dev/null 2>&1; then
    SANITIZER=none
    cargo fuzz build "$t" --sanitizer none || fallback "cargo fuzz cannot build $t on this toolchain"
  fi
done

for t in $TARGETS; do
  echo "=== fuzzing $t for ${SECS}s (sanitizer: $SANITIZER, jobs: $JOBS)"
  mkdir -p "fuzz/corpus/$t"
  parallel=()
  # libFuzzer's -jobs writes fuzz-N.log files; only ask for it when wanted.
  [ "$JOBS" -gt 1 ] && parallel=(-jobs="$JOBS" -workers="$JOBS")
  cargo fuzz run "$t" --sanitizer "$SANITIZER" "fuzz/corpus/$t" -- \
    -max_total_time="$SECS" -max_len=4096 -timeout=10 -print_final_stats=1 "${parallel[@]}"
done
echo "fuzz.sh: no crash in $TARGETS"
