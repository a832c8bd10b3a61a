"""The bureau's layout of the responsibility list (序号 … 上级任务序号), shared by import and export."""

import re

from campaign.core.spreadsheets import XLSX_TYPE  # noqa: F401 (part of this module's layout)

COLUMNS = ["序号", "任务内容", "责任单位", "责任人", "分管领导", "完成时限", "完成标准", "对应测评标准", "上级任务序号"]
REQUIRED_COLUMNS = ["任务内容", "责任单位", "责任人", "完成时限"]
WIDTHS = [8, 48, 16, 12, 12, 14, 40, 22, 12]
CODE_SPLIT = re.compile(r"[,，、;；\s]+")
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")

