"""Dependencies point inward (STYLE habit 4): domain ← projections ← cli, and nothing imports cli."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("domain", "projections", "cli")
DOMAIN_MAY_IMPORT = {"domain", "pydantic", "eventsourcing", *sys.stdlib_module_names}
# The application and the persistence adapters; every other domain module (aggregates, events,
# values, rules) uses only eventsourcing.domain.
ADAPTERS = {"application.py", "mapper.py", "store.py", "attachments.py", "schema.py", "credentials.py"}
# Only the credentials adapter hashes passwords.
HASHING = {"credentials.py"}


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def imported(path: Path) -> set[str]:
    return imports_in(path.read_text(encoding="utf-8"), path.relative_to(ROOT).parent.parts)


def imports_in(source: str, package: tuple[str, ...]) -> set[str]:
    """The top-level names a module imports, relative imports resolved against its package."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            if base:
                names.add(base[0])
            elif node.module:
                names.add(node.module.split(".")[0])
            else:
                names |= {alias.name for alias in node.names}
    return names


def outside_packages() -> list[Path]:
    """Every Python file of the project that is not in cli/ or tests/ (the virtualenv aside)."""
    skip = {"cli", "tests", "build", "node_modules"}
    found: list[Path] = []
    for entry in ROOT.iterdir():
        if entry.name in skip or entry.name.startswith("."):  # .venv, .git, caches
            continue
        if entry.is_dir():
            found += entry.rglob("*.py")
        elif entry.suffix == ".py":
            found.append(entry)
    return sorted(found)


def test_the_packages_are_where_the_design_card_puts_them():
    for package in PACKAGES:
        assert modules(package), f"{package}/ has no modules"


@pytest.mark.parametrize("path", modules("domain"), ids=lambda p: p.name)
def test_domain_imports_neither_projections_nor_cli(path):
    assert not imported(path) & {"projections", "cli"}


@pytest.mark.parametrize("path", modules("domain"), ids=lambda p: p.name)
def test_domain_imports_only_the_standard_library_pydantic_and_eventsourcing(path):
    allowed = DOMAIN_MAY_IMPORT | ({"argon2"} if path.name in HASHING else set())
    assert imported(path) <= allowed, sorted(imported(path) - allowed)


@pytest.mark.parametrize("path", modules("integrity"), ids=lambda p: p.name)
def test_integrity_imports_neither_projections_nor_cli(path):
    assert not imported(path) & {"projections", "cli"}


def test_the_merkle_tree_needs_only_the_standard_library():
    assert imported(ROOT / "domain" / "merkle.py") <= set(sys.stdlib_module_names)


@pytest.mark.parametrize("path", modules("projections"), ids=lambda p: p.name)
def test_projections_do_not_import_cli(path):
    assert "cli" not in imported(path)


def test_nothing_outside_cli_and_tests_imports_cli():
    assert any(p.parts[-2] == "domain" for p in outside_packages())
    offenders = [str(p.relative_to(ROOT)) for p in outside_packages() if "cli" in imported(p)]
    assert offenders == []


def test_the_import_scanner_sees_absolute_relative_and_nested_imports():
    source = (
        "import cli.main\nfrom projections import records\nfrom .values import Stage\n"
        "def late():\n    from .. import cli\n"
    )
    assert imports_in(source, ("domain",)) == {"cli", "projections", "domain"}


def eventsourcing_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("eventsourcing")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("eventsourcing"):
            found.add(node.module or "")
    return found


@pytest.mark.parametrize("path", [p for p in modules("domain") if p.name not in ADAPTERS], ids=lambda p: p.name)
def test_aggregates_events_and_values_use_only_eventsourcing_domain(path):
    assert eventsourcing_modules(path) <= {"eventsourcing.domain"}


def test_the_import_linter_contracts_are_kept():
    """pyproject.toml's [tool.importlinter]: the layers, plain value modules, no cycles."""
    probe = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True, no_logo=True))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


# -- the write side's own: the Ledger's private members, and its aggregates -----------------------------------

