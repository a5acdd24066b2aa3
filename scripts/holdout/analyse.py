#!/usr/bin/env python3
"""Group hold-out errors into classes and rank them by leak impact.

    python3 scripts/holdout/analyse.py GOLD.jsonl PRED.jsonl [--examples 2]

A gold span is a *miss* when no prediction of its type overlaps it, a
*boundary* error when one does but not exactly, and *wrong type* when only
other types cover it. Leak = gold code points covered by no prediction at all
(the scorer's definition). False positives overlap no gold span; they are
ranked by the code points they over-redact. The classes are heuristics over
the span text and its context, meant for reading, not for scoring.
Standard library only.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict

WEEKDAYS = (r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|"
            r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo|"
            r"lunedì|martedì|mercoledì|giovedì|venerdì|sabato|domenica|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag")
WORD_NAMES = {"will", "grace", "hope", "joy", "faith", "rose", "mercy", "bath", "reading", "nice", "mobile", "normal"}
FOREIGN_ORG = re.compile(r"Sp\. z o\.o\.|SPRL|S\.r\.l\.|S\.L\.|S\.A\.|\bAB\b|Studio Legale|Azienda|Ospedale|Ziekenhuis|"
                         r"Huisartsenpraktijk|Bakkerij|CLSC|Restaurante|Kantonalbank|Association|Labor |Klinik|Talleres|"
                         r"Brasserie|Fornitura|& Zn|e Hijos|& Figli")


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(x) for x in f if x.strip()]


def covered(spans, n):
    cov = bytearray(n)
    for s in spans:
        for i in range(max(0, s["start"]), min(n, s["end"])):
            cov[i] = 1
    return cov


def ctx(text, s, e, w=45):
    return (text[max(0, s - w):s] + "[[" + text[s:e] + "]]" + text[e:e + w]).replace("\n", "⏎").replace("\t", "⇥")


def non_latin(v):
    return any(ord(c) > 0x24F and not (0x1E00 <= ord(c) <= 0x1EFF) and c.isalpha() for c in v)


def classify_gold(t, v, text, s, e, status, preds):
    before = text[max(0, s - 30):s]
    if t == "PERSON":
        if status == "boundary":
            p = preds[0]
            if p["start"] < s:
                return "PERSON: span swallows a preceding greeting/title word (Beste, Hoi, Soy, Kunde, D.)"
            if ", " in v or "/" in v:
                return "PERSON: 'LAST, FIRST' / 'LAST/FIRST' only partly found"
            return "PERSON: name only partly found (particles, apostrophes, non-Latin, lower-case)"
        if non_latin(v):
            return "PERSON: non-Latin script names (Cyrillic, Devanagari, CJK with space, Arabic)"
        if v.lower() in WORD_NAMES:
            return "PERSON/LOCATION: names that are also common words (Will, Grace, Hope, Bath)"
        if re.search(r"""(?:["'`|^\t,]|\\t)\s*$""", before) or re.search(r'"(?:family|given|last|surname|first|name)"\s*:\s*\[?"?$', before):
            return "PERSON: bare names in structured data (CSV/SQL/TSV/JSON/HL7 fields, tables)"
        if re.search(r"['’\-]|^(?:van|de|da|ter|bin|al|St\.?)\b", v):
            return "PERSON: particles, hyphens, apostrophes, 'St.' surnames"
        if " " not in v:
            return "PERSON: lone given name or surname in running text, no title cue"
        return "PERSON: full name in running text without a cue word"
    if t == "DATE_TIME":
        if status == "boundary" and re.match(WEEKDAYS, v, re.I):
            return "DATE_TIME: weekday prefix left out of the span (boundary)"
        if re.match(WEEKDAYS, v, re.I):
            return "DATE_TIME: weekday + short date not found (Thursday 3/21, maandag 15/04)"
        if "T" in v and re.search(r"\d{4}-\d\d-\d\dT\d", v):
            return "DATE_TIME: ISO 8601 date-time with offset in JSON"
        if re.fullmatch(r"\d{1,2}/\d{2,4}", v) and re.search(r"(?i)(exp\w*|valid\w*|gültig bis|scadenza|\|)\s*$", before):
            return "DATE_TIME: card/ID expiry MM/YY or MM/YYYY"
        if re.fullmatch(r"\d{1,2}/\d{1,2}", v):
            return "DATE_TIME: month/day without year (2/26, 03/04 in statements)"
        if re.fullmatch(r"\d{4}(?: ?hrs?)?", v):
            return "DATE_TIME: military/compact clock times (0600, 1430 hrs)"
        if re.fullmatch(r"\d{1,2}(?: ?h ?(?:\d\d)?|\.\d\d)", v):
            return "DATE_TIME: European clock formats (8h, 13 h 15, 18 h, 16.30)"
        return "DATE_TIME: other"
    if t == "LOCATION":
        if status == "boundary":
            return "LOCATION: unit/flat/floor suffix or prefix cut off the street line (boundary)"
        if re.fullmatch(r"\d{4} ?[A-Z]{2}|[A-Z]\d{2} ?[A-Z0-9]{4}|\d{3} \d{2}", v):
            return "LOCATION: postcodes outside US/UK/DE/FR/ES/IT (NL 1234 AB, Eircode, SE/GR 123 45)"
        if re.search(r"\d", v) and not re.fullmatch(r"\d{5}", v):
            return "LOCATION: street lines in unfamiliar formats / contexts (SE, GR, HL7, JSON, no cue)"
        if re.search(r"(?i)\b(?:ave|street|str\.|rd|road|lane|st)\b", v):
            return "LOCATION: street names without a house number"
        if re.fullmatch(r"\d{5}", v):
            return "LOCATION: US ZIP after state not found"
        return "LOCATION: bare city names without an address around them"
    if t == "ORGANIZATION":
        if status == "boundary":
            return "ORGANIZATION: name cut short or extended (boundary)"
        if FOREIGN_ORG.search(v):
            return "ORGANIZATION: non-English legal forms and institution words (S.r.l., SPRL, Ospedale, Ziekenhuis)"
        return "ORGANIZATION: names without a corporate suffix or known keyword"
    if t == "MEDICAL_RECORD_NUMBER":
        return "MEDICAL_RECORD_NUMBER: record numbers labelled other than 'MRN' (Hosp #, IPP, patiëntnummer, table column)"
    if t == "API_KEY":
        if status == "boundary":
            return "API_KEY: boundary"
        if re.search(r"(?:-u \S+:|-p |:)$", before):
            return "API_KEY: passwords given as CLI arguments (curl -u user:pw, docker login -p)"
        return "API_KEY: unprefixed secrets identified only by their key name (hex tokens, 0x private keys)"
    if t == "IP_ADDRESS":
        return "IP_ADDRESS: host inside DB connection strings / IPv4-mapped IPv6"
    if t == "US_BANK_NUMBER":
        return "US_BANK_NUMBER: account numbers in CSV columns / terse notes"
    if t in ("US_DRIVER_LICENSE", "MEDICAL_LICENSE"):
        return "Licences: driver's licence vs medical licence confusion / unusual licence formats"
    if t == "PHONE_NUMBER":
        return "PHONE_NUMBER: national formats without country code (IT 3xx, MX 55) / KR"
    if t == "US_SSN":
        return "US_SSN: compact SSN with the keyword several tokens away"
    return "%s: other" % t


def classify_fp(p, text):
    t, s, e = p["type"], p["start"], p["end"]
    v = text[s:e]
    line_start = text.rfind("\n", 0, s) + 1
    before_line = text[line_start:s]
    if t == "DATE_TIME":
        if re.search(r"(?i)today at\s*$|\)\s*$|^\s*$|^\S+, $|^\d\d?/\d\d?/\d{4}, $|^[A-Z][a-z]{2} \d\d? $", before_line) or "long)" in text[e:e + 6]:
            return "FP DATE_TIME: chat-export line timestamps and durations (labelled as machine metadata here)"
        return "FP DATE_TIME: other"
    if t in ("PERSON", "LOCATION", "ORGANIZATION"):
        if re.fullmatch(r"[A-Z]{2,5}|[A-Z]{2} \w+", v):
            return "FP NER: acronyms and header fragments as ORGANIZATION (ACH, CA Medical)"
        if v in ("México", "Argentina", "Québec"):
            return "FP NER: country names (not labelled by convention)"
        return "FP NER: capitalised clinical/technical/foreign common words (Afebrile, Meds, Damen, Para, Alta, Kalman)"
    if t == "PHONE_NUMBER":
        return "FP PHONE_NUMBER: digit groups (EIN, tracking numbers, lottery numbers)"
    if t == "US_BANK_NUMBER":
        return "FP US_BANK_NUMBER: routing numbers / non-bank account numbers taken as bank accounts"
    if t == "IP_ADDRESS":
        return "FP IP_ADDRESS: 4-part version numbers"
    return "FP %s: other" % t


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gold")
    ap.add_argument("pred")
    ap.add_argument("--examples", type=int, default=2)
    a = ap.parse_args(argv)
    gold = load(a.gold)
    preds = {r["id"]: r.get("entities", r.get("spans", [])) for r in load(a.pred)}
    classes = defaultdict(lambda: {"n": 0, "leak": 0, "typed_miss": 0, "ex": []})
    fps = defaultdict(lambda: {"n": 0, "chars": 0, "ex": []})
    total_gold_cp = 0
    for g in gold:
        text, P = g["text"], preds.get(g["id"], [])
        cov = covered(P, len(text))
        gold_cov = covered(g["spans"], len(text))
        for sp in g["spans"]:
            s, e, t = sp["start"], sp["end"], sp["type"]
            total_gold_cp += e - s
            same = [p for p in P if p["type"] == t and p["start"] < e and p["end"] > s]
            exact = any(p["start"] == s and p["end"] == e for p in same)
            if exact:
                continue
            leak = sum(1 for i in range(s, e) if not cov[i])
            if same:
                status = "boundary"
            elif leak < e - s:
                status = "wrong_type" if leak == 0 else "partial_other_type"
            else:
                status = "miss"
            if status in ("wrong_type", "partial_other_type"):
                others = sorted({p["type"] for p in P if p["start"] < e and p["end"] > s})
                name = "%s typed as %s" % (t, "/".join(others))
            else:
                name = classify_gold(t, text[s:e], text, s, e, status, same)
            c = classes[name]
            c["n"] += 1
            c["leak"] += leak
            c["typed_miss"] += status != "boundary"
            if len(c["ex"]) < a.examples:
                c["ex"].append("%s: %s" % (g["id"], ctx(text, s, e)))
        for p in P:
            if not any(gold_cov[i] for i in range(p["start"], min(p["end"], len(text)))):
                name = classify_fp(p, text)
                f = fps[name]
                f["n"] += 1
                f["chars"] += p["end"] - p["start"]
                if len(f["ex"]) < a.examples:
                    f["ex"].append("%s: %s" % (g["id"], ctx(text, p["start"], p["end"])))
    print("## Error classes ranked by leaked code points (total gold code points: %d)\n" % total_gold_cp)
    print("| # | class | spans | typed misses | leaked cp | share of all leak |")
    print("|---:|---|---:|---:|---:|---:|")
    total_leak = sum(c["leak"] for c in classes.values()) or 1
    ranked = sorted(classes.items(), key=lambda kv: (-kv[1]["leak"], -kv[1]["n"]))
    for i, (k, c) in enumerate(ranked, 1):
        print("| %d | %s | %d | %d | %d | %.1f%% |" % (i, k, c["n"], c["typed_miss"], c["leak"], 100.0 * c["leak"] / total_leak))
    print("\n### Examples\n")
    for k, c in ranked:
        print("- **%s**" % k)
        for x in c["ex"]:
            print("  - `%s`" % x.replace("`", "'"))
    print("\n## False-positive classes ranked by over-redacted code points\n")
    print("| class | spans | code points |\n|---|---:|---:|")
    for k, f in sorted(fps.items(), key=lambda kv: -kv[1]["chars"]):
        print("| %s | %d | %d |" % (k, f["n"], f["chars"]))
    print("\n### Examples\n")
    for k, f in sorted(fps.items(), key=lambda kv: -kv[1]["chars"]):
        print("- **%s**" % k)
        for x in f["ex"]:
            print("  - `%s`" % x.replace("`", "'"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
