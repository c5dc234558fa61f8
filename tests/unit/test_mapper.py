"""The event mapper: every event survives storage unchanged, and old versions are upcast on reading."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar
from uuid import uuid4

import pytest
from eventsourcing.compressor import ZlibCompressor
from eventsourcing.persistence import MapperDeserialisationError, StoredEvent
from eventsourcing.utils import get_topic

from domain.base import Aggregate, Stamp
from domain.mapper import PydanticMapper
from domain.person import Person
from domain.problem import Problem
from domain.project import Project
from domain.unit import Unit
from domain.values import (
    SHANGHAI, UTC, Level, ProblemCategory, Rating, Role, Sector, ServiceKind, Stage, UnitKind,
)

START = datetime(2021, 9, 1, 2, 0, tzinfo=UTC)


def stamp(minutes: int = 0, actor: str = "许办公", role: str = "office") -> Stamp:
    moment = START + timedelta(minutes=minutes)
    return Stamp(actor=actor, actor_role=role, os_user="tester", host="test-host",
                 recorded_at=moment, effective_at=moment)


def person_history() -> list[Any]:
    person = Person.register(stamp(), "孙联络", Role.LIAISON, "HW", "13800000103", "科员")
    person.update(stamp(1, "管理员", "admin"), title="主任科员")
    person.password_set(stamp(1, "管理员", "admin"), must_change=True)
    person.password_changed(stamp(1, "孙联络", "liaison"))
    person.token_issued(stamp(1, "管理员", "admin"), "c7ef14f1")
    person.remove(stamp(2, "管理员", "admin"), "调离")
    return person.collect_events()


def unit_history() -> list[Any]:
    unit = Unit.enrol(stamp(actor="管理员", role="admin"), "HW", "环境卫生管理处", UnitKind.DEPARTMENT,
                      (Sector.SANITATION, Sector.WASTE), "综合科", date(2021, 8, 31))
    unit.appoint(stamp(1), Role.LIAISON, "孙联络")
    unit.update(stamp(2), "环境卫生管理处（新）", None, None)
    unit.release(stamp(3), Role.LIAISON, "孙联络")
    unit.withdraw(stamp(4), date(2021, 12, 31), "机构改革")
    return unit.collect_events()


def project_history() -> list[Any]:
    project = Project.register(
        stamp(actor="孙联络", role="liaison"), "HW-2021-001", name="环卫一体化PPP项目", unit="HW",
        sector=Sector.SANITATION, level=Level.CITY, investor="天津某环境服务有限公司",
        investment=Decimal("12000.00"), responsible_person="钱副处", responsible_department="综合科",
        liaison="孙联络",
    )
    project.update(stamp(1), investment=Decimal("12500.55"), level=Level.COMMISSION)
    project.advance(stamp(2), Stage.NEGOTIATING, date(2021, 8, 20), "初步接洽")
    project.correct_stage(stamp(3), Stage.SIGNED, date(2021, 8, 25), "合同已签，补录")
    project.note(stamp(4), "完成选址踏勘", date(2021, 8, 30))
    project.promote(stamp(5), "市级重点")
    project.plan(stamp(5), Stage.STARTED, date(2021, 12, 31))
    project.evaluate(stamp(6), "2021-Q3", Rating.A, "推进有力")
    project.record_service(stamp(7), ServiceKind.FINANCING, date(2021, 8, 31), "对接银行", Decimal("300.10"))
    project.void_service(stamp(8), "HW-2021-001/S1", "重复录入")
    project.register_problem(stamp(9), "用地指标不足")
    project.demote(stamp(10), "动态调整")
    project.suspend(stamp(11), "投资方资金周转")
    project.resume(stamp(12), "资金到位")
    project.terminate(stamp(13), "投资方撤回")
    return project.collect_events()


def problem_history() -> list[Any]:
    problem = Problem.raise_on(stamp(actor="孙联络", role="liaison"), "HW-2021-001/P1", "HW-2021-001", "HW",
                               "用地指标不足", ProblemCategory.LAND, date(2021, 9, 30))
    problem.escalate(stamp(1), "规划计划处", "请协调")
    problem.answer(stamp(2), "已协调规划资源局")
    problem.close(stamp(3), "投资方确认")
    problem.reopen(stamp(4), "投资方再次反映")
    return problem.collect_events()


HISTORIES = {Person: person_history, Unit: unit_history, Project: project_history, Problem: problem_history}


def nested_events(aggregate: type[Aggregate]) -> set[type]:
    """The aggregate's own event classes (the library adds bare `Event` and `Created` to each)."""
    return {
        value for value in vars(aggregate).values()
        if isinstance(value, type) and issubclass(value, Aggregate.Event)
        and value.__name__ not in ("Event", "Created")
    }


