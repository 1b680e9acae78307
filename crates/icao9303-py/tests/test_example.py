"""examples/verify_dumps.py runs and exits as `mrtd verify` would."""

import subprocess
import sys

from conftest import ROOT, jsonl_line

EXAMPLE = ROOT / "examples" / "verify_dumps.py"


def run(*args):
    return subprocess.run([sys.executable, str(EXAMPLE), *map(str, args)], capture_output=True, text=True)


def test_the_example_verifies_dumps_and_json_lines(corpus, tmp_path):
    case = next(c for c in corpus if c.name == "brp (trusted)")
    done = run("--trust", case.trust[0], case.path)
    assert done.returncode == 0, done.stderr
    assert "verified (GBR)" in done.stdout
    tampered = next(c for c in corpus if c.name == "brp dg2-flipped")
    batch = tmp_path / "batch.jsonl"
    batch.write_text(jsonl_line("good", case.path) + "\n" + jsonl_line("bad", tampered.path) + "\n")
    done = run("--trust", case.trust[0], batch)
    assert done.returncode == 1, done.stderr
    assert "good: verified" in done.stdout and "bad: failed" in done.stdout
    assert run("--trust", case.trust[0], tmp_path / "missing").returncode == 2
