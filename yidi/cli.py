"""Command line: `yidi serve`, `yidi migrate`, `yidi seed`, `yidi db`, `yidi audit`,
`yidi hotline`, `yidi open311`, `yidi import ledger`, `yidi calendar add`, `yidi schema`."""

import argparse
import asyncio
import json
import logging
import logging.config
import os
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn

from yidi import __version__
from yidi.config import Settings
from yidi.database.demo_secret import demo_secret
from yidi.database.embedded_tenancy import move_in, move_out, stop_postgres
from yidi.database.engine import make_engine, make_session_factory
from yidi.database.migrations import upgrade
from yidi.database.roles import grant
from yidi.database.url import resolve_database_url
from yidi.deadlines.calendar_data import bundled_calendar, store_calendar_year
from yidi.demo import load_demo
from yidi.domain.calendar import CalendarYear, parse_year
from yidi.domain.errors import DomainError, NotFound
from yidi.http.app import create_app, utc_now
from yidi.http.observability import LOG_CONFIG
from yidi.http.server import run as run_server
from yidi.persistence.session import SessionFactory
from yidi.schema.build import build_schema
from yidi.services import hotline, open311
from yidi.services.audit import AuditReport, verify_trails
from yidi.services.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from yidi.synthetic.county import Options as SyntheticOptions

log = logging.getLogger("yidi")


def _settings(args: argparse.Namespace) -> Settings:
    overrides: dict[str, object] = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = Path(args.data_dir)
    if getattr(args, "demo", False):
        overrides["demo"] = True
    settings = Settings(**overrides)  # type: ignore[arg-type]
    if settings.demo and not settings.secret_key:
        settings = settings.model_copy(update={"secret_key": demo_secret(settings.data_dir)})
    return settings


def _unit_of_work(sessions: SessionFactory, secret: str) -> UnitOfWork:
    return UnitOfWork(sessions, clock=utc_now, calendar=bundled_calendar(), secret=secret)


async def _load_demo(settings: Settings, database_url: str) -> None:
    engine = make_engine(database_url, pool_size=2)
    try:
        uow = _unit_of_work(make_session_factory(engine), settings.signing_key())
        loaded = await load_demo(uow, utc_now())
        log.info("demo data %s", "loaded" if loaded else "already present")
    finally:
        await engine.dispose()


