#!/usr/bin/env python3
"""A small PHP-like corpus with planted near-duplicates, for `bench/dedup_bench.sh --smoke`.

  gen_dedup_corpus.py OUT_DIR [--seed 7] [--bases 16]

Writes OUT_DIR/corpus/ and OUT_DIR/planted.tsv (path_a, path_b, kind, near|far, jaccard).
Every base file is a class of random identifiers (unrelated to the others); some get variants:
a renamed local variable, two methods swapped, a license banner, re-indentation with CRLF (an
exact duplicate after whitespace normalization), spacing changes and upper-cased keywords (the
same tokens, Jaccard 1, not an exact duplicate), byte-identical copies (an exact-duplicate
group plus a near variant of it), a Latin-1 byte in a comment, edits up to just above and just
below 0.85. Around them: files of fewer than 5 tokens (two of them identical), an empty file, a
symlink to a .php file, a symlinked directory, the same text as .txt and .PHP (none of which
are in the corpus), a hidden directory, a name with spaces and one with non-ASCII letters
(which are). The Jaccard values are computed with dedup_truth.py's shingling, and a variant that
misses its intended band is re-drawn, so the planted labels hold by construction.
"""
from __future__ import annotations

import argparse
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dedup_truth as dt  # noqa: E402

SYL = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "po", "qua", "dri", "fen", "gul", "hix",
       "jor", "bel", "cam", "dox", "era", "fum", "gip", "hol", "ist", "jun", "kep", "lar", "mox", "nib",
       "orv", "pex", "quo", "ris", "sul", "tav", "urn", "vel", "wob", "xan", "yul"]
CALLS = ["array_map", "array_filter", "sprintf", "strtolower", "count", "implode", "explode",
         "json_encode", "trim", "in_array", "array_keys", "substr", "str_replace", "max", "min"]
BANNER = """/*
 * This file is part of the Example Framework package.
 *
 * (c) Example Contributors. For the full copyright and license information,
 * please view the LICENSE file that was distributed with this source code.
 */
"""


class Names:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def word(self, k=3) -> str:
        return "".join(self.rng.choice(SYL) for _ in range(k))

    def cls(self) -> str:
        return self.word(3).capitalize() + self.word(2).capitalize()

    def camel(self) -> str:
        return self.word(2) + self.word(2).capitalize()


def method(rng: random.Random, nm: Names, props: list[str]) -> tuple[str, str]:
    """(name, text) of one method; its first local variable appears 4 times."""
    name, a, b, v, k, w = nm.camel(), nm.word(2), nm.word(2), nm.word(3), nm.word(1), nm.word(2)
    call, fn = rng.choice(CALLS), rng.choice(CALLS)
    prop = rng.choice(props)
    s = f"'{nm.word(2)}_{nm.word(2)}'"
    body = [
        f"    /**\n     * {nm.word(2).capitalize()} the {nm.word(2)} of {nm.word(3)} by {nm.word(2)}.\n     */",
        f"    public function {name}(${a}, ${b} = {rng.randint(0, 99)})",
        "    {",
        f"        ${v} = $this->{prop}->{nm.camel()}(${a}, {s});",
        f"        if (${v} === null || {call}(${b}) > {rng.randint(2, 500)}) {{",
        f"            return ${b};",
        "        }",
        f"        foreach (${a} as ${k} => ${w}) {{",
        f"            ${v}[${k}] = {fn}(${w}, {rng.randint(0, 9999)});",
        "        }",
        f"        return ${v};",
        "    }",
    ]
    return name, "\n".join(body) + "\n"


def base_doc(rng: random.Random, nm: Names, methods: int) -> dict:
    vendor, pkg, cls, parent = nm.cls(), nm.cls(), nm.cls(), nm.cls()
    props = [nm.word(3) for _ in range(3)]
    head = (f"<?php\n\nnamespace {vendor}\\{pkg};\n\n"
            + "".join(f"use {vendor}\\{nm.cls()}\\{nm.cls()};\n" for _ in range(3))
            + f"\nclass {cls} extends {parent}\n{{\n"
            + "".join(f"    private ${p};\n" for p in props) + "\n")
    ms = [method(rng, nm, props) for _ in range(methods)]
    return {"head": head, "methods": [t for _, t in ms], "tail": "}\n"}


def render(d: dict) -> str:
    return d["head"] + "\n".join(d["methods"]) + d["tail"]


