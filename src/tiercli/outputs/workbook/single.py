"""A workbook of one sheet, for the commands that write only that (`tiercli diff -o`, `tiercli clv -o`): checked,
written to a temporary file beside the target and renamed into place."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import xlsxwriter
from xlsxwriter.workbook import Workbook

from tiercli.errors import Location, OutputError
from tiercli.messages import Said, say
from tiercli.outputs.staging import Staging, atomic_path
from tiercli.outputs.workbook.cells import Formats


def write_single_sheet(out: str, not_xlsx: Said, write: Callable[[Workbook, Formats], None],
                       staging: Staging | None = None, constant_memory: bool = False) -> None:
    """Write `out` (an .xlsx, else `not_xlsx` is the error) with `write`, which adds the sheet."""
    target = Path(out)
    where = Location(file=out)
    if target.suffix.lower() != ".xlsx":
        raise OutputError(not_xlsx, where)
    if not target.parent.is_dir():
        raise OutputError(say("outputs.output_dir_missing", directory=target.parent), where)
    try:
        with atomic_path(target, where, staging) as temp:
            scratch = staging.scratch if staging is not None else None
            workbook = xlsxwriter.Workbook(str(temp), {"strings_to_formulas": False, "strings_to_urls": False,
                                                       "strings_to_numbers": False, "constant_memory": constant_memory,
                                                       **({"tmpdir": str(scratch)} if scratch else {})})
            write(workbook, Formats(workbook))
            workbook.close()
    except OSError as error:
        raise OutputError(say("outputs.cant_write", what=say("outputs.named.output"), reason=error.strerror or error),
                          where) from error
