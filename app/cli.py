"""`flask seed ...`: roles, reference data and demo data (each re-runnable)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

seed_cli = AppGroup("seed", help="Load roles, reference data and demo data.")


@seed_cli.command("roles")
def seed_roles() -> None:
    """Create FAB's permissions and sync the predefined roles."""
    from seed.roles import sync_roles

    for role, n in sync_roles(current_app.appbuilder).items():
        click.echo(f"role {role}: {n} permissions")


@seed_cli.command("reference")
def seed_reference() -> None:
    """Unit categories and dictionaries."""
    from seed.categories import sync_categories
    from seed.dicts import sync_dicts

    click.echo(f"categories: {sync_categories()}")
    for code, n in sync_dicts().items():
        click.echo(f"dict {code}: {n}")


@seed_cli.command("demo")
def seed_demo() -> None:
    """The demo tree with accounts (only into an empty tree)."""
    from seed.demo import load_demo

    click.echo(f"demo: {load_demo(current_app.appbuilder)}")


@seed_cli.command("admins")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="初始密码（三员首次登录时必须修改）")
def seed_admins(password: str) -> None:
    """三员: sysadmin, secadmin and auditadmin at the root unit (production bootstrap)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.services.core.validators import check_password
    from models.core.unit import Unit
    from seed.demo import create_three_admins

    reason = check_password(password)
    if reason:
        raise click.ClickException(reason)
    root = db.session.scalar(select(Unit).where(Unit.parent_id.is_(None)))
    if root is None:
        raise click.ClickException("请先创建根单位（flask seed demo 或导入单位）")
    made = create_three_admins(current_app.appbuilder, root, password)
    db.session.commit()
    click.echo(f"created: {', '.join(made) or 'none'}")


@seed_cli.command("all")
@click.option("--demo/--no-demo", default=True)
def seed_all(demo: bool) -> None:
    ctx = click.get_current_context()
    ctx.invoke(seed_roles)
    ctx.invoke(seed_reference)
    if demo:
        ctx.invoke(seed_demo)


audit_cli = AppGroup("audit", help="The audit log.")


@audit_cli.command("purge")
@click.option("--days", default=180, show_default=True, help="删除早于该天数的审计日志（不少于180天）")
def audit_purge(days: int) -> None:
    """Delete audit rows older than --days (kept at least 180 days)."""
    import datetime as dt

    from sqlalchemy import delete

    from app.extensions import db
    from models.core.audit import AuditLog

    if days < 180:
        raise click.ClickException("审计日志至少保存180天")
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    result = db.session.execute(delete(AuditLog).where(AuditLog.created_at < cutoff))
    db.session.commit()
    click.echo(f"purged: {result.rowcount}")


def install(app: Flask) -> None:
    app.cli.add_command(seed_cli)
    app.cli.add_command(audit_cli)
