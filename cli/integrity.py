"""`zs verify`, `zs key create`, `zs checkpoint`, `zs report receipt`: the tamper-evident log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cli.context import Context, pass_context
from cli.output import emit_json
from domain.errors import AlreadyExists, RuleViolated

if TYPE_CHECKING:  # the integrity modules load cryptography: only the commands that need them import them
    from integrity.notes import SigningKey
    from integrity.verify import Scan

KEY_FILE = click.Path(dir_okay=False, path_type=Path)


def _read(path: Path, option: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise click.BadParameter(f"cannot read {path}: {getattr(error, 'strerror', None) or error}",
                                 param_hint=f"'{option}'") from None


def _write_new(path: Path, text: str) -> None:
    try:
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise AlreadyExists(f"{path} already exists; choose another --out") from None
    except OSError as error:
        raise RuleViolated(f"cannot write {path}: {error.strerror}") from None


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print {intact, events, tree_size, root, problems} as JSON.")
@click.option("--seal", is_flag=True, help="Build the tree once for a store whose events predate it (office).")
@click.option("--checkpoint", "checkpoints", multiple=True, type=KEY_FILE, metavar="FILE",
              help="A signed checkpoint kept outside: prove today's log extends it; repeatable.")
@click.option("--receipt", "receipt_files", multiple=True, type=KEY_FILE, metavar="FILE",
              help="A receipt (回执 JSON): prove the sending it names is still in the log, unchanged; repeatable.")
@pass_context
def verify(obj: Context, as_json: bool, seal: bool, checkpoints: tuple[Path, ...], receipt_files: tuple[Path, ...]) -> None:
    """Recompute every leaf from the stored events and the tree from the leaves; check the
    checkpoints on record and those given. Exit 0 when all is intact, 1 otherwise.

    Each problem names its position (1 = the first event), its kind (changed, missing, inserted,
    reordered, truncated, unreadable) and its subject (project number, report id, person...).

    \b
    Example:
      zs verify
      zs verify --checkpoint 2021-10-05.checkpoint --receipt 回执.json --json
      zs --as 许办公 verify --seal
    """
    from integrity import receipts
    from integrity.recorders import Sealed
    from integrity.verify import check_checkpoint, scan

    from integrity.notes import BadNote, parse_checkpoint

    notes = [_read(path, "--checkpoint").replace("\r\n", "\n") for path in checkpoints]  # saved on Windows
    for path, note in zip(checkpoints, notes):
        try:
            parse_checkpoint(note)
        except BadNote as error:
            raise click.BadParameter(f"{path} is not a checkpoint made by `zs checkpoint`: {error}",
                                     param_hint="'--checkpoint'") from None
    given = [receipts.parse(_read(path, "--receipt"), str(path)) for path in receipt_files]
    ledger = obj.ledger
    if seal:
        ledger.check_keeps_log(obj.actor)
        if any(key.checkpoints for key in ledger.log_keys()):
            raise RuleViolated("checkpoints are on record, so this ledger had a tree: its leaves were deleted; "
                               "nothing was sealed (check the store against a checkpoint kept outside)")
        try:
            count = ledger.recorder.seal()
        except Sealed as error:
            raise RuleViolated(str(error)) from None
        click.echo(f"树已建立 the tree is built: {count} events are its leaves; every new event becomes a leaf as it is written")
    result = scan(ledger.recorder)
    if not result.sealed:
        raise RuleViolated(f"this ledger's {result.events} events have no tree yet; the office builds it once "
                           "with `zs --as NAME verify --seal`")
    for note in notes:
        result.problems += check_checkpoint(result, note)
    for receipt in given:
        result.problems += receipts.check(ledger, result, receipt)
    _report(result, as_json)
    if not result.intact:
        raise SystemExit(1)


def _report(result: Scan, as_json: bool) -> None:
    if as_json:
        emit_json(result.as_json())
        return
    data = result.as_json()
    click.echo(f"events {data['events']}  tree size {data['tree_size']}  root {data['root']}")
    for problem in result.problems:
        click.echo(problem.line())
    click.echo("完好 intact" if result.intact else f"已被改动 NOT intact: {len(result.problems)} problem(s)")


@click.group("key")
def key() -> None:
    """The ledger's signing key (Ed25519): it signs checkpoints and receipts."""


