"""mrtd: verify eMRTD documents (passports, ID cards, UK residence permits) and read their chips.

The Rust library ``icao9303`` does the work (ICAO 9303 / BSI TR-03110: BAC, PACE, secure messaging, the
LDS, passive, chip and active authentication); this package gives it to Python::

    import mrtd
    store = mrtd.TrustStore.load("csca/")
    doc = mrtd.Document.from_dir("dump/")
    report = doc.verify(store)
    print(report.verdict)            # "verified", "not_verified" or "failed"

A document that fails a check is a Report saying so; only unusable input, a refused password or a broken
link raise (``mrtd.Error`` and its subclasses). See docs/python.md.
"""

from typing import Protocol, runtime_checkable

from ._errors import AccessDenied, Error, InputError, ReadError, TransportError
from ._mrtd import (
    Check,
    Dg11,
    Dg12,
    Document,
    Emulator,
    Face,
    Mrz,
    Report,
    ReportIterator,
    Terminal,
    TrustStore,
    __version__,
    emulator_profiles,
    read,
    verify_jsonl,
)


@runtime_checkable
class Transport(Protocol):
    """Anything that carries APDUs to a chip: pyscard, an Android NFC bridge, a relay.

    ``transmit`` sends one command APDU and returns the response APDU (data, then SW1 SW2). It raises to
    say the link failed. An optional ``reconnect()`` re-establishes a lost link, so that a read can
    resume where it stopped (the chip is accessed again with the same password).
    """

    def transmit(self, apdu: bytes) -> bytes: ...


__all__ = [
    "AccessDenied",
    "Check",
    "Dg11",
    "Dg12",
    "Document",
    "Emulator",
    "Error",
    "Face",
    "InputError",
    "Mrz",
    "ReadError",
    "Report",
    "ReportIterator",
    "Terminal",
    "Transport",
    "TransportError",
    "TrustStore",
    "__version__",
    "emulator_profiles",
    "read",
    "verify_jsonl",
]
