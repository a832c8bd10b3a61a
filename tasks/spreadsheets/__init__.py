"""The responsibility list as Excel, in the layout bureaus keep (序号 … 上级任务序号).

Import checks every row before anything is written and reports every bad row
by its number and reason; when any row is bad nothing is imported (one
transaction). Export writes the same layout, so an export imports back to the
same list. Text cells that a spreadsheet would run as a formula are prefixed
with a quote (formula injection), and the importer takes that quote off again.
"""

from tasks.spreadsheets.export import export_workbook, template_workbook
from tasks.spreadsheets.importing import ImportResult, RowError, import_tasks
from tasks.spreadsheets.layout import COLUMNS, XLSX_TYPE

__all__ = ["COLUMNS", "XLSX_TYPE", "ImportResult", "RowError", "export_workbook", "import_tasks",
           "template_workbook"]
