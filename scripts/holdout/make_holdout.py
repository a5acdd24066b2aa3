#!/usr/bin/env python3
"""Build the hold-out evaluation set testdata/holdout/holdout.jsonl.

The texts are hand-written records in scripts/holdout/data/*.txt; this script
only fills generated slots (checksummed identifiers, secrets, network
addresses, name/address pools) and turns inline markup into code-point spans.
Standard library only, deterministic (seeded).

Record file format
------------------
    #@ comment line (ignored)
    @@ <slice> [xN]          starts a record; xN renders it N times with fresh slots
    <text lines...>          the record text, up to the next "@@" line
                             (the trailing newline before "@@" is dropped)

Inline markup inside a record
-----------------------------
    [[TYPE:value]]           a labelled span (value may span lines)
    {{SLOT}} / {{SLOT:a,b}}  a generated value, labelled or not (see SLOTS below)
    {{P1}} {{P1.f}} ...      person bound per rendering (see person_slot)
    {{A1.street}} ...        address bound per rendering (see address_slot)

Usage:
    python3 scripts/holdout/make_holdout.py            # write the JSONL
    python3 scripts/holdout/make_holdout.py --check    # exit 1 if stale
    python3 scripts/holdout/make_holdout.py --stats    # per slice / type counts
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import random
import re
import string
import sys
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(HERE, "data")
OUT = os.path.join(ROOT, "testdata", "holdout", "holdout.jsonl")
SEED = 77031

TYPES = {
    "PERSON", "LOCATION", "ORGANIZATION", "DATE_TIME", "PHONE_NUMBER", "EMAIL_ADDRESS",
    "CREDIT_CARD", "IBAN_CODE", "US_SSN", "US_BANK_NUMBER", "US_DRIVER_LICENSE",
    "US_PASSPORT", "UK_NHS", "MEDICAL_LICENSE", "MEDICAL_RECORD_NUMBER", "API_KEY",
    "CRYPTO", "IP_ADDRESS", "MAC_ADDRESS", "URL",
}

# ---------------------------------------------------------------------------
# checksummed identifiers


def luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_ok(num: str) -> bool:
    return luhn_digit(num[:-1]) == num[-1]


def card(r: random.Random, brand: str = "any") -> str:
    if brand == "any":
        brand = r.choice(["visa", "visa", "mc", "mc", "amex", "disc"])
    if brand == "visa":
        prefix, n = "4", 16
    elif brand == "mc":
        prefix, n = r.choice([str(r.randint(51, 55)), str(r.randint(2221, 2720))]), 16
    elif brand == "amex":
        prefix, n = r.choice(["34", "37"]), 15
    else:
        prefix, n = r.choice(["6011", "65" + str(r.randint(10, 99))]), 16
    body = prefix + "".join(r.choice(string.digits) for _ in range(n - 1 - len(prefix)))
    return body + luhn_digit(body)


def group(s: str, sizes, sep=" ") -> str:
    out, i = [], 0
    for k in sizes:
        out.append(s[i:i + k])
        i += k
    if i < len(s):
        out.append(s[i:])
    return sep.join(x for x in out if x)


def fmt_card(num: str, fmt: str) -> str:
    sizes = [4, 6, 5] if len(num) == 15 else [4, 4, 4, 4]
    if fmt == "compact":
        return num
    if fmt == "dash":
        return group(num, sizes, "-")
    if fmt == "wrap":  # broken across a line, as in a narrow e-mail client
        g = group(num, sizes, " ").split(" ")
        return " ".join(g[:2]) + "\n" + " ".join(g[2:])
    return group(num, sizes, " ")


def bad_card(r: random.Random) -> str:
    """16 digits that fail Luhn (gift cards, tracking numbers)."""
    while True:
        n = "".join(r.choice(string.digits) for _ in range(16))
        if n[0] != "0" and not luhn_ok(n):
            return n


IBAN_SPEC = {
    # country: (length, bban builder)
    "DE": 22, "FR": 27, "ES": 24, "GB": 22, "NL": 18, "CH": 21, "BE": 16, "IT": 27,
    "AT": 20, "PL": 28, "PT": 25, "IE": 22, "LU": 20,
}


def _digits(r, n):
    return "".join(r.choice(string.digits) for _ in range(n))


def _upper(r, n):
    return "".join(r.choice(string.ascii_uppercase) for _ in range(n))


def fr_rib_key(bank: str, branch: str, account: str) -> str:
    conv = {}
    for i, ch in enumerate(string.ascii_uppercase):
        conv[ch] = str("12345678912345678923456789"[i])
    acc = "".join(conv.get(c, c) for c in account)
    key = 97 - ((89 * int(bank) + 15 * int(branch) + 3 * int(acc)) % 97)
    return "%02d" % key


def es_dc(bank: str, branch: str, account: str) -> str:
    w = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6]

    def d(s):
        v = 11 - sum(int(c) * w[i] for i, c in enumerate(s)) % 11
        return {11: 0, 10: 1}.get(v, v)

    return "%d%d" % (d("00" + bank + branch), d(account))


IT_ODD = dict(zip("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                  [1, 0, 5, 7, 9, 13, 15, 17, 19, 21] +
                  [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]))


def it_cin(rest: str) -> str:
    total = 0
    for i, c in enumerate(rest):
        if i % 2 == 0:  # odd position (1-based)
            total += IT_ODD[c]
        else:
            total += int(c) if c.isdigit() else ord(c) - 65
    return chr(65 + total % 26)


def bban(r: random.Random, cc: str) -> str:
    if cc == "DE":
        return _digits(r, 8) + _digits(r, 10)
    if cc == "FR":
        bank, branch, acc = _digits(r, 5), _digits(r, 5), _digits(r, 11)
        return bank + branch + acc + fr_rib_key(bank, branch, acc)
    if cc == "ES":
        bank, branch, acc = _digits(r, 4), _digits(r, 4), _digits(r, 10)
        return bank + branch + es_dc(bank, branch, acc) + acc
    if cc == "GB":
        return r.choice(["NWBK", "BARC", "LOYD", "HBUK", "MIDL"]) + _digits(r, 14)
    if cc == "IE":
        return r.choice(["AIBK", "BOFI", "IPBS"]) + _digits(r, 14)
    if cc == "NL":
        return r.choice(["ABNA", "INGB", "RABO", "SNSB", "TRIO"]) + _digits(r, 10)
    if cc == "CH":
        return _digits(r, 5) + _digits(r, 12)
    if cc == "BE":
        return _digits(r, 12)
    if cc == "IT":
        rest = _digits(r, 5) + _digits(r, 5) + _digits(r, 12)
        return it_cin(rest) + rest
    if cc == "AT":
        return _digits(r, 16)
    if cc == "PL":
        return _digits(r, 24)
    if cc == "PT":
        return _digits(r, 21)
    if cc == "LU":
        return _digits(r, 3) + _digits(r, 13)
    raise ValueError(cc)


def iban_ok(iban: str) -> bool:
    s = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in s)) % 97 == 1


def iban(r: random.Random, cc: str) -> str:
    b = bban(r, cc)
    s = b + cc + "00"
    check = 98 - int("".join(str(int(c, 36)) for c in s)) % 97
    out = "%s%02d%s" % (cc, check, b)
    assert len(out) == IBAN_SPEC[cc] and iban_ok(out), out
    return out


def ssn(r: random.Random) -> str:
    while True:
        a = r.randint(1, 899)
        if a != 666:
            break
    return "%03d%02d%04d" % (a, r.randint(1, 99), r.randint(1, 9999))


def nhs(r: random.Random) -> str:
    while True:
        d = [r.randint(0, 9) for _ in range(9)]
        if d[0] == 0:
            continue
        c = 11 - sum(x * (10 - i) for i, x in enumerate(d)) % 11
        if c == 11:
            c = 0
        if c == 10:
            continue
        return "".join(map(str, d)) + str(c)


def dea(r: random.Random, initial: str | None = None) -> str:
    first = r.choice("ABFGMPR")
    second = initial or r.choice(string.ascii_uppercase)
    d = [r.randint(0, 9) for _ in range(6)]
    c = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
    return first + second + "".join(map(str, d)) + str(c)


def aba(r: random.Random) -> str:
    while True:
        pre = r.choice(list(range(1, 13)) + list(range(21, 33)))
        d = [int(c) for c in "%02d" % pre] + [r.randint(0, 9) for _ in range(6)]
        for last in range(10):
            x = d + [last]
            if (3 * (x[0] + x[3] + x[6]) + 7 * (x[1] + x[4] + x[7]) + (x[2] + x[5] + x[8])) % 10 == 0:
                return "".join(map(str, x))


B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58check(payload: bytes) -> str:
    chk = hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    data = payload + chk
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, rem = divmod(n, 58)
        out = B58[rem] + out
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + out


def btc_legacy(r: random.Random, version: int) -> str:
    return b58check(bytes([version]) + bytes(r.getrandbits(8) for _ in range(20)))


BECH = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _polymod(values):
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        b = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if ((b >> i) & 1) else 0
    return chk


def _hrp_expand(hrp):
    return [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]


def _convertbits(data, frombits, tobits):
    acc, bits, ret, maxv = 0, 0, [], (1 << tobits) - 1
    for v in data:
        acc = (acc << frombits) | v
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            ret.append((acc >> bits) & maxv)
    if bits:
        ret.append((acc << (tobits - bits)) & maxv)
    return ret


def bech32_addr(r: random.Random, taproot: bool = False) -> str:
    prog = bytes(r.getrandbits(8) for _ in range(32 if taproot else 20))
    data = [1 if taproot else 0] + _convertbits(prog, 8, 5)
    const = 0x2BC830A3 if taproot else 1
    pm = _polymod(_hrp_expand("bc") + data + [0] * 6) ^ const
    chk = [(pm >> 5 * (5 - i)) & 31 for i in range(6)]
    return "bc1" + "".join(BECH[d] for d in data + chk)


def rand_str(r, n, alphabet=string.ascii_letters + string.digits):
    return "".join(r.choice(alphabet) for _ in range(n))


def b64url(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def jwt(r: random.Random) -> str:
    alg = r.choice(["HS256", "RS256", "ES256"])
    header = b64url(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    claims = {"sub": str(r.randint(10**6, 10**9)), "iat": r.randint(1_650_000_000, 1_730_000_000)}
    if r.random() < 0.5:
        claims["aud"] = r.choice(["billing", "portal", "api.internal"])
    payload = b64url(json.dumps(claims, separators=(",", ":")).encode())
    sig = b64url(bytes(r.getrandbits(8) for _ in range(32 if alg == "HS256" else 64)))
    return "%s.%s.%s" % (header, payload, sig)


def pem(r: random.Random, kind: str, json_escaped: bool = False) -> str:
    label = {"rsa": "RSA PRIVATE KEY", "ec": "EC PRIVATE KEY", "openssh": "OPENSSH PRIVATE KEY",
             "pkcs8": "PRIVATE KEY"}[kind]
    nbytes = {"rsa": 600, "ec": 121, "openssh": 400, "pkcs8": 300}[kind]
    body = base64.b64encode(bytes(r.getrandbits(8) for _ in range(nbytes))).decode()
    width = 70 if kind == "openssh" else 64
    lines = [body[i:i + width] for i in range(0, len(body), width)]
    nl = "\\n" if json_escaped else "\n"
    return nl.join(["-----BEGIN %s-----" % label] + lines + ["-----END %s-----" % label])


def cert_block(r: random.Random) -> str:
    body = base64.b64encode(bytes(r.getrandbits(8) for _ in range(420))).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "\n".join(["-----BEGIN CERTIFICATE-----"] + lines + ["-----END CERTIFICATE-----"])


def password(r: random.Random) -> str:
    n = r.randint(10, 18)
    s = rand_str(r, n, string.ascii_letters + string.digits + "!#%*-_")
    # at least one digit and one letter so it looks like a real credential
    return s[:-2] + r.choice(string.digits) + r.choice(string.ascii_letters)


def api_key(r: random.Random, kind: str) -> str:
    A = string.ascii_letters + string.digits
    if kind == "awsid":
        return r.choice(["AKIA", "ASIA"]) + rand_str(r, 16, string.ascii_uppercase + "234567")
    if kind == "awssecret":
        return rand_str(r, 40, A + "+/")
    if kind == "ghp":
        return r.choice(["ghp_", "gho_", "ghu_", "ghs_"]) + rand_str(r, 36)
    if kind == "ghpat":
        return "github_pat_" + rand_str(r, 22) + "_" + rand_str(r, 59)
    if kind == "slack":
        return "%s-%d-%d-%s" % (r.choice(["xoxb", "xoxp"]), r.randint(10**10, 10**11 - 1),
                                r.randint(10**12, 10**13 - 1), rand_str(r, 24))
    if kind == "stripe":
        return r.choice(["sk_live_", "rk_live_"]) + rand_str(r, r.choice([24, 34, 99]))
    if kind == "openai":
        return "sk-" + rand_str(r, 48)
    if kind == "openaiproj":
        return "sk-proj-" + rand_str(r, 120, A + "-_")
    if kind == "anthropic":
        return "sk-ant-api03-" + rand_str(r, 93, A + "-_") + "AA"
    if kind == "google":
        return "AIza" + rand_str(r, 35, A + "-_")
    if kind == "gitlab":
        return "glpat-" + rand_str(r, 20, A + "-_")
    if kind == "npm":
        return "npm_" + rand_str(r, 36)
    if kind == "sendgrid":
        return "SG." + rand_str(r, 22, A + "-_") + "." + rand_str(r, 43, A + "-_")
    if kind == "hf":
        return "hf_" + rand_str(r, 34)
    if kind == "twilio":
        return "SK" + rand_str(r, 32, "0123456789abcdef")
    if kind == "hex32":
        return rand_str(r, 32, "0123456789abcdef")
    if kind == "azure":
        return base64.b64encode(bytes(r.getrandbits(8) for _ in range(64))).decode()
    if kind == "jwt":
        return jwt(r)
    if kind == "pass":
        return password(r)
    raise ValueError(kind)


# ---------------------------------------------------------------------------
# network values


def ipv4(r: random.Random, kind: str = "any") -> str:
    if kind == "any":
        kind = r.choice(["private", "public", "public"])
    if kind == "private":
        return r.choice([
            "10.%d.%d.%d" % (r.randint(0, 255), r.randint(0, 255), r.randint(1, 254)),
            "192.168.%d.%d" % (r.randint(0, 255), r.randint(1, 254)),
            "172.%d.%d.%d" % (r.randint(16, 31), r.randint(0, 255), r.randint(1, 254)),
        ])
    while True:
        a = r.randint(1, 223)
        if a not in (10, 127, 172, 192, 169, 100):
            return "%d.%d.%d.%d" % (a, r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))


def ipv6(r: random.Random, kind: str = "comp") -> str:
    groups = ["%x" % r.randint(0, 0xFFFF) for _ in range(8)]
    if kind == "full":
        return ":".join("%04x" % int(g, 16) for g in groups)
    if kind == "ll":
        return "fe80::%x:%x:%x:%x" % tuple(r.randint(1, 0xFFFF) for _ in range(4))
    pre = r.choice(["2001:db8", "2a02:%x" % r.randint(0x1000, 0xFFFF), "2600:%x" % r.randint(0x1000, 0x1FFF)])
    return "%s:%x::%x" % (pre, r.randint(1, 0xFFFF), r.randint(1, 0xFFFF))


def mac(r: random.Random, kind: str = "colon") -> str:
    b = [r.randint(0, 255) for _ in range(6)]
    b[0] &= 0xFE
    if kind == "cisco":
        h = "".join("%02x" % x for x in b)
        return "%s.%s.%s" % (h[:4], h[4:8], h[8:])
    if kind == "dash":
        return "-".join("%02X" % x for x in b)
    if kind == "upper":
        return ":".join("%02X" % x for x in b)
    return ":".join("%02x" % x for x in b)


# ---------------------------------------------------------------------------
# phone numbers (plausible, valid-looking per national plan)


# assigned NANP area codes, so generated numbers are valid as well as well-formed
US_AREA = ("201 202 203 205 206 207 208 209 210 212 213 214 215 216 217 218 219 224 225 228 229 231 234 239 240 "
           "248 251 252 253 254 256 260 262 267 269 270 276 281 301 302 303 304 305 307 308 309 310 312 313 314 "
           "315 316 317 318 319 320 321 323 325 330 331 334 336 337 339 346 347 351 352 360 361 385 386 401 402 "
           "404 405 406 407 408 409 410 412 413 414 415 417 419 423 424 425 430 432 434 435 440 442 443 469 470 "
           "475 478 479 480 484 501 502 503 504 505 507 508 509 510 512 513 515 516 517 518 520 530 540 541 551 "
           "559 561 562 563 567 570 571 573 574 575 580 585 586 601 602 603 605 606 607 608 609 610 612 614 615 "
           "616 617 618 619 620 623 626 630 631 636 641 646 650 651 657 660 661 662 678 681 682 701 702 703 704 "
           "706 707 708 712 713 714 715 716 717 718 719 720 724 727 731 732 734 737 740 747 754 757 760 763 765 "
           "769 770 772 773 774 775 779 781 785 786 801 802 803 804 805 806 808 810 812 813 814 815 816 817 818 "
           "828 830 831 832 843 845 847 850 856 857 858 859 860 862 863 864 865 870 901 903 904 906 907 908 909 "
           "910 912 913 914 915 916 917 918 919 920 925 928 929 931 936 937 940 941 949 951 952 954 956 970 971 "
           "972 973 978 979 980 985 989").split()


def phone(r: random.Random, kind: str) -> str:
    d = lambda n: _digits(r, n)  # noqa: E731
    area = lambda: r.choice(US_AREA)  # noqa: E731
    exch = lambda: "%d%s" % (r.randint(2, 9), d(2))  # noqa: E731
    if kind == "us":
        a, e, n = area(), exch(), d(4)
        return r.choice(["(%s) %s-%s" % (a, e, n), "%s-%s-%s" % (a, e, n), "%s.%s.%s" % (a, e, n),
                         "+1 %s %s %s" % (a, e, n), "+1-%s-%s-%s" % (a, e, n), "1-%s-%s-%s" % (a, e, n)])
    if kind == "usplain":
        return "(%s) %s-%s" % (area(), exch(), d(4))
    if kind == "uk":
        return r.choice(["07%d%s %s" % (r.choice([4, 5, 7, 8, 9]), d(2), d(6)), "+44 7%d%s %s" % (r.choice([4, 5, 7, 8, 9]), d(2), d(6)),
                         "020 7%s %s" % (d(3), d(4)), "0161 %s %s" % (d(3), d(4)), "+44 (0)131 %s %s" % (d(3), d(4))])
    if kind == "de":
        return r.choice(["+49 30 %s %s" % (d(4), d(4)), "089 %s %s" % (d(3), d(4)), "+49 (0)40 %s%s" % (d(3), d(4)),
                         "0151 %s%s" % (d(4), d(4)), "+49 176 %s %s" % (d(4), d(4)), "0221/%s%s" % (d(3), d(3))])
    if kind == "fr":
        p = r.choice(["06", "07", "01", "04", "05"])
        g = [p] + [d(2) for _ in range(4)]
        return r.choice([" ".join(g), ".".join(g), "+33 %s %s" % (p[1], " ".join(g[1:]))])
    if kind == "es":
        return r.choice(["6%s %s %s" % (d(2), d(3), d(3)), "+34 6%s %s %s" % (d(2), d(3), d(3)),
                         "91 %s %s %s" % (d(3), d(2), d(2)), "+34 93 %s %s %s" % (d(3), d(2), d(2))])
    if kind == "it":
        return r.choice(["+39 3%s %s %s" % (d(2), d(3), d(4)), "3%s %s%s" % (d(2), d(3), d(4)),
                         "02 %s %s" % (d(4), d(4)), "+39 06 %s%s" % (d(4), d(4))])
    if kind == "nl":
        return r.choice(["06-%s" % d(8), "+31 6 %s %s" % (d(4), d(4)), "020 %s %s" % (d(3), d(4)),
                         "+31 (0)30 %s %s" % (d(3), d(4))])
    raise ValueError(kind)


# ---------------------------------------------------------------------------
# people and addresses (hand-picked, many origins; bound per rendering)

NAMES = {
    # region: (given names, family names)
    "world": (
        "Oluwaseun Chiamaka Tendai Abebe Meseret Kofi Efua Nnamdi Amara Fatoumata Ibrahima "
        "Thulani Nomvula Zanele Baraka Wanjiku Makena Ayodele Kwabena Folasade Yetunde Tariku "
        "Saoirse Ciaran Eoin Niamh Aoife Rhys Cerys Gethin Morag Callum Eilidh Ailsa "
        "Arjun Devika Keerthana Shreya Vikram Ishaan Anjali Harpreet Gurpreet Manpreet Tanvir Farhana "
        "Linh Huong Quang Duc Thanh Somchai Kanya Malee Arief Dewi Putri Bayu "
        "Jae-won Seo-yeon Min-jun Ha-eun Haruto Yui Sota Aiko Kenta Mei Xiuying Zihan Yuting Bolat Aigerim "
        "Dariusz Agnieszka Małgorzata Bartosz Zdeněk Radka Bence Zsófia Ioana Mihai Tudor Bogdan "
        "Oksana Taras Svitlana Dmitri Yelena Vesna Goran Milica Dragan Ardit Besa Eleni Giorgos Stavros "
        "Emre Zeynep Elif Murat Reza Shirin Parisa Dariush Omid Layla Yusuf Hamza Rania Noor Tamar Eitan Yael "
        "Aroha Tane Ngaio Keanu Leilani Malia Sione Losa Tupac Quilla Inti Rosalind Thaddeus Beatrix Ignatius "
        "Marisol Itzel Ximena Joaquín Renata Valentina Thiago Gonçalo Inês Lúcia Benedita "
        "Siv Eirik Solveig Ragnhild Ásgeir Hrafnhildur Aino Eetu Venla Ilmari Kalle Astrid",
        "Adeyemi Okonkwo Mensah Boateng Asante Diallo Traoré Ndlovu Dlamini Mokoena Kiprop Wambui Haile Tesfaye "
        "Gebremedhin Obi Eze Nwosu Achterberg MacLeod Ó Briain Fitzgerald Llewellyn Pritchard Gallagher Kilbride "
        "Raghunathan Venkataraman Iyer Subramanian Bhattacharya Chakraborty Sandhu Grewal Dhillon Rahman Chowdhury "
        "Tran Pham Hoang Vu Srisuk Wongsakul Santoso Wibowo Hartono Kusuma Bae Jeon Hwang Kwon Takahashi Fujimoto "
        "Kobayashi Nishimura Zhou Huang Xu Liang Nurlanovna Abenov Wiśniewska Zieliński Dvořák Novotná Horváth "
        "Szabó Popescu Ionescu Dumitru Kovalenko Shevchenko Bondarenko Sokolova Petrović Jovanović Hoxha Papadopoulos "
        "Karagiannis Öztürk Aydın Şahin Tehrani Moradi Karimi Haddad Nasrallah Khoury Ben-David Mizrahi Friedman "
        "Te Whare Ngata Kahananui Fonoti Tupou Quispe Mamani Huaman Alcántara Villanueva Echeverría Figueroa "
        "Montoya Sepúlveda Carvalho Azevedo Barros Nascimento Lindgren Bergström Haugen Sørensen Guðmundsdóttir "
        "Virtanen Mäkinen Korhonen Blackwood Ashworth Whitcombe Thistlethwaite Okafor-Brandt St. Clair",
    ),
    "de": ("Lukas Mia Jonas Lea Finn Emilia Matthias Ursula Wolfgang Dagmar Jörg Kerstin Bernd Heike Till Annika Sönke Birgit",
           "Hoffmann Krüger Schäfer Zimmermann Hartmann Lehmann Köhler Brandt Vogel Friedrich Baumann Seidel Kuhn Lorenz Wendt Scholz"),
    "fr": ("Mathilde Étienne Gaëlle Aurélien Solène Benoît Clémence Yannick Maëlle Hervé Ophélie Thibault Noémie Grégoire",
           "Rousseau Lefebvre Mercier Faure Girard Chevalier Lemaire Boucher Perrin Marchand Duval Guérin Blanchard Roux"),
    "es": ("Alejandro Lucía Iñigo Maite Rocío Sergio Begoña Álvaro Nerea Xabier Montserrat Jordi Ainhoa Fermín",
           "Iglesias Serrano Molina Ortega Delgado Castro Rubio Marín Sanz Núñez Herrero Gallego Cabrera Vidal Pascual"),
    "it": ("Giulia Lorenzo Chiara Matteo Francesca Alessandro Federica Davide Martina Simone Ilaria Tommaso Beatrice Gianluca",
           "Esposito Colombo Ricci Marino Greco Bruno Gallo Conti De Luca Mancini Costa Giordano Rizzo Lombardi Moretti Barbieri"),
    "nl": ("Daan Sanne Bram Fleur Thijs Lotte Sem Femke Joost Marieke Ruud Anouk Pieter Ilse",
           "de Jong Jansen de Vries van den Berg van Dijk Bakker Visser Smit Meijer de Boer Mulder de Groot Bos Vos Peters Hendriks"),
    "uk": ("Harriet Alistair Imogen Rupert Gwen Dylan Bethan Fergus Isla Hamish Poppy Rory Tamsin Ewan",
           "Entwistle Hargreaves Pennington Cartwright Featherstone Ollerenshaw Pemberton Rowntree Trelawney Braithwaite"),
}


def _names(region):
    given, family = NAMES[region]
    fam = family.split(" ")
    # multi-word family names are written with the particle joined by '~' below
    return given.split(), fam


# multi-word surnames in the pools above
MULTI = {"world": ["Ó Briain", "Te Whare", "St. Clair", "Ben-David"],
         "nl": ["de Jong", "de Vries", "van den Berg", "van Dijk", "de Boer", "de Groot"],
         "it": ["De Luca"]}


def surnames(region):
    fam = NAMES[region][1]
    multi = MULTI.get(region, [])
    for m in multi:
        fam = fam.replace(m, "")
    return [x for x in fam.split() if x] + multi


class Person:
    def __init__(self, r: random.Random, region: str):
        given = NAMES[region][0].split()
        self.f = r.choice(given)
        self.l = r.choice(surnames(region))
        self.m = r.choice(string.ascii_uppercase) if r.random() < 0.3 else None

    def full(self):
        return "%s %s. %s" % (self.f, self.m, self.l) if self.m else "%s %s" % (self.f, self.l)


def person_slot(p: Person, form: str) -> str:
    lab = lambda v: "[[PERSON:%s]]" % v  # noqa: E731
    if form == "":
        return lab(p.full())
    if form == "f":
        return lab(p.f)
    if form == "l":
        return lab(p.l)
    if form == "fl":
        return lab("%s %s" % (p.f, p.l))
    if form == "LF":  # ALL-CAPS "LAST, FIRST"
        return lab("%s, %s" % (p.l.upper(), p.f.upper()))
    if form == "lf":
        return lab("%s, %s" % (p.l, p.f))
    if form == "hl7":  # LAST^FIRST: two spans
        return "%s^%s" % (lab(p.l.upper()), lab(p.f.upper()))
    if form == "lower":
        return lab(p.full().lower())
    if form == "initial":  # "A. Okafor"
        return lab("%s. %s" % (p.f[0], p.l))
    if form == "email":  # an address built from the name (not a PERSON span)
        user = re.sub(r"[^a-z]", "", (p.f[0] + p.l).lower()
                      .translate(str.maketrans("áàâäãåçéèêëíìîïñóòôöõøúùûüýşğıłśźżčřěšžđ", "aaaaaaceeeeiiiinoooooouuuuysgilszzcresdzd")))
        return user or "user"
    raise ValueError(form)


ADDRS = {
    # region: list of (street, city, postcode, state/extra) -- invented
    "us": [("4410 Juniper Hollow Rd", "Tacoma", "98418", "WA"), ("77 Quarry Lane Apt 3C", "Ithaca", "14850", "NY"),
           ("1290 Bayou Bend Dr", "Baton Rouge", "70808", "LA"), ("615 W Cottonwood Ave", "Flagstaff", "86001", "AZ"),
           ("38 Larkspur Court", "Burlington", "05401", "VT"), ("2207 Sumac Ridge Trail", "Lexington", "40517", "KY"),
           ("9 Harbor Light Way Unit 12", "Portland", "04101", "ME"), ("5523 N Kedzie Ave", "Chicago", "60625", "IL"),
           ("180 Magnolia Bluff", "Savannah", "31405", "GA"), ("3316 Pecan Grove Pkwy", "San Antonio", "78230", "TX"),
           ("47 Coyote Springs Rd", "Santa Fe", "87505", "NM"), ("1021 Elkhorn Blvd #204", "Boise", "83702", "ID")],
    "uk": [("14 Wheatsheaf Close", "Harrogate", "HG2 8QT"), ("Flat 6, 31 Tannery Row", "Norwich", "NR3 1HE"),
           ("2 Gorse Bank Cottages", "Kendal", "LA9 5RP"), ("88 Pilgrims Walk", "Canterbury", "CT1 2XJ")],
}


def address_slot(a, form):
    street, city, zc = a[0], a[1], a[2]
    if form == "street":
        return "[[LOCATION:%s]]" % street
    if form == "city":
        return "[[LOCATION:%s]]" % city
    if form == "zip":
        return "[[LOCATION:%s]]" % zc
    if form == "state":
        return a[3] if len(a) > 3 else ""
    if form == "line":  # one-line US/UK address
        if len(a) > 3:
            return "[[LOCATION:%s]], [[LOCATION:%s]], %s [[LOCATION:%s]]" % (street, city, a[3], zc)
        return "[[LOCATION:%s]], [[LOCATION:%s]] [[LOCATION:%s]]" % (street, city, zc)
    raise ValueError(form)


# ---------------------------------------------------------------------------
# slots


def slot(r: random.Random, name: str, args: list, ctx: dict) -> str:
    if name.endswith("_"):  # raw value: the generated text without its label
        return MARK_RE.sub(lambda m: m.group(2), slot(r, name[:-1], args, ctx))
    a0 = args[0] if args else ""
    L = lambda t, v: "[[%s:%s]]" % (t, v)  # noqa: E731
    if name == "CC":
        return L("CREDIT_CARD", fmt_card(card(r, args[1] if len(args) > 1 else "any"), a0 or "space"))
    if name == "CCBAD":
        n = bad_card(r)
        return group(n, [4, 4, 4, 4]) if a0 == "space" else n
    if name == "IBAN":
        v = iban(r, a0)
        return L("IBAN_CODE", v if (len(args) > 1 and args[1] == "compact") else group(v, [4] * 8))
    if name == "SSN":
        v = ssn(r)
        if a0 == "compact":
            return L("US_SSN", v)
        return L("US_SSN", group(v, [3, 2, 4], " " if a0 == "space" else "-"))
    if name == "SSNMASK":
        return "***-**-" + _digits(r, 4)
    if name == "NHS":
        v = nhs(r)
        if a0 == "compact":
            return L("UK_NHS", v)
        return L("UK_NHS", group(v, [3, 3, 4], "-" if a0 == "dash" else " "))
    if name == "DEA":
        return L("MEDICAL_LICENSE", dea(r, a0 or None))
    if name == "ABA":
        return aba(r)
    if name == "ACCT":
        n = int(a0) if a0 else r.randint(9, 14)
        return L("US_BANK_NUMBER", str(r.randint(1, 9)) + _digits(r, n - 1))
    if name == "BTC":
        if a0 == "p2sh":
            return L("CRYPTO", btc_legacy(r, 5))
        if a0 == "bech32":
            return L("CRYPTO", bech32_addr(r))
        if a0 == "taproot":
            return L("CRYPTO", bech32_addr(r, taproot=True))
        return L("CRYPTO", btc_legacy(r, 0))
    if name == "ETH":
        return L("CRYPTO", "0x" + rand_str(r, 40, "0123456789abcdef"))
    if name == "IP4":
        return L("IP_ADDRESS", ipv4(r, a0 or "any"))
    if name == "IP6":
        return L("IP_ADDRESS", ipv6(r, a0 or "comp"))
    if name == "MAC":
        return L("MAC_ADDRESS", mac(r, a0 or "colon"))
    if name == "KEY":
        return L("API_KEY", api_key(r, a0))
    if name == "PEM":
        js = len(args) > 1 and args[1] == "json"
        # a service-account file ends the key with an escaped newline, outside the span
        return L("API_KEY", pem(r, a0, json_escaped=js)) + ("\\n" if js else "")
    if name == "CERT":
        return cert_block(r)
    if name == "PHONE":
        return L("PHONE_NUMBER", phone(r, a0))
    if name == "DL":
        st = a0
        if st == "CA":
            v = r.choice(string.ascii_uppercase) + _digits(r, 7)
        elif st == "NY":
            v = r.choice([_digits(r, 9), group(_digits(r, 9), [3, 3, 3])])
        elif st == "TX":
            v = r.choice("0123") + _digits(r, 7)
        elif st == "FL":
            v = r.choice(string.ascii_uppercase) + "%s-%s-%s-%s-%s" % (_digits(r, 3), _digits(r, 3), _digits(r, 2), _digits(r, 3), _digits(r, 1))
        elif st == "IL":
            v = r.choice(string.ascii_uppercase) + "%s-%s-%s" % (_digits(r, 3), _digits(r, 4), _digits(r, 4))
        elif st == "PA":
            v = r.choice([_digits(r, 8), group(_digits(r, 8), [2, 3, 3])])
        elif st == "WA":
            v = "WDL" + rand_str(r, 9, string.ascii_uppercase + string.digits)
        else:
            raise ValueError(st)
        return L("US_DRIVER_LICENSE", v)
    if name == "PASSPORT":
        if a0 == "letter":
            return L("US_PASSPORT", r.choice("ACEFGHJKLMNPRSTXZ") + _digits(r, 8))
        return L("US_PASSPORT", str(r.randint(1, 9)) + _digits(r, 8))
    if name == "MRN":
        form = a0 or "digits"
        if form == "digits":
            v = str(r.randint(1, 9)) + _digits(r, r.choice([6, 7, 8, 9]))
        elif form == "alpha":
            v = _upper(r, r.choice([1, 2, 3])) + _digits(r, r.choice([6, 7, 8]))
        else:  # dashed e.g. 04-471902 (not phone- or SSN-shaped)
            v = "%s-%s" % (_digits(r, 2), _digits(r, 6))
        return L("MEDICAL_RECORD_NUMBER", v)
    # plain (unlabelled) distractors
    if name == "UUID":
        h = rand_str(r, 32, "0123456789abcdef")
        return "%s-%s-4%s-%s%s-%s" % (h[:8], h[8:12], h[13:16], r.choice("89ab"), h[17:20], h[20:32])
    if name == "SHA":
        return rand_str(r, int(a0 or 40), "0123456789abcdef")
    if name == "ORDER":
        return "%s-%s-%s" % (_digits(r, 3), _digits(r, 7), _digits(r, 7))
    if name == "B64":
        return base64.b64encode(bytes(r.getrandbits(8) for _ in range(int(a0 or 48)))).decode()
    if name == "BASIC":  # HTTP Basic credentials: base64("user:password")
        return L("API_KEY", base64.b64encode(("%s:%s" % (a0 or "svc", password(r))).encode()).decode())
    if name == "DIGITS":
        return str(r.randint(1, 9)) + _digits(r, int(a0) - 1)
    if name == "P" or re.fullmatch(r"P\d", name):
        raise AssertionError("handled by caller")
    raise ValueError("unknown slot %s" % name)


SLOT_RE = re.compile(r"\{\{([A-Za-z0-9]+_?)(?:\.([A-Za-z0-9]+))?(?:@([a-z]+))?(?::([^}]*))?\}\}")
MARK_RE = re.compile(r"\[\[([A-Z_]+):(.*?)\]\]", re.S)


def render(r: random.Random, template: str, region: str) -> str:
    people, addrs = {}, {}

    def sub(m):
        name, form, reg, args = m.group(1), m.group(2) or "", m.group(3), m.group(4)
        if re.fullmatch(r"P\d", name):
            if name not in people:
                people[name] = Person(r, reg or region)
            return person_slot(people[name], form)
        if re.fullmatch(r"A\d", name):
            if name not in addrs:
                addrs[name] = r.choice(ADDRS[reg or (region if region in ADDRS else "us")])
            return address_slot(addrs[name], form)
        return slot(r, name, args.split(",") if args else [], {})

    return SLOT_RE.sub(sub, template)


def parse_marks(marked: str):
    """Strip [[TYPE:value]] markup; return (text, spans) with code-point offsets."""
    out, spans, pos = [], [], 0
    cur = 0
    for m in MARK_RE.finditer(marked):
        out.append(marked[pos:m.start()])
        cur += m.start() - pos
        t, v = m.group(1), m.group(2)
        if t not in TYPES:
            raise ValueError("unknown type %s in %r" % (t, m.group(0)))
        spans.append({"type": t, "start": cur, "end": cur + len(v)})
        out.append(v)
        cur += len(v)
        pos = m.end()
    out.append(marked[pos:])
    return "".join(out), spans


def validate(rec):
    text, spans = rec["text"], rec["spans"]
    if "[[" in text and re.search(r"\[\[[A-Z_]+:", text):
        raise ValueError("%s: unparsed markup" % rec["id"])
    if SLOT_RE.search(text):
        raise ValueError("%s: unfilled slot" % rec["id"])
    last = 0
    for s in spans:
        v = text[s["start"]:s["end"]]
        if not v or v != v.strip():
            raise ValueError("%s: empty or padded span %r" % (rec["id"], v))
        if s["start"] < last:
            raise ValueError("%s: overlapping spans" % rec["id"])
        last = s["end"]
        if s["type"] == "PERSON" and HONORIFIC_RE.match(v):
            raise ValueError("%s: honorific inside PERSON span %r" % (rec["id"], v))
        if s["type"] == "CREDIT_CARD":
            assert luhn_ok(re.sub(r"\D", "", v)), v
        if s["type"] == "IBAN_CODE":
            assert iban_ok(re.sub(r"\s", "", v)), v
    if rec["slice"] == "negative" and spans:
        raise ValueError("%s: negative record with spans" % rec["id"])


# honorifics stay outside PERSON spans (dev-set convention)
HONORIFIC_RE = re.compile(r"(?:Dr|Mr|Mrs|Ms|Miss|Mme|Mlle|Herr|Frau|Sig|Sig\.ra|Dott|Dott\.ssa|dhr|mevr|Sr|Sra|D\.ª|Prof)\.?(?:\s|$)")


REGION = {"intl_de": "de", "intl_fr": "fr", "intl_es": "es", "intl_it": "it", "intl_nl": "nl"}
HEADER_RE = re.compile(r"^@@ ([a-z_]+)(?: x(\d+))?(?: @([a-z]+))?\s*$")


def load_templates():
    recs = []
    for fn in sorted(os.listdir(DATA)):
        if not fn.endswith(".txt"):
            continue
        cur = None
        with open(os.path.join(DATA, fn), encoding="utf-8") as f:
            for line in f:
                if line.startswith("#@"):
                    continue
                m = HEADER_RE.match(line)
                if m:
                    if cur:
                        recs.append(cur)
                    cur = {"slice": m.group(1), "n": int(m.group(2) or 1), "region": m.group(3),
                           "lines": [], "src": "%s:%d" % (fn, 0)}
                    continue
                if line.startswith("@@"):
                    raise ValueError("bad header in %s: %r" % (fn, line))
                if cur is not None:
                    cur["lines"].append(line)
        if cur:
            recs.append(cur)
    return recs


def build():
    r = random.Random(SEED)
    out = []
    for t in load_templates():
        body = "".join(t["lines"])
        if body.endswith("\n"):
            body = body[:-1]
        body = body.strip("\n")
        region = t["region"] or REGION.get(t["slice"], "world")
        for _ in range(t["n"]):
            text, spans = parse_marks(render(r, body, region))
            rec = {"id": "ho-%04d" % (len(out) + 1), "slice": t["slice"], "text": text, "spans": spans}
            validate(rec)
            out.append(rec)
    return out


def dump(recs) -> str:
    return "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in recs)


def stats(recs):
    by_slice, by_type = defaultdict(lambda: [0, 0, 0]), Counter()
    for x in recs:
        s = by_slice[x["slice"]]
        s[0] += 1
        s[1] += len(x["spans"])
        s[2] += not x["spans"]
        for sp in x["spans"]:
            by_type[sp["type"]] += 1
    print("| slice | records | gold spans | records with no PII |\n|---|---:|---:|---:|")
    for k, (n, g, e) in sorted(by_slice.items()):
        print("| %s | %d | %d | %d |" % (k, n, g, e))
    print("| **total** | **%d** | **%d** | **%d** |" % (len(recs), sum(v[1] for v in by_slice.values()),
                                                   sum(v[2] for v in by_slice.values())))
    print("\n| type | gold spans |\n|---|---:|")
    for t, n in by_type.most_common():
        print("| %s | %d |" % (t, n))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--check", action="store_true", help="exit 1 if the committed file is stale")
    ap.add_argument("--stats", action="store_true")
    a = ap.parse_args(argv)
    recs = build()
    data = dump(recs)
    if a.stats:
        stats(recs)
        return 0
    if a.check:
        try:
            with open(a.out, encoding="utf-8") as f:
                same = f.read() == data
        except FileNotFoundError:
            same = False
        print("up to date" if same else "STALE: rerun scripts/holdout/make_holdout.py")
        return 0 if same else 1
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(data)
    print("wrote %d records to %s" % (len(recs), os.path.relpath(a.out, ROOT)), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
