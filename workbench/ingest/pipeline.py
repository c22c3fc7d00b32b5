"""The ingest pipeline: sources → fetch → parse → rules → store → tables → near-duplicates.

One function per entry point (``fetch_feeds`` for subscribed feeds, ``ingest_targets`` for
paths and URLs given by hand), both returning an ``IngestReport``. A failure is reported
against what it came from, and recorded on the Source row when it is one the desk has (a
feed fetched, a URL given to ``ingest`` that is a source, a local feed file read before), so
the Feed pane counts it; the batch goes on: one broken feed never costs the desk the others.
"""

from __future__ import annotations

import datetime as dt
import queue
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from db.clean import strip_controls
from db.models import RuleField, Source
from db.repo import Repo, RepoError
from db.repo_ingest import IncomingArticle, RuleSpec, TableFound, ruled_values
from db.tx import ValidationError, _check_action, _choice, check_rule_pattern
from workbench.config import Config, IngestSettings
from workbench.ingest.types import FetchRequest, FetchResult, ParsedArticle, ParsedDocument

#: File types ``ingest`` reads from a folder; anything else in it is skipped, not an error.
FILE_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".xml", ".rss", ".atom"}

Progress = Callable[[int, int, str], None]  # (done, total, what just finished)


@dataclass
class IngestReport:
    added: int = 0
    present: int = 0
    updated: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    #: sources that worked (fetched or read), to tell "all failed" from "some failed"
    succeeded: int = 0
    #: links the desk proposed between the run's new statements and the rest
    links_suggested: int = 0

    def fail(self, source: str, error: str) -> None:
        self.failed.append({"source": source, "error": error})

    def as_json(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "present": self.present,
            "updated": self.updated,
            "failed": self.failed,
            "warnings": self.warnings,
        }

    @property
    def exit_code(self) -> int:
        """0 when at least one source worked (or there was nothing to do), 1 when all failed."""
        return 1 if self.failed and not self.succeeded else 0

    def summary(self) -> str:
        parts = [
            f"{self.added} added",
            f"{self.present} already present",
            f"{self.updated} updated",
        ]
        parts.append(f"{len(self.failed)} failed")
        if self.links_suggested:
            parts.append(f"{self.links_suggested} links suggested")
        return ", ".join(parts)


# ---------------------------------------------------------------------- rules


def rule_specs(
    repo: Repo, config: Config | None, report: IngestReport | None = None
) -> list[RuleSpec]:
    """The desk's rules (database) and the editor's (config file), enabled ones only. A
    config rule naming a source this desk does not have matches nothing, and says so."""
    specs = [
        RuleSpec(r.name, r.pattern, r.action, r.value, r.field, r.regex, r.source_id)
        for r in repo.rules()
        if r.enabled
    ]
    for raw in config.rules if config else ():
        source_url = raw.get("source")
        source = repo.source_by_url(str(source_url)) if source_url else None
        pattern, regex = str(raw["pattern"]), bool(raw.get("regex", False))
        value, rule_field = str(raw.get("value", "")), str(raw.get("field", "any"))
        try:  # checked as the desk's own rules are: a typo must not crash or do nothing
            check_rule_pattern(pattern, regex)
            action = _check_action(str(raw["action"]), value)
            _choice(rule_field, RuleField, "field")
        except ValidationError as exc:
            raise ValidationError(f"config rule {raw['name']!r}: {exc}") from exc
        specs.append(
            RuleSpec(
                name=f"{raw['name']} (config)",
                pattern=pattern,
                action=action,
                value=value,
                field=rule_field,
                regex=regex,
                source_id=source.id if source else None,
                source_url=str(source_url) if source_url else None,
            )
        )
    unmatched = [s for s in specs if s.source_url and s.source_id is None]
    for spec in unmatched if report is not None else ():
        report.warnings.append(  # type: ignore[union-attr]
            {"source": "config", "warning": f"rule {spec.name!r}: no source {spec.source_url}"}
        )
    return [s for s in specs if s not in unmatched]


