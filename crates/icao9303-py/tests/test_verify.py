"""Every corpus document gets the same report through Python as through `mrtd verify`, one at a time and
as a JSON Lines batch."""

import json

import pytest

import mrtd
from conftest import EXIT_OF, cli, jsonl_line, load_document


def test_every_corpus_document_verifies_as_the_cli_says(corpus):
    verdicts = set()
    for case in corpus:
        trust_args = [a for t in case.trust for a in ("--trust", t)]
        code, out, err = cli("verify", case.path, "--json", *trust_args)
        assert code in (0, 1, 3), f"{case}: exit {code}: {err}"
        expected = json.loads(out)

        store = mrtd.TrustStore.load(*case.trust) if case.trust else None
        report = load_document(case.path).verify(store)

        assert report.verdict == expected["verdict"]["result"], case
        assert EXIT_OF[report.verdict] == code, case
        # The whole report, as the CLI serialises it.
        assert report.to_dict() == expected, case
        assert json.loads(report.to_json()) == expected, case
        assert [(c.id, c.status, c.reason) for c in report.checks] == [
            (c["id"], c["status"], c["reason"]) for c in expected["checks"]
        ], case
        assert report.reasons == expected["verdict"]["reasons"]
        assert report.covered == expected["verdict"]["covered"]
        assert report.not_covered == expected["verdict"]["not_covered"]
        verdicts.add(report.verdict)
    # The corpus exercises all three verdicts.
    assert verdicts == {"verified", "not_verified", "failed"}


def test_from_files_is_the_same_document_as_the_dump(corpus):
    case = next(c for c in corpus if c.name == "brp (trusted)")
    store = mrtd.TrustStore.load(*case.trust)
    files = {f.name: f.read_bytes() for f in case.path.iterdir() if f.suffix == ".bin"}
    by_dump_name = mrtd.Document.from_files(files).verify(store)
    by_name = mrtd.Document.from_files(
        {name: data for name, data in mrtd.Document.from_dir(case.path).files.items()}
    ).verify(store)
    from_dir = mrtd.Document.from_dir(case.path).verify(store)
    assert by_dump_name.to_dict() == from_dir.to_dict() == by_name.to_dict()
    assert from_dir.verdict == "verified"
    assert from_dir.source == "dump"


def test_a_batch_gives_the_cli_lines_in_input_order(corpus, tmp_path):
    dumps = [c for c in corpus if c.path.is_dir() and c.trust]
    store = mrtd.TrustStore.load(*sorted({t for c in dumps for t in c.trust}))
    lines = [jsonl_line(f"doc-{i}", c.path) for i, c in enumerate(dumps)]
    # Bad lines in between: each is an InputError at its place, and the batch goes on.
    lines.insert(2, "not json")
    lines.insert(5, json.dumps({"id": "no-files"}))
    lines.insert(7, json.dumps({"id": "bad-base64", "files": {"DG1": "!!"}}))
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines * 3) + "\n")

    trust_args = [a for t in sorted({t for c in dumps for t in c.trust}) for a in ("--trust", t)]
    code, out, err = cli("verify", "-", *trust_args, stdin=path.read_bytes())
    expected = [json.loads(line) for line in out.splitlines()]
    assert len(expected) == len(lines) * 3

    for source in (path, str(path), iter(path.read_text().splitlines()), path.read_bytes().splitlines()):
        got = list(mrtd.verify_jsonl(source, store, return_exceptions=True))
        assert len(got) == len(expected)
        for item, line in zip(got, expected):
            if "report" in line:
                assert isinstance(item, mrtd.Report), (item, line)
                assert item.id == line["id"]
                assert item.to_dict() == line["report"]
            else:
                assert isinstance(item, mrtd.InputError), (item, line)
                assert item.id == line["id"]
                assert line["error"] in str(item)


def test_an_unreadable_line_raises_at_its_place_and_the_batch_goes_on(corpus):
    case = next(c for c in corpus if c.name == "brp (trusted)")
    store = mrtd.TrustStore.load(*case.trust)
    good = jsonl_line("good", case.path)
    batch = mrtd.verify_jsonl(["", good, "{", good], store, workers=2)
    assert next(batch).verdict == "verified"
    with pytest.raises(mrtd.InputError) as raised:
        next(batch)
    assert raised.value.id == "line 3"
    assert isinstance(raised.value, ValueError)
    assert next(batch).id == "good"
    with pytest.raises(StopIteration):
        next(batch)


def test_workers_do_not_change_the_reports(corpus):
    dumps = [c for c in corpus if c.path.is_dir()]
    lines = [jsonl_line(str(i), c.path) for i, c in enumerate(dumps)] * 4
    one = [r.to_json() for r in mrtd.verify_jsonl(lines, None, workers=1)]
    many = [r.to_json() for r in mrtd.verify_jsonl(lines, None, workers=0)]
    assert one == many
    assert len(one) == len(lines)


def test_reference_time_changes_validity(corpus):
    import datetime

    case = next(c for c in corpus if c.name == "brp (trusted)")
    store = mrtd.TrustStore.load(*case.trust)
    doc = mrtd.Document.from_dir(case.path)
    assert doc.verify(store, at=datetime.date(2026, 1, 1)).verdict == "verified"
    # After the test DSC expired (2035): not a pass any more.
    late = doc.verify(store, at=datetime.datetime(2040, 1, 1, 12, 0))
    assert late.check("dsc-validity").status != "valid" or late.check("dsc-validity").warning
    code, out, _ = cli("verify", case.path, "--json", "--trust", case.trust[0])
    assert doc.verify(store).to_dict() == json.loads(out)


def test_trust_store_load_report(corpus, tmp_path):
    case = next(c for c in corpus if c.name == "brp (trusted)")
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"not a certificate")
    store = mrtd.TrustStore.load(case.trust[0], tmp_path)
    assert store.anchors == 1
    assert any("junk.bin" in w for w in store.warnings)
    assert any("junk.bin" in r for r in store.rejected)
    assert store.loaded
    # A Document Signer bundle never anchors.
    from conftest import DATA

    dsc_only = mrtd.TrustStore.load(dsc=[DATA / "bsi-reference-dataset" / "dsc_de_0130846f2b3e.cer"])
    assert (dsc_only.anchors, dsc_only.document_signers) == (0, 1)
