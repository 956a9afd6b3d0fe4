"""Members files: headers found in English and Chinese, ids and dates cleaned, problems named by row and column."""

from __future__ import annotations

import atexit
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from conftest import write
from tiercli.database import Database, open_database
from tiercli.errors import ColumnMappingError, DataError
from tiercli.runfolder import RunFolder
from tiercli.sources.members import Members, load_members, open_members


def read_members(path: Path, needed: list[str] | tuple[str, ...] = ()) -> tuple[Database, Members]:
    """A members file read as a run reads it, into a database that may read just that file."""
    folder = RunFolder()
    folder.open()
    atexit.register(folder.close)
    opened = open_members(str(path), folder.folder)
    db = open_database(folder.folder, readable=[opened.readable] if opened.readable else [])
    return db, load_members(db, opened, str(path), needed)


def members(con: Database) -> list[tuple[object, ...]]:
    return con.execute("SELECT * FROM members ORDER BY customer_id").fetchall()


def test_a_chinese_csv_becomes_the_members_table(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", """
        会员ID,注册时间,生日,会员等级,省份,性别
        ="000123",2024/01/05,1990-03-15,gold,浙江,女
        c2,2024-02-01 10:00,,silver,,
        ,2024-01-01,,,,
        c3,45123,19851201,-,上海,男
    """)
    con, read = read_members(path, ["age", "member_level"])
    assert (read.rows, read.members, read.without_id) == (4, 3, 1)
    assert read.columns == {"customer_id": "会员ID", "registered_at": "注册时间", "birthday": "生日",
                            "member_level": "会员等级", "member_region": "省份", "member_gender": "性别"}
    assert members(con) == [
        ("000123", datetime(2024, 1, 5), date(1990, 3, 15), "gold", "浙江", None, "女"),
        ("c2", datetime(2024, 2, 1, 10), None, "silver", None, None, None),
        ("c3", datetime(2023, 7, 16), date(1985, 12, 1), None, "上海", None, "男"),  # Excel serial 45123
    ]


def test_a_workbook_with_a_title_row_and_numeric_ids(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["会员列表"])
    ws.append(["member_id", "Registration Date", "Level"])
    ws.append([123, datetime(2024, 1, 5, 10, 0), "gold"])
    wb.save(tmp_path / "m.xlsx")
    con, _ = read_members(tmp_path / "m.xlsx")
    assert members(con) == [("123", datetime(2024, 1, 5, 10, 0), None, "gold", None, None, None)]


@pytest.mark.parametrize(("text", "needed", "error", "message"), [
    ("id,birthday\nc1,1990-13-01\n", [], DataError,
     "{path} row 2 column 'birthday': '1990-13-01' is not a date; write dates as YYYY-MM-DD"),
    ("id,level\nc1,gold\nc2,gold\nc1,silver\n", [], DataError,
     "{path} column 'id': member 'c1' is listed more than once (rows 2, 4); keep one row per member"),
    ("name,level\nc1,gold\n", [], ColumnMappingError,
     "{path}: no column for the member id (looked for: customer_id, member_id, customer, member, id, user_id, "
     "会员ID, 客户ID, …). Columns found: 'name', 'level'. Name the id column customer_id (the same ids as in the "
     "orders)"),
    ("id,level\nc1,gold\n", ["age"], ColumnMappingError,
     "{path}: the rules use age, which needs the members' birthday, but there is no such column (looked for: "
     "birthday, birth_date, date_of_birth, dob, 生日, …). Columns found: 'id', 'level'"),
])
def test_problems_name_the_file_row_and_column(tmp_path: Path, text: str, needed: list[str],
                                               error: type[Exception], message: str) -> None:
    path = write(tmp_path, "m.csv", text)
    with pytest.raises(error) as raised:
        read_members(path, needed)
    assert str(raised.value) == message.format(path=path)
