"""Progress bars on the terminal, with rich: a phase of a run gets a bar once it has lasted a second, and the bar
goes away when the phase ends, so quick runs show none and the summary printed after a run stays clean."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, TaskID, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as Bars

from tiercli.messages import Catalogue
from tiercli.progress import NO_PROGRESS, Progress

PHASE_LABELS = Catalogue("cli.phase")

DELAY = 1.0  # seconds a phase runs before its bar shows
REFRESH = 0.1  # seconds between redraws of a bar


class TerminalProgress:
    """A `tiercli.progress.Progress` drawn on `console`: transient bars, shown `delay` seconds into a phase.

    `tick()` shows the bar once the delay has passed and redraws it; used as a context manager, a thread calls it
    every REFRESH seconds and leaving ends any phase still running (its bar is removed before an error is printed).
    `clock` is the time source, for tests.
    """

    def __init__(self, console: Console, lang: str, delay: float = DELAY,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._console = console
        self._lang = lang
        self._delay = delay
        self._clock = clock
        self._lock = threading.Lock()
        self._phase: str | None = None
        self._total: int | None = None
        self._started = 0.0
        self._done = 0  # units finished
        self._completed = 0.0  # shown: units finished plus the running query's share of the next one
        self._bars: Bars | None = None
        self._task: TaskID | None = None
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def start(self, phase: str, total: int | None = None) -> None:
        with self._lock:
            self._close_bars()
            self._phase, self._total, self._started = phase, total, self._clock()
            self._done, self._completed = 0, 0.0

    def advance(self, amount: int = 1) -> None:
        with self._lock:
            self._done += amount
            self._completed = max(self._completed, float(self._done))

    def partial(self, fraction: float) -> None:
        with self._lock:
            if self._total is None:
                return
            within = self._done + min(max(fraction, 0.0), 1.0)
            self._completed = max(self._completed, min(within, float(self._total)))

    def end(self) -> None:
        with self._lock:
            self._close_bars()
            self._phase = None

    def tick(self) -> None:
        """Show the running phase's bar when it has run `delay` seconds, and redraw it."""
        with self._lock:
            if self._phase is None:
                return
            if self._bars is None:
                if self._clock() - self._started < self._delay:
                    return
                self._open_bars(self._phase)
            assert self._bars is not None and self._task is not None
            self._bars.update(self._task, completed=self._completed)
            self._bars.refresh()

    def _open_bars(self, phase: str) -> None:
        self._bars = Bars(
            TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
            console=self._console, transient=True, auto_refresh=False, redirect_stdout=False,
            redirect_stderr=False, get_time=self._clock,
        )
        self._task = self._bars.add_task(PHASE_LABELS(phase, self._lang), total=self._total)
        # the elapsed time counts from the start of the phase, not from when its bar shows
        self._bars.tasks[0].start_time = self._started
        self._bars.start()

    def _close_bars(self) -> None:
        if self._bars is not None:
            self._bars.stop()
        self._bars, self._task = None, None

    def __enter__(self) -> TerminalProgress:
        self._stop.clear()
        self._ticker = threading.Thread(target=self._tick_until_stopped, name="tiercli-progress", daemon=True)
        self._ticker.start()
        return self

    def _tick_until_stopped(self) -> None:
        while not self._stop.wait(REFRESH):
            self.tick()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        self.end()


def shows_bars(console: Console) -> bool:
    """Bars only on an interactive terminal: not when stderr is a file or pipe (even with FORCE_COLOR), nor on a
    dumb terminal (TERM=dumb), nor with TTY_INTERACTIVE=0."""
    isatty = getattr(console.file, "isatty", None)
    try:
        return console.is_interactive and isatty is not None and bool(isatty())
    except ValueError:  # a closed stream
        return False


@contextmanager
def progress_bars(console: Console, lang: str, show: bool) -> Iterator[Progress]:
    """Bars on `console` when `show` and `console` is an interactive terminal; otherwise progress goes nowhere."""
    if not show or not shows_bars(console):
        yield NO_PROGRESS
        return
    with TerminalProgress(console, lang) as bars:
        yield bars
