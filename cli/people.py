"""`zs person ...`: registered people and their roles."""

from __future__ import annotations

import sys

import click

from cli.context import Context, pass_context
from cli.output import json_option, labelled, render
from cli.params import CodeType
from domain.errors import InvalidValue
from domain.person import check_email
from domain.values import Role

PERSON_COLUMNS = [("name", "姓名"), ("role", "角色"), ("unit", "单位"), ("phone", "联系电话"),
                  ("title", "职务"), ("email", "电子邮箱"), ("active", "在册")]
ROLE = CodeType(Role, "role")


class EmailType(click.ParamType):
    name = "email"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> str | None:
        try:
            return check_email(str(value))
        except InvalidValue as error:
            self.fail(str(error), param, ctx)


EMAIL = EmailType()


@click.group()
def person() -> None:
    """People (人员): add, update, remove, list, password."""


@person.command("add")
@click.argument("name")
@click.option("--role", required=True, type=ROLE, help="admin, office, principal, leader, liaison or staff.")
@click.option("--unit", help="The person's unit code (none for admin or office outside a unit).")
@click.option("--phone", help="Contact phone.")
@click.option("--title", help="职务, e.g. 处长, 科员.")
@click.option("--email", type=EMAIL, help="Where `zs remind --send` mails this person's reminders.")
@pass_context
def add(obj: Context, name: str, role: Role, unit: str | None, phone: str | None, title: str | None,
        email: str | None) -> None:
    """Register a person (admin). A principal, leader or liaison becomes the unit's current one.

    \b
    Example:
      zs --as 张管理 person add 王芳 --role liaison --unit HW --phone 13800000000 --title 科员 \
         --email wangfang@example.gov.cn
    """
    obj.ledger.add_person(obj.require_actor(), name, role, unit, phone, title, email)
    click.echo(f"已登记 {name.strip()}（{role.label}）")


@person.command("update")
@click.argument("name")
@click.option("--role", type=ROLE, help="A new role.")
@click.option("--unit", help="Move to this unit.")
@click.option("--phone", help="A new phone.")
@click.option("--title", help="A new 职务.")
@click.option("--email", type=EMAIL, help="A new email address (for reminders by mail).")
@pass_context
def update(obj: Context, name: str, role: Role | None, unit: str | None, phone: str | None,
           title: str | None, email: str | None) -> None:
    """Change a person's role, unit, phone, title or email (admin); officers' terms follow.

    \b
    Example:
      zs --as 张管理 person update 王芳 --unit GY
      zs --as 张管理 person update 王芳 --email wangfang@example.gov.cn
    """
    obj.ledger.update_person(obj.require_actor(), name, role, unit, phone, title, email)
    click.echo(f"已更新 {name.strip()}")


@person.command("remove")
@click.argument("name")
@click.option("--reason", required=True, help="Why (e.g. 调离).")
@pass_context
def remove(obj: Context, name: str, reason: str) -> None:
    """Remove a person (admin): they can no longer act; their history stays.

    \b
    Example:
      zs --as 张管理 person remove 王芳 --reason 调离
    """
    obj.ledger.remove_person(obj.require_actor(), name, reason)
    click.echo(f"已移除 {name.strip()}")


@person.command("list")
@json_option
@pass_context
def list_people(obj: Context, as_json: bool) -> None:
    """List everyone registered, removed people included (active = false).

    \b
    Example:
      zs person list --json
    """
    rows = obj.queries.people()
    render(rows if as_json else labelled(rows, {"role": Role}), PERSON_COLUMNS, as_json)


@person.command("password")
@click.argument("name")
@click.option("--stdin", "from_stdin", is_flag=True,
              help="Read the password from the first line of standard input instead of prompting.")
@pass_context
def password(obj: Context, name: str, from_stdin: bool) -> None:
    """Set a person's initial password for the web office (admin); they change it at first login.

    Prompted twice, never echoed; at least 10 characters, not only digits. Only an argon2id hash
    is kept, beside the log; the log records that it was set, by whom and when.

    \b
    Example:
      zs --as 张管理 person password 王芳
      printf '%s\\n' "$PW" | zs --as 张管理 person password 王芳 --stdin
    """
    actor = obj.require_actor()
    obj.ledger.password_settable(actor, name)  # a wrong name or actor is refused before the prompt
    if from_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
    else:
        secret = click.prompt("新密码 (new password)", hide_input=True, confirmation_prompt="再输入一次 (repeat)",
                              err=True)
    obj.ledger.set_password(actor, name, secret)
    click.echo(f"已设置 {name.strip()} 的初始密码（首次登录须修改）")
