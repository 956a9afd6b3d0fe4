"""Where a run's outputs go: checked against its inputs and each other first, written aside, put in place together.

`check_outputs` compares every output path with every input and every other output (the same file reached by
another name, a link or a different case counts) before anything is written; a clash stops the run naming both.
`Staging` writes each output to a temporary file (or folder: `directory`) beside its target and renames them all
into place at the end (`commit`), so a run that fails or is interrupted leaves every earlier output as it was: none
replaced, no partial file. The temporary names are listed in the run folder, so that if the process is killed
outright, the next run removes them.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tiercli.errors import Location, OutputError, UsageError
from tiercli.messages import Said, say
from tiercli.runfolder import RunFolder


@dataclass(frozen=True)
class Named:
    """A path given on the command line, and what it is there for ('the output', '--report'…), and `fix`, what to
    do when this output would replace another file (default: give it another path)."""

    path: str
    what: Said
    fix: Said | None = None


def _same(a: str, b: str, loose: bool) -> bool:
    """Whether two paths are one file: the same existing file (links included), or the same resolved path; with
    `loose`, also when they differ only in case (two outputs on a case-insensitive disk would be one file)."""
    with contextlib.suppress(OSError):
        if os.path.exists(a) and os.path.exists(b):
            return os.path.samefile(a, b)
    first, second = os.path.realpath(a), os.path.realpath(b)
    return first == second or (loose and first.casefold() == second.casefold())


def check_outputs(outputs: Sequence[Named], inputs: Sequence[Named]) -> None:
    """Stop (UsageError, exit 2) when an output would replace an input or another output."""
    for i, out in enumerate(outputs):
        if out.path == "-":
            continue
        for source in inputs:
            if _same(out.path, source.path, loose=False):
                fix = out.fix or say("outputs.give_another_path", what=out.what)
                raise UsageError(say("outputs.output_is_input", what=out.what, path=out.path, other=source.what,
                                     other_path=source.path, fix=fix), Location(file=out.path), slug="output_is_input")
        for other in outputs[:i]:
            if other.path != "-" and _same(out.path, other.path, loose=True):
                fix = out.fix or say("outputs.give_different_paths")
                raise UsageError(say("outputs.output_clash", what=out.what, path=out.path, other=other.what,
                                     other_path=other.path, fix=fix), Location(file=out.path), slug="output_clash")


@dataclass
class Staging:
    """Outputs written beside their targets under temporary names, renamed into place together by `commit`.

    `folder`, when given, is the run folder: it records the temporary names (so a later run can remove them if
    this one is killed) and holds the writers' scratch files (`scratch`)."""

    folder: RunFolder | None = None
    _pending: list[tuple[Path, Path, Location]] = field(default_factory=list)
    _made: list[Path] = field(default_factory=list)  # folders made for outputs, removed again when left empty

    @property
    def scratch(self) -> Path | None:
        """A folder for a writer's own temporary files (the workbook writer's), inside the run folder."""
        return self.folder.sub("scratch") if self.folder is not None and self.folder.path is not None else None

    def folder_for(self, directory: Path) -> None:
        """Make an output folder that does not exist yet (removed again if the run ends without committing)."""
        missing = []
        current = directory
        while not current.exists():
            missing.append(current)
            current = current.parent
        directory.mkdir(parents=True, exist_ok=True)
        self._made.extend(reversed(missing))

    @contextmanager
    def directory(self, target: Path, location: Location) -> Iterator[Path]:
        """A fresh temporary folder beside `target` for the block to fill; kept for `commit`, which puts it in
        place of `target` (which must then be missing or an empty folder), when the block succeeds, removed with
        everything in it when the block fails."""
        temp = _create_temp(target, location, folder=True)
        if self.folder is not None and self.folder.path is not None:
            self.folder.staging(temp)
        try:
            yield temp
        except BaseException:
            shutil.rmtree(temp, ignore_errors=True)
            raise
        self._pending.append((temp, target, location))

    @contextmanager
    def path(self, target: Path, location: Location) -> Iterator[Path]:
        """A fresh temporary file beside `target` for the block to write; kept for `commit` when the block
        succeeds, removed when it fails."""
        temp = _create_temp(target, location)
        if self.folder is not None and self.folder.path is not None:
            self.folder.staging(temp)
        try:
            yield temp
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        self._pending.append((temp, target, location))

    def commit(self) -> None:
        """Put every staged output in place, all or none: each existing target is first moved aside (an empty
        folder a staged folder replaces, removed), and if any step fails every target is put back as it was
        (OutputError naming the file)."""
        pending, self._pending = self._pending, []
        done: list[tuple[Path, Path | None, bool]] = []  # (target, where its earlier version went, was an empty
        # folder) of outputs in place
        try:
            for temp, target, location in pending:
                if temp.is_dir():
                    done.append(_put_folder(temp, target, location))
                    continue
                if target.is_dir():
                    raise OutputError(say("outputs.staged_is_folder"), location)
                aside = None
                try:
                    if os.path.lexists(target):
                        aside = _create_temp(target, location)
                        if self.folder is not None and self.folder.path is not None:
                            self.folder.staging(aside)
                        os.replace(target, aside)
                    os.replace(temp, target)
                except OSError as exc:
                    if aside is not None and not os.path.lexists(target):
                        os.replace(aside, target)
                    elif aside is not None:
                        os.unlink(aside)
                    reason = exc.strerror or type(exc).__name__
                    raise OutputError(say("outputs.cant_replace_output", reason=reason), location) from exc
                done.append((target, aside, False))
        except BaseException:
            for target, aside, was_empty in reversed(done):  # every output as it was before this run
                with contextlib.suppress(OSError):
                    if aside is not None:
                        os.replace(aside, target)
                    elif target.is_dir() and not target.is_symlink():
                        shutil.rmtree(target)
                        if was_empty:
                            target.mkdir()
                    else:
                        os.unlink(target)
            for temp, _, _ in pending:
                _remove(temp)
            self.discard()
            raise
        for _, aside, _ in done:
            if aside is not None:
                with contextlib.suppress(OSError):
                    os.unlink(aside)
        self._made = []

    def discard(self) -> None:
        """Remove every staged file (and the output folders this run made); nothing is put in place."""
        for temp, _, _ in self._pending:
            _remove(temp)
        self._pending = []
        for folder in reversed(self._made):
            with contextlib.suppress(OSError):
                folder.rmdir()
        self._made = []

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()


