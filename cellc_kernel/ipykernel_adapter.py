"""What cellc changes in ipykernel, in one place, for the versions it was written for.

Three things, each a speed-up that changes nothing a client sees:
- `QueuedRequests`: ipykernel >= 7 receives shell messages on a thread of their
  own while a cell runs; tapping that thread tells the kernel which cells
  "Run All" queued after the running one, so the interpreter can compile them
  ahead.  With another ipykernel the tap stays off (cells then go one by one).
- `OutStream`: sys.stdout/sys.stderr whose flush returns at once when nothing
  was written (ipykernel flushes both after every cell, each flush waiting for
  the IOPub thread).
- no sleep after each cell (`Kernel._execute_sleep`); the kernel waits for its
  own outputs instead.
"""

from __future__ import annotations

import collections
import hmac
import itertools
import logging
import threading

import ipykernel
from ipykernel import iostream

log = logging.getLogger(__name__)

WRITTEN_FOR = (7,)  # the major versions of ipykernel whose shell thread this taps


def _major(version: str) -> int:
    try:
        return int(version.split(".")[0])
    except ValueError:
        return 0


TAP_WORKS = _major(ipykernel.__version__) in WRITTEN_FOR
if not TAP_WORKS:
    log.warning(
        "ipykernel %s: cellc was written for %s.x; Run All compiles cells one by one",
        ipykernel.__version__,
        WRITTEN_FOR,
    )


class OutStream(iostream.OutStream):
    """ipykernel's sys.stdout and sys.stderr, whose flush returns at once when
    nothing was written.  ipykernel flushes both after every cell, and each
    flush waits for the IOPub thread: in "Run All" that was a third of an
    empty cell's time.  (The kernel's own output does not go through them; a
    cell that published some waits for the IOPub thread once.)"""

    def flush(self):
        if self._flush_pending or self._subprocess_flush_pending or self.echo is not None:
            super().flush()


class QueuedRequests:
    """The execute_requests the shell thread received, as they arrived."""

    def __init__(self) -> None:
        self._queued: collections.deque[tuple[str, dict]] = collections.deque()  # (msg_id, content)
        self._lock = threading.Lock()  # the shell channel thread appends while a cell reads

    def note(self, session, msg) -> None:
        """Note `msg` (the raw frames) if it is a signed execute_request."""
        if not TAP_WORKS:
            return
        try:
            _, frames = session.feed_identities(msg, copy=False)
            parts = [bytes(f.bytes if hasattr(f, "bytes") else f) for f in frames[:5]]
            header = session.unpack(parts[1])
            # Read, not deserialized (that would record the signature and make
            # ipykernel's own check fail as a replay), and checked with an HMAC
            # of our own (the session's is shared with other threads).
            if header.get("msg_type") == "execute_request" and _signed(session, parts):
                content = session.unpack(parts[4])
                with self._lock:
                    self._queued.append((header["msg_id"], content))
        except Exception:  # noqa: BLE001 - ipykernel reports bad messages itself
            log.debug("a shell message was not noted", exc_info=True)

    def after(self, current: str | None, most: int) -> list[dict]:
        """The contents of up to `most` requests queued after the one `current` answers."""
        with self._lock:
            while self._queued and self._queued[0][0] != current:
                self._queued.popleft()  # already run (or never seen by do_execute)
            return [content for _, content in itertools.islice(self._queued, 1, 1 + most)]


def _signed(session, parts: list[bytes]) -> bool:
    key = session.key
    if not key:
        return True
    digest = hmac.new(key, digestmod=session.digest_mod)
    for part in parts[1:5]:
        digest.update(part)
    return hmac.compare_digest(parts[0], digest.hexdigest().encode())
