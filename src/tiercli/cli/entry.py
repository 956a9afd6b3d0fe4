"""The `tiercli` command's entry point: signals first, then the command line.

Ctrl-C (SIGINT) and SIGTERM raise `Interrupted` from the first moment, so that a run stopped at any point —
even while Python is still importing — unwinds through every cleanup and ends with 130 (143 for SIGTERM), never a
traceback. This module imports nothing heavy, so that the handlers are in place at once.
"""

from __future__ import annotations

import signal
import sys
from contextlib import suppress

from tiercli.errors import Interrupted

_received: list[int] = []  # the stopping signals that arrived, first first


def _stop(number: int, _frame: object) -> None:
    _received.append(number)
    raise Interrupted(number)


def main() -> None:
    for number in (signal.SIGINT, signal.SIGTERM):
        with suppress(ValueError, OSError):  # not the main thread, or a platform without the signal
            signal.signal(number, _stop)
    try:
        from tiercli.cli.app import main as run_app

        run_app()
    except KeyboardInterrupt as stopped:  # while importing, or on the way out: nothing left to clean up
        _received.append(stopped.signal if isinstance(stopped, Interrupted) else int(signal.SIGINT))
    except SystemExit:
        if not _received:
            raise
        # A signal ends the run with 128 + its number, whoever caught it: the command's own error boundary, or
        # the command-line library before the command started (which turns any interruption into 130).
    finally:  # the work is done: a signal now changes nothing
        for number in (signal.SIGINT, signal.SIGTERM):
            with suppress(ValueError, OSError):
                signal.signal(number, signal.SIG_IGN)
    if _received:
        sys.stderr.write(_interrupted() + "\n")
        sys.exit(128 + _received[0])


def _interrupted() -> str:
    """What a stopped run says, in the command's language: its --lang when given and valid, else the locale's."""
    from tiercli.errors import TiercliError
    from tiercli.i18n import check_lang, default_lang
    from tiercli.messages import text

    args = sys.argv[1:]
    given = next((a.removeprefix("--lang=") for a in args if a.startswith("--lang=")), None)
    if given is None and "--lang" in args[:-1]:
        given = args[args.index("--lang") + 1]
    try:
        lang = check_lang(given)
    except TiercliError:
        lang = default_lang()
    return text("cli.interrupted", lang)
