"""The demo's reporting history: most reports on time, some late, some returned and resent, a few
missing — every one through the real workflow (draft, the principal's approval, sealed sending)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from demo import data
from demo.data import Step
from domain.policy import Calendar, default_policy
from domain.values import Role, report_key

RETURN_REASONS = ("计划总投资与上月报表不一致，请核实后重报", "本月进展情况填写过简，请补充具体节点",
                  "缺少单位公章页扫描件，请补充后重报", "服务清单涉及金额单位应为万元，请更正")
OUTCOMES = (("on_time", 74), ("late", 10), ("returned", 8), ("missing", 8))


def reporting_steps(enrolled: date, until: date, seed: int = 2021116) -> list[Step]:
    """The reporting steps of every unit for the obligations due by `until`."""
    rng = random.Random(seed)
    office = next(p.name for p in data.OFFICE_PEOPLE if p.role == Role.OFFICE)
    steps: list[Step] = []
    for obligation in Calendar([default_policy()]).obligations(enrolled, until):
        for unit in data.UNITS:
            outcome = rng.choices([o for o, _ in OUTCOMES], [w for _, w in OUTCOMES])[0]
            steps += _one(rng, unit.code, obligation.kind, str(obligation.period), obligation.opens_on,
                          obligation.due_on, outcome, office, until)
    return [s for s in steps if s.on <= until]


def _one(rng: random.Random, unit: str, kind: str, period: str, opens: date, due: date, outcome: str,
         office: str, until: date) -> list[Step]:
    liaison = data.person(unit, Role.LIAISON)
    principal = data.person(unit, Role.PRINCIPAL)
    assert liaison is not None and principal is not None
    rid = report_key(unit, kind, period)
    if outcome == "missing":
        if rng.random() < 0.5:  # drafted, never approved: still missing
            return [Step(max(opens, due - timedelta(days=2)), liaison.name, "report_draft",
                         {"unit": unit, "kind": kind, "period": period})]
        return []
    drafted = max(opens, due - timedelta(days=rng.randint(2, 4)))
    sent = due + timedelta(days=rng.randint(1, 6)) if outcome == "late" else max(drafted, due - rng.randint(0, 1) * timedelta(days=1))
    approved = max(drafted, sent - timedelta(days=1))
    steps = [
        Step(drafted, liaison.name, "report_draft", {"unit": unit, "kind": kind, "period": period}),
        Step(approved, principal.name, "report_approve", {"id": rid}),
        Step(sent, liaison.name, "report_send", {"id": rid}),
    ]
    reviewed = sent + timedelta(days=rng.randint(1, 3))
    if outcome == "returned":
        resent = reviewed + timedelta(days=rng.randint(1, 4))
        steps += [
            Step(reviewed, office, "report_return", {"id": rid, "reason": rng.choice(RETURN_REASONS)}),
            Step(resent, liaison.name, "report_revise", {"id": rid}),
            Step(resent, principal.name, "report_approve", {"id": rid}),
            Step(resent, liaison.name, "report_send", {"id": rid}),
            Step(resent + timedelta(days=2), office, "report_accept", {"id": rid}),
        ]
    elif rng.random() < 0.9:
        steps.append(Step(reviewed, office, "report_accept", {"id": rid}))
    return steps
