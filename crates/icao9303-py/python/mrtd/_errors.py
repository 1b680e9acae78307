"""The exceptions of mrtd. Only input that cannot be used, a refused password or a failed link raise:
a document that fails a check is a Report whose verdict says so, never an exception."""

from typing import Optional


class Error(Exception):
    """Base class of every mrtd exception."""


class InputError(Error, ValueError):
    """Bad input: a file, dump, DTC-VC, JSON line, MRZ, CAN or argument that cannot be used.

    ``id`` names the input in a batch (the JSON line's id, or ``"line N"``), else it is None.
    """

    def __init__(self, message: str, id: Optional[str] = None) -> None:
        super().__init__(message)
        self.id = id


class AccessDenied(Error):
    """The chip refused the password (BAC or PACE failed): check the MRZ or the CAN."""


class TransportError(Error):
    """The link to the chip failed: no reader, no card, the card removed, a timeout, or a Python
    transport's ``transmit`` raised (that exception is the ``__cause__``)."""


class ReadError(Error):
    """The chip's answers could not be read: an unexpected status word, a malformed answer, a secure
    messaging failure, or a file beyond the reader's limits."""


__all__ = ["Error", "InputError", "AccessDenied", "TransportError", "ReadError"]
