#!/usr/bin/env bash
# Generalisation check: runs `hushgate scan --jsonl` over the hand-written
# hold-out set (testdata/holdout/holdout.jsonl, built by
# scripts/holdout/make_holdout.py) and prints the scorer's table. It is a
# measurement, not a gate: no thresholds unless you pass them.
#
#   scripts/holdout.sh                    # table
#   scripts/holdout.sh --errors 60        # extra args go to score.py
#   scripts/holdout.sh --json             # machine-readable
#   scripts/holdout.sh --max-leak 0.05    # opt-in gate
#
# Needs the scorer from ../shared/eval (HUSHGATE_EVAL_DIR overrides) and python3.
# Do not tune recognizers against this set: it only stays a hold-out while nobody fits it.
set -euo pipefail
cd "$(dirname "$0")/.."
EVAL=${HUSHGATE_EVAL_DIR:-../shared/eval}
GOLD=${HUSHGATE_HOLDOUT:-testdata/holdout/holdout.jsonl}
OUT=${HUSHGATE_EVAL_OUT:-${CARGO_TARGET_DIR:-target}/eval}
mkdir -p "$OUT"
python3 scripts/holdout/make_holdout.py --check >/dev/null \
  || echo "warning: $GOLD is stale; rerun scripts/holdout/make_holdout.py" >&2
PROFILE=${HUSHGATE_EVAL_PROFILE:-release}
cargo build --profile "$PROFILE" --quiet -p hushgate-cli
dir=$PROFILE; [ "$PROFILE" = dev ] && dir=debug
"${CARGO_TARGET_DIR:-target}/$dir/hushgate" scan --jsonl < "$GOLD" > "$OUT/holdout_pred.jsonl"
python3 "$EVAL/score.py" "$GOLD" "$OUT/holdout_pred.jsonl" "$@"
