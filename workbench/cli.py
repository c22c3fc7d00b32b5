"""The ``workbench`` command: opens the desk, loads the demo, maintains and exports.

Nothing here imports Textual until a command actually opens the TUI, so maintenance and
export commands run on a server with no terminal and start fast.
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, NoReturn

import typer

try:  # Typer ≥ 0.25 vendors Click; older releases use the click package
    from typer._click.core import ParameterSource
except ImportError:  # pragma: no cover
    from click.core import ParameterSource  # type: ignore[no-redef]

from workbench import __version__

app = typer.Typer(
    help="Newsroom Workbench: triage news and record who said what, when, reported where.",
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
db_app = typer.Typer(help="Database maintenance: migrations and backups.", no_args_is_help=True)
app.add_typer(db_app, name="db")


class CliError(Exception):
    """A failure to report on one line, exiting with ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class State:
    db: str | None  # --db / WORKBENCH_DB, None when not given


def _fail(message: str, code: int = 1) -> NoReturn:
    raise CliError(message, code)


def _config():  # type: ignore[no-untyped-def]
    from workbench.config import ConfigError, load_config

    try:
        return load_config()
    except ConfigError as exc:
        _fail(str(exc))


DB_HELP = (
    "Desk database: a SQLite file path (or a sqlite:/// URL). "
    "Default: the config file's db, else desk.db in the user data folder "
    "(demo: demo.db there)."
)
#: ``--db`` is accepted before the command (``workbench --db F demo``) and after it
#: (``workbench demo --db F``); the one nearer the command wins. ``WORKBENCH_DB`` is read
#: by the first only, so an explicit ``--db`` always beats the environment.
DbOption = Annotated[str | None, typer.Option("--db", help=DB_HELP, show_default=False)]
RootDbOption = Annotated[
    str | None,
    typer.Option("--db", envvar="WORKBENCH_DB", help=DB_HELP, show_default=False),
]


def _location(ctx: typer.Context, db: str | None, *, demo: bool = False) -> str:
    root_ctx = ctx.find_root()
    root = root_ctx.obj if isinstance(root_ctx.obj, State) else State(db=None)
    given = db if db is not None else root.db
    if demo and db is None and root_ctx.get_parameter_source("db") is ParameterSource.ENVIRONMENT:
        # The demo is fiction: only an explicit --db may put it into a named desk, never
        # a WORKBENCH_DB that points at the real one.
        given = None
    return _db_location(State(db=given), demo=demo)


def _db_location(state: State, *, demo: bool = False) -> str:
    from workbench.config import default_db_path, demo_db_path

    if state.db is not None:
        return state.db
    if not demo:
        configured = _config().db
        if configured:
            return configured
    path = demo_db_path() if demo else default_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return str(path)


def _open(location: str, *, existing: bool = False):  # type: ignore[no-untyped-def]
    """Open (and migrate) a desk. ``existing``: maintenance commands refuse to create one,
    so a mistyped path in a cron job fails instead of backing up an empty desk forever."""
    from db.engine import open_desk
    from db.location import DatabaseError, sqlite_file

    if existing:
        path = sqlite_file(location) if location.strip() else None
        if path is not None and not path.exists():
            _fail(f"no desk at {path} (open it with `workbench` or load `workbench demo` first)")
    try:
        return open_desk(location)
    except DatabaseError as exc:
        _fail(str(exc))


def _repo(location: str, *, existing: bool = False):  # type: ignore[no-untyped-def]
    from db.repo import Repo

    editor = _config().editor  # a broken config is reported before the desk is touched
    return Repo(_open(location, existing=existing), editor)


def _label(location: str) -> str:
    return Path(location).name if "://" not in location else location.split("://", 1)[0]