LEDGER_NAMES = ("ledger", "app", "application")  # what code calls a Ledger: ledger, self.ledger, o.ledger, app
# The Ledger's methods that load aggregates (or their events) to answer.
AGGREGATE_GETTERS = {
    "unit", "person", "project", "problem", "report", "supervision", "log_key", "units", "people", "projects",
    "problems", "reports", "log_keys", "history", "state_at", "repository", "events", "attachment_bytes", "reminded",
}
# Read code that answers from the aggregates by design, each for its reason (docs/architecture.md):
# the notice's forms are filled from what the ledger knew when a unit sent (docs/domain.md rule 12),
# `show` and `history` print one aggregate, a package holds the sent reports' own files.
READS_AGGREGATES = {"projections/forms", "projections/records.py", "projections/package.py",
                    "web/routes/report_files.py",  # an attached file's bytes, checked against its report
                    "projections/mailing.py"}  # a write: what went today is the Reminder aggregate's to say
# Tests that reach into the Ledger, each for its reason.
KNOWN_PRIVATE = {
    "tests/projections/test_time_travel.py": {"_stamp_for"},  # a backfill by hand until a command backfills
}


def python_files(*packages: str) -> list[Path]:
    return [p for package in packages for p in modules(package)]


def ledger_receiver(node: ast.expr) -> bool:
    """`ledger`, `self.ledger`, `o.ledger`, `app`: an expression that names a Ledger."""
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    name = name.lower().lstrip("_")
    return name in LEDGER_NAMES or name.endswith("ledger")


def private_ledger_members(source: str) -> list[tuple[int, str]]:
    """(line, `_member`) for every access to a private member of a Ledger, found by walking the code's
    syntax tree (so a comment or a string that mentions one is not counted)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            if ledger_receiver(node.value):
                found.append((node.lineno, node.attr))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "setattr"):
            args = node.args
            if len(args) >= 2 and ledger_receiver(args[0]) and isinstance(args[1], ast.Constant) \
                    and str(args[1].value).startswith("_"):
                found.append((node.lineno, str(args[1].value)))
    return sorted(found)


def aggregate_reads(source: str) -> list[tuple[int, str]]:
    """(line, getter) for every call of a Ledger's aggregate getter (`views.ledger.project(...)`)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in AGGREGATE_GETTERS and ledger_receiver(node.value):
            found.append((node.lineno, node.attr))
    return sorted(found)


def test_the_scanners_see_private_members_and_aggregate_reads_but_not_comments():
    source = (
        "# ledger._save(x) in a comment\nx = 'ledger._authorise'\nledger._save(a)\nself.ledger._authorise(b)\n"
        "app._stamp_for(c)\ngetattr(o.ledger, '_save')\nself._save(d)\nproject._record(e)\n"
        "views.ledger.project(n)\nledger.calendar()\nviews.project(n)\n"
    )
    assert private_ledger_members(source) == [(3, "_save"), (4, "_authorise"), (5, "_stamp_for"), (6, "_save")]
    assert aggregate_reads(source) == [(9, "project")]


@pytest.mark.parametrize("path", python_files("cli", "web", "demo", "projections", "integrity", "bench", "tests"),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_outside_the_domain_touches_a_private_member_of_the_ledger(path):
    """Writes belong to the write side: outside domain/ a Ledger is used by its public commands only."""
    allowed = KNOWN_PRIVATE.get(str(path.relative_to(ROOT)), set())
    assert [hit for hit in private_ledger_members(path.read_text(encoding="utf-8")) if hit[1] not in allowed] == []


@pytest.mark.parametrize("path", [p for p in python_files("projections", "web")
                                  if not any(str(p.relative_to(ROOT)).startswith(m) for m in READS_AGGREGATES)],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_no_query_loads_aggregates_to_answer(path):
    """The read side answers from its views (STYLE habit 6), never by loading the Ledger's aggregates."""
    assert aggregate_reads(path.read_text(encoding="utf-8")) == []
def test_the_demo_imports_neither_cli_nor_web_and_touches_no_private_ledger_member():
    assert modules("demo"), "demo/ has no modules"
    for path in modules("demo"):
        assert not imported(path) & {"cli", "web"}, path.name
        assert not re.search(r"ledger\._[a-z]", path.read_text(encoding="utf-8")), path.name


def test_tests_outside_the_cli_tests_get_the_demo_from_its_package():
    via_cli = re.compile(r"^\s*(from|import) cli\.demo\b", re.M)
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "tests").rglob("*.py")
                 if p.parent.name != "cli" and via_cli.search(p.read_text(encoding="utf-8"))]
    assert offenders == []