# ---------------------------------------------------------------------- storing


def _incoming(
    article: ParsedArticle, specs: Sequence[RuleSpec], source_id: int | None
) -> IncomingArticle:
    from workbench.ingest.urls import canonical_url

    canonical = canonical_url(article.url) if article.url else None
    draft = _Draft(article.title, article.text, article.byline)
    ruled = ruled_values(specs, draft, source_id) if specs else {}
    return IncomingArticle(
        title=article.title,
        text=article.text,
        canonical_url=canonical,
        url=article.url,
        byline=article.byline,
        published_at=article.published_at,
        guid=article.guid,
        triage=ruled.get("triage", "new"),
        tags=tuple(ruled.get("tags", ())),
        priority=ruled.get("priority", 0),
        assignee=ruled.get("assignee"),
        rule_hits=tuple(ruled.get("rule_hits", ())),
        rule_effects=tuple(ruled.get("rule_effects", ())),
    )


@dataclass
class _Draft:
    """The fields rules look at, for an article not stored yet."""

    title: str
    text: str
    byline: str
    triage: str = "new"
    tags: list[str] = field(default_factory=list)
    priority: int = 0
    assignee: str | None = None
    rule_hits: list[str] = field(default_factory=list)
    rule_effects: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Stored:
    """What one document added and updated; near-duplicates are flagged once per run."""

    added: int = 0
    present: int = 0
    updated: int = 0
    new: dict[int, tuple[int | None, IncomingArticle]] = field(default_factory=dict)
    #: rows of dated tables whose date could not be read: no timeline event can be made
    undated_rows: list[str] = field(default_factory=list)


#: New statements per run that the desk looks for links for (duplicates in other outlets,
#: updates, contradictions): a few milliseconds each even on a desk of a million.
LINKS_PER_RUN = 300


def _newest_statement(repo: Repo) -> int:
    newest = repo.recent_statement_ids(1)
    return newest[0] if newest else 0


def _suggest_links(repo: Repo, since: int, report: IngestReport) -> None:
    """Propose links for what the run brought: the desk, not an editor's key, spots the
    same quote in a second outlet or a denial of yesterday's announcement."""
    from workbench.linking import suggest_links

    fresh = repo.recent_statement_ids(LINKS_PER_RUN, since_id=since)
    if fresh:
        report.links_suggested = suggest_links(repo, fresh)