def _run_tui(location: str) -> None:
    """Paint first, open the desk behind it: the location is checked with the standard
    library here, and the database layer loads in the app's worker."""
    from db.location import DatabaseError, check_location

    try:
        check_location(location)
    except DatabaseError as exc:
        _fail(str(exc))
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        _fail("the workbench needs an interactive terminal; see `workbench --help` for commands")
    config = _config()

    def opener():  # type: ignore[no-untyped-def]
        from db.engine import open_desk
        from db.repo import Repo

        return Repo(open_desk(location), config.editor)

    from workbench.ui.app import WorkbenchApp

    app = WorkbenchApp(opener=opener, db_label=_label(location), config=config)
    app.run()
    if app.open_error:
        _fail(app.open_error)


@app.callback(invoke_without_command=True)
def main_callback(
    ctx: typer.Context,
    db: RootDbOption = None,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    """Open the desk in the terminal (with no command), or run a command."""
    if version:
        typer.echo(f"workbench {__version__}")
        raise typer.Exit()
    ctx.obj = State(db=db)
    if ctx.invoked_subcommand is None:
        _run_tui(_db_location(ctx.obj))


@app.command()
def demo(
    ctx: typer.Context,
    no_ui: Annotated[
        bool, typer.Option("--no-ui", help="Only load the demo desk; do not open the TUI.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Load the demo desk (a fictional story) into its own database and open it."""
    from workbench.demo import load_demo

    location = _location(ctx, db, demo=True)
    repo = _repo(location)
    result = load_demo(repo)
    if result.loaded:
        summary = ", ".join(f"{n} {kind}s" for kind, n in result.counts.items())
        typer.echo(f"Loaded the demo desk into {location}: {summary}.", err=no_ui is False)
    else:
        typer.echo(f"The demo desk is already in {location}.", err=no_ui is False)
    if not no_ui:
        _run_tui(location)


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context, db: DbOption = None) -> None:
    """Apply database migrations (also done automatically at start)."""
    from db.migrate import current_revision

    location = _location(ctx, db)
    engine = _open(location)  # the explicit way to create a desk, or bring one up to date
    with engine.connect() as conn:
        revision = current_revision(conn)
    typer.echo(f"{location} is at schema revision {revision}.")


@db_app.command("backup")
def db_backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Where to write the copy.", show_default=False)],
    db: DbOption = None,
) -> None:
    """Write a consistent copy of a live SQLite desk (SQLite's online backup API)."""
    from db.engine import DatabaseError, backup

    location = _location(ctx, db)
    engine = _open(location, existing=True)
    try:
        backup(engine, file)
    except DatabaseError as exc:
        _fail(str(exc))
    typer.echo(f"Backed up {location} to {file}.")


@db_app.command("copy")
def db_copy(
    source: Annotated[
        str,
        typer.Option(
            "--from",
            help="The desk to copy: a SQLite file path or a database URL.",
            show_default=False,
        ),
    ],
    target: Annotated[
        str,
        typer.Option(
            "--to",
            help="Where to put it: a SQLite file path (created) or a PostgreSQL URL (an "
            "existing, empty database).",
            show_default=False,
        ),
    ],
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Discard the desk the target already holds."),
    ] = False,
    verify_only: Annotated[
        bool,
        typer.Option("--verify-only", help="Copy nothing: compare the two desks table by table."),
    ] = False,
) -> None:
    """Move a whole desk between SQLite and PostgreSQL (either way, or file to file),
    ids kept, then verify it: rows and a content checksum per table, printed as a table.

    Reads the source as one consistent moment (editors may keep working on it) and
    writes the target in one transaction. Refuses a target that already holds a desk
    unless --replace. Exits 1 naming the table when the target does not match."""
    from db.copy import CopyError, copy_desk, verify_desks

    progress = None
    if sys.stderr.isatty() and not verify_only:

        def progress(table: str, rows: int) -> None:
            typer.echo(f"\r{table:<20} {rows:>12,} rows", err=True, nl=False)

    try:
        if verify_only:
            report = verify_desks(source, target)
        else:
            report = copy_desk(source, target, replace=replace, progress=progress)
    except CopyError as exc:
        _fail(str(exc))
    if progress is not None:
        typer.echo("\r" + " " * 40 + "\r", err=True, nl=False)
    done = "Copied" if report.copied else "Compared"
    typer.echo(
        f"{done} {report.source} → {report.target} (schema {report.revision}, "
        f"{report.rows:,} rows, {report.seconds:.1f} s)."
    )
    if report.phases:
        typer.echo(
            "  "
            + ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in report.phases.items())
            + f"; {report.rows / max(report.phases.get('copy', 0), 1e-9):,.0f} rows/s copied"
        )
    typer.echo(f"{'table':<20} {'source':>10} {'target':>10}  {'sha256 (source)':<16}  check")
    for table in report.tables:
        mark = "ok" if table.matches else "DIFFERS"
        typer.echo(
            f"{table.name:<20} {table.source_rows:>10,} {table.target_rows:>10,}  "
            f"{table.source_digest[:16]}  {mark}"
        )
    if not report.verified:
        differing = "; ".join(f"table {t.name} ({t.difference})" for t in report.mismatched)
        _fail(f"not verified: the target differs from the source: {differing}")
    typer.echo("verified: every table has the same rows and content on both sides.")