def rename_one(text: str, rng: random.Random, nm: Names) -> str:
    """Rename one `$variable` everywhere it appears (a local of one method)."""
    import re
    vars_ = sorted(set(re.findall(r"\$([a-z]{6,})\b", text)))
    old = rng.choice(vars_)
    return re.sub(r"\$" + old + r"\b", "$" + nm.word(3), text)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--bases", type=int, default=16)
    ap.add_argument("--threshold", type=float, default=0.85)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    nm = Names(rng)
    root = os.path.join(a.out, "corpus")
    os.makedirs(root, exist_ok=True)
    planted = []

    def write(rel: str, data) -> str:
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        return rel

    def jac(x, y) -> float:
        return dt.jaccard(dt.shingles(x if isinstance(x, str) else x.decode("utf-8", "replace")),
                          dt.shingles(y if isinstance(y, str) else y.decode("utf-8", "replace")))[1]

    def plant(rel_a, ta, rel_b, tb, kind, lo=a.threshold, hi=1.0):
        j = jac(ta, tb)
        if not lo <= j <= hi:
            raise SystemExit(f"generator: {kind} variant has J={j:.4f}, outside [{lo}, {hi}] (seed {a.seed})")
        write(rel_b, tb)
        planted.append((rel_a, rel_b, kind, "near" if j >= a.threshold else "far", j))

    bases = []
    for b in range(a.bases):
        d = base_doc(rng, nm, rng.randint(10, 13))
        rel = f"src/{nm.cls()}/{nm.cls()}.php"
        write(rel, render(d))
        bases.append((rel, d))

    (r0, d0), (r1, d1), (r2, d2), (r3, d3), (r4, d4), (r5, d5), (r6, d6), (r7, d7), (r8, d8) = bases[:9]
    t0 = render(d0)
    plant(r0, t0, "variants/rename/Renamed.php", rename_one(t0, rng, nm), "rename")
    t1 = render(d1)
    m = list(d1["methods"])
    m[2], m[3] = m[3], m[2]
    plant(r1, t1, "variants/reorder/Swapped.php", render(dict(d1, methods=m)), "reorder")
    t2 = render(d2)
    plant(r2, t2, "variants/banner/WithLicense.php", t2.replace("<?php\n", "<?php\n" + BANNER, 1), "banner")
    t3 = render(d3)
    lines = [line.lstrip(" ") for line in t3.split("\n")]
    indents = [(len(line) - len(line.lstrip(" "))) // 4 for line in t3.split("\n")]
    crlf = "\r\n".join("\t" * k + line + ("  " if line else "") for k, line in zip(indents, lines))
    plant(r3, t3, "variants/whitespace/Reindented.php", crlf, "whitespace-exact")
    t4 = render(d4)
    spaced = t4.replace(", ", " ,").replace("(", "( ").replace(" = ", "=").replace("\n\n", "\n\n\n")
    plant(r4, t4, "variants/spacing/Spaced.php", spaced, "spacing-same-tokens")
    upper = t4.replace("public function", "PUBLIC Function").replace("return", "RETURN")
    plant(r4, t4, "variants/case/Upper.php", upper, "keyword-case")
    # an exact-duplicate group of three with a near variant of it
    t5 = render(d5)
    plant(r5, t5, "vendor/copy/a/Copy.php", t5, "byte-copy")
    plant(r5, t5, "vendor/copy/b/Copy.php", t5, "byte-copy")
    v5 = t5.replace("<?php\n", "<?php\n" + BANNER, 1)
    plant(r5, t5, "vendor/copy/c/Licensed.php", v5, "banner-of-exact-group")
    planted.append(("vendor/copy/a/Copy.php", "vendor/copy/b/Copy.php", "byte-copy", "near", 1.0))
    for o in ("vendor/copy/a/Copy.php", "vendor/copy/b/Copy.php"):
        planted.append((o, "vendor/copy/c/Licensed.php", "banner-of-exact-group", "near", jac(t5, v5)))
    t6 = render(d6)
    latin1 = rename_one(t6, rng, nm).replace("<?php\n", "<?php\n// caf\xe9 na\xefve\n", 1).encode("latin-1")
    plant(r6, t6, "variants/encoding/Latin1.php", latin1, "latin1-byte-and-rename")
    # edits until the Jaccard is just above, then just below the threshold
    t7 = render(d7)
    for kind, lo, hi, rel in (("edge-above", a.threshold, a.threshold + 0.03, "variants/edge/Above.php"),
                              ("edge-below", a.threshold - 0.06, a.threshold - 0.005, "variants/edge/Below.php")):
        for _ in range(200):
            v = t7
            while jac(t7, v) > hi:
                v = rename_one(v, rng, nm)
            if jac(t7, v) >= lo:
                break
        plant(r7, t7, rel, v, kind, lo, hi)
    # same tokens as a corpus file but outside the corpus / corpus files in odd places
    t8 = render(d8)
    write("docs/notes.txt", t8)
    write("legacy/OLD.PHP", t8)
    plant(r8, t8, ".hidden/Cached.php", rename_one(t8, rng, nm), "hidden-dir")
    plant(r8, t8, "dir with space/Caf\u00e9 \u00fcber.php", t8.replace("<?php\n", "<?php\n" + BANNER, 1), "odd-name")
    os.symlink(r8, os.path.join(root, "links.php"))
    os.symlink("variants", os.path.join(root, "linked-dir"))
    write("tiny/one.php", "<?php\n")
    write("tiny/two.php", "<?php return [];\n")
    write("tiny/three.php", "<?php  return [];")
    write("tiny/empty.php", "")

    with open(os.path.join(a.out, "planted.tsv"), "w") as f:
        f.write("path_a\tpath_b\tkind\texpect\tjaccard\n")
        for pa, pb, kind, exp, j in planted:
            f.write(f"{pa}\t{pb}\t{kind}\t{exp}\t{j:.6f}\n")
    near = sum(1 for p in planted if p[3] == "near")
    print(f"corpus: {len(bases)} base files, {len(planted)} planted pairs ({near} at J >= {a.threshold})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
