"""Type stubs of the extension module mrtd._mrtd (built from crates/icao9303-py/src)."""

import datetime
import os
from typing import Iterable, Iterator, List, Mapping, Optional, Tuple, Union

from . import Transport
from ._errors import InputError

StrPath = Union[str, "os.PathLike[str]"]
Bytes = Union[bytes, bytearray]
Time = Union[datetime.datetime, datetime.date]

__version__: str

class TrustStore:
    """CSCA certificates, master lists, Document Signer certificates and CRLs; immutable once loaded."""

    def __init__(self) -> None:
        """An empty store: documents verify without a trust anchor (at best "not_verified")."""
    @staticmethod
    def load(
        *paths: StrPath,
        crls: Iterable[StrPath] = ...,
        dsc: Iterable[StrPath] = ...,
        accept_unverified_lists: bool = False,
    ) -> "TrustStore":
        """The inputs of `mrtd --trust` (certificates, master lists, CRLs, LDIF, directories), CRL files,
        and Document Signer bundles (never anchors). Raises InputError for a missing or unusable path and
        for a master list whose signer cannot be verified (unless accept_unverified_lists)."""
    @property
    def loaded(self) -> List[str]: ...
    @property
    def rejected(self) -> List[str]: ...
    @property
    def anchored(self) -> List[str]: ...
    @property
    def duplicates(self) -> int: ...
    @property
    def warnings(self) -> List[str]: ...
    @property
    def anchors(self) -> int: ...
    @property
    def document_signers(self) -> int: ...
    @property
    def crls(self) -> int: ...

class Check:
    """One check of a report."""

    @property
    def id(self) -> str:
        """The stable id: "sod-signature", "dsc-chain", "dg2-hash", ..."""
    @property
    def name(self) -> str: ...
    @property
    def status(self) -> str:
        """"valid", "invalid" or "not-checked"."""
    @property
    def warning(self) -> bool: ...
    @property
    def reason(self) -> str: ...
    def to_dict(self) -> dict: ...

class Report:
    """A verification's or a read's outcome, as the library made it."""

    @property
    def verdict(self) -> str:
        """"verified", "not_verified" or "failed" (the CLI's exit codes 0, 3, 1)."""
    @property
    def reasons(self) -> List[str]: ...
    @property
    def covered(self) -> List[str]:
        """The data groups the verdict covers: ["DG1", "DG2", ...]."""
    @property
    def not_covered(self) -> List[dict]:
        """Each data group the verdict does not cover: {"data_group", "reason", "permitted", "detail"}."""
    @property
    def checks(self) -> List[Check]: ...
    def check(self, id: str) -> Optional[Check]: ...
    @property
    def source(self) -> str:
        """"chip", "dump" or "dtc-vc"."""
    @property
    def chip_authenticity(self) -> Optional[str]:
        """"genuine", "not-proven", "failed" or "replayed" for a live read; None offline."""
    @property
    def id(self) -> Optional[str]:
        """The input's id in a batch."""
    def to_json(self) -> str:
        """The JSON `mrtd verify --json` prints (docs/report-schema.md)."""
    def to_dict(self) -> dict: ...

class Mrz:
    """The machine readable zone of DG1."""

    @property
    def format(self) -> str: ...
    @property
    def document_code(self) -> str: ...
    @property
    def issuing_state(self) -> str: ...
    @property
    def document_number(self) -> str: ...
    @property
    def date_of_birth(self) -> str: ...
    @property
    def date_of_expiry(self) -> str: ...
    @property
    def sex(self) -> str: ...
    @property
    def nationality(self) -> str: ...
    @property
    def primary_identifier(self) -> str: ...
    @property
    def secondary_identifier(self) -> str: ...
    @property
    def optional_data_1(self) -> str: ...
    @property
    def optional_data_2(self) -> str: ...
    @property
    def lines(self) -> List[str]: ...
    @property
    def check_digits_valid(self) -> bool: ...
    def to_dict(self) -> dict: ...

class Face:
    """The first face image of DG2."""

    @property
    def data(self) -> bytes: ...
    @property
    def format(self) -> str:
        """"jpeg", "jpeg2000", "png", "wsq" or "unknown"."""
    @property
    def mime_type(self) -> str: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...

