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


@seed_cli.command("all")
@click.option("--demo/--no-demo", default=True)
def seed_all(demo: bool) -> None:
    ctx = click.get_current_context()
    ctx.invoke(seed_roles)
    ctx.invoke(seed_reference)
    if demo:
        ctx.invoke(seed_demo)


def install(app: Flask) -> None:
    app.cli.add_command(seed_cli)
