"""Reading workbooks (xlsx, xlsm, xls, xlsb, ods) without letting one take the machine down.

The Rust reader (fastexcel, calamine underneath) builds a sheet as one dense grid from its first to its last cell,
so a 5 KB file with one cell at XFD1048576 asks for half a terabyte, and a broken file can make native code abort.
So a sheet is read in a child process, and the child's memory is watched: past the run's memory limit it is
stopped, and the run ends with a message saying why (exit 2) instead of the machine swapping or the process
dying. The sheet comes back as an Arrow file in the run folder, mapped into memory without a copy.

Before that, the zip parts of an xlsx/xlsm/ods are checked: a part that would unpack to far more than it weighs
(a zip bomb) is refused without unpacking it.
"""

from __future__ import annotations

import contextlib
import faulthandler
import math
import multiprocessing
import os
import re
import signal
import sys
import time
import traceback
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.ipc as ipc

from tiercli.database import DEFAULT_MEMORY_LIMIT, memory_bytes
from tiercli.errors import InputError, Location, first_line
from tiercli.messages import as_is, say
from tiercli.names import readable_name
from tiercli.runfolder import RunFolder

SheetPicker = Callable[[Sequence[str]], list[str]]
ZIP_KINDS = (".xlsx", ".xlsm", ".ods")
BOMB_RATIO = 200  # unpacked / packed size of one part beyond which a big part is taken for a zip bomb
BOMB_MIN_BYTES = 64 << 20  # parts smaller than this unpacked are never refused
POLL_SECONDS = 0.05
BYTES_PER_CELL = 40  # what the reader needs per cell of a sheet's grid, measured: 31-36 bytes
_ALLOCATION = re.compile(r"memory allocation of (\d+) bytes failed")
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+[0-9]+)(?::([A-Z]+[0-9]+))?"')


@dataclass(frozen=True)
class Workbook:
    """The sheets read from one workbook: every sheet's name, and the chosen ones as text grids."""

    names: list[str]
    sheets: dict[str, pa.Table]  # sheet name -> every cell as text, no header row taken


def read_workbook(path: Path, shown: str, pick: SheetPicker, folder: Path | None = None,
                  memory_limit: int | None = None) -> Workbook:
    """The sheets `pick` chooses from the workbook's sheet names, each cell as text (`header_row=None`).

    `folder` is the run folder (the sheets stay there, mapped into memory); without one the sheets are copied into
    memory from a folder of their own. `memory_limit` (bytes; None: tiercli's default memory limit) bounds what
    reading may take beyond what the process already holds. `InputError` when the file is no workbook, is a zip
    bomb, or needs more memory than the limit."""
    if folder is None:
        with RunFolder() as own:
            book = read_workbook(path, shown, pick, own.folder, memory_limit)
            return Workbook(book.names, {name: table.combine_chunks() for name, table in book.sheets.items()})
    memory_limit = memory_limit or memory_bytes(DEFAULT_MEMORY_LIMIT)
    _check_zip(path, shown)
    out = folder / f"sheets-{time.monotonic_ns()}"
    out.mkdir()
    method = "fork" if sys.platform == "linux" else "spawn"
    context: Any = multiprocessing.get_context(method)  # typeshed's BaseContext lacks Process
    source = path
    if readable_name(str(path)) != str(path):  # a name that is no UTF-8: the reader gets a link of tiercli's
        source = out / f"book{path.suffix if readable_name(path.suffix) == path.suffix else ''}"
        source.symlink_to(path.absolute())
    child = context.Process(target=_read_in_child, args=(str(source), pick, str(out)), daemon=True)
    child.start()
    try:
        peak = _wait(child, memory_limit)
    except BaseException:
        _stop(child)
        raise
    if peak is not None:
        raise _too_big(path, shown, memory_limit)
    asked = _ALLOCATION.search(_text(out / "stderr.txt"))
    if asked:  # the reader asked for more memory than the machine would give, and stopped
        raise _too_big(path, shown, memory_limit, int(asked.group(1)))
    failure = _text(out / "error.txt")
    if child.exitcode != 0 or failure:
        reason = failure or f"the reader stopped ({_exit_text(child.exitcode)})"
        kind = path.suffix.lstrip(".") or "xlsx"
        raise InputError(say("sources.not_a_spreadsheet", reason=reason, kind=kind), Location(file=shown),
                         slug="not_a_table")
    names = _text(out / "names.txt").split("\n") if (out / "names.txt").stat().st_size else []
    chosen = _text(out / "chosen.txt").split("\n") if (out / "chosen.txt").stat().st_size else []
    sheets = {name: _load(out / f"{i}.arrow") for i, name in enumerate(chosen)}
    return Workbook(names, sheets)


def _too_big(path: Path, shown: str, memory_limit: int, asked: int = 0) -> InputError:
    """The sheet took (or asked for, `asked` bytes at once) more memory than allowed: say how much it would need
    when its declared size tells, and what to do."""
    area, cells = _declared(path)
    need = max(cells * BYTES_PER_CELL, asked)
    declared = say("sources.declared_cells", area=area, cells=cells) if area else as_is("")
    if need and need < _physical_memory() // 2:
        advice = say("sources.give_more_memory", size=_size(need, up=True))
    else:
        advice = say("sources.stray_cells")
    return InputError(say("sources.sheet_too_big", limit=_size(memory_limit), declared=declared, advice=advice),
                      Location(file=shown), slug="sheet_too_big")


