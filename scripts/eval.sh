#!/usr/bin/env bash
# Detection quality gate: runs `hushgate scan --jsonl` over the labelled
# development set and fails when a threshold of issue #3 is missed.
#
#   scripts/eval.sh                 # gate (exit 1 on a miss)
#   scripts/eval.sh --errors 30     # extra args go to score.py (e.g. to list mistakes)
#
# Needs ../shared/eval (next to the repository) and python3 (stdlib only).
set -euo pipefail
cd "$(dirname "$0")/.."
EVAL=${HUSHGATE_EVAL_DIR:-../shared/eval}
OUT=${HUSHGATE_EVAL_OUT:-${CARGO_TARGET_DIR:-target}/eval}
mkdir -p "$OUT"
# CI builds one profile (dev, with optimised dependencies); people get release.
PROFILE=${HUSHGATE_EVAL_PROFILE:-release}
cargo build --profile "$PROFILE" --quiet -p hushgate-cli
dir=$PROFILE; [ "$PROFILE" = dev ] && dir=debug
"${CARGO_TARGET_DIR:-target}/$dir/hushgate" scan --jsonl < "$EVAL/dev.jsonl" > "$OUT/pred.jsonl"

STRUCTURED="EMAIL_ADDRESS PHONE_NUMBER CREDIT_CARD IBAN_CODE US_SSN IP_ADDRESS MAC_ADDRESS URL CRYPTO \
US_BANK_NUMBER US_PASSPORT US_DRIVER_LICENSE UK_NHS MEDICAL_LICENSE MEDICAL_RECORD_NUMBER DATE_TIME API_KEY"
recall=() precision=()
for t in $STRUCTURED; do recall+=("$t=0.97"); precision+=("$t=0.95"); done
recall+=("PERSON=0.85")

python3 "$EVAL/score.py" "$EVAL/dev.jsonl" "$OUT/pred.jsonl" \
  --min-recall "${recall[@]}" --min-precision "${precision[@]}" --max-leak 0.03 "$@"