@pytest.fixture
def mapper() -> PydanticMapper:
    return PydanticMapper()


def all_events() -> list[Any]:
    return [event for history in HISTORIES.values() for event in history()]


@pytest.mark.parametrize("aggregate", list(HISTORIES), ids=lambda a: a.__name__)
def test_the_stories_here_raise_every_event_class_of_each_aggregate(aggregate):
    assert {type(e) for e in HISTORIES[aggregate]()} == nested_events(aggregate)


@pytest.mark.parametrize("event", all_events(), ids=lambda e: get_topic(type(e)).split(":")[1])
def test_every_event_reads_back_equal_to_the_one_stored(mapper, event):
    stored = mapper.to_stored_event(event)
    back = mapper.to_domain_event(stored)
    assert type(back) is type(event)
    assert back == event
    assert back.model_dump() == event.model_dump()


@pytest.mark.parametrize("aggregate", list(HISTORIES), ids=lambda a: a.__name__)
def test_an_aggregate_rebuilt_from_stored_events_has_the_same_state(mapper, aggregate):
    original = HISTORIES[aggregate]()
    rebuilt = None
    for event in original:
        rebuilt = mapper.to_domain_event(mapper.to_stored_event(event)).mutate(rebuilt)
    expected = None
    for event in original:
        expected = event.mutate(expected)
    assert rebuilt.version == expected.version == len(original)
    assert vars(rebuilt) == vars(expected)


def test_a_stored_event_names_its_class_and_aggregate_position(mapper):
    event = project_history()[1]
    stored = mapper.to_stored_event(event)
    assert stored.topic == "domain.project:Project.Updated"
    assert stored.originator_id == event.originator_id
    assert stored.originator_version == 2
    state = json.loads(stored.state)
    assert "originator_id" not in state and "originator_version" not in state
    assert "class_version" not in state


def test_money_is_stored_as_exact_decimal_text_never_a_float(mapper):
    registered = project_history()[0]
    state = json.loads(mapper.to_stored_event(registered).state)
    assert state["investment"] == "12000.00"
    back = mapper.to_domain_event(mapper.to_stored_event(registered))
    assert isinstance(back.investment, Decimal)
    assert str(back.investment) == "12000.00"


def test_an_amount_in_cents_keeps_its_cents_through_storage(mapper):
    recorded = next(e for e in project_history() if isinstance(e, Project.ServiceRecorded))
    back = mapper.to_domain_event(mapper.to_stored_event(recorded))
    assert back.amount == Decimal("300.10") and str(back.amount) == "300.10"
    assert isinstance(back.amount, Decimal)


def test_business_dates_stay_dates_and_moments_stay_aware_datetimes(mapper):
    advanced = next(e for e in project_history() if isinstance(e, Project.StageAdvanced))
    back = mapper.to_domain_event(mapper.to_stored_event(advanced))
    assert type(back.on) is date and back.on == date(2021, 8, 20)
    assert isinstance(back.timestamp, datetime) and back.timestamp.tzinfo is not None
    assert back.recorded_at == advanced.recorded_at == START + timedelta(minutes=2)