class Suggester:
    """Statement suggestions for the articles a run stores; the actor resolver is built
    once per run (on first use), not once per article."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self._resolver: Any = None

    def __call__(self, article_id: int) -> int:
        from workbench.extract.suggest import resolver_for, suggest_for_article

        if self._resolver is None:
            self._resolver = resolver_for(self.repo)
        return suggest_for_article(self.repo, article_id, self._resolver)


def store_document(
    repo: Repo,
    source_id: int | None,
    document: ParsedDocument,
    *,
    specs: Sequence[RuleSpec] = (),
    settings: IngestSettings | None = None,
    suggest: Suggester | None = None,
) -> Stored:
    """Store what a document held, its tables, and the suggestions read from both, in one
    transaction: if anything fails, nothing of the document is kept, so the next run tries
    it again instead of finding it "present" without its tables or statements."""
    items = [_incoming(a, specs, source_id) for a in document.articles]
    undated: list[str] = []
    with repo.batch():
        outcome = repo.ingest_articles(source_id, items, specs=specs)
        for article_id, item in outcome.stored.items():
            undated += _read_tables(repo, article_id, item)
            if suggest is not None:
                suggest(article_id)
    return Stored(
        len(outcome.added),
        outcome.present,
        len(outcome.updated),
        {i: (source_id, outcome.stored[i]) for i in outcome.added},
        undated,
    )


#: Two lines holding pipes: the cheap test for "might carry a table" before parsing it.
_PIPE_LINES = re.compile(r"\|[^\n]*\|[^\n]*\n[^\n]*\|")


def _read_tables(repo: Repo, article_id: int, item: IncomingArticle) -> list[str]:
    """Store the article's tables and their suggestions; returns the dated rows that
    could not become events (no readable date), so the run can say so."""
    from workbench.ingest.tables import event_candidates, find_tables, position_candidates

    if not _PIPE_LINES.search(item.text):
        return []
    undated: list[str] = []
    reference = (item.published_at or dt.datetime.now(dt.UTC)).date()
    found = []
    for table in find_tables(strip_controls(item.text)):
        positions = [
            (c.issue, c.actor, c.summary)
            for c in (position_candidates(table) if table.kind == "positions" else [])
        ]
        candidates = event_candidates(table, reference=reference) if table.kind == "dated" else []
        events = [
            (c.start, c.end, c.precision, c.title or c.said, c.said)
            for c in candidates
            if c.start is not None
        ]
        undated += [f"{c.date_text or '?'} | {c.title}" for c in candidates if c.start is None]
        found.append(
            TableFound(
                table.start,
                table.end,
                table.kind,
                table.header,
                table.rows,
                positions,
                events,  # type: ignore[arg-type]
            )
        )
    if found:
        repo.store_tables(article_id, found)
    return undated


_WORD = re.compile(r"[^\W\d_]{4,}")


def _words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)}


def flag_near_duplicates(
    repo: Repo,
    added: dict[int, tuple[int | None, IncomingArticle]],
    settings: IngestSettings,
) -> int:
    """Flag new articles that tell the same story as another outlet's; nothing is dropped.

    Runs once per ingest run, over everything it added. Candidates are the articles
    published within a few days of the run's articles, read once; each new article is
    scored only against other outlets' articles sharing at least two title words with it
    (an inverted index of title words), so the cost grows with the matches, not with the
    desk. Between two new articles, only the later one is flagged. The score is
    rapidfuzz's token-set ratio on title and lead, which ignores word order and the words
    one outlet adds; two thresholds tell a possible match from the same story.
    """
    if not added:
        return 0
    from rapidfuzz import fuzz, process

    now = dt.datetime.now(dt.UTC)
    dated = [item.published_at or now for _source, item in added.values()]
    low, high = min(dated), max(dated)
    middle = low + (high - low) / 2
    days = 3 + -(-(high - low).days // 2)  # rounded up: both ends get their three days
    candidates = [
        (cid, source, title, f"{title} {lead}")
        for cid, source, title, lead in repo.recent_for_matching(middle, days=days)
        if len(title) + len(lead) >= settings.min_match_length
    ]
    index: dict[str, list[int]] = {}
    for position, (_cid, _source, title, _text) in enumerate(candidates):
        for word in _words(title):
            index.setdefault(word, []).append(position)
    matches = []
    for article_id, (source_id, item) in added.items():
        mine = f"{item.title} {item.text[:400]}"
        if len(mine.strip()) < settings.min_match_length:
            continue
        shared: dict[int, int] = {}
        for word in _words(item.title):
            for position in index.get(word, ()):
                cid, other_source = candidates[position][0], candidates[position][1]
                if other_source == source_id or cid == article_id:
                    continue
                if cid in added and cid > article_id:
                    continue  # the later of two new articles carries the flag
                shared[position] = shared.get(position, 0) + 1
        near = [p for p, n in sorted(shared.items(), key=lambda kv: -kv[1])[:50] if n >= 2]
        if not near:
            continue
        best = process.extractOne(
            mine,
            {candidates[p][0]: candidates[p][3] for p in near},
            scorer=fuzz.token_set_ratio,
            score_cutoff=settings.suggest_match,
        )
        if best is None:
            continue
        _text, score, other_id = best
        kind = "same" if score >= settings.same_story else "possible"
        matches.append((article_id, int(other_id), kind, float(score)))
    repo.flag_duplicates(matches)
    return len(matches)


# ---------------------------------------------------------------------- feeds


def fetch_feeds(
    repo: Repo,
    config: Config,
    *,
    sources: Sequence[Source] | None = None,
    progress: Progress | None = None,
    transport: Any = None,
    cancel: threading.Event | None = None,
) -> IngestReport:
    """Fetch every subscribed feed (or the given ones) concurrently; store each feed as soon
    as it arrives, so one slow server never holds back the others' articles."""
    from workbench.ingest.fetch import FetchSettings, fetch_all_sync

    feeds = [
        s
        for s in (sources if sources is not None else repo.sources())
        if s.url and s.kind == "feed"
    ]
    report = IngestReport()
    requests = [FetchRequest(s.url, s.id, s.etag, s.last_modified) for s in feeds if s.url]
    by_id = {s.id: s for s in feeds}
    specs = rule_specs(repo, config, report)
    settings = config.ingest
    new: dict[int, tuple[int | None, IncomingArticle]] = {}
    suggest = Suggester(repo) if settings.suggest_statements else None
    since = _newest_statement(repo) if suggest is not None else 0

    def store(result: FetchResult, done: int) -> None:
        source = by_id[result.request.key]  # type: ignore[index]
        _store_fetched(repo, source, result, report, specs, new, suggest)
        if progress:
            progress(done, len(requests), result.request.url)

    with _Storer(store) as storer:  # parsing and storing run beside the downloads
        fetch_all_sync(
            requests,
            _fetch_settings(settings, FetchSettings),
            on_result=storer.put,
            transport=transport,
            cancel=cancel,
        )
    flag_near_duplicates(repo, new, settings)
    if suggest is not None:
        _suggest_links(repo, since, report)
    return report


