"""Fixtures of the mrtd test suite: the `mrtd` CLI (the reference every verdict is compared with), and a
corpus of dumps the CLI writes from the emulator's chips, the BSI reference dataset and DTC-VCs."""

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import mrtd

ROOT = Path(__file__).resolve().parents[3]
DATA = ROOT / "test-vectors" / "data"


def mrtd_bin() -> Path:
    """The CLI built by `cargo build -p icao9303-cli` (MRTD_BIN overrides)."""
    path = Path(os.environ.get("MRTD_BIN", ROOT / "target" / "debug" / "mrtd"))
    if not path.is_file():
        raise RuntimeError(f"{path}: the mrtd CLI is not built (cargo build -p icao9303-cli)")
    return path


def cli(*args, stdin=None):
    """Runs the CLI: (exit code, stdout, stderr)."""
    run = subprocess.run(
        [str(mrtd_bin()), "--quiet", *map(str, args)],
        input=stdin,
        capture_output=True,
        timeout=600,
    )
    return run.returncode, run.stdout.decode(), run.stderr.decode()


EXIT_OF = {"verified": 0, "failed": 1, "not_verified": 3}


class Case:
    """One document of the corpus: a dump directory or a DTC-VC file, and the trust paths to verify it with."""

    def __init__(self, name, path, trust=()):
        self.name = name
        self.path = Path(path)
        self.trust = [Path(t) for t in trust]

    def __repr__(self):
        return self.name


def _dump_of_profile(profile: str, out: Path, csca_dir: Path):
    emulator = mrtd.Emulator(profile)
    number, birth, expiry = emulator.mrz_key
    trust = []
    if emulator.csca is not None:
        csca = csca_dir / f"{profile}.der"
        csca.write_bytes(emulator.csca)
        trust.append(csca)
    code, _, err = cli(
        "read", "--emulator", profile, "--doc", number, "--dob", birth, "--expiry", expiry, "--out", out
    )
    if code == 2 or not (out / "EF_SOD.bin").exists():
        return None, trust
    return out, trust


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    """Every document of the corpus, with and without its trust anchors."""
    root = tmp_path_factory.mktemp("corpus")
    cscas = root / "csca"
    cscas.mkdir()
    cases = []
    for profile in mrtd.emulator_profiles():
        dump, trust = _dump_of_profile(profile, root / profile, cscas)
        if dump is None:
            continue
        cases.append(Case(f"{profile} (no trust)", dump))
        if trust:
            cases.append(Case(f"{profile} (trusted)", dump, trust))
    assert len(cases) >= 10, cases
    # Tampered copies of the BRP: a data group changed, a data group EF.SOD lists deleted, EF.SOD cut short.
    brp = root / "brp"
    brp_trust = [cscas / "brp.der"]
    for name, change in [
        ("dg2-flipped", lambda d: _flip(d / "DG2.bin", 100)),
        ("dg11-deleted", lambda d: (d / "DG11.bin").unlink()),
        ("sod-truncated", lambda d: _truncate(d / "EF_SOD.bin", 200)),
        ("dg1-flipped", lambda d: _flip(d / "DG1.bin", 10)),
    ]:
        copy = root / f"brp-{name}"
        shutil.copytree(brp, copy)
        change(copy)
        cases.append(Case(f"brp {name}", copy, brp_trust))
    # The BSI reference dataset (a real German test document), its files under their dump names.
    bsi = root / "bsi-reference"
    bsi.mkdir()
    source = DATA / "bsi-reference-dataset"
    shutil.copy(source / "EF_COM.bin", bsi / "EF_COM.bin")
    shutil.copy(source / "EF_SOD.bin", bsi / "EF_SOD.bin")
    for n in (1, 2, 3, 4, 14, 15):
        shutil.copy(source / f"Datagroup{n}.bin", bsi / f"DG{n}.bin")
    cases.append(Case("bsi-reference (no trust)", bsi))
    cases.append(Case("bsi-reference (its DSC as --trust)", bsi, [source / "dsc_de_0130846f2b3e.cer"]))
    # DTC-VCs.
    for name in ("bsi-type1-full", "bsi-type1-minimal"):
        cases.append(Case(f"{name}.dtcvc", DATA / "dtc" / f"{name}.dtcvc"))
    return cases


def _flip(path: Path, offset: int):
    data = bytearray(path.read_bytes())
    data[offset % len(data)] ^= 0x01
    path.write_bytes(bytes(data))


def _truncate(path: Path, length: int):
    path.write_bytes(path.read_bytes()[:length])


def load_document(path: Path) -> "mrtd.Document":
    if path.is_dir():
        return mrtd.Document.from_dir(path)
    return mrtd.Document.from_dtc(path.read_bytes())


def jsonl_line(doc_id, path: Path) -> str:
    """A JSON Lines document (the input of `mrtd verify -`) of a dump directory (files under their dump
    names, which the format accepts besides "EF.SOD", "DG1", ...)."""
    files = {}
    for f in sorted(path.iterdir()):
        if f.suffix == ".bin":
            files[f.name] = base64.b64encode(f.read_bytes()).decode()
    return json.dumps({"id": doc_id, "files": files})