def test_a_stamp_in_shanghai_time_reads_back_as_the_same_instant(mapper):
    local = datetime(2021, 9, 1, 10, 0, tzinfo=SHANGHAI)
    at = Stamp(actor="许办公", actor_role="office", os_user="tester", host="test-host",
               recorded_at=local, effective_at=local - timedelta(days=3))
    event = Person.register(at, "许办公", Role.OFFICE, None, None, None).collect_events()[0]
    back = mapper.to_domain_event(mapper.to_stored_event(event))
    assert back.timestamp == datetime(2021, 9, 1, 2, 0, tzinfo=UTC)
    assert back.effective_at == datetime(2021, 8, 29, 2, 0, tzinfo=UTC)


def test_chinese_text_is_stored_readably_as_utf8(mapper):
    stored = mapper.to_stored_event(problem_history()[0])
    assert "用地指标不足".encode() in stored.state


def test_tuples_inside_events_come_back_as_tuples(mapper):
    enrolled = unit_history()[0]
    back = mapper.to_domain_event(mapper.to_stored_event(enrolled))
    assert back.sectors == (Sector.SANITATION, Sector.WASTE)
    assert isinstance(back.sectors, tuple)


def test_a_compressed_store_reads_back_the_same_events():
    mapper = PydanticMapper(compressor=ZlibCompressor())
    for event in project_history():
        stored = mapper.to_stored_event(event)
        assert not stored.state.startswith(b"{")
        assert mapper.to_domain_event(stored) == event


def test_an_unreadable_stored_event_is_reported_naming_its_class_and_version(mapper):
    stored = StoredEvent(originator_id=uuid4(), originator_version=7,
                         topic=get_topic(Project.Suspended), state=b"\x00not json")
    with pytest.raises(MapperDeserialisationError, match="Project.Suspended v7"):
        mapper.to_domain_event(stored)


# -- upcasting: an aggregate whose events changed shape after some were stored -----------------------


class Kettle(Aggregate):
    """Version 1 of Bought had only a brand; v2 added the capacity in litres."""

    KIND = "kettle"

    class Bought(Aggregate.Created):
        class_version: ClassVar[int] = 2
        brand: str
        litres: Decimal

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["litres"] = "1.50"

        def apply(self, kettle: Kettle) -> None:
            kettle.brand = self.brand
            kettle.litres = self.litres
            kettle.descaled = ()

    class Descaled(Aggregate.Event):
        """v1 had `note`; v2 added `by_hand`; v3 renamed `note` to `remark`."""

        class_version: ClassVar[int] = 3
        remark: str
        by_hand: bool

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["by_hand"] = True

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state["remark"] = state.pop("note")

        def apply(self, kettle: Kettle) -> None:
            kettle.descaled = kettle.descaled + (self.remark,)

    @classmethod
    def buy(cls, at: Stamp, brand: str, litres: Decimal) -> Kettle:
        return cls._start(brand, cls.Bought, at, brand=brand, litres=litres)

    def descale(self, at: Stamp, remark: str, by_hand: bool) -> None:
        self._record(self.Descaled, at, remark=remark, by_hand=by_hand)


ENVELOPE = {"timestamp": "2021-09-01T02:00:00Z", "effective_at": "2021-09-01T02:00:00Z", "actor": "许办公",
            "actor_role": "office", "os_user": "tester", "host": "test-host"}


def stored(topic_class: type, version: int, state: dict[str, Any], originator_id=None) -> StoredEvent:
    return StoredEvent(originator_id=originator_id or Kettle.id_for("美的"), originator_version=version,
                       topic=get_topic(topic_class), state=json.dumps(state, ensure_ascii=False).encode())


def test_a_test_module_event_is_named_by_its_module_topic():
    assert get_topic(Kettle.Bought) == "tests.unit.test_mapper:Kettle.Bought"