class _Storer:
    """A thread that stores fetch results in the order they arrive, while the event loop
    goes on downloading. Exceptions are kept and raised when the block ends."""

    def __init__(self, store: Callable[[FetchResult, int], None]) -> None:
        self._store = store
        self._queue: queue.Queue[FetchResult | None] = queue.Queue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="ingest-store", daemon=True)

    def __enter__(self) -> _Storer:
        self._thread.start()
        return self

    def put(self, result: FetchResult) -> None:
        self._queue.put(result)

    def _run(self) -> None:
        done = 0
        while (result := self._queue.get()) is not None:
            done += 1
            if self._error is None:
                try:
                    self._store(result, done)
                except BaseException as exc:  # raised again on the caller's thread
                    self._error = exc

    def __exit__(self, *exc_info: object) -> None:
        self._queue.put(None)
        self._thread.join()
        if self._error is not None and exc_info[0] is None:
            raise self._error


def _fetch_settings(settings: IngestSettings, factory: Any) -> Any:
    return factory(
        timeout=settings.timeout,
        max_bytes=int(settings.max_mb * 1024 * 1024),
        per_host=settings.per_host,
    )


def _store_fetched(
    repo: Repo,
    source: Source,
    result: FetchResult,
    report: IngestReport,
    specs: Sequence[RuleSpec],
    new: dict[int, tuple[int | None, IncomingArticle]],
    suggest: Suggester | None = None,
) -> None:
    from workbench.ingest.parse import ParseError, parse_feed

    label = source.url or source.name
    if not result.ok:
        report.fail(label, result.error or "failed")
        repo.record_fetch(
            source.id,  # type: ignore[arg-type]
            ok=False,
            http_status=result.status,
            error_kind=result.error_kind,
            error=result.error,
        )
        return
    if result.not_modified:
        report.succeeded += 1
        # A 304 may carry new validators (RFC 9110 §15.4.5); keep them for the next request.
        repo.record_fetch(
            source.id,  # type: ignore[arg-type]
            ok=True,
            http_status=304,
            etag=result.etag,
            last_modified=result.last_modified,
        )
        return
    try:
        document = parse_feed(result.body or b"", url=result.final_url, charset=result.charset)
    except ParseError as exc:
        report.fail(label, str(exc))
        repo.record_fetch(
            source.id,  # type: ignore[arg-type]
            ok=False,
            http_status=result.status,
            error_kind="parse",
            error=str(exc),
        )
        return
    warning = "; ".join(document.warnings) or None
    if warning:
        report.warnings.append({"source": label, "warning": warning})
    try:
        stored = store_document(repo, source.id, document, specs=specs, suggest=suggest)
        _count(report, stored, new, label)
        if document.title and source.url and source.name == urlsplit(source.url).netloc:
            # added without a name: take the feed's own title once it is known
            repo.update("source", source.id, None, name=document.title)  # type: ignore[arg-type]
    except RepoError as exc:
        report.fail(label, f"{label}: could not store: {exc}")
        repo.record_fetch(
            source.id,  # type: ignore[arg-type]
            ok=False,
            http_status=result.status,
            error_kind="store",
            error=f"{label}: could not store: {exc}",
        )
        return
    repo.record_fetch(
        source.id,  # type: ignore[arg-type]
        ok=True,
        http_status=result.status,
        etag=result.etag,
        last_modified=result.last_modified,
        warning=warning,
    )


