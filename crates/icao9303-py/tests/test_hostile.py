"""Hostile input raises an mrtd.Error subclass (InputError is also a ValueError) or gives a report that
says what failed; it never crashes the interpreter, and a failed check is never an exception."""

import datetime
import json
import random

import pytest

import mrtd
from conftest import DATA


@pytest.fixture(scope="module")
def brp_files():
    document, _ = mrtd.read(emulator="brp", mrz=mrtd.Emulator("brp").mrz_key)
    return document.files


def test_exception_classes():
    assert issubclass(mrtd.InputError, mrtd.Error) and issubclass(mrtd.InputError, ValueError)
    for cls in (mrtd.AccessDenied, mrtd.TransportError, mrtd.ReadError):
        assert issubclass(cls, mrtd.Error) and not issubclass(cls, ValueError)


@pytest.mark.parametrize(
    "files",
    [
        {},
        {"DG99": b"\x00"},
        {"EF.SOD": "text, not bytes"},
        {"EF.SOD": 12},
        {3: b"\x00"},
        {"DG1": b"\x61\x00", "DG1.bin": b"\x61\x00"},
    ],
)
def test_unusable_files_raise_input_error(files):
    with pytest.raises(mrtd.InputError):
        mrtd.Document.from_files(files)


def test_garbage_files_verify_as_failed():
    for files in [
        {"EF.SOD": b"", "DG1": b""},
        {"EF.SOD": b"\x77\x82\xff\xff", "DG1": b"\x61"},
        # Nesting far deeper than any real file: the codec's depth limit, not a stack overflow.
        {"EF.SOD": b"\x30\x80" * 100_000, "DG1": b"\x61\x80" * 100_000},
        {"EF.SOD": bytes(random.Random(1).randrange(256) for _ in range(5000))},
    ]:
        report = mrtd.Document.from_files(files).verify()
        assert report.verdict == "failed", report.reasons
        assert report.check("sod").status == "invalid"


def test_mutated_documents_never_crash(brp_files):
    """Truncations, bit flips and splices of every file of a real read: each gives a report, and the
    parsed LDS either parses or raises InputError."""
    rng = random.Random(9303)
    names = sorted(brp_files)
    seen = set()
    for _ in range(300):
        files = dict(brp_files)
        name = rng.choice(names)
        data = bytearray(files[name])
        action = rng.randrange(4)
        if action == 0 and data:
            data = data[: rng.randrange(len(data))]
        elif action == 1 and data:
            for _ in range(rng.randrange(1, 8)):
                data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        elif action == 2 and data:
            # A length byte made huge.
            i = rng.randrange(min(len(data), 8))
            data[i] = 0x84
        else:
            data += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))
        files[name] = bytes(data)
        document = mrtd.Document.from_files(files)
        report = document.verify()
        seen.add(report.verdict)
        assert report.verdict in ("verified", "not_verified", "failed")
        json.loads(report.to_json())
        for attribute in ("mrz", "face", "dg11", "dg12"):
            try:
                getattr(document, attribute)
            except mrtd.InputError:
                pass
    assert "failed" in seen


def test_hostile_dtc_vcs_raise_input_error():
    full = (DATA / "dtc" / "bsi-type1-full.dtcvc").read_bytes()
    assert mrtd.Document.from_dtc(full).verify().source == "dtc-vc"
    for data in [b"", b"\x30\x80\x00\x00", full[:100], full + b"\x00", b"\x30" * 50_000, bytearray(10)]:
        with pytest.raises(mrtd.InputError):
            mrtd.Document.from_dtc(data)
    with pytest.raises(mrtd.InputError):
        mrtd.Document.from_dtc("not bytes")


def test_bad_paths_raise_input_error(tmp_path):
    with pytest.raises(mrtd.InputError):
        mrtd.Document.from_dir(tmp_path / "missing")
    with pytest.raises(mrtd.InputError):
        mrtd.Document.from_dir(tmp_path)
    with pytest.raises(mrtd.InputError):
        mrtd.TrustStore.load(tmp_path / "missing.der")
    with pytest.raises(mrtd.InputError):
        mrtd.TrustStore.load(crls=[tmp_path / "missing.crl"])
    garbage = tmp_path / "garbage.crl"
    garbage.write_bytes(b"\x30\x03\x02\x01\x01")
    with pytest.raises(mrtd.InputError):
        mrtd.TrustStore.load(crls=[garbage])
    with pytest.raises(mrtd.InputError):
        mrtd.TrustStore.load(dsc=[garbage])
    with pytest.raises(mrtd.InputError):
        list(mrtd.verify_jsonl(tmp_path / "missing.jsonl"))


def test_an_unverifiable_master_list_is_refused_unless_accepted():
    ml = DATA / "master-lists" / "NL_ML_2026-07-22.ml"
    with pytest.raises(mrtd.InputError) as raised:
        mrtd.TrustStore.load(ml)
    assert "NL_ML_2026-07-22.ml" in str(raised.value)
    accepted = mrtd.TrustStore.load(ml, accept_unverified_lists=True)
    assert accepted.anchors > 0 and accepted.warnings
    assert mrtd.TrustStore.load(ml, DATA / "master-lists" / "NL_ROOT_CA.cer").anchors > 1


def test_bad_batch_inputs(brp_files):
    lines = [b"\xff\xfe not utf-8", 42, "[1, 2]", '{"id": "x", "files": {"DG1": 5}}', "x" * 100]
    got = list(mrtd.verify_jsonl(lines, return_exceptions=True))
    assert len(got) == len(lines)
    assert all(isinstance(e, mrtd.InputError) for e in got), got
    with pytest.raises(mrtd.InputError):
        mrtd.verify_jsonl(b"one bytes value")
    with pytest.raises(mrtd.InputError):
        mrtd.verify_jsonl(12)

    def failing():
        yield '{"id": "a", "files": {"DG1": "AA=="}}'
        raise RuntimeError("source broke")

    got = list(mrtd.verify_jsonl(failing(), return_exceptions=True))
    assert isinstance(got[0], mrtd.Report) and got[0].verdict == "failed"
    assert isinstance(got[1], mrtd.InputError) and "source broke" in str(got[1])
    assert len(got) == 2


def test_bad_reference_times():
    document = mrtd.Document.from_files({"EF.SOD": b"", "DG1": b""})
    for at in ("2026-01-01", 1700000000, datetime.datetime(1900, 1, 1)):
        with pytest.raises(mrtd.InputError):
            document.verify(at=at)
    document.verify(at=datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc))
