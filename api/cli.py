"""The `sales-agent` command: local stack, workers, API, Flower, and batches from a terminal.

With no server URLs configured, each command brings up (or reuses) the local stack and, for
`enqueue` and `demo`, workers for the length of the run; Ctrl-C stops everything it started.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from settings import PROJECT_ROOT, get_settings

cli = typer.Typer(
    name="sales-agent",
    help="Multi-agent sales-lead pipeline on Celery queues.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)
ALL_QUEUES = "qualification,enrichment,growth,marketing,bdr,conversation,pipeline"
SAMPLE_CSV = PROJECT_ROOT / "examples" / "dealers.csv"


# --- environment -------------------------------------------------------------------------


@contextmanager
def servers(*, schema: Literal["auto", "migrate", "none"] = "auto") -> Iterator[bool]:
    """Resolve server URLs (configured, or a local stack) and export them to this process
    and its children. Yields whether a local stack is in use.

    ``schema="auto"`` migrates a local stack's database (under the migration lock, so
    commands started together migrate once) but only waits, for a bounded time, for a
    configured database to be migrated by `sales-agent migrate`: a release step, never a
    side effect of starting a process.
    """
    from api.local_stack import export_env, resolve_urls

    configured_database = bool(get_settings().database_url)
    urls, stack = resolve_urls(get_settings())
    try:
        os.environ.update(export_env(urls))
        _reload_settings()
        if stack is not None:
            console.print(f"[dim]local stack: postgres and valkey in {get_settings().data_dir}[/]")
        if schema == "migrate" or (schema == "auto" and not configured_database):
            _upgrade_database()
        elif schema == "auto":
            _wait_for_schema()
        yield stack is not None
    finally:
        if stack is not None:
            stack.stop()


def _reload_settings() -> None:
    from db.session import reset_engine
    from workers.celery_app import reconfigure

    get_settings.cache_clear()
    reset_engine()
    reconfigure()


def _alembic_config(database_url: str) -> Any:
    from api.schema import alembic_config

    return alembic_config(database_url)


def _upgrade_database() -> None:
    from api.schema import upgrade_under_lock

    run = upgrade_under_lock(get_settings().database_url)
    if run.changed:
        console.print(f"migrated the database from {run.before or 'empty'} to {run.after}")


def _wait_for_schema() -> None:
    from api.schema import SchemaNotReadyError, wait_for_head

    settings = get_settings()
    try:
        wait_for_head(settings.database_url, settings.schema_wait_s)
    except SchemaNotReadyError as exc:
        raise typer.Exit(_fail(f"not starting: {exc}")) from None


def _live_workers() -> list[str]:
    from workers.celery_app import app

    replies = app.control.ping(timeout=1.0) or []
    return [name for reply in replies for name in reply]


@contextmanager
def local_workers(queues: str = ALL_QUEUES, concurrency: int | None = None) -> Iterator[None]:
    """Run one worker for the given queues while the block runs."""
    process = _spawn_worker(queues, concurrency, name=f"cli-{uuid.uuid4().hex[:6]}")
    try:
        deadline = time.monotonic() + 60
        while not _live_workers():
            if process.poll() is not None or time.monotonic() > deadline:
                raise typer.Exit(_fail("the worker did not start; run `sales-agent worker`"))
            time.sleep(0.3)
        yield
    finally:
        _stop(process)


def _spawn_worker(
    queues: str, concurrency: int | None, name: str, *, quiet: bool = True
) -> subprocess.Popen[bytes]:
    concurrency = concurrency or get_settings().worker_concurrency
    args = [
        sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker",
        "-Q", queues, "-c", str(concurrency), "-n", f"{name}@%h", "-l", "INFO",
        "--without-gossip", "--without-mingle",
    ]
    output = subprocess.DEVNULL if quiet else None
    return subprocess.Popen(args, cwd=PROJECT_ROOT, stdout=output, stderr=output)


def _stop(process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _fail(message: str) -> int:
    console.print(f"[red]error:[/] {message}")
    return 1


def _run_foreground(args: list[str]) -> None:
    """Run a child in the foreground; Ctrl-C reaches it, and we wait for it to finish."""
    process = subprocess.Popen(args, cwd=PROJECT_ROOT)
    try:
        code = process.wait()
    except KeyboardInterrupt:
        _stop(process)
        code = 130
    if code not in (0, 130, -signal.SIGTERM):
        raise typer.Exit(code)


# --- commands ----------------------------------------------------------------------------


@cli.command()
def stack() -> None:
    """Start a local Postgres and Valkey and keep them up until Ctrl-C (others reuse it)."""
    from api.local_stack import LocalStack, LocalStackError

    local = LocalStack(get_settings().data_dir)
    try:
        urls = local.start()
    except LocalStackError as exc:
        raise typer.Exit(_fail(str(exc))) from exc
    try:
        console.print(f"SALES_AGENT_DATABASE_URL={urls.database_url}")
        console.print(f"SALES_AGENT_REDIS_URL={urls.redis_url}")
        console.print("[green]stack up[/]; other sales-agent commands reuse it; Ctrl-C stops it")
        local.wait()
    except KeyboardInterrupt:
        console.print("stopping")
    finally:
        local.stop()


@cli.command()
def migrate(
    check: Annotated[
        bool, typer.Option("--check", help="Only check that models and migrations agree")
    ] = False,
) -> None:
    """Upgrade the database to the latest migration (or check them on a scratch database)."""
    if not check:
        with servers(schema="migrate"):
            console.print("[green]database at the latest migration[/]")
        return
    from alembic import command
    from sqlalchemy.engine import make_url

    from db.scratch import scratch_database

    with servers(schema="none"):
        url = make_url(get_settings().database_url)
        with scratch_database(url) as scratch_url:
            config = _alembic_config(scratch_url)
            command.upgrade(config, "head")
            command.check(config)
            command.downgrade(config, "base")
            command.upgrade(config, "head")
    console.print("[green]migrations match the models (upgrade, downgrade, upgrade)[/]")


@cli.command()
def worker(
    queues: Annotated[str, typer.Option(help="Comma-separated queues to consume")] = ALL_QUEUES,
    concurrency: Annotated[int | None, typer.Option("-c", "--concurrency")] = None,
    name: Annotated[str, typer.Option(help="Node name prefix")] = "worker",
    pool: Annotated[
        str | None,
        typer.Option(
            "-P", "--pool",
            help="prefork, threads or solo (default SALES_AGENT_WORKER_POOL); threads with "
            "-c 32 keeps many slow model calls in flight (run one such worker per core)",
        ),
    ] = None,
) -> None:
    """Run a Celery worker for the chosen queues (one per queue scales them independently)."""
    with servers():
        settings = get_settings()
        _run_foreground(
            [
                sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker",
                "-Q", queues, "-c", str(concurrency or settings.worker_concurrency),
                "-P", pool or settings.worker_pool,
                "-n", f"{name}-{queues.replace(',', '-')[:40]}@%h", "-l", "INFO",
            ]
        )


@cli.command()
def beat() -> None:
    """Run the scheduler of housekeeping tasks (lost follow-ups, expired cache rows).

    Run exactly one per deployment: two would send each scheduled task twice (harmless,
    the tasks are idempotent, but wasted).
    """
    with servers():
        settings = get_settings()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        _run_foreground(
            [
                sys.executable, "-m", "celery", "-A", "workers.celery_app", "beat",
                "-s", str(settings.data_dir / "celerybeat-schedule"), "-l", "INFO",
            ]
        )


@cli.command()
def api(
    host: Annotated[str | None, typer.Option()] = None,
    port: Annotated[int | None, typer.Option()] = None,
) -> None:
    """Serve the REST API (OpenAPI docs at /docs).

    Listens on 127.0.0.1 unless told otherwise (`--host`, SALES_AGENT_API_HOST). Refuses to
    start with a placeholder key outside development, and with the development key on an
    address other machines can reach.
    """
    import uvicorn

    _refuse_unsafe_api(host or get_settings().api_host)
    with servers():
        settings = get_settings()
        uvicorn.run(
            "api.app:create_app",
            factory=True,
            host=host or settings.api_host,
            port=port or settings.api_port,
            log_level=settings.log_level.lower(),
            # SIGTERM: stop accepting, give open requests this long, then exit regardless.
            timeout_graceful_shutdown=settings.api_graceful_shutdown_s,
        )


@cli.command()
def flower(
    port: Annotated[int | None, typer.Option()] = None,
    address: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
) -> None:
    """Serve Flower for this app (basic auth from SALES_AGENT_FLOWER_BASIC_AUTH).

    Without credentials, development gets a one-run password printed here; elsewhere
    Flower refuses to start. The endpoints that run tasks are disabled (api/flower.py).
    """
    auth = _flower_credentials()
    with servers():
        settings = get_settings()
        # Through the environment, which Flower reads itself: a --basic-auth argument
        # would show the password to every user of the host in `ps`.
        os.environ["FLOWER_BASIC_AUTH"] = auth
        _run_foreground(
            [
                sys.executable, "-m", "api.flower",
                f"--port={port or settings.flower_port}", f"--address={address}",
            ]
        )


def _refuse_unsafe_api(host: str) -> None:
    import ipaddress

    settings = get_settings()
    problems = settings.api_start_problems()
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if settings.uses_dev_api_key and not loopback:
        problems.append(
            f"the development API key on {host} lets anyone who reaches it in: set "
            "SALES_AGENT_API_KEY, or serve on 127.0.0.1"
        )
    if problems:
        raise typer.Exit(_fail("the API refuses to start: " + "; ".join(problems)))


def _flower_credentials() -> str:
    import secrets

    from settings import flower_auth_problem

    settings = get_settings()
    auth = settings.flower_basic_auth.get_secret_value()
    development = settings.environment == "development"
    if not auth:
        if not development:
            raise typer.Exit(_fail("Flower needs SALES_AGENT_FLOWER_BASIC_AUTH=user:password"))
        auth = f"admin:{secrets.token_urlsafe(12)}"
        console.print(f"Flower login for this run (set SALES_AGENT_FLOWER_BASIC_AUTH to "
                      f"choose one): [bold]{auth}[/]")
    elif problem := flower_auth_problem(auth):
        if not development:
            raise typer.Exit(_fail(f"Flower refuses to start: SALES_AGENT_FLOWER_BASIC_AUTH: "
                                   f"{problem}"))
        console.print(f"[yellow]warning:[/] SALES_AGENT_FLOWER_BASIC_AUTH: {problem}")
    return auth


@cli.command()
def enqueue(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    name: Annotated[str | None, typer.Option(help="A name for the batch")] = None,
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Follow until done")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
    stop_on_duplicate: bool = False,
    skip_enrichment: bool = False,
    create_in_crm: bool = False,
    dry_run: bool = False,
) -> None:
    """Load a CSV of leads and run it through the pipeline, with a live progress bar."""
    from db.repositories.batches import BatchOptions

    options = BatchOptions(stop_on_duplicate, skip_enrichment, create_in_crm, dry_run)
    _enqueue_and_follow(file, name, wait, as_json, options, summary=not as_json)


@cli.command()
def demo(
    file: Annotated[Path, typer.Option(help="CSV to run")] = SAMPLE_CSV,
) -> None:
    """Local stack, workers and the sample dealer batch; then tiers and the slowest stages."""
    from db.repositories.batches import BatchOptions

    _enqueue_and_follow(file, "demo", True, False, BatchOptions(), summary=True)


@cli.command()
def score(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    out: Annotated[Path | None, typer.Option("--out", help="Write every lead as CSV")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
    profile: Annotated[
        str | None, typer.Option(help="Qualification profile (default: by the row's format)")
    ] = None,
) -> None:
    """Qualify a file in-process, no servers: tier counts, the top leads, every score.

    When the file carries its own ICP score, ours is compared with it.
    """
    from api.file_score import score_file, scored_csv, scored_json
    from api.intake import IntakeError
    from orchestration.config.rules import RulesConfigError

    try:
        scored = score_file(file, profile)
    except (IntakeError, RulesConfigError) as exc:
        raise typer.Exit(_fail(str(exc))) from None
    if out is not None:
        out.write_text(scored_csv(scored), encoding="utf-8")
    if as_json:
        print(json.dumps(scored_json(scored), default=str))
        return
    _print_scored(scored, out)


def _print_scored(scored: Any, out: Path | None) -> None:
    screen = Console()
    tiers = Table(title=f"{len(scored.leads)} leads scored, {len(scored.rejected)} rows rejected")
    for column in ("tier", "leads", "band", "scores", "what happens"):
        tiers.add_column(column, justify="right" if column == "leads" else "left")
    for tier, row in scored.tiers().items():
        tiers.add_row(tier, str(row["leads"]), row["band"], row["scores"], row["path"])
    screen.print(tiers)
    top = Table(title="Top leads")
    for column in ("row", "company", "score", "tier", "upstream"):
        top.add_column(column, justify="right" if column in ("row", "score") else "left")
    for lead in scored.top():
        upstream = lead["upstream"]
        theirs = f"{upstream['score']:g} {upstream['band']}" if upstream else ""
        top.add_row(str(lead["row"]), lead["company_name"], str(lead["score"]), lead["tier"],
                    theirs)
    screen.print(top)
    agreement = scored.agreement()
    if agreement:
        screen.print(
            f"The file's own ICP score: rank correlation {agreement['spearman']:.2f} with ours, "
            f"same tier for {agreement['same_tier']:.0%}; "
            f"{agreement['gold_or_better_in_a_or_b']} of its {agreement['gold_or_better']} "
            "GOLD-or-better leads are A or B here."
        )
    if out is not None:
        screen.print(f"every lead written to {out}")


@cli.command()
def check(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Read a file as an upload would, store nothing: rejected rows and duplicates.

    Needs no servers. Rows are 1-based data rows (the header not counted); repeats of
    leads stored earlier are found only when the file is loaded.
    """
    from api.file_check import check_file
    from api.intake import IntakeError

    try:
        checked = check_file(file)
    except IntakeError as exc:
        raise typer.Exit(_fail(f"{file}: {exc}")) from None
    if as_json:
        print(json.dumps(checked.to_json()))
        return
    print(f"{file.name}: {checked.accepted} leads accepted, {len(checked.rejected)} rows "
          f"rejected, {len(checked.duplicates)} duplicates")
    for rejection in checked.rejected:
        print(f"rejected  {rejection.reason}")
    for d in checked.duplicates:
        print(f"duplicate row {d.row} of row {d.of_row} [{d.rule} {d.confidence:.2f}] "
              f"{d.company_name}: {d.reason}")