def _count(
    report: IngestReport,
    stored: Stored,
    new: dict[int, tuple[int | None, IncomingArticle]],
    label: str = "",
) -> None:
    for row in stored.undated_rows:
        report.warnings.append(
            {
                "source": label,
                "warning": f"table row without a readable date, not on the timeline: {row}",
            }
        )
    report.added += stored.added
    report.present += stored.present
    report.updated += stored.updated
    report.succeeded += 1
    new.update(stored.new)


# ---------------------------------------------------------------------- paths and URLs


def expand_targets(targets: Sequence[str]) -> tuple[list[str], list[Path], list[dict[str, str]]]:
    """URLs, files (folders walked, in name order) and problems with the targets themselves."""
    urls: list[str] = []
    files: list[Path] = []
    problems: list[dict[str, str]] = []
    for target in targets:
        if "://" in target:
            scheme = urlsplit(target).scheme.lower()
            if scheme in ("http", "https"):
                urls.append(target)
            else:
                problems.append({"source": target, "error": f"{target}: only http(s) URLs"})
            continue
        path = Path(target).expanduser()
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in FILE_SUFFIXES
            )
            if not found:
                problems.append({"source": target, "error": f"{target}: no article files"})
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append({"source": target, "error": f"{target}: no such file or folder"})
    return urls, files, problems


def ingest_targets(
    repo: Repo,
    config: Config,
    targets: Sequence[str],
    *,
    progress: Progress | None = None,
    transport: Any = None,
) -> IngestReport:
    """Ingest files, folders and http(s) URLs of pages or feeds."""
    urls, files, problems = expand_targets(targets)
    report = IngestReport(failed=list(problems))
    specs = rule_specs(repo, config, report)
    suggest = Suggester(repo) if config.ingest.suggest_statements else None
    since = _newest_statement(repo) if suggest is not None else 0
    total = len(urls) + len(files)
    new: dict[int, tuple[int | None, IncomingArticle]] = {}
    done = 0

    def step(what: str) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total, what)

    for path in files:
        _ingest_file(repo, path, report, specs, config.ingest, new, suggest)
        step(str(path))
    if urls:
        _ingest_urls(repo, config, urls, report, specs, step, transport, new, suggest)
    flag_near_duplicates(repo, new, config.ingest)
    if suggest is not None:
        _suggest_links(repo, since, report)
    return report