def _physical_memory() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 8 << 30


def _read_in_child(path: str, pick: SheetPicker, out: str) -> None:
    """In the child: read the chosen sheets and write each as an Arrow file, or the reason it failed."""
    folder = Path(out)
    faulthandler.disable()  # an abort here is reported by the parent, not dumped on the user's terminal
    os.environ["RUST_BACKTRACE"] = "0"
    with open(folder / "stderr.txt", "wb") as errors:  # a Rust panic prints there, not on the user's terminal
        os.dup2(errors.fileno(), 2)
    try:
        import fastexcel

        reader = fastexcel.read_excel(path)
        names = [str(n) for n in reader.sheet_names]
        chosen = pick(names)
        (folder / "names.txt").write_text("\n".join(names), encoding="utf-8", errors="surrogateescape")
        for i, name in enumerate(chosen):
            table = reader.load_sheet(name, header_row=None, dtypes="string").to_arrow()
            if isinstance(table, pa.RecordBatch):
                table = pa.Table.from_batches([table])
            with ipc.new_file(str(folder / f"{i}.arrow"), table.schema) as writer:
                writer.write_table(table)
        (folder / "chosen.txt").write_text("\n".join(chosen), encoding="utf-8", errors="surrogateescape")
    except BaseException as error:  # every failure reaches the parent as text
        message = first_line(error) if not isinstance(error, MemoryError) else "out of memory"
        (folder / "error.txt").write_text(message, encoding="utf-8", errors="replace")
        with contextlib.suppress(Exception):
            (folder / "traceback.txt").write_text(traceback.format_exc(), encoding="utf-8", errors="replace")
    finally:
        with contextlib.suppress(OSError):
            if not (folder / "chosen.txt").exists() and not (folder / "error.txt").exists():
                (folder / "error.txt").write_text("the reader stopped", encoding="utf-8")


def _wait(child: multiprocessing.process.BaseProcess, memory_limit: int | None) -> int | None:
    """Wait for the child; the memory it reached when it was stopped for going past `memory_limit`, else None."""
    start = _anonymous_memory(child.pid) if memory_limit else None
    while child.is_alive():
        child.join(POLL_SECONDS)
        if memory_limit and start is not None and child.is_alive():
            now = _anonymous_memory(child.pid)
            if now is not None and now - start > memory_limit:
                _stop(child)
                return now - start
    return None


def _anonymous_memory(pid: int | None) -> int | None:
    """The process's resident anonymous memory in bytes (Linux), or None where it can't be read."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return None
    return None


def _stop(child: multiprocessing.process.BaseProcess) -> None:
    with contextlib.suppress(Exception):
        child.kill()
    child.join(5)


def _load(path: Path) -> pa.Table:
    return ipc.open_file(pa.memory_map(str(path))).read_all()


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError:
        return ""


def _exit_text(code: int | None) -> str:
    if code is not None and code < 0:
        with contextlib.suppress(ValueError):
            return f"signal {signal.Signals(-code).name}"
    return f"exit code {code}"


def _size(number: int, up: bool = False) -> str:
    """A memory size as --memory-limit takes it (1GB = 1000³ bytes): 1GB, 1.5GB, 512MB; with `up`, whole
    gigabytes rounded up, enough for `number`."""
    if up:
        return f"{max(1, math.ceil(number / 1000**3))}GB"
    if number >= 1000**3:
        gb = number / 1000**3
        return f"{gb:.0f}GB" if gb == round(gb) else f"{gb:.1f}GB"
    return f"{max(1, round(number / 1000**2))}MB"


def _check_zip(path: Path, shown: str) -> None:
    """Refuse a zip-based workbook one of whose parts unpacks to far more than it weighs."""
    if path.suffix.lower() not in ZIP_KINDS and not _is_zip(path):
        return
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                packed = max(info.compress_size, 1)
                if info.file_size > BOMB_MIN_BYTES and info.file_size / packed > BOMB_RATIO:
                    raise InputError(say("sources.zip_bomb", part=info.filename, packed=_size(packed),
                                         unpacked=_size(info.file_size), times=info.file_size // packed),
                                     Location(file=shown), slug="zip_bomb")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, ValueError, EOFError):
        return  # not a zip this module can read: the reader says what it is


def _is_zip(path: Path) -> bool:
    with contextlib.suppress(OSError), path.open("rb") as fh:
        return fh.read(4) == b"PK\x03\x04"
    return False


def _declared(path: Path) -> tuple[str, int]:
    """The first sheet's declared cell range ('A1:XFD1048576') and how many cells it spans, when it can be read
    cheaply (xlsx/xlsm); ('', 0) otherwise."""
    with contextlib.suppress(Exception), zipfile.ZipFile(path) as archive:
        parts = sorted(n for n in archive.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
        if parts:
            with archive.open(parts[0]) as sheet:
                found = _DIMENSION.search(sheet.read(65536))
            if found and found.group(2):
                first, last = (_cell(found.group(k).decode()) for k in (1, 2))
                return (f"{found.group(1).decode()}:{found.group(2).decode()}",
                        (last[0] - first[0] + 1) * (last[1] - first[1] + 1))
    return "", 0


def _cell(ref: str) -> tuple[int, int]:
    """(row, column) numbers of a reference such as 'XFD1048576'."""
    letters = ref.rstrip("0123456789")
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - ord("A") + 1
    return int(ref[len(letters):]), column
