"""Spreadsheets: one rule for text a spreadsheet program would run as a formula, and how imports open a file.

Every export (responsibility list, findings, meeting-pack tables) writes cells
through :func:`safe_cell`, so user text starting with = + - @ (or a tab or
carriage return) is stored with a leading quote and shown, never evaluated
(OWASP "CSV injection"). The responsibility-list importer removes that quote
again, so an export re-imports to the same text.
"""

import io
import re
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from campaign.core.uploads import MAX_UNZIPPED_BYTES

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: A cell starting with one of these is a formula to Excel, LibreOffice or WPS.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` unchanged, unless it is text a spreadsheet would evaluate: then quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unquote_cell(text: str) -> str:
    """The inverse of :func:`safe_cell` for imported text."""
    if text.startswith("'") and text[1:2] and text[1] in "".join(FORMULA_STARTS):
        return text[1:]
    return text


@dataclass
class RowError:
    """A problem of an imported sheet: its row number (0: the file itself) and what is wrong, in words."""

    row: int
    message: str


def cell_text(value) -> str:
    """A cell as the text a person typed: stripped, 12.0 as 12, our own export's formula quote removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unquote_cell(str(value).strip())


#: How far down a sheet its header row may be (a title, a date, a blank line above it).
HEADER_SEARCH_ROWS = 10


def find_header(rows: list[tuple], *, marker: str, columns) -> tuple[int, dict[str, int]] | None:
    """The header row (the first of the top rows that has the column ``marker``; "*" required marks and spaces
    ignored) and the column of each of ``columns`` it has, or None."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = [re.sub(r"[\s*＊]", "", cell_text(v)) for v in row]
        if marker in names:
            return index, {name: col for col, name in enumerate(names) if name in columns}
    return None


def open_workbook(upload):
    """An uploaded .xlsx, read-only, or ValueError with what is wrong in the person's words: too large, a
    zip bomb, or not a spreadsheet at all."""
    if getattr(upload, "size", 0) > settings.UPLOAD_MAX_BYTES:
        raise ValueError(_("The file is larger than %(mb)s MB.") % {"mb": settings.UPLOAD_MAX_BYTES // 1048576})
    upload.seek(0)
    data = upload.read()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise ValueError(_("The file expands to more than a spreadsheet should."))
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, TypeError) as exc:
        raise ValueError(_("This is not an Excel .xlsx file.")) from exc