def _ingest_file(
    repo: Repo,
    path: Path,
    report: IngestReport,
    specs: Sequence[RuleSpec],
    settings: IngestSettings,
    new: dict[int, tuple[int | None, IncomingArticle]],
    suggest: Suggester | None = None,
) -> None:
    from workbench.ingest.parse import ParseError, parse_document

    label = str(path)
    try:
        if path.stat().st_size > settings.max_mb * 1024 * 1024:
            _local_failure(
                repo, path, report, "size", f"{label}: larger than {settings.max_mb:g} MB"
            )
            return
        # the whole path as the name, so every message says which file it was
        document = parse_document(path.read_bytes(), name=label)
    except OSError as exc:
        _local_failure(repo, path, report, "read", f"{label}: {exc.strerror or exc}")
        return
    except ParseError as exc:
        _local_failure(repo, path, report, "parse", str(exc))
        return
    _store_local(repo, path, document, report, specs, new, suggest)


def _file_source_url(path: Path) -> str:
    """The source URL of a local feed file: the file itself (see ``_store_local``)."""
    return f"file://{path.resolve()}"


def _local_failure(repo: Repo, path: Path, report: IngestReport, kind: str, error: str) -> None:
    """A file that could not be read: reported, and recorded on the file's own source when
    it has one (a local feed read before), so the Feed pane counts it among the failing
    sources as it does a feed whose fetch failed. A text or page file belongs to its
    folder's source, which its neighbours' successes would make look fine again, so its
    failure is only reported."""
    report.fail(str(path), error)
    try:
        source = repo.source_by_url(_file_source_url(path))
    except OSError:
        source = None
    if source is not None:
        repo.record_fetch(source.id, ok=False, error_kind=kind, error=error)  # type: ignore[arg-type]


def _store_local(
    repo: Repo,
    path: Path,
    document: ParsedDocument,
    report: IngestReport,
    specs: Sequence[RuleSpec],
    new: dict[int, tuple[int | None, IncomingArticle]],
    suggest: Suggester | None = None,
) -> None:
    """Files keep their identity by path (a re-read edited file updates its article); a
    local feed file becomes a source of its own, named by the feed."""
    resolved = path.resolve()
    if document.kind == "feed":
        # kind "file", not "feed": `fetch` and OPML export are for http(s) subscriptions,
        # and a file:// source among them would fail on every fetch.
        source = _source(repo, _file_source_url(path), document.title or path.stem, "file")
        articles = document.articles
    else:
        folder = resolved.parent
        source = _source(repo, f"file://{folder}/", folder.name or str(folder), "file")
        articles = [
            ParsedArticle(
                title=a.title,
                text=a.text,
                url=a.url or f"file://{resolved}",
                byline=a.byline,
                published_at=a.published_at,
                guid=a.guid,
            )
            for a in document.articles
        ]
    label = str(path)
    for warning in document.warnings:
        report.warnings.append({"source": label, "warning": warning})
    try:
        stored = store_document(
            repo,
            source.id,
            ParsedDocument(document.kind, articles, document.title, document.warnings),
            specs=specs,
            suggest=suggest,
        )
    except RepoError as exc:
        report.fail(label, f"{label}: could not store: {exc}")
        if document.kind == "feed":
            repo.record_fetch(
                source.id,  # type: ignore[arg-type]
                ok=False,
                error_kind="store",
                error=f"{label}: could not store: {exc}",
            )
        return
    _count(report, stored, new, label)
    if document.kind == "feed" and source.error_message is not None:
        repo.record_fetch(source.id, ok=True)  # type: ignore[arg-type]  # read again: fine now


def subscribe(repo: Repo, url: str, name: str) -> tuple[Source, bool]:
    """(the feed source for ``url``, whether it is new). Known URLs are compared in their
    canonical form, so ``HTTP://x/feed?utm_source=a#top`` is the feed ``http://x/feed``.
    A URL taken by a page or file source is refused rather than quietly never fetched."""
    from workbench.ingest.urls import canonical_url

    wanted = canonical_url(url)
    for source in repo.sources():
        if source.url and canonical_url(source.url) == wanted:
            if source.kind != "feed":
                raise RepoError(f"{url} is already a {source.kind} source ({source.name})")
            return source, False
    return repo.add_source(name, url, "feed"), True


