#!/usr/bin/env python3
"""Request bodies for scripts/bench-gateway.sh: 4 KB chat prompts, one without
findings and one dense with them (names, e-mails, cards, SSNs, phones, IBANs,
dates, addresses), as non-streaming and streaming chat/completions bodies.

Usage: gateway_prompts.py OUT_DIR [BYTES]

Writes OUT_DIR/{clean,pii}.txt (the prompt text) and
OUT_DIR/{clean,pii}{,-stream}.json (the request bodies). Deterministic: the
same files every run. The script checks the findings with `hushgate scan`
afterwards (none in clean.txt, many in pii.txt).
"""
import json
import os
import sys

CLEAN = (
    "The build cache keeps compiled artifacts keyed by a hash of their inputs, so a change "
    "to one module rebuilds only what depends on it. When the cache is cold the first build "
    "takes longer, and every later build reuses what is already there. Incremental builds "
    "work best when modules are small and their interfaces change rarely. The scheduler runs "
    "independent jobs in parallel and waits for the slowest one before linking. Logs are "
    "written to a rotating file and compressed when they grow past a limit. A health check "
    "answers quickly and never touches the database, while a readiness check confirms that "
    "every dependency answers. Retries use exponential backoff with jitter so that clients "
    "do not all come back at the same moment. Timeouts are set per request and shorter than "
    "the caller's own deadline. The queue holds pending work in memory and applies back "
    "pressure when it is full instead of growing without bound. "
)

PII_RECORDS = [
    "Patient Jane Doe (email jane.doe@example.org, SSN 536-90-4399) paid with card "
    "4111 1111 1111 1111; call her back on +1 415-555-0132. ",
    "Dr. Ana Ruiz referred Michael Chen, born 03/14/1962, living at 742 Evergreen Terrace, "
    "Springfield; reach him at michael.chen@mailbox.net or (212) 555-0187. ",
    "Refund to IBAN DE89 3704 0044 0532 0130 00 for Sarah Johnson, card 5555 5555 5555 4444, "
    "SSN 078-05-1120, email s.johnson@corp-mail.com. ",
    "Robert Miller (robert.miller@example.com, +1 646-555-0199) asked about claim for "
    "Emily Davis, SSN 219-09-9999, Amex 3782 822463 10005, seen on 2024-02-11 in Boston. ",
]


def fill(parts, size):
    out, i = "", 0
    while len(out.encode()) < size:
        out += parts[i % len(parts)]
        i += 1
    # Cut at the last sentence end before `size` so no value is split.
    cut = out.encode()[:size].decode("utf-8", "ignore")
    end = max(cut.rfind(". "), cut.rfind("; "))
    return cut[: end + 1] if end > 0 else cut


def body(text, stream):
    b = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": text}]}
    if stream:
        b["stream"] = True
    return b


def main():
    out = sys.argv[1]
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 4096
    os.makedirs(out, exist_ok=True)
    for name, parts in (("clean", [CLEAN]), ("pii", PII_RECORDS)):
        text = fill(parts, size)
        with open(os.path.join(out, name + ".txt"), "w") as f:
            f.write(text)
        for suffix, stream in (("", False), ("-stream", True)):
            with open(os.path.join(out, name + suffix + ".json"), "w") as f:
                json.dump(body(text, stream), f)


if __name__ == "__main__":
    main()
