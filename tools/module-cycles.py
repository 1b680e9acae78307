#!/usr/bin/env python3
"""Lists pairs of icao9303 modules that import each other (A uses B and B uses A).

A module is a source file (`auth/mod.rs` is `auth`, `auth/chip.rs` is `auth::chip`). A use of
`crate::x::y::Z` counts as an import of the deepest module that exists (`x::y`); `super::` and `self::`
paths are resolved. A module does not count as importing its own submodules or its parent, nor are
`#[cfg(test)]` blocks at the end of a file counted. Usage: tools/module-cycles.py [crate src dir]
Exit status 1 when a pair is found.
"""
import os, re, sys

src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "crates", "icao9303", "src")
mods = {}
for root, _, files in os.walk(src):
    for f in files:
        if not f.endswith(".rs"):
            continue
        rel = os.path.relpath(os.path.join(root, f), src)[:-3].split(os.sep)
        if rel[-1] in ("mod", "lib"):
            rel = rel[:-1]
        mods["::".join(rel)] = os.path.join(root, f)

def strip(text):
    # Drop comments and the test module (`#[cfg(test)] mod tests { ... }` at the end of a file).
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    m = re.search(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", text)
    return text[: m.start()] if m else text

def paths_in_use(body):
    # Expands `a::{b, c::{d, e}}` into a::b, a::c::d, a::c::e.
    body = re.sub(r"\s+", "", body)
    def expand(s):
        i = s.find("{")
        if i < 0:
            return [s]
        prefix, depth, parts, cur = s[:i], 0, [], ""
        for ch in s[i + 1 : -1]:
            if ch == "," and depth == 0:
                parts.append(cur); cur = ""; continue
            depth += ch == "{"; depth -= ch == "}"; cur += ch
        parts.append(cur)
        return [p for part in parts if part for p in expand(prefix + part)]
    return expand(body)

def resolve(path, here):
    segs = path.split("::")
    base = here.split("::") if here else []
    if segs[0] == "crate":
        cur, segs = [], segs[1:]
    elif segs[0] in ("super", "self"):
        # `self` in mod.rs is the module itself; in a leaf file too.
        cur = list(base)
        while segs and segs[0] in ("super", "self"):
            if segs[0] == "super":
                cur = cur[:-1]
            segs = segs[1:]
    else:
        return None
    best = None
    if cur == [] and segs[:1] == ["Error"]:
        return "error"  # the crate root re-exports error::Error
    for i in range(len(segs) + 1):
        cand = "::".join(cur + segs[:i])
        if cand in mods:
            best = cand
    return best

deps = {m: set() for m in mods}
for m, path in mods.items():
    text = strip(open(path, encoding="utf-8").read())
    found = []
    for u in re.finditer(r"\buse\s+([^;]+);", text):
        found += paths_in_use(u.group(1))
    found += re.findall(r"\b((?:crate|super|self)(?:::\w+)+)", text)
    for p in found:
        r = resolve(p.split("::{")[0] if "{" in p else p, m)
        if r is None or r == m or r == "" :
            continue
        # parent/child relations are containment, not imports
        if r.startswith(m + "::") or m.startswith(r + "::"):
            continue
        deps[m].add(r)

pairs = sorted({tuple(sorted((a, b))) for a in deps for b in deps[a] if a in deps.get(b, set())})
for a, b in pairs:
    print(f"{a} <-> {b}")
sys.exit(1 if pairs else 0)