# --------------------------------------------------------------------------- ingest

feeds_app = typer.Typer(help="Feed subscriptions: add, import and export OPML, list.")
app.add_typer(feeds_app, name="feeds")
rules_app = typer.Typer(help="Killfile-style rules applied to incoming articles.")
app.add_typer(rules_app, name="rules")

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print the summary as JSON (machine-readable).")
]


def _report(report, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    """Print an ingest summary (text or JSON) and exit: 0 if anything worked, else 1."""
    import json

    if as_json:
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        typer.echo(report.summary() + ".")
        for warning in report.warnings:
            typer.echo(f"  warning: {warning['source']}: {warning['warning']}", err=True)
        for failure in report.failed:
            typer.echo(f"  failed: {failure['error']}", err=True)
    raise typer.Exit(report.exit_code)


def _progress(enabled: bool):  # type: ignore[no-untyped-def]
    if not enabled or not sys.stderr.isatty():
        return None

    def show(done: int, total: int, what: str) -> None:
        typer.echo(f"\r[{done}/{total}] {what[:60]:<60}", err=True, nl=done == total)

    return show


@feeds_app.command("add")
def feeds_add(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="The feed's http(s) URL.", show_default=False)],
    name: Annotated[
        str | None, typer.Option("--name", help="What the desk calls it (default: its host).")
    ] = None,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Subscribe to an RSS or Atom feed (fetched by `workbench fetch`)."""
    from urllib.parse import urlsplit

    from db.clean import strip_controls
    from workbench.ingest.pipeline import IngestReport, subscribe

    url = strip_controls(url).strip()  # as the repository will store it
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise typer.BadParameter(f"{url!r} is not an http(s) URL", param_hint="URL")
    repo = _repo(_location(ctx, db))
    report = IngestReport(succeeded=1)
    _source, new = subscribe(repo, url, name or parts.netloc)
    report.added, report.present = (1, 0) if new else (0, 1)
    _report(report, as_json)


@feeds_app.command("import")
def feeds_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="An OPML subscription list.", show_default=False)],
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Subscribe to every feed an OPML file lists (duplicates merged)."""
    from db.repo import RepoError
    from workbench.ingest.opml import OpmlError, read_opml
    from workbench.ingest.pipeline import IngestReport, subscribe

    try:
        body = file.expanduser().read_bytes()
    except OSError as exc:
        _fail(f"cannot read {file}: {exc.strerror or exc}")
    repo = _repo(_location(ctx, db))
    report = IngestReport()
    try:
        subscriptions, warnings = read_opml(body, name=str(file))
    except OpmlError as exc:
        report.fail(str(file), str(exc))
        _report(report, as_json)
    report.warnings = [{"source": str(file), "warning": w} for w in warnings]
    for subscription in subscriptions:
        try:
            _source, new = subscribe(repo, subscription.url, subscription.title)
        except RepoError as exc:
            report.warnings.append({"source": str(file), "warning": str(exc)})
            continue
        report.added += new
        report.present += not new
    report.succeeded = 1
    _report(report, as_json)