def _uvicorn_options(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    return {
        "log_level": args.log_level,
        "log_config": LOG_CONFIG,
        "access_log": False,  # the app writes its own JSON access line per request
        "timeout_keep_alive": settings.keep_alive_timeout_seconds,
        # Live-update messages are a few hundred bytes: compressing each one for each
        # subscriber costs more CPU than it saves bandwidth.
        "ws_per_message_deflate": False,
    }


def serve(args: argparse.Namespace) -> int:
    settings = _settings(args)
    try:
        settings.signing_key()
    except RuntimeError as exc:
        print(f"yidi: {exc}", file=sys.stderr)
        return 2
    # The embedded PostgreSQL is shared by every `yidi serve` of the data directory and
    # stopped by the last one to leave (`yidi db stop` stops it otherwise).
    tenancy = None if settings.database_url else move_in(settings.data_dir)
    # uvicorn re-raises SIGTERM after its graceful shutdown; as an exception it lets the
    # clean-up below run (the default handler would end the process on the spot).
    signal.signal(signal.SIGTERM, _exit_on_terminate)
    try:
        _serve(args, settings)
    finally:
        if tenancy is not None and move_out(tenancy):
            log.info("stopped the embedded PostgreSQL in %s", settings.data_dir)
    return 0


def _exit_on_terminate(signum: int, _: object) -> None:
    raise SystemExit(128 + signum)


def _serve(args: argparse.Namespace, settings: Settings) -> None:
    database_url = resolve_database_url(settings)
    upgrade(database_url)
    if settings.demo:
        asyncio.run(_load_demo(settings, database_url))
    log.info("serving on http://%s:%s/graphql", args.host, args.port)
    if args.workers > 1:
        # Worker processes build their app from the environment: hand them the database
        # this process resolved (and started, if embedded) and migrated.
        os.environ["YIDI_DATABASE_URL"] = database_url
        os.environ["YIDI_DEMO"] = "true" if settings.demo else "false"
        os.environ["YIDI_SECRET_KEY"] = settings.signing_key()
        # Every worker keeps evidence files in this process's directory, wherever it runs.
        os.environ["YIDI_ATTACHMENT_DIR"] = str(settings.attachments_path().resolve())
        run_server(
            uvicorn.Config(
                "yidi.http.app:app_from_environment",
                factory=True,
                workers=args.workers,
                host=args.host,
                port=args.port,
                **_uvicorn_options(args, settings),
            )
        )
        return
    app = create_app(settings, database_url)
    run_server(
        uvicorn.Config(app, host=args.host, port=args.port, **_uvicorn_options(args, settings))
    )


def db_stop(args: argparse.Namespace) -> int:
    """Stop the data directory's embedded PostgreSQL (left running by a process that was
    killed, or kept for a later start)."""
    data_dir = _settings(args).data_dir
    if stop_postgres(data_dir):
        print(f"stopped the embedded PostgreSQL in {data_dir}")
    else:
        print(f"no embedded PostgreSQL is running in {data_dir}")
    return 0


def db_grant(args: argparse.Namespace) -> int:
    """Grant the service's role (and a read-only role) what they need and no more; run as
    the schema's owner after every `yidi migrate` (docs/DEPLOYMENT.md)."""
    try:
        database_url = resolve_database_url(_settings(args))
        asyncio.run(grant(database_url, args.service_role, args.reader_role))
    except ValueError as exc:
        print(f"yidi: {exc}", file=sys.stderr)
        return 2
    readers = f" and read-only to {args.reader_role}" if args.reader_role else ""
    print(f"granted the service's privileges to {args.service_role}{readers}")
    return 0


async def _configure_hotline(
    database_url: str, county: str, callback_url: str | None, new_secret: bool
) -> str | None:
    engine = make_engine(database_url, pool_size=1)
    try:
        # Stores no case, so it signs nothing: no secret is needed here.
        uow = _unit_of_work(make_session_factory(engine), "")
        return await hotline.configure(uow, county, callback_url, new_secret)
    finally:
        await engine.dispose()


def hotline_configure(args: argparse.Namespace) -> int:
    """Link a county with the 12345 hotline platform, or change its callback URL or secret."""
    try:
        secret = asyncio.run(
            _configure_hotline(
                resolve_database_url(_settings(args)),
                args.county,
                args.callback_url,
                args.new_secret,
            )
        )
    except NotFound as exc:
        print(f"yidi: {exc.message}", file=sys.stderr)
        return 2
    print(f"county {args.county} is linked with the 12345 hotline platform")
    if secret is not None:
        print(f"shared secret (give it to the platform; it is not shown again): {secret}")
    return 0


async def _open311_keys(database_url: str, args: argparse.Namespace) -> list[str]:
    """The lines `yidi open311 key …` prints."""
    engine = make_engine(database_url, pool_size=1)
    try:
        # Stores no case, so it signs nothing: no secret is needed here.
        uow = _unit_of_work(make_session_factory(engine), "")
        if args.key_command == "issue":
            issued = await open311.issue_key(uow, args.county, args.name)
            return [
                f"api_key {issued.id} issued for county {args.county} ({args.name})",
                f"api_key (give it to the app; it is not shown again): {issued.key}",
            ]
        if args.key_command == "revoke":
            await open311.revoke_key(uow, args.id)
            return [f"api_key {args.id} revoked"]
        return [
            f"{k.id}\t{k.name}\tissued {k.created_at:%Y-%m-%d}\t"
            + (f"revoked {k.revoked_at:%Y-%m-%d}" if k.revoked_at else "live")
            for k in await open311.keys(uow, args.county)
        ]
    finally:
        await engine.dispose()


def open311_key(args: argparse.Namespace) -> int:
    """Issue, list or revoke the api keys of a county's Open311 clients (docs/OPEN311.md)."""
    try:
        lines = asyncio.run(_open311_keys(resolve_database_url(_settings(args)), args))
    except NotFound as exc:
        print(f"yidi: {exc.message}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0


def migrate(args: argparse.Namespace) -> int:
    upgrade(resolve_database_url(_settings(args)))
    print("database is at the latest schema")
    return 0


async def _store_calendar_year(database_url: str, year: CalendarYear) -> None:
    engine = make_engine(database_url, pool_size=1)
    try:
        # Stores no case, so it signs nothing: no secret is needed here.
        await store_calendar_year(_unit_of_work(make_session_factory(engine), ""), year)
    finally:
        await engine.dispose()


async def _verify_trails(database_url: str, county: str | None) -> AuditReport:
    engine = make_engine(database_url, pool_size=1)
    try:
        async with make_session_factory(engine)() as session:
            return await verify_trails(session, county)
    finally:
        await engine.dispose()


def audit_verify(args: argparse.Namespace) -> int:
    """Recompute every case's hash chain; exit 1 at the first broken link."""
    try:
        report = asyncio.run(_verify_trails(resolve_database_url(_settings(args)), args.county))
    except NotFound as exc:
        print(f"yidi: {exc.message}", file=sys.stderr)
        return 2
    if report.broken is None:
        print(f"intact: {report.cases} cases, {report.events} events")
        return 0
    broken = report.broken
    where = f"event at position {broken.position}" if broken.position else "its last event"
    print(
        f"BROKEN: case {report.broken_case_number} (id {broken.case_id}), {where}: "
        f"{broken.reason} (after checking {report.cases} cases)"
    )
    return 1


def calendar_add(args: argparse.Namespace) -> int:
    """Add (or correct) a year's official holiday schedule; servers pick it up at their next
    sweep, within `YIDI_SWEEP_INTERVAL_SECONDS`."""
    try:
        # Validate the file before touching any database.
        year = parse_year(json.loads(Path(args.file).read_text(encoding="utf-8")))
        database_url = resolve_database_url(_settings(args))
        upgrade(database_url)
        asyncio.run(_store_calendar_year(database_url, year))
    except (OSError, ValueError) as exc:  # unreadable file, bad JSON, CalendarDataError
        print(f"yidi: {exc}", file=sys.stderr)
        return 2
    print(
        f"stored {year.year}: {len(year.holidays)} days off, "
        f"{len(year.workdays)} adjusted working days"
    )
    return 0


async def _seed_synthetic(database_url: str, options: "SyntheticOptions") -> float:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from yidi.synthetic.county import seed as seed_synthetic

    engine = make_engine(database_url, pool_size=1)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    began = time.monotonic()
    stages: list[tuple[str, float]] = [("cases", began)]
    try:
        with Progress(*columns) as bar:
            task = bar.add_task("cases", total=options.cases)

            def progress(stage: str, n: int) -> None:
                if stage == "cases":
                    bar.advance(task, n)
                else:
                    bar.update(task, description=f"{stage}")
                    stages.append((stage, time.monotonic()))

            # Stores no tracking code anyone could use, so it signs nothing.
            uow = _unit_of_work(make_session_factory(engine), "")
            await seed_synthetic(uow, options, utc_now(), bundled_calendar(), progress)
    finally:
        await engine.dispose()
    ended = time.monotonic()
    for (stage, at), (_, until) in zip(stages, [*stages[1:], ("", ended)], strict=True):
        print(f"  {stage}: {until - at:.1f} s")
    return ended - began


def seed(args: argparse.Namespace) -> int:
    """Load a synthetic county (docs/DASHBOARDS.md, "Synthetic county")."""
    # Imported here, not at the top: `yidi serve --workers N` spawns workers that import
    # this module again, and the seeding machinery would only slow their start.
    from yidi.synthetic.county import AlreadySeeded
    from yidi.synthetic.county import Options as SyntheticOptions

    if not args.synthetic:
        print("yidi: only --synthetic seeding exists", file=sys.stderr)
        return 2
    options = SyntheticOptions(
        cases=args.cases,
        townships=args.townships,
        villages_per_township=args.villages_per_township,
        years=args.years,
        seed=args.seed,
        code=args.code,
    )
    if min(options.cases, options.townships, options.villages_per_township, options.years) < 1:
        print("yidi: --cases, --townships, --villages-per-township and --years must be >= 1",
              file=sys.stderr)  # fmt: skip
        return 2
    database_url = resolve_database_url(_settings(args))
    upgrade(database_url)
    try:
        seconds = asyncio.run(_seed_synthetic(database_url, options))
    except AlreadySeeded as exc:
        print(f"yidi: {exc}", file=sys.stderr)
        return 2
    print(f"loaded {options.cases} cases into county {options.code} in {seconds:.1f} s")
    return 0


async def _import_ledger(database_url: str, secret: str, args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from yidi.domain.ledger_layout import Layout, MappingError, parse_mapping
    from yidi.services.ledger_files import import_file, report_lines

    try:
        mapping = Path(args.mapping).read_text(encoding="utf-8") if args.mapping else None
        layout = parse_mapping(mapping) if mapping is not None else Layout()
        data = Path(args.file).read_bytes()
    except (OSError, MappingError) as exc:
        print(f"yidi: {exc}", file=sys.stderr)
        return 2
    engine = make_engine(database_url, pool_size=1)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    try:
        with Progress(*columns, transient=True) as bar:
            tasks: dict[str, Any] = {}

            def progress(stage: str, n: int) -> None:
                if stage == "read":
                    tasks["check"] = bar.add_task("checking rows", total=n)
                elif stage == "checking":
                    bar.update(tasks["check"], completed=n)
                elif stage == "prepared":
                    tasks["write"] = bar.add_task("writing cases", total=n)
                elif stage == "written":
                    bar.update(tasks["write"], completed=n)

            uow = _unit_of_work(make_session_factory(engine), secret)
            report = await import_file(
                uow, data, args.county, layout, dry_run=args.dry_run, progress=progress
            )
    except DomainError as exc:  # an unreadable file, an unknown county
        print(f"yidi: {exc.message}", file=sys.stderr)
        return 2
    finally:
        await engine.dispose()
    out = sys.stdout if report.ok else sys.stderr
    for line in report_lines(report, limit=50):
        print(line, file=out)
    return 0 if report.ok else 1


def import_ledger(args: argparse.Namespace) -> int:
    """Import a 民声登记簿 (docs/IMPORT.md): exit 1 with the row errors, 2 when it cannot start."""
    settings = _settings(args)
    try:
        secret = settings.signing_key()
    except RuntimeError as exc:
        print(f"yidi: {exc}", file=sys.stderr)
        return 2
    database_url = resolve_database_url(settings)
    upgrade(database_url)
    return asyncio.run(_import_ledger(database_url, secret, args))


def schema_sdl() -> str:
    """The served GraphQL schema as SDL, ending in a newline: what schema.graphql holds."""
    # Defaults only, not the environment: the SDL does not depend on configuration, and a bad
    # YIDI_* variable should not stop anyone from reading it.
    return f"{build_schema(Settings.model_construct())}\n"


def schema(args: argparse.Namespace) -> int:
    sdl = schema_sdl()
    if args.output:
        Path(args.output).write_text(sdl, encoding="utf-8", newline="\n")
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(sdl)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="yidi", description="yidi: GraphQL backend for one-stop grassroots case handling."
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    data_help = "where the embedded PostgreSQL keeps its data (YIDI_DATA_DIR; default ./.yidi)"

    s = sub.add_parser("serve", help="run the API server (migrates the database first)")
    s.add_argument(
        "--demo",
        action="store_true",
        help="load the demo data; sign with a key kept in the data directory",
    )
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--data-dir", help=data_help)
    s.add_argument("--log-level", default="info")
    s.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes sharing the port (each runs the policy watcher; one sweeps)",
    )
    s.set_defaults(func=serve)

    m = sub.add_parser("migrate", help="apply database migrations to the configured database")
    m.add_argument("--data-dir", help=data_help)
    m.set_defaults(func=migrate)

    c = sub.add_parser("calendar", help="the working-day calendar")
    csub = c.add_subparsers(dest="calendar_command", required=True)
    add = csub.add_parser(
        "add",
        help="add a year's official holiday schedule from a JSON file "
        "(the format of yidi/deadlines/calendar/2026.json)",
    )
    add.add_argument("file")
    add.add_argument("--data-dir", help=data_help)
    add.set_defaults(func=calendar_add)

    d = sub.add_parser("db", help="the database: the embedded PostgreSQL, roles")
    dsub = d.add_subparsers(dest="db_command", required=True)
    stop = dsub.add_parser("stop", help="stop the data directory's embedded PostgreSQL")
    stop.add_argument("--data-dir", help=data_help)
    stop.set_defaults(func=db_stop)
    grants = dsub.add_parser(
        "grant",
        help="grant the service's role read/write but append-only events, no DDL "
        "(run as the schema's owner after every migrate)",
    )
    grants.add_argument("--service-role", required=True, metavar="ROLE")
    grants.add_argument("--reader-role", metavar="ROLE", help="a read-only role (backups, reports)")
    grants.add_argument("--data-dir", help=data_help)
    grants.set_defaults(func=db_grant)

    a = sub.add_parser("audit", help="the case trails' hash chains")
    asub = a.add_subparsers(dest="audit_command", required=True)
    verify = asub.add_parser(
        "verify", help="recompute every case's hash chain and report the first broken link"
    )
    verify.add_argument("--county", metavar="CODE", help="only this county's cases")
    verify.add_argument("--data-dir", help=data_help)
    verify.set_defaults(func=audit_verify)

    h = sub.add_parser("hotline", help="the 12345 hotline bridge (docs/HOTLINE.md)")
    hsub = h.add_subparsers(dest="hotline_command", required=True)
    link = hsub.add_parser(
        "configure",
        help="link a county with the hotline platform (prints a new shared secret), "
        "or change its callback URL",
    )
    link.add_argument("--county", required=True, metavar="CODE")
    link.add_argument("--callback-url", metavar="URL", help="where status callbacks go")
    link.add_argument("--new-secret", action="store_true", help="replace the shared secret")
    link.add_argument("--data-dir", help=data_help)
    link.set_defaults(func=hotline_configure)
    o = sub.add_parser("open311", help="Open311 GeoReport v2 clients (docs/OPEN311.md)")
    osub = o.add_subparsers(dest="open311_command", required=True)
    okey = osub.add_parser("key", help="the api keys of a county's Open311 clients")
    ksub = okey.add_subparsers(dest="key_command", required=True)
    issue = ksub.add_parser("issue", help="issue a key (printed once, stored hashed)")
    issue.add_argument("--county", required=True, metavar="CODE")
    issue.add_argument("--name", default="Open311 client", metavar="APP", help="who holds it")
    listing = ksub.add_parser("list", help="a county's keys, live and revoked")
    listing.add_argument("--county", required=True, metavar="CODE")
    revoke = ksub.add_parser("revoke", help="revoke a key: it stops working at once")
    revoke.add_argument("--id", required=True, type=int, metavar="N")
    for command in (issue, listing, revoke):
        command.add_argument("--data-dir", help=data_help)
        command.set_defaults(func=open311_key)

    i = sub.add_parser("import", help="bring in records kept before the platform")
    isub = i.add_subparsers(dest="import_command", required=True)
    ledger = isub.add_parser(
        "ledger", help="import a 民声登记簿 (.xlsx, .xls, .ods or .csv; docs/IMPORT.md)"
    )
    ledger.add_argument("file")
    ledger.add_argument("--county", required=True, metavar="CODE")
    ledger.add_argument("--mapping", metavar="FILE", help="a TOML mapping for another layout")
    ledger.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    ledger.add_argument(
        "--demo", action="store_true", help="sign with the demo key of the data directory"
    )
    ledger.add_argument("--data-dir", help=data_help)
    ledger.set_defaults(func=import_ledger)

    e = sub.add_parser("seed", help="load generated data (a synthetic county)")
    e.add_argument("--synthetic", action="store_true", help="a synthetic county")
    e.add_argument("--cases", type=int, required=True, metavar="N")
    e.add_argument("--townships", type=int, default=20, metavar="T")
    e.add_argument("--villages-per-township", type=int, default=25, metavar="V")
    e.add_argument("--years", type=int, default=3, metavar="Y", help="registered over Y years")
    e.add_argument("--seed", type=int, default=1, metavar="S", help="same seed, same data")
    e.add_argument("--code", default="990300", help="the county's division code")
    e.add_argument("--data-dir", help=data_help)
    e.set_defaults(func=seed)

    g = sub.add_parser("schema", help="print the served GraphQL schema (SDL)")
    g.add_argument("--output", metavar="PATH", help="write it to PATH instead of stdout")
    g.set_defaults(func=schema)
    return p


def main(argv: list[str] | None = None) -> int:
    logging.config.dictConfig(LOG_CONFIG)
    args = parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
