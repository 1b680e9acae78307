#!/usr/bin/env python3
"""Verifies eMRTD documents with the Python package mrtd and prints one line per document and a summary.

Usage:
    verify_dumps.py --trust CSCA_OR_DIR [--trust ...] DUMP_DIR...     dump directories (`mrtd read --out`)
    verify_dumps.py --trust CSCA_OR_DIR batch.jsonl                    JSON Lines (the input of `mrtd verify -`)

Exit status as `mrtd verify`: 1 if a document failed, else 2 if an input could not be read, else 3 if one
was not verified, else 0.
"""

import argparse
import collections
import pathlib
import sys

import mrtd


def reports(paths, store):
    """(name, report or InputError) for every input, in order."""
    for path in paths:
        if path.is_file():
            for item in mrtd.verify_jsonl(path, store, return_exceptions=True):
                yield (item.id, item)
        else:
            try:
                yield (str(path), mrtd.Document.from_dir(path).verify(store))
            except mrtd.InputError as e:
                yield (str(path), e)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trust", action="append", default=[], help="CSCA certificates, master lists, CRLs")
    parser.add_argument("inputs", nargs="+", type=pathlib.Path)
    args = parser.parse_args()

    try:
        store = mrtd.TrustStore.load(*args.trust)
    except mrtd.InputError as e:
        sys.exit(f"--trust: {e}")
    for warning in store.warnings:
        print(f"warning: {warning}", file=sys.stderr)

    counts = collections.Counter()
    for name, item in reports(args.inputs, store):
        if isinstance(item, mrtd.InputError):
            counts["could not read"] += 1
            print(f"{name}: could not read: {item}")
            continue
        counts[item.verdict] += 1
        mrz = item.to_dict()["mrz"] or {}
        print(f"{name}: {item.verdict} ({mrz.get('issuing_state', '?')}) {'; '.join(item.reasons[:1])}")

    print(", ".join(f"{n} {what}" for what, n in sorted(counts.items())), file=sys.stderr)
    for verdict, code in (("failed", 1), ("could not read", 2), ("not_verified", 3)):
        if counts[verdict]:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main())
