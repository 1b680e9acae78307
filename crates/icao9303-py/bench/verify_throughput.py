#!/usr/bin/env python3
"""Documents verified per second per core: the Python package against the `mrtd` CLI, same corpus, same
trust store, same worker counts. A benchmark, not a test (docs/performance.md has the figures).

Usage: verify_throughput.py MRTD_BIN CORPUS.jsonl CSCA [WORKERS...]

CORPUS.jsonl is the JSON Lines input of `mrtd verify -` (tools/jsonl-corpus.py makes one from a dump);
each measurement is the best of three runs. Python is measured two ways: reading each report's verdict
(what a service needs), and also serialising each report as the CLI does (`Report.to_json()`).
"""

import subprocess
import sys
import time

import mrtd


def best_of(runs, f):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    cli, corpus, csca = sys.argv[1:4]
    workers = [int(w) for w in sys.argv[4:]] or [1, 2]
    documents = sum(1 for line in open(corpus, "rb") if line.strip())
    store = mrtd.TrustStore.load(csca)

    def run_cli(jobs):
        with open(corpus, "rb") as stdin:
            done = subprocess.run(
                [cli, "verify", "-", "--trust", csca, "--jobs", str(jobs), "-q"],
                stdin=stdin,
                stdout=subprocess.DEVNULL,
            )
        assert done.returncode in (0, 2), done.returncode

    def run_python(jobs, serialise):
        n = 0
        for item in mrtd.verify_jsonl(corpus, store, workers=jobs, return_exceptions=True):
            if isinstance(item, mrtd.Report):
                item.to_json() if serialise else item.verdict
            n += 1
        assert n == documents, n

    print(f"{documents} documents, mrtd {mrtd.__version__}")
    print("workers | CLI docs/s/core | Python docs/s/core (verdict) | ratio | Python (to_json) | ratio")
    for jobs in workers:
        cli_rate = documents / best_of(3, lambda: run_cli(jobs)) / jobs
        py_rate = documents / best_of(3, lambda: run_python(jobs, False)) / jobs
        py_json = documents / best_of(3, lambda: run_python(jobs, True)) / jobs
        print(
            f"{jobs} | {cli_rate:,.0f} | {py_rate:,.0f} | {py_rate / cli_rate:.0%} | {py_json:,.0f} | {py_json / cli_rate:.0%}"
        )


if __name__ == "__main__":
    main()