class Dg11:
    """DG11: additional personal details."""

    @property
    def full_name(self) -> Optional[str]: ...
    @property
    def other_names(self) -> List[str]: ...
    @property
    def personal_number(self) -> Optional[str]: ...
    @property
    def full_date_of_birth(self) -> Optional[str]: ...
    @property
    def place_of_birth(self) -> Optional[str]: ...
    @property
    def address(self) -> Optional[str]: ...
    @property
    def telephone(self) -> Optional[str]: ...
    @property
    def profession(self) -> Optional[str]: ...
    @property
    def title(self) -> Optional[str]: ...
    @property
    def personal_summary(self) -> Optional[str]: ...
    @property
    def proof_of_citizenship(self) -> Optional[bytes]: ...
    @property
    def other_valid_td_numbers(self) -> Optional[str]: ...
    @property
    def custody_information(self) -> Optional[str]: ...
    @property
    def warnings(self) -> List[str]: ...
    def to_dict(self) -> dict: ...

class Dg12:
    """DG12: additional document details (a BRP's remarks and conditions)."""

    @property
    def issuing_authority(self) -> Optional[str]: ...
    @property
    def date_of_issue(self) -> Optional[str]: ...
    @property
    def other_persons(self) -> List[str]: ...
    @property
    def endorsements_and_observations(self) -> Optional[str]: ...
    @property
    def tax_or_exit_requirements(self) -> Optional[str]: ...
    @property
    def front_image(self) -> Optional[bytes]: ...
    @property
    def rear_image(self) -> Optional[bytes]: ...
    @property
    def personalization_date_time(self) -> Optional[str]: ...
    @property
    def personalization_system_serial_number(self) -> Optional[str]: ...
    @property
    def warnings(self) -> List[str]: ...
    def to_dict(self) -> dict: ...

class Document:
    """A document's files, as stored on the chip."""

    @staticmethod
    def from_files(files: Mapping[str, Bytes]) -> "Document":
        """{"EF.SOD": b"...", "DG1": b"...", ...}; dump names ("EF_SOD.bin") also name a file."""
    @staticmethod
    def from_dir(path: StrPath) -> "Document":
        """A dump directory as `mrtd read --out` writes it."""
    @staticmethod
    def from_dtc(data: Bytes) -> "Document":
        """A Type 1 DTC-VC (DER)."""
    def verify(self, store: Optional[TrustStore] = None, at: Optional[Time] = None) -> Report:
        """Offline verification, as `mrtd verify`; a failed check is a report, never an exception."""
    @property
    def files(self) -> dict: ...
    @property
    def mrz(self) -> Optional[Mrz]: ...
    @property
    def face(self) -> Optional[Face]: ...
    @property
    def dg11(self) -> Optional[Dg11]: ...
    @property
    def dg12(self) -> Optional[Dg12]: ...

class ReportIterator(Iterator[Union[Report, InputError]]):
    """Reports in input order; an unreadable input raises InputError at its place (or is yielded with
    return_exceptions=True), and the iterator goes on."""

    def __iter__(self) -> "ReportIterator": ...
    def __next__(self) -> Union[Report, InputError]: ...

def verify_jsonl(
    source: Union[StrPath, Iterable[Union[str, bytes]]],
    store: Optional[TrustStore] = None,
    *,
    workers: int = 0,
    at: Optional[Time] = None,
    return_exceptions: bool = False,
) -> ReportIterator:
    """JSON Lines documents ({"id": ..., "files": {"EF.SOD": base64, ...}}) verified on `workers`
    threads (0: every core), in input order."""

class Emulator:
    """The software chip of a profile ("brp", "passport-bac", ...), and a Transport of its own."""

    def __init__(self, name: str) -> None: ...
    @property
    def name(self) -> str: ...
    @property
    def csca(self) -> Optional[bytes]: ...
    @property
    def mrz_key(self) -> Tuple[str, str, str]: ...
    def transmit(self, apdu: Bytes) -> bytes: ...
    def reconnect(self) -> None: ...

class Terminal:
    """An inspection system's credentials for Terminal Authentication (opens DG3 and DG4)."""

    def __init__(self, certificates: Iterable[Bytes], key: Bytes) -> None:
        """CV certificates (terminal, DV, CVCA links; any order) and the terminal key (PKCS#8 DER/PEM)."""
    @property
    def certificates(self) -> List[str]: ...

def emulator_profiles() -> List[str]: ...
def read(
    reader: Optional[str] = None,
    *,
    emulator: Optional[str] = None,
    transport: Optional[Transport] = None,
    mrz: Union[str, Tuple[str, str, str], None] = None,
    can: Optional[str] = None,
    trust: Optional[TrustStore] = None,
    files: Optional[Iterable[Union[str, int]]] = None,
    leave_out: Optional[Iterable[Union[str, int]]] = None,
    images: bool = True,
    terminal: Optional[Terminal] = None,
    allow_bac_fallback: bool = False,
) -> Tuple[Document, Report]:
    """Reads a chip (PC/SC `reader`, the `emulator`, or a Python `transport`) with the MRZ or the CAN
    and verifies it against `trust`. Raises AccessDenied, TransportError, ReadError or InputError."""
