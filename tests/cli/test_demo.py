"""`zs demo` prints its board, its per-unit counts and its overdue list for one stated moment (issue 8,
item 8): a change after that moment shows in none of them, and the board agrees with the counts."""

from __future__ import annotations

from datetime import date

from cli.demo import tables
from domain.values import Stage, end_of_day
from projections.queries import Queries
from tests.projections.support import shanghai

P = "HW-2021-001"


def section(text: str, heading: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start + 3:end]  # past the heading, the column labels and the rule


def test_every_table_speaks_of_the_one_stated_moment(commission, clock):
    clock.set(shanghai(2021, 9, 20, 10))
    commission.advance_project("孙联络", P, Stage.NEGOTIATING, date(2021, 9, 20))
    clock.set(shanghai(2021, 10, 3, 10))
    commission.advance_project("孙联络", P, Stage.SIGNED, date(2021, 10, 3))  # after the moment shown
    text = tables(Queries(commission), end_of_day(date(2021, 9, 30)))
    assert text.splitlines()[0].startswith("以下各表均为台账截至 2021-09-30 23:59:59（北京时间）的情况")
    assert [line for line in text.splitlines() if "截至" in line][1:] == [
        "重点招商项目看板，截至 2021-09-30 23:59:59 (project board)",
        "各单位闭环情况，截至 2021-09-30 23:59:59 (per-unit counts)",
        "逾期未报，截至 2021-09-30 23:59:59 (overdue): 8"]  # the August trios and liaison forms: HW and GY
    board = section(text, "重点招商项目看板")
    assert len(board) == 1 and board[0].split()[4] == "在谈"
    hw = next(line.split() for line in section(text, "各单位闭环情况") if line.startswith("HW"))
    assert hw[4:6] == ["1", "0"]  # 在谈 1, 签约 0: as the board says