@feeds_app.command("export-opml")
def feeds_export_opml(
    ctx: typer.Context,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (default: standard output)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Write the desk's feed subscriptions as OPML."""
    from workbench.ingest.opml import write_opml

    repo = _repo(_location(ctx, db), existing=True)
    text = write_opml((s.name, s.url) for s in repo.sources() if s.kind == "feed" and s.url)
    if output is None:
        typer.echo(text, nl=False)
        return
    _write_atomically(output, lambda handle: handle.write(text))
    typer.echo(f"Wrote {output}.", err=True)


@feeds_app.command("list")
def feeds_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOption = None,
) -> None:
    """List sources with the outcome of their last fetch."""
    import json

    repo = _repo(_location(ctx, db), existing=True)
    rows = [
        {
            "id": s.id,
            "name": s.name,
            "kind": s.kind,
            "url": s.url,
            "fetched_at": s.fetched_at.isoformat() if s.fetched_at else None,
            "status": s.http_status,
            "warning": s.warning,
            "error": s.error_message,
        }
        for s in repo.sources()
    ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        typer.echo("No sources yet: `workbench feeds add URL` or `workbench feeds import FILE`.")
    for row in rows:
        state = (
            f"error: {row['error']}"
            if row["error"]
            else (f"ok {row['fetched_at'][:16]}" if row["fetched_at"] else "never fetched")
        )
        typer.echo(f"{row['id']:>4}  {row['kind']:<5} {row['name'][:30]:<30} {state}")
        if row["url"]:
            typer.echo(f"      {row['url']}")


@app.command("fetch")
def fetch(
    ctx: typer.Context,
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Fetch every subscribed feed, concurrently, and store what is new."""
    from workbench.ingest.pipeline import fetch_feeds

    repo = _repo(_location(ctx, db), existing=True)
    report = fetch_feeds(repo, _config(), progress=_progress(not as_json))
    _report(report, as_json)


@app.command("ingest")
def ingest(
    ctx: typer.Context,
    targets: Annotated[
        list[str],
        typer.Argument(
            help="Files (.txt .md .html .xml), folders (read recursively) or http(s) URLs "
            "of pages or feeds.",
            show_default=False,
        ),
    ],
    as_json: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Read articles from files, folders and URLs into the desk."""
    from workbench.ingest.pipeline import ingest_targets

    repo = _repo(_location(ctx, db))
    report = ingest_targets(repo, _config(), targets, progress=_progress(not as_json))
    _report(report, as_json)


@app.command("suggest")
def suggest(
    ctx: typer.Context,
    article: Annotated[
        list[int] | None,
        typer.Option("--article", "-a", help="Only this article (repeat for more)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Propose statements (who said what, when) for articles, as suggestions to review.

    Ingest does this for new articles already; run it after adding actors or aliases, or
    for articles stored before. What an editor accepted or dismissed is never proposed
    again; earlier unreviewed suggestions are replaced.
    """
    from sqlmodel import col, select

    from db.models import Article
    from workbench.extract.suggest import suggest_for_articles

    repo = _repo(_location(ctx, db), existing=True)
    if article:
        ids = list(article)
    else:
        with repo.read() as session:
            ids = list(session.exec(select(Article.id).where(col(Article.deleted_at).is_(None))))
    count = suggest_for_articles(repo, ids)  # type: ignore[arg-type]
    typer.echo(f"{count} statements suggested from {len(ids)} articles.")


@app.command("search")
def search_command(
    ctx: typer.Context,
    query: Annotated[
        str,
        typer.Argument(
            help='Words, "a phrase", prefix*, AND / OR / NOT, -word, (brackets).',
            show_default=False,
        ),
    ],
    kind: Annotated[str, typer.Option("--kind", "-k", help="statement, article or all.")] = "all",
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=1000)] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable hits.")] = False,
    db: DbOption = None,
) -> None:
    """Full-text search over articles and statements, best first.

    Ranking covers the newest hits of each kind (500 statements, 150 articles) by BM25;
    a rare word's hits all fit, so its ranking is over the whole desk.
    """
    import json

    from db.search import QueryError, parse_query, search

    kinds = {"all": ("statement", "article"), "statement": ("statement",)}
    kinds["article"] = ("article",)
    if kind not in kinds:
        raise typer.BadParameter("choose statement, article or all", param_hint="--kind")
    try:
        parsed = parse_query(query)
    except QueryError as exc:
        _fail(f"search {query!r}: {exc}", 2)
    repo = _repo(_location(ctx, db), existing=True)
    with repo.read() as session:
        try:
            results = search(session.connection(), parsed, kinds=kinds[kind], limit=limit)
        except QueryError as exc:
            _fail(f"search {query!r}: {exc}", 2)
    if as_json:
        hits = [
            {
                "kind": h.kind,
                "id": h.id,
                "score": h.score,
                "title": h.title,
                "snippet": h.snippet,
                "speaker": h.speaker or None,
                "outlet": h.outlet or None,
                "date": h.when.isoformat() if h.when else None,
                "verification": h.verification or None,
                "review": h.review or None,
            }
            for h in results.hits
        ]
        payload = {"query": query, "hits": hits, "windowed": results.windowed}
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    from workbench.text import clean_line

    if not results.hits:
        typer.echo(f"No hits for {query}.")
        return
    for h in results.hits:
        when = h.when.isoformat() if h.when else "undated"
        who = f"{clean_line(h.speaker)}: " if h.speaker else ""
        where = f" [{clean_line(h.outlet)}]" if h.outlet else ""
        standing = [
            v for v in (h.verification, h.review) if v and v not in ("unverified", "accepted")
        ]
        where += f" ({', '.join(standing)})" if standing else ""
        typer.echo(f"{h.kind[0].upper()}{h.id:<7} {when}{where} {who}{clean_line(h.title)[:140]}")
    if any(results.windowed.values()):
        typer.echo("(ranked among the newest hits; narrow the search to rank older ones)")


users_app = typer.Typer(help="Who may do what on this desk: editors, viewers, admins.")
app.add_typer(users_app, name="users")


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The login name (as $USER shows it).")],
    role: Annotated[str, typer.Option("--role", "-r", help="editor, viewer or admin.")] = "editor",
    db: DbOption = None,
) -> None:
    """Add a user or change their role. Once anyone is listed, unlisted logins may only
    read; the first user must be an admin, and after that only admins manage users."""
    repo = _repo(_location(ctx, db), existing=True)
    row = repo.set_user(name, role)  # a logged write, in the desk's write transaction
    typer.echo(f"{row.name}: {row.role}.")


@users_app.command("list")
def users_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable.")] = False,
    db: DbOption = None,
) -> None:
    """The desk's users and their roles (none listed: every login edits)."""
    import json

    from db.users import desk_role, list_users

    repo = _repo(_location(ctx, db), existing=True)
    rows = list_users(repo.engine)
    if as_json:
        users = [{"name": r.name, "role": r.role} for r in rows]
        you = {"name": repo.editor, "role": desk_role(repo.engine, repo.editor)}
        typer.echo(json.dumps({"users": users, "you": you}, ensure_ascii=False))
        return
    if not rows:
        typer.echo("No users listed: every login may edit this desk.")
    for r in rows:
        typer.echo(f"{r.name:<24} {r.role}")
    typer.echo(f"(you: {repo.editor}, {desk_role(repo.engine, repo.editor)})")


links_app = typer.Typer(help="Links between statements: the desk's suggestions.")
app.add_typer(links_app, name="links")


@links_app.command("suggest")
def links_suggest(
    ctx: typer.Context,
    statement: Annotated[
        list[int] | None,
        typer.Option("--statement", "-s", help="Only this statement (repeat for more)."),
    ] = None,
    recent: Annotated[
        int, typer.Option("--recent", help="Without --statement: the newest N statements.")
    ] = 500,
    db: DbOption = None,
) -> None:
    """Propose links for review: the same statement in other outlets (duplicates), and a
    later statement by the same actor on the same issue that turns an earlier one around
    (updates), or another actor's that denies it (contradicts)."""
    from workbench.linking import suggest_links

    repo = _repo(_location(ctx, db), existing=True)
    count = suggest_links(repo, list(statement) if statement else None, recent=recent)
    typer.echo(f"{count} links suggested.")


@app.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A json or jsonl file from `workbench export`.")],
    db: DbOption = None,
) -> None:
    """Bring an exported desk or collection into this desk: ids are remapped, actors,
    sources, articles and statements already here are matched, nothing is duplicated.
    All or nothing: a file that cannot be read leaves the desk as it was."""
    from db.repo import RepoError
    from workbench.export.importer import ImportFormatError, import_file

    repo = _repo(_location(ctx, db), existing=True)
    try:
        report = import_file(repo, file.expanduser())
    except (ImportFormatError, RepoError, OSError) as exc:
        _fail(str(exc))
    typer.echo(report.summary())
    for problem in report.problems:
        typer.echo(f"  {problem}")
    hidden = report.problem_count - len(report.problems)
    if hidden > 0:
        typer.echo(f"  … and {hidden} more")


@rules_app.command("list")
def rules_list(ctx: typer.Context, db: DbOption = None) -> None:
    """List the desk's rules and the config file's."""
    repo = _repo(_location(ctx, db), existing=True)
    for rule in repo.rules():
        scope = f"source {rule.source_id}" if rule.source_id else "all sources"
        state = "" if rule.enabled else " (off)"
        typer.echo(
            f"{rule.id:>4}  {rule.name}{state}: {rule.field} ~ {rule.pattern!r}"
            f"{' (regex)' if rule.regex else ''} → {rule.action} {rule.value} [{scope}]"
        )
    for raw in _config().rules:
        typer.echo(f"  -   {raw['name']} (config): {raw['pattern']!r} → {raw['action']}")


@rules_app.command("add")
def rules_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name to show on the articles it touches.")],
    pattern: Annotated[str, typer.Option("--pattern", help="Words (any of) or a regex.")],
    action: Annotated[str, typer.Option("--action", help="dismiss, tag, priority or assign.")],
    value: Annotated[str, typer.Option("--value", help="The tag, priority or editor.")] = "",
    field: Annotated[str, typer.Option("--field", help="any, title, body or byline.")] = "any",
    regex: Annotated[bool, typer.Option("--regex", help="The pattern is a regex.")] = False,
    source: Annotated[
        str | None, typer.Option("--source", help="Only for this source's URL.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Add a rule; it applies from the next ingest (or `workbench rules run`)."""
    repo = _repo(_location(ctx, db), existing=True)
    source_id = None
    if source:
        found = repo.source_by_url(source)
        if found is None:
            _fail(f"no source with URL {source}")
        source_id = found.id
    rule = repo.add_rule(
        name, pattern, action, value=value, field=field, regex=regex, source_id=source_id
    )
    typer.echo(f"Added rule {rule.id}: {rule.name}.")


@rules_app.command("run")
def rules_run(ctx: typer.Context, db: DbOption = None) -> None:
    """Apply the rules again to every stored article."""
    from workbench.ingest.pipeline import rule_specs

    repo = _repo(_location(ctx, db), existing=True)
    changed = repo.apply_rules(rule_specs(repo, _config()))
    typer.echo(f"Rules changed {changed} articles.")


def _export_help() -> str:
    from workbench.export import FORMATS

    return "; ".join(f"{name}: {f.description}" for name, f in FORMATS.items())


@app.command("export", help=f"Export the desk or one collection. Formats — {_export_help()}.")
def export(
    ctx: typer.Context,
    format: Annotated[str, typer.Option("--format", "-f", help="Format (listed above).")] = "json",
    collection: Annotated[
        str | None,
        typer.Option(
            "--collection",
            "-c",
            help="Only this collection, in its order and with its notes (default: the whole "
            "desk's accepted items; json/jsonl: everything).",
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help="csv: the one kind to write (statements, positions, events, links). "
            "Without it, -o FILE writes FILE-<kind>.csv for each.",
        ),
    ] = None,
    bom: Annotated[
        bool, typer.Option("--bom", help="csv: start with a UTF-8 byte-order mark (Excel).")
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (default: standard output)."),
    ] = None,
    db: DbOption = None,
) -> None:
    from workbench.export import (
        FORMATS,
        ExportError,
        ExportOptions,
        check_options,
        export_paths,
        export_to_path,
        notes,
        write,
    )

    if format not in FORMATS:
        raise typer.BadParameter(
            f"unknown format {format!r}; choose from {', '.join(FORMATS)}",
            param_hint="--format",
        )
    config = _config()
    options = ExportOptions(
        editor=config.editor,
        collection=collection,
        kind=kind,
        bom=bom,
        organisation=config.export.organisation,
        organisation_url=config.export.organisation_url,
    )
    try:
        found = check_options(format, options)
    except ExportError as exc:
        _fail(str(exc), 2)
    if found.parts and kind is None and output is None:
        _fail(
            f"{format} writes one file per kind: give --kind ({', '.join(found.parts)}) to "
            f"write one to standard output, or -o FILE for FILE-{found.parts[0]}.csv and the rest",
            2,
        )
    repo = _repo(_location(ctx, db), existing=True)
    for note in notes(format, options):
        typer.echo(f"note: {note}", err=True)
    try:
        if output is None:
            write(repo.engine, format, sys.stdout, options)
            return
        counts = export_to_path(repo.engine, format, output, options)
        paths = export_paths(format, output.expanduser(), options)
    except ExportError as exc:
        _fail(str(exc))
    summary = ", ".join(f"{n} {key}" for key, n in counts.items())
    typer.echo(f"Exported to {', '.join(map(str, paths))}: {summary}.", err=True)


def _write_atomically(output: Path, write):  # type: ignore[no-untyped-def]
    """Write beside the target and rename, so a failed write never leaves half a file."""
    output = output.expanduser()
    if output.is_dir():
        _fail(f"cannot write {output}: it is a directory")
    if not output.parent.exists():
        _fail(f"cannot write {output}: folder {output.parent} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            result = write(handle)
        # mkstemp makes the file private; an export is for colleagues, so use the umask
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return result


def _one_line(exc: BaseException) -> str | None:
    if isinstance(exc, CliError):
        return str(exc)
    from workbench.errors import describe

    return describe(exc)


def main() -> None:
    """Console entry point: one clear line and a non-zero exit instead of a traceback."""
    try:  # Typer ≥ 0.25 vendors Click; older releases use the click package
        from typer._click import exceptions as click_exc
    except ImportError:  # pragma: no cover
        from click import exceptions as click_exc  # type: ignore[no-redef]

    try:
        result = app(standalone_mode=False)
    except click_exc.NoArgsIsHelpError as exc:
        exc.show()  # a group run bare prints its help, as with click's own default
        sys.exit(exc.exit_code)
    except click_exc.ClickException as exc:
        hint = ""
        if isinstance(exc, click_exc.UsageError) and exc.ctx is not None:
            hint = f" (see `{exc.ctx.command_path} --help`)"
        typer.echo(f"error: {exc.format_message()}{hint}", err=True)
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("error: aborted", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:
        message = _one_line(exc)
        if message is None:
            raise
        typer.echo(f"error: {message}", err=True)
        sys.exit(exc.code if isinstance(exc, CliError) else 1)
    sys.exit(result if isinstance(result, int) else 0)
