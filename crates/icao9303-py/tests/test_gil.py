"""The GIL is released while the library works: measured as work another thread gets done during one call,
not as a timing threshold. The interpreter's forced thread switches are turned off for these tests
(`sys.setswitchinterval`), so another thread runs only when the calling thread lets go of the GIL: with
the GIL held through a call it does no work at all during it."""

import contextlib
import sys
import threading
import time

import pytest

import mrtd

CALLS = 12


@pytest.fixture(scope="module")
def brp(tmp_path_factory):
    emulator = mrtd.Emulator("brp")
    csca = tmp_path_factory.mktemp("gil") / "csca.der"
    csca.write_bytes(emulator.csca)
    store = mrtd.TrustStore.load(csca)
    document, _ = mrtd.read(emulator="brp", mrz=emulator.mrz_key, trust=store)
    # A call long enough for another thread to be woken during it: DG2 made 4 MB, hashed in every
    # verification (the report fails it; the verdict does not matter here).
    heavy = dict(document.files, DG2=bytes(4 << 20))
    return emulator.mrz_key, store, mrtd.Document.from_files(heavy), document.files


class Spinner:
    """A Python thread counting as fast as it can."""

    def __init__(self):
        self.count = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.spin, daemon=True)

    def spin(self):
        while not self.stop.is_set():
            self.count += 1
            # Hands the GIL back at once (no forced switches here).
            time.sleep(0)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


@contextlib.contextmanager
def no_forced_switches():
    """No thread switch but where a thread lets go of the GIL itself."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1000)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


def calls_with_progress(call):
    """How many of CALLS calls of `call` saw the spinner count during them."""
    with no_forced_switches(), Spinner() as spinner:
        progressed = 0
        for _ in range(CALLS):
            before = spinner.count
            call()
            if spinner.count > before:
                progressed += 1
    return progressed


def test_verify_releases_the_gil(brp):
    _, store, document, _ = brp
    assert calls_with_progress(lambda: document.verify(store)) >= CALLS // 3


def test_read_releases_the_gil(brp):
    key, store, _, _ = brp
    assert calls_with_progress(lambda: mrtd.read(emulator="brp", mrz=key, trust=store)) >= CALLS // 3


def test_a_batch_releases_the_gil_while_it_waits(brp):
    _, store, _, files = brp
    import base64
    import json

    line = json.dumps({"files": {k: base64.b64encode(v).decode() for k, v in files.items()}})

    def batch():
        assert all(r.verdict == "verified" for r in mrtd.verify_jsonl([line] * 8, store, workers=2))

    assert calls_with_progress(batch) >= CALLS // 3


def test_two_threads_verify_at_the_same_time(brp):
    """While one thread is inside verify, the other completes verifications: real parallel work."""
    _, store, document, _ = brp
    done = [0]
    stop = threading.Event()

    def other():
        while not stop.is_set():
            document.verify(store)
            done[0] += 1
            time.sleep(0)

    thread = threading.Thread(target=other, daemon=True)
    with contextlib.ExitStack() as stack:
        stack.enter_context(no_forced_switches())
        thread.start()
        stack.callback(thread.join)
        stack.callback(stop.set)
        overlapped = 0
        for _ in range(CALLS):
            before = done[0]
            for _ in range(3):
                document.verify(store)
            if done[0] > before:
                overlapped += 1
    assert overlapped >= CALLS // 3
