"""One render path: an aligned table with Chinese labels for people, JSON for scripts."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

import click

from domain.values import SHANGHAI, Labelled
from projections.jsonvalues import to_json_value  # noqa: F401  (the one JSON shape, shared with the web)

Columns = Sequence[tuple[str, str]]  # (key, label)

# What never reaches a terminal raw: C0/C1 controls but the line break and a CR before it (CSV),
# and the invisible format characters (zero-width, bidi) but the BOM that starts a CSV for Excel.
_UNSEEN = re.compile(r"[\x00-\x09\x0b-\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)|[^\x00-\uffff\ufeff]"
                     r"|[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u180e\u200b-\u200f\u2028-\u202e"
                     r"\u2060-\u2064\u2066-\u206f\ufff9-\ufffb\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Zl", "Zp"):
        return char  # a character beyond the BMP that is visible (an emoji, a rare CJK)
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    high, low = divmod(code - 0x10000, 0x400)  # as JSON writes it: a surrogate pair
    return f"\\u{0xd800 + high:04x}\\u{0xdc00 + low:04x}"


def visible(text: str) -> str:
    """Text as a terminal may show it: control and invisible characters written as \\uXXXX escapes
    (which JSON reads back as the same characters)."""
    return _UNSEEN.sub(_escape, text)




def emit_json(data: Any) -> None:
    click.echo(visible(json.dumps(to_json_value(data), ensure_ascii=False, indent=2)))


def cell(value: Any) -> str:
    """How a value reads in a table: Shanghai time, Chinese labels, blanks for nothing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, Labelled):
        return value.label
    if isinstance(value, (list, tuple)):
        return "、".join(cell(v) for v in value)
    if isinstance(value, Mapping):
        return "；".join(f"{k}={cell(v)}" for k, v in value.items() if v is not None)
    return visible(str(value))


@lru_cache(maxsize=1 << 14)
def width(text: str) -> int:
    """Columns on a terminal: a wide (CJK) character takes two. A table asks twice per cell, and its
    columns repeat their values (units, kinds, dates): asked once each."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, size: int) -> str:
    return text + " " * (size - width(text))


def table(rows: Sequence[Mapping[str, Any]], columns: Columns) -> str:
    cells = [[cell(row.get(key)).replace("\n", " ") for key, _ in columns] for row in rows]
    labels = [label for _, label in columns]
    sizes = [max([width(label)] + [width(r[i]) for r in cells]) for i, label in enumerate(labels)]
    lines = ["  ".join(pad(label, sizes[i]) for i, label in enumerate(labels)).rstrip()]
    lines.append("  ".join("-" * size for size in sizes))
    lines += ["  ".join(pad(r[i], sizes[i]) for i in range(len(columns))).rstrip() for r in cells]
    return "\n".join(lines)


def render(rows: Sequence[Mapping[str, Any]], columns: Columns, as_json: bool, empty: str = "（无记录）") -> None:
    """A list: JSON list of the rows as they are, or a table of the chosen columns."""
    if as_json:
        emit_json(list(rows))
    elif not rows:
        click.echo(empty)
    else:
        click.echo(table(rows, columns))


def render_record(record: Mapping[str, Any], labels: Columns, as_json: bool) -> None:
    """One thing: a JSON object, or `label：value` lines."""
    if as_json:
        emit_json(record)
        return
    size = max(width(label) for _, label in labels)
    for key, label in labels:
        click.echo(f"{pad(label, size)}  {cell(record.get(key))}")


def labelled(rows: Sequence[Mapping[str, Any]], codes: Mapping[str, type[Labelled]]) -> list[dict[str, Any]]:
    """Rows whose code words become their Labelled members, so tables show the Chinese labels."""
    def label(key: str, value: Any) -> Any:
        if key not in codes or value is None:
            return value
        if isinstance(value, (list, tuple)):
            return [codes[key](v) for v in value]
        return codes[key](value)

    return [{k: label(k, v) for k, v in row.items()} for row in rows]


EVENT_LABELS = {
    "Enrolled": "纳入", "Withdrawn": "退出", "OfficerAppointed": "任职", "OfficerLeft": "离任", "Registered": "登记",
    "Updated": "修改", "Removed": "移除", "StageAdvanced": "推进环节", "StageCorrected": "更正环节",
    "ProgressNoted": "记录进展", "Suspended": "暂停", "Resumed": "恢复", "Terminated": "终止", "Promoted": "纳入重点库",
    "Demoted": "调出重点库", "Evaluated": "定期评价", "ServiceRecorded": "登记服务", "ServiceVoided": "作废服务",
    "ProblemRegistered": "提出问题", "Raised": "提出问题", "Escalated": "上报", "Answered": "答复反馈", "Closed": "销号",
    "Reopened": "重新打开", "Drafted": "起草", "Approved": "审定", "Sent": "报送", "Accepted": "接收", "Returned": "退回",
    "Revised": "修改重报", "Started": "建立报送时限", "Loaded": "载入报送时限", "Opened": "开具督办",
    "CheckpointSigned": "签署树头",
}


# A history as people read it: who did it (操作人, on paper for a backfill) and who entered it (录入人),
# both times, and a backfilled row marked 补录 with its reason (docs/history.md).
HISTORY_COLUMNS = [("recorded_at", "记录时间"), ("effective_at", "生效时间"), ("done_by", "操作人"), ("actor", "录入人"),
                   ("event", "事件"), ("details", "内容"), ("backfill", "补录")]


def backfill_marks(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows with a `backfill` cell: 补录 and the reason for a backfilled event, blank for a live one."""
    return [dict(row) | {"backfill": f"补录：{row['backfill_reason']}" if row.get("backfill_reason") else None}
            for row in rows]


def event_labels(rows: Sequence[Mapping[str, Any]], key: str) -> list[dict[str, Any]]:
    """Rows whose event name (`Project.StageAdvanced` or `StageAdvanced`) reads in Chinese."""
    def label(name: str) -> str:
        event = name.rpartition(".")[2]
        return f"{EVENT_LABELS.get(event, event)}（{name}）"

    return [dict(row) | {key: label(row[key])} for row in rows]


def json_option(f: Any) -> Any:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(f)
