"""A paper ledger filled in as a clerk would: the template, with rows typed under its headers."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from projections.paper.template import template_bytes


def filled(sheets: dict[str, list[dict[str, Any]]], template: bytes | None = None) -> bytes:
    """The template with `sheets` rows (by column label) typed in from row 2; '=...' strings become formulas."""
    book = load_workbook(io.BytesIO(template or template_bytes()))
    for name, rows in sheets.items():
        ws = book[name]
        columns = {ws.cell(1, c).value: c for c in range(1, ws.max_column + 1)}
        for r, row in enumerate(rows, 2):
            for label, value in row.items():
                ws.cell(r, columns[label], value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# HW's first weeks on paper, 2021; the ledger is adopted in 2026 (the office's 许办公 enters it).
SET_UP = {
    "单位": [{"生效时间": "2021-08-31 09:00", "单位代码": "HW", "单位名称": "环境卫生管理处", "单位类别": "机关处室",
             "行业领域": "环卫作业", "对口处室": "环境卫生管理处综合科", "纳入日期": "2021-08-31"}],
    "人员": [
        {"生效时间": "2021-08-31 09:00", "事项": "登记", "姓名": "王主任", "角色": "领导小组办公室"},
        {"生效时间": "2021-08-31 09:00", "事项": "登记", "姓名": "赵处长", "角色": "主要负责人", "单位代码": "HW",
         "职务": "处长"},
        {"生效时间": "2021-08-31 09:00", "事项": "登记", "姓名": "孙联络", "角色": "liaison", "单位代码": "HW"},
    ],
}
HISTORY = {
    "项目": [{"生效时间": "2021-09-10 10:00", "经办人": "孙联络", "项目编号": "HW-2021-001", "单位代码": "HW",
             "项目名称": "环卫一体化PPP项目", "行业领域": "环卫作业", "项目级别": "市级重点",
             "投资方": "天津某环境服务有限公司", "计划总投资（万元）": "12000"}],
    "项目进展": [
        {"生效时间": "2021-10-12", "经办人": "孙联络", "项目编号": "HW-2021-001", "事项": "推进环节", "环节": "签约",
         "说明": "签订投资协议"},
        {"生效时间": "2021-10-20", "经办人": "孙联络", "项目编号": "HW-2021-001", "事项": "进展情况",
         "说明": "项目公司组建中"},
        {"生效时间": "2021-10-25", "经办人": "王主任", "项目编号": "HW-2021-001", "事项": "调入重点库",
         "说明": "投资规模大"},
    ],
    "问题": [
        {"生效时间": "2021-09-15", "经办人": "孙联络", "项目编号": "HW-2021-001", "问题标识": "P1", "事项": "提出",
         "问题标题": "项目用地规划调整", "问题类别": "用地"},
        {"生效时间": "2021-09-25", "经办人": "孙联络", "项目编号": "HW-2021-001", "问题标识": "P1", "事项": "答复",
         "说明": "规划部门已同意调整"},
        {"生效时间": "2021-09-28", "经办人": "王主任", "项目编号": "HW-2021-001", "问题标识": "P1", "事项": "销号"},
    ],
    "服务": [{"生效时间": "2021-09-20", "经办人": "孙联络", "项目编号": "HW-2021-001", "服务类别": "审批协调",
             "服务内容": "协调办理环评批复"}],
    "报告": [
        {"生效时间": "2021-09-02 09:00", "经办人": "孙联络", "单位代码": "HW", "报告类别": "重点招商项目情况表",
         "期间": "2021-08", "事项": "起草"},
        {"生效时间": "2021-09-03 09:00", "经办人": "赵处长", "单位代码": "HW", "报告类别": "project_status",
         "期间": "2021-08", "事项": "批准"},
        {"生效时间": "2021-09-04 16:00", "经办人": "孙联络", "单位代码": "HW", "报告类别": "project_status",
         "期间": "2021-08", "事项": "报送"},
        {"生效时间": "2021-09-06 10:00", "经办人": "王主任", "单位代码": "HW", "报告类别": "project_status",
         "期间": "2021-08", "事项": "接收"},
    ],
}
