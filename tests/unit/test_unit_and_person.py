"""Units with their officers' terms, and registered people with one role each."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from domain.base import Stamp
from domain.errors import RuleViolated
from domain.person import Person
from domain.unit import Term, Unit
from domain.values import UTC, Role, Sector, UnitKind
from tests.support import only_event, refused_unchanged as refused

NOW = datetime(2021, 9, 1, 2, 0, tzinfo=UTC)  # 2021-09-01 10:00 in Shanghai
ENROLLED = date(2021, 8, 31)


def stamp(at: datetime = NOW) -> Stamp:
    return Stamp(actor="管理员", actor_role="admin", os_user="tester", host="test-host", recorded_at=at, effective_at=at)


def new_unit() -> Unit:
    unit = Unit.enrol(stamp(), "HW", " 环境卫生管理处 ", UnitKind.DEPARTMENT, (Sector.SANITATION,), "综合科", ENROLLED)
    unit.collect_events()
    return unit


def withdrawn_unit() -> Unit:
    unit = new_unit()
    unit.withdraw(stamp(), date(2021, 12, 31), "机构改革")
    unit.collect_events()
    return unit


def new_person(role: Role = Role.LIAISON, unit: str | None = "HW") -> Person:
    person = Person.register(stamp(), "孙联络", role, unit, "13800000103", "科员")
    person.collect_events()
    return person


def removed_person() -> Person:
    person = new_person()
    person.remove(stamp(), "调离")
    person.collect_events()
    return person


# -- units ----------------------------------------------------------------------------------------


def test_an_enrolled_unit_keeps_its_facts_and_has_no_officers_yet():
    unit = new_unit()
    assert (unit.code, unit.name, unit.kind, unit.department) == ("HW", "环境卫生管理处", UnitKind.DEPARTMENT, "综合科")
    assert unit.sectors == (Sector.SANITATION,)
    assert unit.enrolled_on == ENROLLED and unit.withdrawn_on is None
    assert unit.terms == ()
    assert unit.officer(Role.LIAISON) is None
    assert unit.id == Unit.id_for("HW")


def test_a_units_sectors_are_kept_once_each_in_the_order_given():
    unit = Unit.enrol(stamp(), "GY", "市公用事业管理局", UnitKind.BUREAU,
                      (Sector.GAS_HEATING, Sector.ROAD_BRIDGE, Sector.GAS_HEATING), None, ENROLLED)
    assert unit.sectors == (Sector.GAS_HEATING, Sector.ROAD_BRIDGE)


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_unit_without_a_name_is_refused(blank):
    with pytest.raises(RuleViolated, match=r"a unit needs a name \(give --name\)"):
        Unit.enrol(stamp(), "HW", blank, UnitKind.DEPARTMENT, (), None, ENROLLED)


def test_a_unit_update_changes_only_what_is_given():
    unit = new_unit()
    unit.update(stamp(), " 环境卫生管理处（新） ", None, None)
    event = only_event(unit)
    assert isinstance(event, Unit.Updated)
    assert (event.name, event.department, event.sectors) == ("环境卫生管理处（新）", "综合科", (Sector.SANITATION,))
    unit.update(stamp(), None, "规划科", (Sector.WASTE, Sector.WASTE, Sector.SANITATION))
    assert (unit.name, unit.department, unit.sectors) == (
        "环境卫生管理处（新）", "规划科", (Sector.WASTE, Sector.SANITATION))


@pytest.mark.parametrize("name, department, sectors", [
    (None, None, None),
    ("环境卫生管理处", None, None),
    (None, "综合科", ()),
    (None, None, (Sector.SANITATION, Sector.SANITATION)),
])
def test_a_unit_update_that_changes_nothing_is_refused(name, department, sectors):
    unit = new_unit()
    refused(unit, RuleViolated, "nothing to change for unit HW: give at least one new value",
            lambda: unit.update(stamp(), name, department, sectors))


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_unit_cannot_be_renamed_to_blank(blank):
    unit = new_unit()
    refused(unit, RuleViolated, "unit HW cannot be renamed to a blank name", lambda: unit.update(stamp(), blank, None, None))


def test_a_withdrawn_unit_cannot_be_updated():
    unit = withdrawn_unit()
    refused(unit, RuleViolated, "unit HW withdrew on 2021-12-31", lambda: unit.update(stamp(), "新名称", None, None))


def test_a_unit_withdraws_on_a_day_with_a_reason():
    unit = new_unit()
    unit.withdraw(stamp(), date(2021, 12, 31), "机构改革")
    event = only_event(unit)
    assert isinstance(event, Unit.Withdrawn) and (event.on, event.reason) == (date(2021, 12, 31), "机构改革")
    assert unit.withdrawn_on == date(2021, 12, 31)


def test_a_unit_may_withdraw_on_its_enrolment_day_but_not_before():
    unit = new_unit()
    refused(unit, RuleViolated, "unit HW enrolled on 2021-08-31; it cannot withdraw before that",
            lambda: unit.withdraw(stamp(), date(2021, 8, 30), "误录"))
    unit.withdraw(stamp(), ENROLLED, "误录")
    assert unit.withdrawn_on == ENROLLED


def test_a_withdrawn_unit_cannot_withdraw_again():
    unit = withdrawn_unit()
    refused(unit, RuleViolated, "unit HW withdrew on 2021-12-31", lambda: unit.withdraw(stamp(), date(2022, 1, 5), "再次"))


@pytest.mark.parametrize("reason", ["", "  ", None])
def test_a_withdrawal_needs_a_reason(reason):
    unit = new_unit()
    refused(unit, RuleViolated, r"a reason is required \(give --reason\)",
            lambda: unit.withdraw(stamp(), date(2021, 12, 31), reason))


def test_a_unit_owes_reports_due_after_its_enrolment_day_up_to_its_withdrawal_day():
    unit = withdrawn_unit()
    assert not unit.owes_on(ENROLLED)
    assert unit.owes_on(ENROLLED + timedelta(days=1))
    assert unit.owes_on(date(2021, 12, 31))
    assert not unit.owes_on(date(2022, 1, 1))
    assert new_unit().owes_on(date(2030, 1, 31))


# -- officers and their terms ------------------------------------------------------------------------


def test_an_appointed_officer_serves_from_the_shanghai_day_of_the_appointment():
    unit = new_unit()
    unit.appoint(stamp(datetime(2021, 9, 1, 17, 0, tzinfo=UTC)), Role.LIAISON, "孙联络")  # 09-02 01:00 Shanghai
    assert unit.officer(Role.LIAISON) == "孙联络"
    assert unit.terms == (Term(role=Role.LIAISON, person="孙联络", since=date(2021, 9, 2)),)


def test_a_new_officer_ends_the_previous_ones_term_and_history_is_kept():
    unit = new_unit()
    unit.appoint(stamp(), Role.PRINCIPAL, "赵处长")
    unit.appoint(stamp(NOW + timedelta(days=30)), Role.PRINCIPAL, "吴处长")
    assert unit.officer(Role.PRINCIPAL) == "吴处长"
    assert unit.terms == (
        Term(role=Role.PRINCIPAL, person="赵处长", since=date(2021, 9, 1), until=date(2021, 10, 1)),
        Term(role=Role.PRINCIPAL, person="吴处长", since=date(2021, 10, 1)),
    )


def test_officers_of_different_roles_serve_side_by_side():
    unit = new_unit()
    unit.appoint(stamp(), Role.PRINCIPAL, "赵处长")
    unit.appoint(stamp(), Role.LEADER, "钱副处")
    unit.appoint(stamp(), Role.LIAISON, "孙联络")
    assert [unit.officer(r) for r in (Role.PRINCIPAL, Role.LEADER, Role.LIAISON)] == ["赵处长", "钱副处", "孙联络"]
    assert all(t.until is None for t in unit.terms)


def test_appointing_the_current_officer_again_records_nothing():
    unit = new_unit()
    unit.appoint(stamp(), Role.LIAISON, "孙联络")
    unit.collect_events()
    unit.appoint(stamp(NOW + timedelta(days=3)), Role.LIAISON, "孙联络")
    assert unit.collect_events() == []
    assert len(unit.terms) == 1


def test_a_released_officer_leaves_the_post_empty():
    unit = new_unit()
    unit.appoint(stamp(), Role.LIAISON, "孙联络")
    unit.collect_events()
    unit.release(stamp(NOW + timedelta(days=10)), Role.LIAISON, "孙联络")
    event = only_event(unit)
    assert isinstance(event, Unit.OfficerLeft) and (event.role, event.person) == (Role.LIAISON, "孙联络")
    assert unit.officer(Role.LIAISON) is None
    assert unit.terms == (Term(role=Role.LIAISON, person="孙联络", since=date(2021, 9, 1), until=date(2021, 9, 11)),)


def test_releasing_someone_who_does_not_hold_the_post_records_nothing():
    unit = new_unit()
    unit.appoint(stamp(), Role.LIAISON, "孙联络")
    unit.collect_events()
    unit.release(stamp(), Role.LIAISON, "周联络")
    unit.release(stamp(), Role.PRINCIPAL, "孙联络")
    assert unit.collect_events() == []
    assert unit.officer(Role.LIAISON) == "孙联络"


# -- people -------------------------------------------------------------------------------------------


def test_a_registered_person_is_active_with_one_role_and_a_unit():
    person = new_person()
    assert (person.name, person.role, person.unit, person.phone, person.title) == (
        "孙联络", Role.LIAISON, "HW", "13800000103", "科员")
    assert person.active
    assert person.id == Person.id_for("孙联络")


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OFFICE])
def test_an_admin_or_office_person_needs_no_unit(role):
    assert new_person(role, None).unit is None


@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.LEADER, Role.LIAISON, Role.STAFF])
def test_a_unit_role_without_a_unit_is_refused(role):
    with pytest.raises(RuleViolated, match=rf"孙联络 is a {role.value} and must belong to a unit: give --unit"):
        new_person(role, None)


def test_a_person_update_keeps_what_is_not_given():
    person = new_person()
    person.update(stamp(), title="主任科员", phone=None)
    event = only_event(person)
    assert isinstance(event, Person.Updated)
    assert (event.role, event.unit, event.phone, event.title) == (Role.LIAISON, "HW", "13800000103", "主任科员")
    assert person.title == "主任科员"


def test_a_person_can_move_to_another_unit_and_role():
    person = new_person()
    person.update(stamp(), role=Role.PRINCIPAL, unit="GY")
    assert (person.role, person.unit) == (Role.PRINCIPAL, "GY")


@pytest.mark.parametrize("changes", [{}, {"role": None, "unit": None}, {"role": Role.LIAISON, "unit": "HW"},
                                     {"phone": "13800000103"}])
def test_a_person_update_that_changes_nothing_is_refused(changes):
    person = new_person()
    refused(person, RuleViolated, "nothing to change for 孙联络: give at least one new value",
            lambda: person.update(stamp(), **changes))


def test_an_office_person_given_a_unit_role_must_also_be_given_a_unit():
    person = Person.register(stamp(), "许办公", Role.OFFICE, None, None, None)
    person.collect_events()
    refused(person, RuleViolated, "许办公 is a liaison and must belong to a unit",
            lambda: person.update(stamp(), role=Role.LIAISON))


def test_a_removed_person_is_inactive_and_the_reason_is_kept():
    person = new_person()
    person.remove(stamp(), "  调离 ")
    event = only_event(person)
    assert isinstance(event, Person.Removed) and event.reason == "调离"
    assert not person.active
    assert (person.role, person.unit) == (Role.LIAISON, "HW")


@pytest.mark.parametrize("reason", ["", "  ", None])
def test_a_removal_needs_a_reason(reason):
    person = new_person()
    refused(person, RuleViolated, r"a reason is required \(give --reason\)", lambda: person.remove(stamp(), reason))


def test_a_removed_person_cannot_be_removed_again():
    person = removed_person()
    refused(person, RuleViolated, "孙联络 was removed from the ledger", lambda: person.remove(stamp(), "再次"))


def test_a_removed_person_cannot_be_updated():
    person = removed_person()
    refused(person, RuleViolated, "孙联络 was removed from the ledger", lambda: person.update(stamp(), title="科长"))


@pytest.mark.parametrize("typed, key", [(" hw ", "HW"), ("sz_2", "SZ_2"), ("A" * 16, "A" * 16)])
def test_a_unit_code_is_its_key_in_upper_case(typed, key):
    assert Unit.check_code(typed) == key
    assert Unit.enrol(stamp(), typed, "单位", UnitKind.DEPARTMENT, (), None, ENROLLED).code == key


@pytest.mark.parametrize("code", ["H W", "1HW", "", "H-W", "环卫", "ABCDEFGHIJKLMNOPQ"])
def test_a_unit_code_is_short_latin_letters_or_digits_even_when_enrolled_directly(code):
    with pytest.raises(RuleViolated, match="must be 1-16 Latin letters or digits, starting with a letter"):
        Unit.enrol(stamp(), code, "单位", UnitKind.DEPARTMENT, (), None, ENROLLED)


def test_a_person_needs_a_name_even_when_registered_directly():
    with pytest.raises(RuleViolated, match="a person needs a name"):
        Person.register(stamp(), "  ", Role.OFFICE, None, None, None)
    assert Person.register(stamp(), " 许办公 ", Role.OFFICE, None, None, None).name == "许办公"
