"""``manage.py check_list``: layouts it detects, the two outputs, and hostile inputs."""

from __future__ import annotations

import csv
import io
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from suppression.listcheck.csvfiles import RowReader, detect
from tests.factories import bounce

pytestmark = pytest.mark.django_db


def run(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("check_list", str(path), "--no-dns", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def read_csv(path: Path, encoding: str = "utf-8-sig", delimiter: str = ",") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as stream:
        return list(csv.reader(stream, delimiter=delimiter))


MESSY = (
    "Name;E-mail;Phone\r\n"
    "Olena;olena@gmail.com;+380501234567\r\n"
    'Ivan;ivan@gmial.com;=HYPERLINK("http://x")\r\n'
    "Bad;bad-address;\r\n"
    "\r\n"
    "Dup;OLENA@gmail.com ;\r\n"
    "Info;info@ukr.net;-5\r\n"
    "Paused;gone@ukr.net;\r\n"
)


def test_report_cleaned_file_and_summary(tmp_path: Path) -> None:
    bounce("gone@ukr.net")
    source = tmp_path / "list.csv"
    source.write_text(MESSY, encoding="utf-8")
    out, err = run(source)

    assert "UTF-8, semicolon-separated, with a header" in err
    assert "100%" in err
    assert "6 rows checked" in out
    assert "2 rows safe to import" in out
    report = read_csv(tmp_path / "list.report.csv")
    assert report[0] == ["line", "verdict", "reasons", "suggestion", "Name", "E-mail", "Phone"]
    by_name = {row[4]: row for row in report[1:]}
    assert by_name["Olena"][:2] == ["2", "ok"]
    assert by_name["Ivan"][1:4] == [
        "fix_suggested",
        "gmial.com looks like a typo of gmail.com; gmial.com is a disposable-mail domain",
        "ivan@gmail.com",
    ]
    assert by_name["Bad"][1] == "invalid"
    assert by_name["Dup"][:2] == ["6", "duplicate"]
    assert by_name["Info"][1] == "risky"
    assert by_name["Paused"][1] == "suppressed"
    # support sees why
    assert "Non-existent address" in by_name["Paused"][2]
    # formulas neutralized in the report...
    assert by_name["Ivan"][6] == '\'=HYPERLINK("http://x")'
    assert by_name["Olena"][6] == "'+380501234567"
    # ...but the cleaned file keeps the owner's values as they came, in their layout
    cleaned = (tmp_path / "list.clean.csv").read_bytes().decode()
    assert cleaned == (
        "Name;E-mail;Phone\r\nOlena;olena@gmail.com;+380501234567\r\nInfo;info@ukr.net;-5\r\n"
    )


def test_apply_fixes_writes_the_suggestion_into_the_cleaned_file(tmp_path: Path) -> None:
    source = tmp_path / "list.csv"
    source.write_text("email\nivan@gmial.com\nolena@ukr.nte\n", encoding="utf-8")
    out_dir = tmp_path / "out"
    run(source, "--apply-fixes", "--out", str(out_dir))
    assert read_csv(out_dir / "list.clean.csv") == [
        ["email"],
        ["ivan@gmail.com"],
        ["olena@ukr.net"],
    ]
    assert not (tmp_path / "list.report.csv").exists()


def test_cp1251_tab_separated_without_header(tmp_path: Path) -> None:
    source = tmp_path / "old.csv"
    source.write_bytes("Олена\tolena@ukr.net\nПетро\tpetro@i.ua\n".encode("cp1251"))  # noqa: RUF001
    _, err = run(source)
    assert "Windows-1251, tab-separated, without a header, email in column number 2" in err
    cleaned = (tmp_path / "old.clean.csv").read_bytes().decode("cp1251")
    assert cleaned == "Олена\tolena@ukr.net\r\nПетро\tpetro@i.ua\r\n"  # noqa: RUF001
    report = read_csv(tmp_path / "old.report.csv")
    assert report[1][:2] == ["1", "ok"]
    assert report[1][4] == "Олена"


def test_utf8_bom_and_column_by_name(tmp_path: Path) -> None:
    source = tmp_path / "bom.csv"
    source.write_bytes("\ufeffwork,home\r\ninfo@firma.com.ua,olena@gmail.com\r\n".encode())
    _, err = run(source, "--column", "home")
    assert "UTF-8 with BOM" in err and 'email in column "home"' in err
    assert read_csv(tmp_path / "bom.report.csv")[1][1] == "ok"


def test_streaming_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    def peak(rows: int) -> int:
        source = tmp_path / f"n{rows}.csv"
        with source.open("w") as out:
            out.write("email,name\n")
            for i in range(rows):
                out.write(f"user{i}@d{i % 300}.example,Name {i}\n")
        layout = detect(source)
        tracemalloc.start()
        with RowReader(source, layout) as reader:
            for _ in reader:
                pass
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small, large = peak(2_000), peak(60_000)
    assert large < small * 2 + 200_000, (small, large)


HOSTILE = [
    ("zip", lambda p: _zip(p), "looks like a zip archive"),
    ("binary", lambda p: p.write_bytes(bytes(range(256)) * 10), "not a text file"),
    ("utf16", lambda p: p.write_bytes("email\na@b.com\n".encode("utf-16")), "UTF-16"),
    ("long line", lambda p: p.write_bytes(b"x" * 10_000_000), "longer than 64 KB"),
    ("no email column", lambda p: p.write_text("name,phone\nOlena,+380\n"), "No column"),
    ("empty lines", lambda p: p.write_bytes(b"\n" * 1_000_000), "empty"),
    ("empty", lambda p: p.write_bytes(b""), "empty"),
    (
        "long cell later",
        lambda p: p.write_bytes(b"email\n" + b"a@b.com\n" * 100 + b'"' + b"y" * 200_000 + b"\n"),
        "longer than 64 KB",
    ),
    (
        "bad utf-8 after a BOM",
        lambda p: p.write_bytes(b"\xef\xbb\xbfemail\na@b.com\n" + b"\xff\xfe\xfa\n"),
        "not UTF-8 further on",
    ),
]


def _zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("sheet.xml", "<x/>" * 100)


@pytest.mark.parametrize(("name", "write", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_input_gets_a_clear_error_and_leaves_nothing(
    tmp_path: Path, name: str, write, message: str
) -> None:
    source = tmp_path / "list.csv"
    write(source)
    with pytest.raises(CommandError, match=message):
        run(source)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["list.csv"]


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "nope.csv")


def test_a_suggestion_is_a_report_cell_like_any_other(tmp_path: Path) -> None:
    """The suggestion is built from the row's own local part: "=cmd@ukr.nte" suggests
    "=cmd@ukr.net", which a spreadsheet would run as a formula unless neutralized. The cleaned
    file, with the fix applied, holds the address itself."""
    source = tmp_path / "list.csv"
    source.write_text("email\n=cmd@ukr.nte\n-x@gmial.com\n", encoding="utf-8")
    run(source, "--apply-fixes")
    report = read_csv(tmp_path / "list.report.csv")
    assert [row[3] for row in report[1:]] == ["'=cmd@ukr.net", "'-x@gmail.com"]
    assert read_csv(tmp_path / "list.clean.csv") == [["email"], ["=cmd@ukr.net"], ["-x@gmail.com"]]
