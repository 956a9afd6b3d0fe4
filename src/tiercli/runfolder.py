"""One folder per run for everything temporary, swept by the next run once its owner is gone.

A run keeps its temporary data in `<temp>/tiercli-<user>/<pid>-<start>-<token>/`: DuckDB's spill files, transcoded
copies and links of the inputs, the customers and excluded rows waiting to be written, the workbook writer's
scratch files. The folder records the outputs the run is staging beside their targets (`.name.<hex>.tmp`), so
that whatever stops a run — an error, Ctrl-C, SIGTERM, even SIGKILL or a power cut — nothing it made stays behind
for long: a normal end removes the folder; otherwise the next run removes it, and the staged files it lists, as
soon as it sees that the process that made it is gone.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import re
import secrets
import shutil
import tempfile
from pathlib import Path

_NAME = re.compile(r"(\d+)-(\d+)-[0-9a-f]{8}")
_STAGED = "staged.txt"
_STAGED_NAME = re.compile(r"\..+\.[0-9a-f]{8}\.tmp")


def root() -> Path:
    """Where run folders live: one folder per user under the system's temp folder."""
    try:
        user = re.sub(r"[^\w.-]", "_", getpass.getuser())
    except (KeyError, OSError):  # no user name for this uid (e.g. a container)
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    return Path(tempfile.gettempdir()) / f"tiercli-{user}"


def _start_time(pid: int) -> int:
    """When process `pid` started (clock ticks since boot, from /proc), or 0 where that can't be told."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    fields = stat[stat.rfind(")") + 2:].split()
    return int(fields[19]) if len(fields) > 19 else 0


def _alive(pid: int, start: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return start == 0 or _start_time(pid) in (0, start)  # a new process with the same pid is not the owner


class RunFolder:
    """The run's temp folder: `path` while the run lasts; removed by `close` or, after a crash, by a later run."""

    def __init__(self, base: Path | None = None) -> None:
        self.base = base or root()
        self.path: Path | None = None

    def open(self) -> Path:
        self.base.mkdir(mode=0o700, parents=True, exist_ok=True)
        sweep(self.base)
        pid = os.getpid()
        path = self.base / f"{pid}-{_start_time(pid)}-{secrets.token_hex(4)}"
        path.mkdir(mode=0o700)
        self.path = path
        return path

    def sub(self, name: str) -> Path:
        """A folder inside the run folder (made when missing)."""
        assert self.path is not None, "the run folder is not open"
        folder = self.path / name
        folder.mkdir(exist_ok=True)
        return folder

    def staging(self, temp: Path) -> None:
        """Record an output being staged beside its target, for a later run to remove if this one dies."""
        assert self.path is not None, "the run folder is not open"
        with open(self.path / _STAGED, "a", encoding="utf-8", errors="surrogateescape") as out:
            out.write(os.fspath(temp.absolute()) + "\n")

    def close(self) -> None:
        if self.path is not None:
            _remove(self.path)
            self.path = None

    @property
    def folder(self) -> Path:
        assert self.path is not None, "the run folder is not open"
        return self.path

    def __enter__(self) -> RunFolder:
        self.open()
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def _remove(folder: Path) -> None:
    """Remove a run folder and the staged outputs it lists that are still there."""
    with contextlib.suppress(OSError):
        for line in (folder / _STAGED).read_text(encoding="utf-8", errors="surrogateescape").splitlines():
            staged = Path(line)
            if _STAGED_NAME.fullmatch(staged.name):
                with contextlib.suppress(OSError):
                    if staged.is_dir() and not staged.is_symlink():  # a Spark run's output folder
                        shutil.rmtree(staged)
                    else:
                        staged.unlink()
    shutil.rmtree(folder, ignore_errors=True)


def sweep(base: Path | None = None) -> int:
    """Remove the run folders (and their staged outputs) whose process is gone; the number removed."""
    base = base or root()
    removed = 0
    with contextlib.suppress(OSError):
        for folder in base.iterdir():
            found = _NAME.fullmatch(folder.name)
            if found and folder.is_dir() and not _alive(int(found.group(1)), int(found.group(2))):
                _remove(folder)
                removed += 1
    return removed
