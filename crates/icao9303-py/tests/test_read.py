"""Reading the emulated BRP through mrtd.read(emulator="brp") and through a Python Transport wrapping the
emulator; the parsed LDS; what a failing link or password raises."""

import json

import pytest

import mrtd
from conftest import cli


@pytest.fixture(scope="module")
def brp(tmp_path_factory):
    emulator = mrtd.Emulator("brp")
    csca = tmp_path_factory.mktemp("brp") / "csca.der"
    csca.write_bytes(emulator.csca)
    return emulator.mrz_key, csca, mrtd.TrustStore.load(csca)


class EmulatorTransport:
    """A Python transport: the emulator's chip behind `transmit`, counting APDUs."""

    def __init__(self, profile="brp"):
        self.chip = mrtd.Emulator(profile)
        self.apdus = 0

    def transmit(self, apdu: bytes) -> bytes:
        self.apdus += 1
        return self.chip.transmit(apdu)


def statuses(report):
    return [(c.id, c.status, c.warning) for c in report.checks]


def test_emulated_brp_reads_verified_like_the_cli(brp):
    key, csca, store = brp
    document, report = mrtd.read(emulator="brp", mrz=key, trust=store)
    assert report.verdict == "verified", report.reasons
    assert report.chip_authenticity == "genuine"
    assert report.source == "chip"
    number, birth, expiry = key
    code, out, err = cli(
        "read", "--emulator", "brp", "--doc", number, "--dob", birth, "--expiry", expiry,
        "--trust", csca, "--json",
    )
    assert code == 0, err
    expected = json.loads(out)
    got = report.to_dict()
    # Everything but what the read cost (timings differ from run to run).
    for d in (expected, got):
        d.pop("read_stats")
    assert got == expected


def test_a_python_transport_carries_the_same_read(brp):
    key, _, store = brp
    transport = EmulatorTransport()
    assert isinstance(transport, mrtd.Transport)
    document, report = mrtd.read(transport=transport, mrz=key, trust=store)
    assert report.verdict == "verified", report.reasons
    assert report.chip_authenticity == "genuine"
    assert transport.apdus > 20
    _, direct = mrtd.read(emulator="brp", mrz=key, trust=store)
    assert statuses(report) == statuses(direct)
    assert document.files == mrtd.read(emulator="brp", mrz=key, trust=store)[0].files


def test_the_parsed_lds_of_the_brp(brp):
    key, _, store = brp
    document, report = mrtd.read(emulator="brp", mrz=key, trust=store)
    mrz = document.mrz
    assert (mrz.document_number, mrz.date_of_birth, mrz.date_of_expiry) == key
    assert mrz.document_code == "IR" and mrz.issuing_state == "GBR" and mrz.format == "TD1"
    assert mrz.check_digits_valid
    assert report.to_dict()["mrz"]["primary_identifier"] == mrz.primary_identifier
    face = document.face
    assert face.format == "jpeg2000" and face.mime_type == "image/jp2"
    assert face.data[:4] in (b"\x00\x00\x00\x0c", b"\xff\x4f\xff\x51")
    assert face.width > 0 and face.height > 0
    assert "TESTHOLDER" in document.dg11.full_name
    assert "NO PUBLIC FUNDS" in document.dg12.endorsements_and_observations
    assert document.dg12.to_dict()["endorsements_and_observations"] == document.dg12.endorsements_and_observations
    # The whole MRZ also opens the chip.
    _, again = mrtd.read(emulator="brp", mrz="\n".join(mrz.lines), trust=store)
    assert again.verdict == "verified"
    # Without images: no face, DG2 named as left out by request, and the verdict stays verified.
    quick, quick_report = mrtd.read(emulator="brp", mrz=key, trust=store, images=False)
    assert quick.face is None
    assert "DG2" not in quick.files
    assert "DG2" not in quick_report.covered
    assert any(n["data_group"] == "DG2" and n["permitted"] for n in quick_report.not_covered)
    assert quick_report.verdict == "verified"
    # DG12 left out on purpose: named so, the verdict stays verified; DG1 cannot be left out.
    no_remarks, remarks_report = mrtd.read(emulator="brp", mrz=key, trust=store, leave_out=["DG12"])
    assert no_remarks.dg12 is None
    assert [n for n in remarks_report.not_covered if n["data_group"] == "DG12"][0]["permitted"]
    assert remarks_report.verdict == "verified"
    with pytest.raises(mrtd.InputError):
        mrtd.read(emulator="brp", mrz=key, leave_out=[1])


def test_every_emulated_chip_reads_as_the_cli_reads_it(tmp_path):
    for profile in mrtd.emulator_profiles():
        emulator = mrtd.Emulator(profile)
        number, birth, expiry = emulator.mrz_key
        args = ["read", "--emulator", profile, "--doc", number, "--dob", birth, "--expiry", expiry, "--json"]
        store = None
        if emulator.csca is not None:
            csca = tmp_path / f"{profile}.der"
            csca.write_bytes(emulator.csca)
            args += ["--trust", csca]
            store = mrtd.TrustStore.load(csca)
        code, out, err = cli(*args)
        if code == 2:
            # The CLI could not read it: neither can Python, and it raises an mrtd.Error saying why.
            with pytest.raises(mrtd.Error):
                mrtd.read(emulator=profile, mrz=emulator.mrz_key, trust=store)
            continue
        _, report = mrtd.read(emulator=profile, mrz=emulator.mrz_key, trust=store)
        expected = json.loads(out)
        assert report.verdict == expected["verdict"]["result"], profile
        assert [(c.id, c.status) for c in report.checks] == [
            (c["id"], c["status"]) for c in expected["checks"]
        ], profile


