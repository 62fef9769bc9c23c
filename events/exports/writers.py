"""A sheet (``events.exports.sheets.Sheet``) written as an ``.xlsx`` workbook or as CSV.

* ``.xlsx``: an openpyxl *write-only* workbook (each row goes to a temporary XML file as it comes,
  so memory stays flat), one worksheet, the header row bold and frozen, column widths set, times
  as Excel date-times (``yyyy-mm-dd hh:mm``).  Text is always written as text: a participant
  called "=HYPERLINK(…)" stays a name and never becomes a formula.  The finished file is in a
  temporary file on disk, which the response streams and then closes (deletes).
* CSV: UTF-8 with a byte-order mark, so that Excel opens Chinese text right (without it Excel
  reads UTF-8 as the local code page); comma-separated, CRLF line ends, times as
  ``YYYY-MM-DD HH:MM``.  Made row by row for a streaming response.  A text cell that starts
  with ``= + - @``, a tab or a carriage return gets a leading apostrophe, so that a spreadsheet
  opening the file does not run it as a formula (OWASP "CSV injection").
"""

import csv
import datetime
import tempfile

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
CSV_BATCH = 200  # rows per chunk of the streamed CSV
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- .xlsx --------------------------------------------------------------------------------


def xlsx_file(sheet):
    """The sheet as an ``.xlsx`` workbook in a temporary file, positioned at its start."""
    # openpyxl is imported here, not at start-up: it imports NumPy when NumPy is installed.
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet.title[:31])
    worksheet.freeze_panes = "A2"
    for index, column in enumerate(sheet.columns, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = column.width
    bold = Font(bold=True)
    worksheet.append([_header_cell(worksheet, column.title, bold) for column in sheet.columns])
    for row in sheet.rows:
        worksheet.append([_cell(worksheet, value) for value in row])
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it once it has been sent
    workbook.save(out)
    out.seek(0)
    return out


def _header_cell(worksheet, title, font):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(worksheet, value=_clean(title))
    cell.data_type = "s"
    cell.font = font
    return cell


def _cell(worksheet, value):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES

    if isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(worksheet, value=value)
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, str):
        value = _clean(value)
        if value.startswith("=") or value in ERROR_CODES:
            cell = WriteOnlyCell(worksheet, value=value)
            cell.data_type = "s"  # openpyxl would make it a formula or an error value
            return cell
    return value


def _clean(text):
    """Without the control characters that an .xlsx file cannot hold."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", text)


# --- CSV ----------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose ``write`` hands the line back, for ``csv.writer`` to make lines."""

    def write(self, value):
        return value


def csv_chunks(sheet):
    """The sheet as CSV: an iterator of UTF-8 byte chunks, the first starting with the BOM."""
    writer = csv.writer(_Echo())
    yield ("\ufeff" + writer.writerow([column.title for column in sheet.columns])).encode()
    lines = []
    for row in sheet.rows:
        lines.append(writer.writerow([_text(value) for value in row]))
        if len(lines) == CSV_BATCH:
            yield "".join(lines).encode()
            lines = []
    if lines:
        yield "".join(lines).encode()


def _text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, str):
        return f"'{value}" if value.startswith(FORMULA_STARTS) else value
    return str(value)