@cli.command()
def status(
    batch_id: uuid.UUID,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output")] = False,
) -> None:
    """Show a batch's progress: outcomes, per-stage counts, throughput and ETA."""
    from api.progress import build_batch_status
    from db.session import read_only

    with servers(), read_only() as session:
        report = build_batch_status(session, batch_id)
    if report is None:
        raise typer.Exit(_fail(f"no batch {batch_id}"))
    if as_json:
        print(report.model_dump_json(indent=2))
        return
    table = Table(title=f"batch {batch_id} — {report.status}")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("accepted / rejected", f"{report.accepted} / {report.rejected}")
    table.add_row("done", str(report.done))
    for outcome, count in sorted(report.by_outcome.items()):
        table.add_row(f"  {outcome}", str(count))
    for stage, counts in report.by_stage.items():
        table.add_row(f"stage {stage}", f"{counts.succeeded} ok, {counts.failed} failed")
    if report.leads_per_second:
        table.add_row("leads/s", f"{report.leads_per_second}")
    Console().print(table)


@cli.command()
def results(
    batch_id: uuid.UUID,
    fmt: Annotated[str, typer.Option("--format", help="csv or json")] = "csv",
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json")] = False,
    out: Annotated[Path | None, typer.Option(help="Write to this file")] = None,
) -> None:
    """Export every lead of a batch with its outcome, score, tier and key decisions."""
    from api.exports import export_results
    from db.session import read_only

    fmt = "json" if as_json else fmt
    if fmt not in ("csv", "json"):
        raise typer.Exit(_fail("--format is csv or json"))
    with servers(), read_only() as session:
        text = export_results(session, batch_id, fmt)
    if text is None:
        raise typer.Exit(_fail(f"no batch {batch_id}"))
    if out:
        out.write_text(text)
        console.print(f"wrote {out}")
    else:
        sys.stdout.write(text)