@key.command("create")
@click.option("--out", required=True, type=KEY_FILE, help="Where to write the private key (mode 0600; never overwritten).")
@click.option("--name", default="zhaoshang.ledger", show_default=True,
              help="The key's name, also the checkpoints' origin line.")
@pass_context
def key_create(obj: Context, out: Path, name: str) -> None:
    """Create a new Ed25519 key: the private half goes to FILE, the public half into the ledger (office).

    Keep FILE outside the database and its backups (a USB key in the office safe). Publish the
    printed verifier key, so an auditor can check checkpoints and receipts against it.

    \b
    Example:
      zs --as 许办公 key create --out /media/usb/zhaoshang.key
    """
    from integrity.notes import create_key

    actor = obj.require_actor()
    ledger = obj.ledger
    ledger.check_keeps_log(actor)
    if out.exists():
        raise AlreadyExists(f"{out} already exists; a key file is never overwritten")
    made = create_key(name, out)
    try:
        ledger.register_key(actor, made.name, made.verifier)
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    click.echo(f"{out}  (mode 0600)\nverifier key: {made.verifier}")


@click.command("checkpoint")
@click.option("--key", "key_file", required=True, type=KEY_FILE, metavar="FILE", help="The ledger's key file.")
@click.option("--out", type=KEY_FILE, help="Also write the checkpoint to this new file.")
@pass_context
def checkpoint(obj: Context, key_file: Path, out: Path | None) -> None:
    """Sign the current tree head (size, root, time) as a C2SP checkpoint, record it and print it (office).

    Take one after every reporting deadline and keep a copy outside the building.

    \b
    Example:
      zs --as 许办公 checkpoint --key /media/usb/zhaoshang.key --out 2021-10-06.checkpoint
    """
    from integrity import receipts
    from integrity.notes import load_key

    signing = load_key(key_file)
    actor = obj.require_actor()
    if out is not None and out.exists():
        raise AlreadyExists(f"{out} already exists; choose another --out")
    receipts.require_tree(obj.ledger)
    note = receipts.sign_tree(obj.ledger, actor, signing)
    if out is not None:
        _write_new(out, note)
    click.echo(note, nl=False)


@click.command("receipt")
@click.argument("report_id", metavar="ID")
@click.option("--out", type=KEY_FILE, help="Write the JSON here (and the Chinese text beside it, .txt).")
@pass_context
def receipt(obj: Context, report_id: str, out: Path | None) -> None:
    """The receipt (回执) of a report's latest sending: JSON with its signed proof, and a text to print.

    \b
    Example:
      zs report receipt HW/project_status/2021-09 --out 回执.json
    """
    from integrity import receipts

    made = receipts.build(obj.ledger, report_id.strip())
    text = json.dumps(made, ensure_ascii=False, indent=2) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    paper = out.with_suffix(".txt")
    if paper.exists():
        raise AlreadyExists(f"{paper} already exists; choose another --out")
    _write_new(out, text)
    _write_new(paper, receipts.text_form(made))
    click.echo(f"{out}\n{paper}")
    click.echo(receipts.text_form(made), nl=False)


def sending_key(obj: Context, key_file: Path | None) -> SigningKey | None:
    """Before `report send --key FILE`: the key, read and found to be the ledger's own."""
    if key_file is None:
        return None
    if obj.backfill is not None:  # signing happens now only (rule 11); a checkpoint later covers the sending
        click.echo("note: a backfilled sending is not signed now; the office signs the tree with `zs checkpoint`, "
                   "then `zs report receipt` gives its receipt", err=True)
        return None
    from integrity import receipts
    from integrity.notes import load_key

    signing = load_key(key_file)
    obj.ledger.log_key(signing.verifier)
    receipts.require_tree(obj.ledger)
    return signing


def acknowledge(obj: Context, actor: str, report_id: str, signing: SigningKey | None) -> None:
    """After `report send --key FILE`: sign the tree that now holds the sending, and say so."""
    if signing is None:
        return
    from integrity import receipts

    receipts.sign_tree(obj.ledger, actor, signing, about=f"report {report_id} sent", office=False)
    made = receipts.build(obj.ledger, report_id)
    click.echo(f"回执 receipt: position {made['position']}, signed tree size {made['tree_size']}; "
               f"`zs report receipt {report_id} --out FILE` writes it")
