"""What `zs remind` tells each unit and each person at T: reports falling due or overdue, reports drafted
and waiting for the principal's approval, reports approved but not sent, and open 督办 near or past
their due date. Read from the views, now or at any moment."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from domain.deadlines import OVERDUE, UPCOMING
from domain.values import report_key, report_obligation, shanghai_date
from projections.moment import rows_at

WAITING = {"draft": "awaiting_approval", "approved": "approved_not_sent"}


def unit_reminders(queries: Any, at: Any, within: int) -> list[dict[str, Any]]:
    """Per unit with anything to remind of: its liaison and principal, and the items in five lists."""
    moment = at.as_of or queries.clock()
    horizon = shanghai_date(moment) + timedelta(days=within)
    rows = queries.obligations(at.as_of, known_at=at.known_at, due_by=horizon)
    due = {(r["unit"], r["kind"], r["period"]): r["due_on"] for r in rows}
    phones = {p["name"]: p["phone"] for p in queries.people()}
    source, params = rows_at("reports", at)
    waiting: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for row in queries.db.fetchall(f"SELECT report_id, unit, status FROM {source} WHERE status IN ('draft', 'approved')",
                                 params):
        _, kind, period = report_obligation(row["report_id"])
        waiting[row["unit"]][WAITING[row["status"]]].append(
            {"report_id": row["report_id"], "kind": kind, "period": period, "due_on": due.get((row["unit"], kind, period))})
    source, params = rows_at("supervisions", at)
    pressed: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in queries.db.fetchall(f"SELECT supervision_id, subject, unit, due_on FROM {source} WHERE status = 'open' "
                                 "AND due_on <= ? ORDER BY due_on, supervision_id", params + (horizon.isoformat(),)):
        due_on = date.fromisoformat(row["due_on"])
        pressed[row["unit"]].append({"id": row["supervision_id"], "subject": row["subject"], "due_on": due_on,
                                     "past_due": shanghai_date(moment) > due_on})
    result = []
    for unit in queries.units():
        code = unit["code"]
        due_soon = [_item(r) for r in rows if r["unit"] == code and r["status"] == UPCOMING and r["due_on"] <= horizon]
        late = [_item(r) for r in rows if r["unit"] == code and r["status"] == OVERDUE]
        lists = {"due_soon": due_soon, "overdue": late,
                 "awaiting_approval": sorted(waiting[code]["awaiting_approval"], key=lambda r: r["report_id"]),
                 "approved_not_sent": sorted(waiting[code]["approved_not_sent"], key=lambda r: r["report_id"]),
                 "supervisions": pressed[code]}
        if not any(lists.values()):
            continue
        result.append({"unit": code, "name": unit["name"], "liaison": unit["liaison"],
                       "phone": phones.get(unit["liaison"]), "principal": unit["principal"],
                       "principal_phone": phones.get(unit["principal"]), **lists})
    return result


def _item(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("kind", "period", "due_on", "days_overdue", "report_id")}


@dataclass(frozen=True)
class Line:
    """One item of one person's message: its key (what is never mailed twice a day) and its Chinese line."""

    key: str
    text: str


def person_messages(entries: list[dict[str, Any]], titles: dict[str, str]) -> dict[str, list[Line]]:
    """Who is told what: the liaison of due, overdue and approved-but-unsent reports and of 督办;
    the principal of reports waiting for approval."""
    lines: dict[str, list[Line]] = defaultdict(list)

    def title(item: dict[str, Any]) -> str:
        return f"{titles.get(item['kind'], item['kind'])}（{item['period']}）"

    for entry in entries:
        name = entry["name"]
        liaison, principal = entry["liaison"], entry["principal"]
        if liaison:
            for item in entry["overdue"]:
                lines[liaison].append(Line(f"overdue:{report_key(entry['unit'], item['kind'], item['period'])}",
                                           f"【逾期】{name}{title(item)}应于 {item['due_on']} 报送，已逾期{item['days_overdue']}天"))
            for item in entry["due_soon"]:
                lines[liaison].append(Line(f"due:{report_key(entry['unit'], item['kind'], item['period'])}",
                                           f"【即将到期】{name}{title(item)}应于 {item['due_on']} 前报送"))
            for item in entry["approved_not_sent"]:
                lines[liaison].append(Line(f"send:{item['report_id']}",
                                           f"【待报送】{title(item)}已审定，请报送（zs report send {item['report_id']}）"))
            for item in entry["supervisions"]:
                state = "已逾期" if item["past_due"] else "即将到期"
                lines[liaison].append(Line(f"supervision:{item['id']}",
                                           f"【督办{state}】{item['id']}（{item['subject']}）限 {item['due_on']} 前答复"))
        if principal:
            for item in entry["awaiting_approval"]:
                lines[principal].append(Line(f"approve:{item['report_id']}",
                                             f"【待审定】{title(item)}已起草，请审定（zs report approve {item['report_id']}）"))
    return dict(lines)


def subject_line(day: date) -> str:
    return f"招商引资工作提醒（{day.isoformat()}）"


def body(person: str, day: date, lines: list[Line]) -> str:
    text = [f"{person}：", "", f"截至 {day.isoformat()}，请关注以下事项：", ""]
    text += [f"{i}. {line.text}" for i, line in enumerate(lines, 1)]
    text += ["", "本邮件由招商引资台账自动发送；同一事项同一天只提醒一次。"]
    return "\n".join(text) + "\n"