# --- enqueue and follow ------------------------------------------------------------------


def _enqueue_and_follow(
    file: Path,
    name: str | None,
    wait: bool,
    as_json: bool,
    options: Any,
    *,
    summary: bool,
) -> None:
    from api.intake import IntakeError, parse_leads
    from api.submit import submit_batch

    try:
        parsed = parse_leads(file.read_bytes(), source=file.name)
    except IntakeError as exc:
        raise typer.Exit(_fail(f"{file}: {exc}")) from exc
    with ExitStack() as running:
        local = running.enter_context(servers())
        if not wait and local:
            raise typer.Exit(
                _fail("--no-wait needs servers that outlive this command: run "
                      "`sales-agent stack` and `sales-agent worker` first, or set the URLs")
            )
        if wait and not _live_workers():
            console.print("[dim]no worker is running: starting one for this run[/]")
            running.enter_context(local_workers())
        if not parsed.leads:
            raise typer.Exit(_fail(f"{file}: no valid lead ({len(parsed.rejections)} rejected)"))
        submitted = submit_batch(parsed, name=name, source=file.name, options=options)
        for rejection in submitted.rejections[:20]:
            console.print(f"[yellow]rejected[/] {rejection['reason']}")
        if len(submitted.rejections) > 20:
            console.print(f"[yellow]… and {len(submitted.rejections) - 20} more rejected rows[/]")
        if not wait:
            _print_submitted(submitted, as_json)
            return
        _follow(submitted.batch_id, submitted.accepted, quiet=as_json)
        if as_json:
            from api.progress import build_batch_status
            from db.session import read_only

            with read_only() as session:
                report = build_batch_status(session, submitted.batch_id)
            print(report.model_dump_json(indent=2) if report else "{}")
        elif summary:
            _print_summary(submitted.batch_id)


