from domain.values import Library


def test_the_commission_fixture_registers_a_reserve_project(commission):
    project = commission.project("HW-2021-001")
    assert project.library == Library.RESERVE
    assert commission.unit("HW").officer("liaison") == "孙联络"
