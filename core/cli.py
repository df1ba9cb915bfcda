"""The ``lavterskel`` command line: serve, db upgrade, createuser, demo, and plugin commands."""
from __future__ import annotations

import getpass
import sys

import click

from core.config import load_settings
from core.db import make_engine, make_session_factory, scoped_session
from core.models import ROLES
from core.plugins import build_plugin_manager


def _plugins():  # type: ignore[no-untyped-def]
    return build_plugin_manager(load_settings().plugins.allowed)


def _engine():  # type: ignore[no-untyped-def]
    s = load_settings()
    return make_engine(s.database.url, s.database.echo)


@click.group()
def cli() -> None:
    """Lavterskel: the platform low-threshold work programs run their day on."""


@cli.group()
def db() -> None:
    """Database commands."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the database schema (core and every loaded plugin)."""
    from core.migrate import upgrade

    upgrade(_engine(), _plugins())
    click.echo("database is up to date")


@db.command("revision")
@click.option("--plugin", "plugin", default="core", show_default=True, help="Whose tables: 'core' or a plugin name.")
@click.option("-m", "--message", required=True)
def db_revision(plugin: str, message: str) -> None:
    """Autogenerate a migration for the core's or one plugin's tables only.

    Runs every existing migration on a scratch SQLite file, then compares with the
    models, keeping only tables that belong to PLUGIN (``<plugin>_`` prefix), so two
    plugins developed side by side never capture each other's tables.
    """
    import tempfile
    from pathlib import Path

    from alembic import command
    from alembic.script import ScriptDirectory

    from core.db import Base
    from core.migrate import MIGRATIONS, alembic_config, upgrade

    plugins = _plugins()
    if plugin == "core":
        version_path = str(MIGRATIONS / "versions")
    else:
        locs = dict(loc for _n, loc in plugins.per_plugin("lavterskel_migration_location") if loc)
        if plugin not in locs:
            raise click.ClickException(f"plugin {plugin!r} has no lavterskel_migration_location")
        version_path = locs[plugin]
        Path(version_path).mkdir(parents=True, exist_ok=True)
    plugin_tables = {t for t in Base.metadata.tables if plugin != "core" and t.startswith(f"{plugin}_")}
    other_prefixes = tuple(f"{n}_" for n in plugins.program_plugins)

    def mine(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
        if table is None:
            return True
        return table in plugin_tables if plugin != "core" else not str(table).startswith(other_prefixes)

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/scratch.db")
        upgrade(engine, plugins)
        cfg = alembic_config(engine, plugins)
        script = ScriptDirectory.from_config(cfg)
        branch_exists = any(plugin in (r.branch_labels or ()) for r in script.walk_revisions())
        cfg.attributes["include_object"] = mine
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            kwargs: dict[str, object] = {"message": message, "autogenerate": True, "version_path": version_path}
            if branch_exists:
                kwargs["head"] = f"{plugin}@head"
            else:
                kwargs.update(branch_label=plugin, head="base", depends_on="core_0001")
            command.revision(cfg, **kwargs)  # type: ignore[arg-type]


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int, help="Server processes; sessions are shared through the database.")
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web UI and the JSON API."""
    import uvicorn

    # The server's own access log is off: it writes URLs with their query strings and ids.
    # The app's request log (core.web.request_log) writes route templates instead.
    uvicorn.run(
        "core.web.asgi:app", host=host, port=port, workers=workers, proxy_headers=False, log_level="info",
        access_log=False, log_config=server_log_config(),
    )


def server_log_config() -> dict[str, object]:
    """Uvicorn's logging, plus the app's loggers (``lavterskel.*``) on standard error."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["app"] = {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    config["handlers"]["app"] = {"class": "logging.StreamHandler", "formatter": "app", "stream": "ext://sys.stderr"}
    config["loggers"]["lavterskel"] = {"handlers": ["app"], "level": "INFO", "propagate": False}
    return config


@cli.command()
@click.argument("organization")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="The person's full name.")
@click.option("--role", "roles", multiple=True, type=click.Choice(ROLES), required=True)
@click.option("--password", default=None, help="Read from a prompt when left out (it then stays out of shell history).")
def createuser(organization: str, username: str, full_name: str, roles: tuple[str, ...], password: str | None) -> None:
    """Add a staff user with roles in ORGANIZATION (its slug)."""
    from sqlalchemy import select

    from core.models import Organization
    from core.services.auth import create_user

    if password is None:
        password = getpass.getpass("Password: ")
    if len(password) < 12:
        raise click.ClickException("the password must have at least 12 characters")
    factory = make_session_factory(_engine())
    with scoped_session(factory, None) as session:
        org = session.scalars(select(Organization).where(Organization.slug == organization)).first()
        if org is None:
            raise click.ClickException(f"no organization with slug {organization!r}")
        create_user(session, org, username, full_name, password, list(roles))
        session.commit()
    click.echo(f"created {username}")


@cli.command("resettotp")
@click.argument("username")
def reset_totp(username: str) -> None:
    """Remove USERNAME's two-factor set-up, for a lost phone or a lost encryption key; they
    set it up again after their next login. Their sessions end."""
    from sqlalchemy import select

    from core.models import StaffUser
    from core.services.auth import disable_totp, end_all_sessions

    factory = make_session_factory(_engine())
    with scoped_session(factory, None) as session:
        user = session.scalars(select(StaffUser).where(StaffUser.username == username.strip().lower())).first()
        if user is None:
            raise click.ClickException(f"no staff user {username!r}")
        disable_totp(session, user.id)
        end_all_sessions(session, user.id)
    click.echo(f"two-factor sign-in removed for {username}")


@cli.command()
@click.option("--reset", is_flag=True, help="Remove existing demo organizations first.")
@click.option("--seed", default=2026, show_default=True, type=int)
def demo(reset: bool, seed: int) -> None:
    """Load two demo organizations: Dagsverket (Trondheim) and Nyttig Arbeid (Oslo)."""
    from core.demo import load_demo
    from core.migrate import upgrade

    engine = _engine()
    plugins = _plugins()
    upgrade(engine, plugins)
    logins = load_demo(make_session_factory(engine), plugins, seed=seed, reset=reset)
    if not logins:
        click.echo("demo data is already loaded (use --reset to load it again)")
        return
    click.echo("\nDemo logins (password for all: %s)" % logins[0][3])
    for org, username, role, _pw in logins:
        click.echo(f"  {org:<28} {role:<14} {username}")


@cli.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, writable=True))
def backup_command(target: str) -> None:
    """Write a consistent copy of the whole database to TARGET (safe while serving)."""
    from pathlib import Path

    from core.backup import BackupError, backup

    try:
        backup(load_settings().database.url, Path(target))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backup written to {target}")


@cli.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(source: str, yes: bool) -> None:
    """Replace the database's contents with the backup in SOURCE. Stop the servers first."""
    from pathlib import Path

    from core.backup import BackupError, restore

    if not yes:
        click.confirm("This replaces everything in the database. Continue?", abort=True)
    try:
        restore(load_settings().database.url, Path(source))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("restored")


def main() -> None:
    plugins = _plugins()
    plugins.hook.lavterskel_cli_commands(cli=cli)
    cli(prog_name="lavterskel")


if __name__ == "__main__":
    sys.exit(main())
