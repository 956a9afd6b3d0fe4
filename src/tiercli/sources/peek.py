"""A first look at one order export, for `tiercli init --from`: its headers, the platform they match and the
currency its rows name, read with the same readers and detection a run uses."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from tiercli.database import Database, open_database
from tiercli.errors import ColumnMappingError
from tiercli.profiles.detect import build_mapping, detect_platform, header_score
from tiercli.runfolder import RunFolder
from tiercli.sources.readers import open_file
from tiercli.sqltext import identifier

SAMPLE_ROWS = 1000  # rows whose currency cells are counted
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Peek:
    headers: tuple[str, ...]
    platform: str | None  # the profile the headers clearly match; None when none does (generic, weak or a tie)
    currency: str | None  # the most common currency code in the sampled rows, when the export has the column

    @property
    def chinese(self) -> bool:
        """Whether most headers are written in Chinese."""
        return sum(bool(_CJK.search(h)) for h in self.headers) * 2 > len(self.headers)


def peek(path: str, sheet: str | None = None) -> Peek:
    """The headers, detected platform and currency of the first file (or sheet) `path` holds."""
    with RunFolder() as folder:
        opened = open_file(path, folder.folder, sheet=sheet, header_score=header_score)[0]
        with open_database(folder.sub("duckdb"), readable=[opened.readable] if opened.readable else []) as db:
            raw = opened.attach(db, "raw_0")
            try:
                detection = detect_platform(raw.headers, where=raw.path)
            except ColumnMappingError:  # a tie or a weak match: no platform to go by
                detection = None
            platform = None if detection is None or detection.profile.name == "generic" else detection.profile.name
            currency = None
            if detection is not None:
                columns = build_mapping(raw.headers, detection.profile, {}, raw.path, check=False).columns
                currency = _currency(db, raw.table, raw.headers, columns.get("currency", ()))
    return Peek(tuple(raw.headers), platform, currency)


def _currency(db: Database, table: str, headers: Sequence[str], mapped: Sequence[str]) -> str | None:
    if not mapped:
        return None
    column = identifier(f"c{list(headers).index(mapped[0])}")
    row = db.execute(
        f"SELECT upper(trim(CAST({column} AS VARCHAR))) AS code, count(*) FROM "
        f"(SELECT {column} FROM {table} LIMIT {SAMPLE_ROWS}) WHERE regexp_matches(upper(trim(CAST({column} AS "
        f"VARCHAR))), '^[A-Z]{{3}}$') GROUP BY code ORDER BY count(*) DESC, code LIMIT 1").fetchone()
    return str(row[0]) if row else None