def _print_submitted(submitted: Any, as_json: bool) -> None:
    data = {
        "batch_id": str(submitted.batch_id),
        "job_id": submitted.job_id,
        "accepted": submitted.accepted,
        "rejected": len(submitted.rejections),
        "duplicates": submitted.duplicates,
    }
    if as_json:
        print(json.dumps(data, indent=2))
    else:
        console.print(f"batch {data['batch_id']}: {data['accepted']} leads queued")


def _follow(batch_id: uuid.UUID, total: int, *, quiet: bool) -> None:
    from db.models import BatchStatus
    from db.repositories.batches import get_batch
    from db.session import read_only

    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
    )
    started = time.monotonic()
    with progress:
        task = progress.add_task(f"batch {str(batch_id)[:8]}", total=total, rate="")
        while True:
            with read_only() as session:
                batch = get_batch(session, batch_id)
                assert batch is not None
                done, state = batch.done_count, batch.status
            elapsed = time.monotonic() - started
            rate = f"{done / elapsed:.1f} leads/s" if elapsed > 0 and done else ""
            progress.update(task, completed=done, rate=rate)
            if state == BatchStatus.finished or done >= total:
                break
            time.sleep(0.5)


def _print_summary(batch_id: uuid.UUID) -> None:
    from api.progress import build_batch_status
    from db.repositories.reports import stage_timings
    from db.session import read_only

    with read_only() as session:
        report = build_batch_status(session, batch_id)
        timings = stage_timings(session, batch_id)
    out = Console()
    if report:
        outcomes = ", ".join(f"{k}: {v}" for k, v in sorted(report.by_outcome.items()))
        out.print(f"[bold]batch {batch_id}[/] — {report.done}/{report.accepted} done ({outcomes})")
        tier_table = Table(title="Tiers")
        for column in ("tier", "leads", "band", "scores", "what happens"):
            tier_table.add_column(column, justify="right" if column == "leads" else "left")
        for tier, row in report.tiers.items():
            tier_table.add_row(tier, str(row.leads), row.band, row.scores, row.path)
        out.print(tier_table)
    stage_table = Table(title="Slowest stages")
    for column in ("stage", "runs", "mean ms", "p95 ms", "max ms", "cost $"):
        stage_table.add_column(column, justify="right" if column != "stage" else "left")
    for t in timings:
        stage_table.add_row(
            t.stage, str(t.runs), f"{t.mean_ms:.1f}", f"{t.p95_ms:.1f}", f"{t.max_ms:.1f}",
            f"{t.cost_usd:.4f}",
        )
    out.print(stage_table)


def _terminate_as_interrupt(signum: int, frame: object) -> None:
    # A supervisor's SIGTERM takes the same path as Ctrl-C, so every `finally` runs and
    # the workers, Flower and servers this command started are stopped with it.
    raise KeyboardInterrupt


def main() -> None:
    signal.signal(signal.SIGTERM, _terminate_as_interrupt)
    cli()


if __name__ == "__main__":
    main()
