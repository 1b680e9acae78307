#!/usr/bin/env python3
"""Prints N JSON Lines for `mrtd verify -` from one dump directory (the files `mrtd read --out` writes):
{"id": "doc-I", "files": {"EF.SOD": base64, ...}} with every file of the dump but the images (DG2-DG4), and
every 10,000th line broken JSON (a failed line, the batch goes on). For measuring `mrtd verify` on an
unbounded input (docs/performance.md): streams, so N can be far larger than memory.
Usage: tools/jsonl-corpus.py DUMP_DIR N
"""
import base64, json, os, re, sys

def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    dump, n = sys.argv[1], int(sys.argv[2])
    files = {}
    for name in sorted(os.listdir(dump)):
        m = re.fullmatch(r"(EF_COM|EF_SOD|DG\d+)\.bin", name)
        if not m or m.group(1) in ("DG2", "DG3", "DG4"):
            continue
        with open(os.path.join(dump, name), "rb") as f:
            files[m.group(1).replace("EF_", "EF.")] = base64.b64encode(f.read()).decode()
    if "EF.SOD" not in files:
        sys.exit(f"{dump}: no EF_SOD.bin")
    tail = json.dumps(files, separators=(",", ":"))
    out, batch = sys.stdout, []
    for i in range(n):
        if i % 10000 == 9999:
            batch.append('{"id": "broken-%d", "files": {"EF.SOD": "!!!"' % i)
        else:
            batch.append('{"id":"doc-%d","files":%s}' % (i, tail))
        if len(batch) == 2000:
            out.write("\n".join(batch) + "\n")
            batch = []
    if batch:
        out.write("\n".join(batch) + "\n")

if __name__ == "__main__":
    main()
