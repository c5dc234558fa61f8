"""`zs summary` through the command line (issue 8, item 2): a Chinese table unless --json or --markdown is
asked for; a running period says 截至; JSON states as_of, complete, log_position and the ids counted;
--as-known-at K --log-position N reproduces a summary exactly."""

from __future__ import annotations

import json
from typing import Any

import pytest

LIAISON, PRINCIPAL = "孙联络", "赵处长"
P = "HW-2021-001"


def read(zs, *args: str) -> Any:
    return json.loads(zs(*args, "--json").stdout)


def send(zs, kind: str, period: str) -> str:
    zs("report", "draft", "--unit", "HW", "--kind", kind, "--period", period, actor=LIAISON)
    report_id = f"HW/{kind}/{period}"
    zs("report", "approve", report_id, actor=PRINCIPAL)
    zs("report", "send", report_id, "--sealed", actor=LIAISON)
    return report_id


@pytest.fixture
def running(commission_cli, freezer):
    """HW sends its September trio on 10-03 and a service dated 10-20 is given; the clock stands at
    2021-11-06 10:00 Shanghai, inside Q4."""
    zs = commission_cli
    freezer.move_to("2021-10-03T10:00:00+08:00")
    for kind in ("project_status", "tracking_feedback", "service_list"):
        send(zs, kind, "2021-09")
    freezer.move_to("2021-10-20T10:00:00+08:00")
    zs("service", "add", P, "--kind", "site", "--on", "2021-10-20", "--note", "现场踏勘", "--amount", "1.5",
       actor=LIAISON)
    freezer.move_to("2021-11-06T10:00:00+08:00")
    return zs


def test_summary_without_a_format_prints_a_chinese_table(running):
    out = running("summary", "--quarter", "2021-Q4").stdout
    lines = out.splitlines()
    assert lines[0] == "2021年第4季度招商引资情况统计"
    assert "截至 2021-11-06 10:00（北京时间）" in lines[1]
    header = next(line for line in lines if line.startswith("指标"))
    assert header.split() == ["指标", "GY", "HW", "合计"]
    assert next(line for line in lines if line.startswith("服务（次）")).split() == ["服务（次）", "0", "1", "1"]
    assert next(line for line in lines if line.startswith("逾期未报")).split() == ["逾期未报", "7", "4", "11"]
    assert not out.lstrip().startswith("{")


def test_a_running_quarter_as_json_says_as_of_and_incomplete_and_lists_the_ids(running):
    summary = read(running, "summary", "--quarter", "2021-Q4")
    assert (summary["as_of"], summary["complete"]) == ("2021-11-06T02:00:00+00:00", False)
    assert summary["log_position"] > 0
    hw = next(u for u in summary["units"] if u["unit"] == "HW")
    assert hw["counted"]["reports_on_time"] == ["HW/project_status/2021-09", "HW/service_list/2021-09",
                                                "HW/tracking_feedback/2021-09"]
    assert hw["counted"]["reports_missing"] == ["HW/project_status/2021-10", "HW/quarterly_report/2021-Q3",
                                                "HW/service_list/2021-10", "HW/tracking_feedback/2021-10"]
    assert hw["counted"]["services"] == [f"{P}/S1"]
    assert hw["reports_upcoming"] == 0  # November's trio, due 12-05, is not owed yet: neither missing nor listed
    overdue = {f"{r['unit']}/{r['kind']}/{r['period']}" for r in read(running, "overdue") if r["due_on"] >= "2021-10-01"}
    assert overdue == {report for u in summary["units"] for report in u["counted"]["reports_missing"]}


def test_the_obligations_listing_agrees_with_the_running_summary(running):
    summary = read(running, "summary", "--quarter", "2021-Q4")
    listed = read(running, "obligations", "--as-of", summary["as_of"])
    in_q4 = {f"{r['unit']}/{r['kind']}/{r['period']}": r["status"] for r in listed if r["due_on"] >= "2021-10-01"}
    counted = {report: status for u in summary["units"]
               for status, key in (("on_time", "reports_on_time"), ("late", "reports_late"),
                                   ("overdue", "reports_missing"), ("upcoming", "reports_upcoming"))
               for report in u["counted"][key]}
    assert counted == in_q4


def test_a_finished_year_as_markdown_says_it_has_ended_and_how_to_reproduce_it(running, freezer):
    freezer.move_to("2022-02-01T09:00:00+08:00")
    out = running("summary", "--year", "2021", "--markdown").stdout
    assert "（已结束）" in out and "截至" not in out
    assert "## 迟报和逾期未报的报告" in out and "HW/quarterly_report/2021-Q3" in out
    assert "zs summary --year 2021 --as-known-at 2022-02-01T09:00:00+08:00 --log-position " in out


def test_a_summary_is_reproduced_from_its_known_at_and_log_position(running, freezer):
    first = read(running, "summary", "--quarter", "2021-Q4")
    freezer.move_to("2021-11-06T11:00:00+08:00")
    running("service", "add", P, "--kind", "site", "--on", "2021-11-01", "--note", "补记", actor=LIAISON)
    later = read(running, "summary", "--quarter", "2021-Q4")
    assert later["total"]["services"] == 2
    again = read(running, "summary", "--quarter", "2021-Q4", "--as-known-at", first["known_at"],
                 "--log-position", str(first["log_position"]))
    assert again == first


@pytest.mark.parametrize("args, message", [
    (("--log-position", "-1"), "'--log-position'"),
    (("--log-position", "x"), "'--log-position'"),
    (("--json", "--markdown"), "at most one of --json and --markdown"),
])
def test_malformed_summary_options_are_refused_with_exit_2(running, args, message):
    result = running("summary", "--year", "2021", *args, expect=2)
    assert message in result.stderr and result.stdout == ""


def test_a_log_position_beyond_the_log_is_refused_with_exit_1(running):
    result = running("summary", "--year", "2021", "--log-position", "999999", expect=1)
    assert "position 999999 is beyond its end" in result.stderr


def test_a_period_not_yet_begun_says_so_and_counts_nothing(running):
    out = running("summary", "--year", "2022").stdout
    assert "期间尚未开始（截至 2021-11-06 10:00，北京时间）" in out
    summary = read(running, "summary", "--year", "2022")
    assert (summary["complete"], summary["total"]["reports_owed"], summary["total"]["services"]) == (False, 0, 0)


def test_the_command_printed_under_a_summary_reproduces_it(running, freezer):
    first = read(running, "summary", "--quarter", "2021-Q4", "--unit", "HW")  # the clock is frozen: the same K
    out = running("summary", "--quarter", "2021-Q4", "--unit", "HW", "--markdown").stdout
    line = next(line for line in out.splitlines() if line.startswith("复现本表"))
    command = line.removeprefix("复现本表：`").removesuffix("`").split()
    assert command[:6] == ["zs", "summary", "--quarter", "2021-Q4", "--unit", "HW"]
    freezer.move_to("2021-11-07T10:00:00+08:00")
    running("service", "add", P, "--kind", "site", "--on", "2021-11-02", "--note", "补记", actor=LIAISON)
    assert read(running, *command[1:]) == first