def test_a_wrong_mrz_is_access_denied(brp):
    number, birth, expiry = brp[0]
    with pytest.raises(mrtd.AccessDenied):
        mrtd.read(emulator="brp", mrz=(number, birth, "300101"))


class Failing:
    def __init__(self, after, error):
        self.inner = EmulatorTransport()
        self.after = after
        self.error = error

    def transmit(self, apdu):
        if self.inner.apdus >= self.after:
            raise self.error
        return self.inner.transmit(apdu)


def test_a_transport_that_raises_is_a_transport_error_with_the_cause(brp):
    with pytest.raises(mrtd.TransportError) as raised:
        mrtd.read(transport=Failing(30, OSError("NFC tag lost")), mrz=brp[0])
    assert isinstance(raised.value.__cause__, OSError)
    assert "NFC tag lost" in str(raised.value)


def test_keyboard_interrupt_in_a_transport_is_not_swallowed(brp):
    with pytest.raises(KeyboardInterrupt):
        mrtd.read(transport=Failing(5, KeyboardInterrupt()), mrz=brp[0])


class Flaky(EmulatorTransport):
    """Loses the card once in the middle of the read; `reconnect` powers the chip up again."""

    def __init__(self, at):
        super().__init__()
        self.at = at
        self.lost = False
        self.reconnects = 0

    def transmit(self, apdu):
        if not self.lost and self.apdus == self.at:
            self.lost = True
            raise OSError("card removed")
        return super().transmit(apdu)

    def reconnect(self):
        self.reconnects += 1
        self.chip.reconnect()


def test_a_read_resumes_through_a_transport_that_reconnects(brp):
    key, _, store = brp
    transport = Flaky(at=60)
    document, report = mrtd.read(transport=transport, mrz=key, trust=store)
    assert transport.reconnects == 1
    assert report.check("read-resumed") is not None
    assert report.verdict in ("verified", "not_verified")
    assert "DG2" in document.files


@pytest.mark.parametrize(
    "answer",
    [None, "9000", 42, b"\x90", b"", b"\x6a\x82", bytes(70000), bytes(range(256)) + b"\x90\x00"],
)
def test_a_transport_answering_nonsense_raises_an_mrtd_error(brp, answer):
    class Nonsense:
        def transmit(self, apdu):
            return answer

    with pytest.raises(mrtd.Error):
        mrtd.read(transport=Nonsense(), mrz=brp[0])


def test_bad_read_arguments_are_input_errors(brp):
    key = brp[0]
    for kwargs in [
        dict(emulator="no-such-chip", mrz=key),
        dict(emulator="brp"),
        dict(emulator="brp", mrz=key, can="123456"),
        dict(emulator="brp", can="12a456"),
        dict(emulator="brp", mrz="not an mrz"),
        dict(emulator="brp", mrz=("only", "two")),
        dict(emulator="brp", mrz=key, files=["DG17"]),
        dict(emulator="brp", mrz=key, transport=EmulatorTransport()),
        dict(transport=object(), mrz=key),
        dict(reader="x", emulator="brp", mrz=key),
    ]:
        with pytest.raises(mrtd.InputError):
            mrtd.read(**kwargs)


def test_terminal_authentication_opens_dg3_as_the_cli_does(brp):
    from conftest import DATA

    key, csca, store = brp
    pki = DATA / "cvc" / "test-pki"
    certificates = [p.read_bytes() for p in sorted(pki.glob("*.cvcert"))]
    terminal = mrtd.Terminal(certificates, key=(pki / "UTTESTIS00001.pkcs8").read_bytes())
    assert "UTTESTIS00001" in terminal.certificates
    document, report = mrtd.read(emulator="brp", mrz=key, trust=store, terminal=terminal)
    assert report.check("terminal-authentication").status == "valid"
    assert "DG3" in document.files
    number, birth, expiry = key
    code, out, err = cli(
        "read", "--emulator", "brp", "--doc", number, "--dob", birth, "--expiry", expiry,
        "--trust", csca, "--terminal", pki, "--terminal-key", pki / "UTTESTIS00001.pkcs8", "--json",
    )
    expected = json.loads(out)
    assert [(c.id, c.status) for c in report.checks] == [(c["id"], c["status"]) for c in expected["checks"]]
    # Without a terminal, DG3 stays closed.
    plain, _ = mrtd.read(emulator="brp", mrz=key, trust=store)
    assert "DG3" not in plain.files
    # Credentials that cannot work are input errors.
    with pytest.raises(mrtd.InputError):
        mrtd.Terminal(certificates, key=(pki / "UTCVCA00001.pkcs8").read_bytes())
    with pytest.raises(mrtd.InputError):
        mrtd.Terminal([b"\x7f\x21\x00"], key=b"")
    with pytest.raises(mrtd.InputError):
        mrtd.Terminal([], key=(pki / "UTTESTIS00001.pkcs8").read_bytes())


def test_a_pcsc_reader_that_is_not_there_is_a_transport_error(brp):
    # Asks pcscd for its readers only (no card is touched; without pcscd: "the PC/SC service is not
    # running"). Either way a TransportError, never a crash.
    with pytest.raises(mrtd.TransportError) as raised:
        mrtd.read(reader="no reader has this name 7f3a", mrz=brp[0])
    assert "reader" in str(raised.value).lower() or "PC/SC" in str(raised.value)
