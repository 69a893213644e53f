"""flask commands for admins' scripts; thin wrappers over the services."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask import Blueprint

from review.exceptions import HuibaoError, RosterError
from review.notify_cli import notify_group
from review.services import accounts, periods, roster
from review.whisper_cli import whisper_group

bp = Blueprint("cli", __name__, cli_group=None)


def _fail(exc: HuibaoError) -> None:
    raise click.ClickException(str(exc.message))


@bp.cli.group()
def branch() -> None:
    """Manage branches (党支部)."""


@branch.command("create")
@click.argument("name")
def branch_create(name: str) -> None:
    """Create a branch called NAME."""
    try:
        created = accounts.create_branch(name)
    except HuibaoError as exc:
        _fail(exc)
    click.echo(f"{created.id}\t{created.name}")


@bp.cli.group()
def user() -> None:
    """Manage user accounts."""


@user.command("create")
@click.argument("username")
@click.option("--name", required=True, help="姓名")
@click.option(
    "--role", required=True, type=click.Choice(["activist", "reviewer", "committee", "admin"])
)
@click.option("--branch", "branches", multiple=True, help="支部 (repeat for reviewers)")
@click.option("--password", required=True)
@click.option("--must-change-password", is_flag=True, help="Force a change at first login.")
@click.option("--email", default=None, help="邮箱 for notifications (optional)")
def user_create(
    username: str,
    name: str,
    role: str,
    branches: tuple[str, ...],
    password: str,
    must_change_password: bool,
    email: str | None,
) -> None:
    """Create the account USERNAME."""
    try:
        created = accounts.create_user(
            username,
            name,
            role,
            password,
            branches,
            must_change_password=must_change_password,
            email=email,
        )
    except HuibaoError as exc:
        _fail(exc)
    click.echo(f"{created.id}\t{created.username}\t{created.role}")


@bp.cli.group("roster")
def roster_group() -> None:
    """Import rosters of activists and reviewers."""


@roster_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--passwords-out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the one-time passwords of new accounts to this CSV file.",
)
def roster_import(file: Path, passwords_out: Path | None) -> None:
    """Import FILE (CSV or XLSX with 学号, 姓名, 支部, 角色); all rows or none."""
    try:
        result = roster.import_roster(file.name, file.read_bytes())
    except RosterError as exc:
        for line, message in exc.errors:
            click.echo(f"第 {line} 行: {message}", err=True)
        _fail(exc)
    lines = ["学号,姓名,初始密码"] + [",".join(row) for row in result.created]
    if passwords_out:
        passwords_out.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
        passwords_out.chmod(0o600)
    else:
        click.echo("\n".join(lines))
    click.echo(f"导入 {len(result.created)} 个账号，跳过已存在的 {len(result.skipped)} 个。")


@bp.cli.group("period")
def period_group() -> None:
    """Manage reporting periods."""


@period_group.command("open")
@click.argument("name")
@click.option("--opens", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--closes", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--oath/--no-oath", default=True, help="Whether the oath is required.")
@click.option("--double-marking", is_flag=True, help="Two reviewers mark each submission.")
@click.option("--max-points", type=int, default=None, help="Max points per criterion.")
def period_open(
    name: str,
    opens: datetime,
    closes: datetime,
    oath: bool,
    double_marking: bool,
    max_points: int | None,
) -> None:
    """Open the period NAME with the default rubric; print its id."""
    try:
        created = periods.open_period(
            name,
            opens.date(),
            closes.date(),
            oath_required=oath,
            double_marking=double_marking,
            max_points=max_points,
        )
    except HuibaoError as exc:
        _fail(exc)
    click.echo(created.id)


@bp.cli.command("seed-demo")
def seed_demo() -> None:
    """Create the demo branch, accounts and an open period (once)."""
    from review.services.demo import seed_demo as seed

    created = seed()
    click.echo("演示数据已创建。" if created else "演示数据已存在，未重复创建。")


@bp.cli.command("reconcile")
def reconcile() -> None:
    """Re-enqueue videos stuck past their deadline; fail those out of retries."""
    from review.services import pipeline

    counts = pipeline.reconcile()
    click.echo(f"重新排队 {counts['requeued']} 个，标记失败 {counts['failed']} 个。")


@bp.cli.command("enqueue-video")
@click.argument("video_id", type=int)
def enqueue_video(video_id: int) -> None:
    """Enqueue the processing steps VIDEO_ID needs now."""
    from review.services import pipeline

    click.echo("\n".join(pipeline.enqueue_video(video_id)) or "无需处理。")


bp.cli.add_command(whisper_group)
bp.cli.add_command(notify_group)