def test_a_current_event_is_stored_with_its_class_version(mapper):
    event = Kettle.buy(stamp(), "美的", Decimal("1.70")).collect_events()[0]
    state = json.loads(mapper.to_stored_event(event).state)
    assert state["class_version"] == 2
    assert state["litres"] == "1.70"


def test_a_version_1_event_is_read_as_version_2_with_the_new_field_defaulted(mapper):
    v1 = {**ENVELOPE, "originator_topic": get_topic(Kettle), "brand": "美的"}
    event = mapper.to_domain_event(stored(Kettle.Bought, 1, v1))
    assert isinstance(event, Kettle.Bought)
    assert event.brand == "美的"
    assert event.litres == Decimal("1.50")
    assert isinstance(event.litres, Decimal)


def test_a_version_2_event_is_not_upcast_again(mapper):
    event = Kettle.buy(stamp(), "美的", Decimal("1.70")).collect_events()[0]
    assert mapper.to_domain_event(mapper.to_stored_event(event)).litres == Decimal("1.70")


def test_a_version_1_event_climbs_every_step_in_order_to_the_current_version(mapper):
    v1 = {**ENVELOPE, "note": "白醋浸泡"}
    event = mapper.to_domain_event(stored(Kettle.Descaled, 2, v1))
    assert (event.remark, event.by_hand) == ("白醋浸泡", True)


def test_a_version_2_event_takes_only_the_remaining_steps(mapper):
    v2 = {**ENVELOPE, "class_version": 2, "note": "柠檬酸", "by_hand": False}
    event = mapper.to_domain_event(stored(Kettle.Descaled, 2, v2))
    assert (event.remark, event.by_hand) == ("柠檬酸", False)


def test_an_aggregate_replays_from_a_mix_of_old_and_new_events(mapper):
    kettle_id = Kettle.id_for("美的")
    history = [
        stored(Kettle.Bought, 1, {**ENVELOPE, "originator_topic": get_topic(Kettle), "brand": "美的"}, kettle_id),
        stored(Kettle.Descaled, 2, {**ENVELOPE, "note": "白醋浸泡"}, kettle_id),
    ]
    kettle = Kettle.buy(stamp(), "美的", Decimal("1.50"))
    kettle.descale(stamp(1), "白醋浸泡", by_hand=True)
    kettle.descale(stamp(2), "柠檬酸", by_hand=False)
    history.append(mapper.to_stored_event(kettle.collect_events()[2]))

    replayed = None
    for record in history:
        replayed = mapper.to_domain_event(record).mutate(replayed)
    assert isinstance(replayed, Kettle)
    assert replayed.version == 3
    assert replayed.litres == Decimal("1.50")
    assert replayed.descaled == ("白醋浸泡", "柠檬酸")


def test_a_person_stored_before_emails_reads_back_without_one_and_can_be_given_one(mapper):
    person_id = Person.id_for("孙联络")
    registered = {**ENVELOPE, "originator_topic": get_topic(Person), "name": "孙联络", "role": "liaison",
                  "unit": "HW", "phone": "13800000103", "title": "科员"}
    updated = {**ENVELOPE, "role": "liaison", "unit": "HW", "phone": "13800000104", "title": "主任科员"}
    person = None
    for version, (cls, state) in enumerate(((Person.Registered, registered), (Person.Updated, updated)), 1):
        person = mapper.to_domain_event(stored(cls, version, state, person_id)).mutate(person)
    assert isinstance(person, Person)
    assert (person.phone, person.title, person.email) == ("13800000104", "主任科员", None)
    person.update(stamp(5, "管理员", "admin"), email="sun@example.gov.cn")
    given = mapper.to_stored_event(person.collect_events()[-1])
    assert json.loads(given.state)["class_version"] == 2
    assert mapper.to_domain_event(given).email == "sun@example.gov.cn"