def _source(repo: Repo, url: str, name: str, kind: str) -> Source:
    existing = repo.source_by_url(url)
    if existing is not None:
        return existing
    return repo.add_source(name or url, url, kind)


def _ingest_urls(
    repo: Repo,
    config: Config,
    urls: Sequence[str],
    report: IngestReport,
    specs: Sequence[RuleSpec],
    step: Callable[[str], None],
    transport: Any,
    new: dict[int, tuple[int | None, IncomingArticle]],
    suggest: Suggester | None = None,
) -> None:
    from workbench.ingest.fetch import FetchSettings, fetch_all_sync
    from workbench.ingest.parse import ParseError, parse_document

    requests = [FetchRequest(url, n) for n, url in enumerate(urls)]
    results = fetch_all_sync(
        requests,
        _fetch_settings(config.ingest, FetchSettings),
        on_result=lambda r: step(r.request.url),
        transport=transport,
    )
    known_sources = _sources_by_url(repo)
    for result in results:
        url = result.request.url
        known = repo.source_by_url(url) or known_sources.get(_canonical(url))
        if not result.ok:
            failure = result.error or f"{url}: failed"
            _url_failure(repo, report, url, known, result, result.error_kind, failure)
            continue
        try:
            document = parse_document(
                result.body or b"",
                content_type=result.content_type,
                charset=result.charset,
                url=result.final_url,
            )
        except ParseError as exc:
            _url_failure(repo, report, url, known, result, "parse", str(exc))
            continue
        if document.kind == "feed":  # a feed given by URL is subscribed, then stored
            if known is not None and known.kind == "feed":
                source = known  # however the subscription spelled the URL
            else:
                source = _source(repo, url, document.title or urlsplit(url).netloc, "feed")
            # its validators, so the first `workbench fetch` can be a conditional GET
            repo.record_fetch(
                source.id,  # type: ignore[arg-type]
                ok=True,
                http_status=result.status,
                etag=result.etag,
                last_modified=result.last_modified,
                warning="; ".join(document.warnings) or None,
            )
        else:
            parts = urlsplit(result.final_url)
            host = parts.netloc.lower()
            source = _source(repo, f"{parts.scheme.lower()}://{host}/", host, "page")
        for warning in document.warnings:
            report.warnings.append({"source": url, "warning": warning})
        try:
            stored = store_document(repo, source.id, document, specs=specs, suggest=suggest)
        except RepoError as exc:
            failure = f"{url}: could not store: {exc}"
            _url_failure(repo, report, url, known, result, "store", failure)
            continue
        _count(report, stored, new, url)
        if known is not None and known.kind != "feed" and known.error_message is not None:
            # a page source whose own URL failed before and works now (a feed's is cleared
            # above, with its validators)
            repo.record_fetch(known.id, ok=True, http_status=result.status)  # type: ignore[arg-type]


def _url_failure(
    repo: Repo,
    report: IngestReport,
    url: str,
    known: Source | None,
    result: FetchResult,
    kind: str | None,
    error: str,
) -> None:
    """A URL that failed: reported, and recorded on its source when the URL is one the desk
    has (a feed subscribed or ingested before), as `fetch` records its failures, so the
    Feed pane counts it among the failing sources."""
    report.fail(url, error)
    if known is not None:
        repo.record_fetch(
            known.id,  # type: ignore[arg-type]
            ok=False,
            http_status=result.status,
            error_kind=kind,
            error=error,
        )


def _canonical(url: str) -> str:
    from workbench.ingest.urls import canonical_url

    return canonical_url(url)


def _sources_by_url(repo: Repo) -> dict[str, Source]:
    """The desk's http(s) sources by canonical URL, to find the source a URL given to
    ``ingest`` is however either spelled it (as ``subscribe`` compares them)."""
    return {
        _canonical(source.url): source
        for source in repo.sources()
        if source.url and source.url.lower().startswith(("http://", "https://"))
    }
