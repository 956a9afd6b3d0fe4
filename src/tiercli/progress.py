"""How a run reports its progress: phases with units of work, without knowing who shows them.

The pipeline calls a `Progress` around its phases (reading and cleaning the inputs, computing the customers); the
command line adds the writing phase and shows bars on a terminal. `NO_PROGRESS` reports nowhere.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Final, Protocol

if TYPE_CHECKING:
    from tiercli.database import Database

READING: Final = "reading"  # the input files read and cleaned; a unit per file, one for the members, one for cleaning
COMPUTING: Final = "computing"  # metrics, scores, tiers and tags; a unit per step
WRITING: Final = "writing"  # the outputs; rows when the writer counts them, else no total
PHASES: Final = (READING, COMPUTING, WRITING)


class Progress(Protocol):
    def start(self, phase: str, total: int | None = None) -> None:
        """`phase` (one of PHASES) begins; it has `total` units of work, or an unknown amount (None)."""

    def advance(self, amount: int = 1) -> None:
        """`amount` more units of the phase are done."""

    def partial(self, fraction: float) -> None:
        """The unit in hand is `fraction` (0 to 1) done, as far as the query running now tells."""

    def end(self) -> None:
        """The phase is over, done or not."""


class NoProgress:
    """Progress reported nowhere."""

    def start(self, phase: str, total: int | None = None) -> None:
        pass

    def advance(self, amount: int = 1) -> None:
        pass

    def partial(self, fraction: float) -> None:
        pass

    def end(self) -> None:
        pass


NO_PROGRESS: Final = NoProgress()


@contextmanager
def phase(progress: Progress, name: str, total: int | None = None) -> Iterator[None]:
    """Report `name` as running while the block runs; it ends however the block ends."""
    progress.start(name, total)
    try:
        yield
    finally:
        progress.end()


@contextmanager
def watch_queries(con: Database, progress: Progress, every: float = 0.2) -> Iterator[None]:
    """While the block runs, another thread asks DuckDB every `every` seconds how far the running query is and
    reports it as `partial`. The connection needs `enable_progress_bar` (see `tiercli.database.open_database`), and
    must stay open until the block ends."""
    import duckdb

    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(every):
            try:
                done = con.query_progress()
            except duckdb.Error:
                return
            if done >= 0:  # -1 between queries
                progress.partial(min(done, 100.0) / 100.0)

    thread = threading.Thread(target=poll, name="tiercli-query-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