@contextmanager
def atomic_path(target: Path, location: Location, staging: Staging | None = None) -> Iterator[Path]:
    """A temporary file beside `target` for the block to write: with `staging`, put in place when the staging
    commits; without, renamed onto `target` as soon as the block succeeds."""
    if staging is not None:
        with staging.path(target, location) as temp:
            yield temp
        return
    with Staging() as alone, alone.path(target, location) as temp:
        yield temp


def _put_folder(temp: Path, target: Path, location: Location) -> tuple[Path, None, bool]:
    """A staged folder renamed to `target`, which is missing or an empty folder (removed first): (target, no
    earlier version kept, whether an empty folder was there)."""
    was_empty = target.is_dir() and not target.is_symlink() and not any(target.iterdir())
    if os.path.lexists(target) and not was_empty:  # made or filled while the run was writing
        raise OutputError(say("outputs.folder.exists"), location)
    try:
        if was_empty:
            target.rmdir()
        os.replace(temp, target)
    except OSError as exc:
        if was_empty and not os.path.lexists(target):
            with contextlib.suppress(OSError):
                target.mkdir()
        reason = exc.strerror or type(exc).__name__
        raise OutputError(say("outputs.cant_replace_output", reason=reason), location) from exc
    return target, None, was_empty


def _remove(temp: Path) -> None:
    """A staged file or folder removed (whatever of it is there)."""
    with contextlib.suppress(OSError):
        if temp.is_dir() and not temp.is_symlink():
            shutil.rmtree(temp)
        else:
            os.unlink(temp)


def _create_temp(target: Path, location: Location, folder: bool = False) -> Path:
    """A new empty file (or `folder`) beside `target`, under a name of its own."""
    for _ in range(100):
        temp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            if folder:
                temp.mkdir(0o777)
                return temp
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise OutputError(say("outputs.cant_write_beside", reason=reason), location) from exc
        os.close(fd)
        return temp
    raise OutputError(say("outputs.cant_create_temp"), location)
