"""Scale: a synthetic desk a year deep, and what the app costs on it, on either backend.

Run: ``python bench/scale.py [--backend sqlite|postgres] [--quick] [--articles 100000]
[--statements 1000000] [--links 200000] [--events 5000] [--db PATH_OR_URL]
[--baseline-db PATH_OR_URL] [--reuse] [--reps 120] [--keys 30] [--clock wall|cpu]
[--parts search,picker,panes,session,live]``. ``--quick`` is 10k articles and 100k
statements. Desks are kept: SQLite files in ``bench/.cache/`` (git-ignored), PostgreSQL
databases named ``wb_scale_…`` on the server of ``$WORKBENCH_BENCH_PG`` (default: the test
suite's ``$WORKBENCH_TEST_PG``, else 127.0.0.1:54329); ``--reuse`` measures one built
earlier with the same sizes instead of building it again. ``--db`` names another place
(a file, or a ``postgresql+psycopg://`` URL of a database the benchmark may drop and
create).

The desk is built through the real schema (``db.engine.open_desk`` runs the migrations) but
not through the repository: a million statements one ``Repo`` call at a time would take
hours, so rows go in with SQLAlchemy Core (SQLite) or ``COPY`` (PostgreSQL) in large
transactions, and the search indexes, which only the repository keeps in step, are rebuilt
afterwards; then ``ANALYZE`` (``VACUUM ANALYZE`` on PostgreSQL) gives the planner the
statistics a desk in use would have (``bench/scale_desk.py``). Text is made of words drawn
from a Zipf-like distribution, so some words are in half the statements and others in a
handful, as in real news; speakers, sources and issues are Zipf-distributed too (one head
of state talks far more than a junior minister). Every statement is a sentence of its
article, with evidence offsets that point at it, so the desk also opens in the app.

One table, every figure next to a baseline measured in the same run and the goal of
issue 8 where it sets one:

- in this process, p50/p95 over repeated calls of exactly what the app runs: search (vs
  the raw index query: FTS5 ``ORDER BY rank`` or ``ts_rank`` over every hit), the link
  picker (vs its raw pool query), pane pages, counts and jumps (vs a plain ``SELECT …
  LIMIT 40``), and loading the grid and the timeline (vs the same on a small desk);
- through the app itself in a real pseudo-terminal (``bench/scale_session.py``): spawn
  to first frame (vs a bare Textual app) and to every pane's rows on screen, key to
  repaint while scrolling each pane, its peak RSS, and the most rows any pane loaded at
  once (vs what it shows plus its prefetch margin); each against the same session on a
  small desk (1,000 articles, 10,000 statements) of the same backend;
- live refresh: a commit by another process, seen by the watcher loop the app runs.

The build runs in a child process, so the peak RSS of the measuring process is what
reading the desk costs, not what generating it did.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import itertools
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the bench's own helper modules

from scale_desk import Desk, analyze, default_desk, desk_at, finish, insert_rows

HERE = Path(__file__).resolve().parent
#: Bump when the generator changes, so ``--reuse`` never measures a desk built differently.
#: 2: the link generator stopped at the size asked (it made ~5 links per one asked).
GENERATOR_VERSION = 2
EDITOR = "bench"
PAGE = 40  # rows a pane page shows (an 80×24 pane shows ~20, a tall one ~40)
PANE_BUDGET = 3.0  # seconds per pane figure, once PANE_AT_LEAST samples are in
PANE_AT_LEAST = 20
# --------------------------------------------------------------------------- words

#: The most frequent words first (rank decides frequency), news vocabulary mixed in near
#: the top so that "minister" or "talks" hit tens of thousands of statements, as they do.
_COMMON = """the of and to a in said that on for is was with by as at it from his minister
government talks be has have will not an this are they who would its were been but which
president foreign after had new their more officials border water one two deal also could
there military agreement security about over than statement spokesman ministry people
against between ready call leaders dam river week meeting country peace first other
prime talks no may into last state national if our we all some when what year told
because troops would out up any should ceasefire summit visit plan support negotiations
sanctions aid crisis region capital office report officials announced rejected denied
confirmed expected week month today yesterday sources according citing agency news
dialogue proposal conditions treaty delegation envoy council commission parliament vote
election coalition opposition spokeswoman chancellor premier cabinet budget energy gas
oil pipeline trade tariffs exports imports farmers fishing quotas refugees camp hospital
casualties attack strike drone missile shelling village town city province district
north south east west central coast port bridge railway road airport""".split()  # noqa: SIM905
_DOMAIN = """accord adjourn allies ambassador amendment amnesty annexation arbitration armistice
assembly asylum audit autonomy ballot barrage basin blockade boycott briefing broker
bureau campaign caucus census charter checkpoint civilian clause coalition commander
communique compensation concession consensus constitution consulate convoy corridor
counterpart court covenant curfew custody decree default defector deficit delegate
deployment deputy detainees diplomat directive disarmament dispute dossier drought
embargo embassy emergency enclave escalation evacuation exclave exile expulsion extradition
faction famine federation filling flooding floodgate garrison governor grievance guarantee
hearing hostage humanitarian inquiry insurgents interim intervention investigation
irrigation jurisdiction junta justice landmine legislation levy lobby mandate manifesto
mediation mediator memorandum militia moratorium mobilisation monitor negotiator neutrality
observers occupation ombudsman ordinance outpost overture pact partition patrol petition
plebiscite pledge precondition prisoner protest protocol provocation quorum ratification
reconciliation referendum reparations reservoir resolution retaliation rhetoric sabotage
secession settlement siege sovereignty spillway stalemate standoff subsidy succession
surveillance suspension tariff territory testimony timetable transit tribunal truce
turbine ultimatum uprising veto volunteers warden watershed withdrawal""".split()  # noqa: SIM905
_SYLLABLES = """ka lo mi ren sa tu vel dor an is ob ter
pra nu gel fa ri mon ast bel cor dra""".split()  # noqa: SIM905


def _vocabulary() -> tuple[list[str], list[float]]:
    """~35,000 words by rank, and cumulative Zipf–Mandelbrot weights (s = 1.05)."""
    words = list(dict.fromkeys(_COMMON + _DOMAIN))
    seen = set(words)
    for a, b, c in itertools.product(_SYLLABLES, _SYLLABLES, ("", *_SYLLABLES)):
        word = a + b + c
        if word not in seen:
            seen.add(word)
            words.append(word)
    rng = random.Random(7)  # invented words in a fixed, shuffled order of frequency
    head, tail = words[: len(_COMMON)], words[len(_COMMON) :]
    rng.shuffle(tail)
    words = head + tail
    cumulative = list(itertools.accumulate(1 / (rank + 2.7) ** 1.05 for rank in range(len(words))))
    return words, cumulative


VOCABULARY, _CUMULATIVE = _vocabulary()


def zipf_weights(n: int, s: float = 1.0) -> list[float]:
    return list(itertools.accumulate(1 / (rank + 1) ** s for rank in range(n)))


def words(rng: random.Random, n: int) -> list[str]:
    return rng.choices(VOCABULARY, cum_weights=_CUMULATIVE, k=n)


def sentence(rng: random.Random, low: int = 8, high: int = 22) -> str:
    return " ".join(words(rng, rng.randint(low, high))).capitalize()


def name_word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


# --------------------------------------------------------------------------- sizes


@dataclass(frozen=True)
class Sizes:
    articles: int = 100_000
    statements: int = 1_000_000
    links: int = 200_000
    events: int = 5_000
    sources: int = 300
    actors: int = 2_000
    issues: int = 300
    seed: int = 1

    def key(self) -> dict[str, int]:
        return {**self.__dict__, "generator": GENERATOR_VERSION}


QUICK = Sizes(articles=10_000, statements=100_000, links=20_000, events=1_000)

START = dt.datetime(2025, 11, 1, 6, 0, tzinfo=dt.UTC)
DAYS = 365


# --------------------------------------------------------------------------- build


@dataclass
class Built:
    rows: dict[str, int] = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def inserted(self) -> int:
        return sum(self.rows.values())


def _table(name: str) -> Any:
    from sqlmodel import SQLModel

    import db.models  # noqa: F401  (registers the tables)

    return SQLModel.metadata.tables[name]


def _tracked(when: dt.datetime) -> dict[str, Any]:
    return {"created_at": when, "updated_at": when, "version": 1, "deleted_at": None}


def _insert(conn: Any, name: str, rows: list[dict[str, Any]], built: Built) -> None:
    if rows:
        began = time.perf_counter()
        insert_rows(conn, _table(name), rows)
        built.phases["db"] = built.phases.get("db", 0.0) + time.perf_counter() - began
        built.rows[name] = built.rows.get(name, 0) + len(rows)


def build(location: str, sizes: Sizes, *, log: Callable[[str], None] = print) -> Built:
    """Fill the desk at ``location`` (a new file, or an empty database)."""
    from db.engine import open_desk

    rng = random.Random(sizes.seed)
    built = Built()
    began = time.perf_counter()
    engine = open_desk(location)
    built.phases["migrate"] = time.perf_counter() - began
    try:
        began = time.perf_counter()
        with engine.begin() as conn:
            actors = _people(conn, rng, sizes, built)
        _articles_and_statements(engine, rng, sizes, actors, built, log)
        with engine.begin() as conn:
            _links(conn, rng, sizes, built)
            _positions(conn, rng, sizes, actors, built)
            _events(conn, rng, sizes, actors, built)
        built.phases["insert"] = time.perf_counter() - began
        how = "COPY" if engine.dialect.name == "postgresql" else "SQLAlchemy Core executemany"
        log(
            f"  generated and inserted {built.inserted:,} rows in "
            f"{built.phases['insert']:.1f} s, of which {built.phases['db']:.1f} s in "
            f"{how} ({built.inserted / max(built.phases['db'], 1e-9):,.0f} rows/s)"
        )
        finish(engine, built.phases, log)
    finally:
        engine.dispose()
    return built


@dataclass(frozen=True)
class _Actors:
    names: list[str]  # index i is actor id i + 1
    speakers: list[int]  # actor ids in order of how much they talk
    speaker_weights: list[float]
    grid: list[int]  # actors that take positions on issues
    sources: list[str]
    source_weights: list[float]


def _people(conn: Any, rng: random.Random, sizes: Sizes, built: Built) -> _Actors:
    """Sources, actors (governments ← organisations ← people), issues, one alias each for
    the most talkative."""
    when = START - dt.timedelta(days=30)
    sources = []
    suffixes = ("Wire", "Courier", "Times", "Herald", "Post", "Monitor", "Gazette", "Radio")
    names: set[str] = set()
    while len(sources) < sizes.sources:
        name = f"The {name_word(rng)} {rng.choice(suffixes)}"
        if name not in names:
            names.add(name)
            sources.append(name)
    _insert(
        conn,
        "source",
        [
            {
                "id": i + 1,
                "name": name,
                "kind": "feed",
                "url": f"https://{name.lower().replace(' ', '')}.example/rss",
                "fetched_at": when,
                **_tracked(when),
            }
            for i, name in enumerate(sources)
        ],
        built,
    )
    governments = max(3, sizes.actors // 40)
    organisations = max(3, sizes.actors // 7)
    rows: list[dict[str, Any]] = []
    actor_names: list[str] = []
    taken: set[str] = set()

    def unique(make: Callable[[], str]) -> str:
        while True:
            value = make()
            if value not in taken:
                taken.add(value)
                return value

    for i in range(sizes.actors):
        if i < governments:
            kind, parent = "government", None
            name = unique(lambda: f"{name_word(rng)}{rng.choice(['ia', 'and', 'ar', 'en'])}")
        elif i < governments + organisations:
            kind, parent = "organisation", rng.randint(1, governments)
            office = rng.choice(["Foreign Office", "Ministry of Water", "Defence Ministry"])
            name = unique(
                lambda o=office, p=parent: f"{o} of {actor_names[p - 1]} {name_word(rng)}"
            )
        else:
            kind = "person"
            parent = (
                rng.randint(governments + 1, governments + organisations)
                if rng.random() < 0.7
                else (rng.randint(1, governments) if rng.random() < 0.7 else None)
            )
            name = unique(lambda: f"{name_word(rng)} {name_word(rng)}")
        actor_names.append(name)
        rows.append(
            {
                "id": i + 1,
                "name": name,
                "kind": kind,
                "parent_id": parent,
                "notes": "",
                "review": "accepted",
                **_tracked(when),
            }
        )
    _insert(conn, "actor", rows, built)
    speakers = list(range(1, sizes.actors + 1))
    rng.shuffle(speakers)
    from db.models import normalise_name

    _insert(
        conn,
        "actor_alias",
        [
            {"actor_id": a, "alias": alias, "norm": normalise_name(alias)}
            for a in speakers[:200]
            for alias in [actor_names[a - 1].split()[-1] + " " + name_word(rng)]
        ],
        built,
    )
    _insert(
        conn,
        "issue",
        [
            {
                "id": i + 1,
                "title": f"Will {rng.choice(actor_names[:governments])} "
                f"{sentence(rng, 3, 6).lower()}?",
                "description": sentence(rng, 10, 20) + ".",
                "review": "accepted" if rng.random() < 0.95 else "suggested",
                **_tracked(when),
            }
            for i in range(sizes.issues)
        ],
        built,
    )
    grid = [a for a in speakers if a <= governments + organisations][:40] + speakers[:120]
    return _Actors(
        actor_names,
        speakers,
        zipf_weights(len(speakers)),
        list(dict.fromkeys(grid)),
        sources,
        zipf_weights(len(sources), 0.8),
    )


def _statement_counts(rng: random.Random, sizes: Sizes) -> list[int]:
    """Statements per article: most have a few, some have dozens; exactly the total."""
    mean = sizes.statements / max(sizes.articles, 1)
    counts = [int(rng.expovariate(1 / mean)) if mean else 0 for _ in range(sizes.articles)]
    difference = sizes.statements - sum(counts)
    step = 1 if difference > 0 else -1
    while difference:
        i = rng.randrange(sizes.articles)
        if step > 0 or counts[i] > 0:
            counts[i] += step
            difference -= step
    return counts


_VERIFICATION = ["unverified"] * 60 + ["verified"] * 30 + ["disputed"] * 5 + ["false", "misleading"]
_VERIFICATION += ["retracted", "superseded"]
_TRIAGE = ["new"] * 40 + ["relevant"] * 35 + ["not_relevant"] * 20 + ["needs_check"] * 5
_VERBS = ("said", "told reporters", "warned", "insisted", "denied", "added", "wrote")


def _articles_and_statements(
    engine: Any,
    rng: random.Random,
    sizes: Sizes,
    actors: _Actors,
    built: Built,
    log: Callable[[str], None],
) -> None:
    """Articles in publication order, each with its statements quoted in its text, in
    transactions of a few thousand articles."""
    from db.tx import quote_selector

    counts = _statement_counts(rng, sizes)
    source_ids = list(range(1, len(actors.sources) + 1))
    statement_id = 0
    chunk = 5_000
    issue_weights = zipf_weights(sizes.issues, 0.9)
    issue_ids = list(range(1, sizes.issues + 1))
    last_log = time.perf_counter()
    for first in range(0, sizes.articles, chunk):
        articles: list[dict[str, Any]] = []
        statements: list[dict[str, Any]] = []
        reads: list[dict[str, Any]] = []
        n_here = min(chunk, sizes.articles - first)
        sources = rng.choices(source_ids, cum_weights=actors.source_weights, k=n_here)
        for offset in range(n_here):
            article_id = first + offset + 1
            published = START + dt.timedelta(
                days=DAYS * (article_id - 1) / sizes.articles, minutes=rng.randint(-360, 360)
            )
            parts: list[str] = []
            length = 0
            pending: list[dict[str, Any]] = []
            n_statements = counts[article_id - 1]
            fillers = rng.randint(2, 6)
            order = ["s"] * n_statements + ["f"] * fillers
            rng.shuffle(order)
            speakers = rng.choices(
                actors.speakers, cum_weights=actors.speaker_weights, k=len(order)
            )
            for n, part in enumerate(order):
                prefix = "\n\n" if parts and n % 3 == 0 else (" " if parts else "")
                if part == "f":
                    piece = sentence(rng) + "."
                    parts.append(prefix + piece)
                    length += len(prefix) + len(piece)
                    continue
                said = sentence(rng)
                quote = rng.random() < 0.4
                speaker = speakers[n] if rng.random() > 0.05 else None
                who = actors.names[speaker - 1] if speaker else "A source"
                verb = rng.choice(_VERBS)
                lead = f'{who} {verb}: "' if quote else f"{who} {verb} that "
                start = length + len(prefix) + len(lead)
                piece = lead + (said[0].lower() + said[1:] if not quote else said)
                piece += '."' if quote else "."
                parts.append(prefix + piece)
                length += len(prefix) + len(piece)
                pending.append(
                    {"start": start, "end": start + len(said), "speaker": speaker, "quote": quote}
                )
            text = "".join(parts)
            title = sentence(rng, 6, 12)
            day = published.date()
            has_date = rng.random() > 0.1
            articles.append(
                {
                    "id": article_id,
                    "source_id": sources[offset],
                    "url": f"https://outlet{sources[offset]}.example/story/{article_id}",
                    "canonical_url": f"https://outlet{sources[offset]}.example/story/{article_id}",
                    "title": title,
                    "byline": f"{name_word(rng)} {name_word(rng)}",
                    "published_at": published if has_date else None,
                    "fetched_at": published + dt.timedelta(minutes=rng.randint(1, 90)),
                    "sort_at": published,
                    "text": text,
                    "content_hash": hashlib.sha256(text.encode()).hexdigest(),
                    "guid": f"guid-{article_id}",
                    "triage": rng.choice(_TRIAGE),
                    "starred": rng.random() < 0.02,
                    "assignee": EDITOR if rng.random() < 0.05 else None,
                    "priority": 1 if rng.random() < 0.03 else 0,
                    "tags": [],
                    "rule_hits": [],
                    "rule_effects": [],
                    "duplicate_of": None,
                    "match_kind": None,
                    "match_score": None,
                    **_tracked(published),
                }
            )
            if rng.random() < 0.6:
                reads.append({"editor": EDITOR, "article_id": article_id, "read_at": published})
            for item in pending:
                statement_id += 1
                selector = quote_selector(text, item["start"], item["end"])
                review_roll = rng.random()
                review = (
                    "accepted"
                    if review_roll < 0.8
                    else "suggested"
                    if review_roll < 0.95
                    else "dismissed"
                )
                precision_roll = rng.random()
                said_on: dt.date | None = day - dt.timedelta(days=rng.choice((0, 0, 0, 1, 2)))
                said_until = None
                precision = "day"
                if precision_roll < 0.05:
                    said_on, precision = None, "unknown"
                elif precision_roll < 0.10:
                    precision = "month"
                    said_on = said_on.replace(day=1)  # type: ignore[union-attr]
                elif precision_roll < 0.14:
                    precision = "approximate"
                elif precision_roll < 0.17:
                    said_until = said_on + dt.timedelta(days=rng.randint(1, 3))  # type: ignore[operator]
                statements.append(
                    {
                        "id": statement_id,
                        "article_id": article_id,
                        **selector,
                        "speaker_id": item["speaker"],
                        "attribution": (
                            f"citing {rng.choice(actors.sources)}" if rng.random() < 0.15 else ""
                        ),
                        "text": selector["evidence_exact"],
                        "quote": item["quote"],
                        "said_on": said_on,
                        "said_until": said_until,
                        "date_precision": precision,
                        "date_text": "",
                        "review": review,
                        "verification": rng.choice(_VERIFICATION),
                        "tags": [rng.choice(_DOMAIN)] if rng.random() < 0.1 else [],
                        "notes": "",
                        "issue_id": (
                            rng.choices(issue_ids, cum_weights=issue_weights)[0]
                            if rng.random() < 0.6
                            else None
                        ),
                        "score": (
                            round(rng.random(), 3)
                            if review == "suggested" and rng.random() < 0.7
                            else None
                        ),
                        "editor": EDITOR if review == "accepted" else "",
                        **_tracked(published + dt.timedelta(hours=1)),
                    }
                )
        with engine.begin() as conn:
            _insert(conn, "article", articles, built)
            _insert(conn, "article_read", reads, built)
            _insert(conn, "statement", statements, built)
        if time.perf_counter() - last_log > 15:
            last_log = time.perf_counter()
            log(f"  … {first + n_here:,} articles, {statement_id:,} statements")


def _links(conn: Any, rng: random.Random, sizes: Sizes, built: Built) -> None:
    """Links from a statement to an earlier one nearby in time (what editors link)."""
    seen: set[tuple[int, int, str]] = set()
    relations = ["supports"] * 3 + ["duplicates"] * 3 + ["contradicts", "updates", "responds_to"]
    rows: list[dict[str, Any]] = []
    n = sizes.statements
    when = START + dt.timedelta(days=DAYS)
    attempts = 0
    while len(seen) < sizes.links and n > 1 and attempts < sizes.links * 5:
        attempts += 1
        from_id = rng.randint(2, n)
        to_id = max(1, from_id - int(rng.expovariate(1 / min(5_000, n / 4))) - 1)
        relation = rng.choice(relations)
        if (from_id, to_id, relation) in seen or from_id == to_id:
            continue
        seen.add((from_id, to_id, relation))
        roll = rng.random()
        review = "accepted" if roll < 0.7 else "suggested" if roll < 0.95 else "dismissed"
        rows.append(
            {
                "from_id": from_id,
                "to_id": to_id,
                "relation": relation,
                "note": sentence(rng, 3, 8) if rng.random() < 0.2 else "",
                "review": review,
                "editor": EDITOR,
                **_tracked(when),
            }
        )
        if len(rows) >= 50_000:
            _insert(conn, "link", rows, built)
            rows = []
    _insert(conn, "link", rows, built)


def _positions(conn: Any, rng: random.Random, sizes: Sizes, actors: _Actors, built: Built) -> None:
    """Issues × actors: ~10 actors per issue, each cell with one to three positions."""
    rows: list[dict[str, Any]] = []
    backing: list[dict[str, Any]] = []
    position_id = 0
    for issue_id in range(1, sizes.issues + 1):
        for actor_id in rng.sample(actors.grid, min(len(actors.grid), rng.randint(5, 15))):
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
                position_id += 1
                as_of = START.date() + dt.timedelta(days=rng.randrange(DAYS))
                rows.append(
                    {
                        "id": position_id,
                        "issue_id": issue_id,
                        "actor_id": actor_id,
                        "summary": sentence(rng, 4, 10),
                        "as_of": as_of,
                        "review": "accepted" if rng.random() < 0.9 else "suggested",
                        "editor": EDITOR,
                        "article_id": None,
                        **_tracked(START + dt.timedelta(days=as_of.toordinal() % DAYS)),
                    }
                )
                for statement_id in {rng.randint(1, sizes.statements) for _ in range(2)}:
                    backing.append({"position_id": position_id, "statement_id": statement_id})
    rows.sort(key=lambda r: r["as_of"])  # ids in the order the desk took them up
    for new_id, row in enumerate(rows, 1):
        row["old"], row["id"] = row["id"], new_id
    renumber = {row.pop("old"): row["id"] for row in rows}
    for item in backing:
        item["position_id"] = renumber[item["position_id"]]
    _insert(conn, "position", rows, built)
    if sizes.statements:
        _insert(conn, "position_statement", backing, built)


def _events(conn: Any, rng: random.Random, sizes: Sizes, actors: _Actors, built: Built) -> None:
    rows, with_actors, with_statements = [], [], []
    for event_id in range(1, sizes.events + 1):
        day = START.date() + dt.timedelta(days=DAYS * (event_id - 1) / sizes.events)
        ranged = rng.random() < 0.1
        roll = rng.random()
        rows.append(
            {
                "id": event_id,
                "date": day,
                "date_end": day + dt.timedelta(days=rng.randint(1, 4)) if ranged else None,
                "precision": rng.choice(["day"] * 8 + ["month", "approximate"]),
                "title": sentence(rng, 5, 10),
                "description": sentence(rng, 10, 25) + ".",
                "review": "accepted"
                if roll < 0.85
                else "suggested"
                if roll < 0.95
                else "dismissed",
                "editor": EDITOR,
                "article_id": None,
                **_tracked(START + dt.timedelta(days=(day - START.date()).days)),
            }
        )
        for actor_id in set(rng.choices(actors.grid, k=rng.randint(1, 3))):
            with_actors.append({"event_id": event_id, "actor_id": actor_id})
        if sizes.statements:
            for statement_id in {
                rng.randint(1, sizes.statements) for _ in range(rng.randint(0, 3))
            }:
                with_statements.append({"event_id": event_id, "statement_id": statement_id})
    _insert(conn, "event", rows, built)
    _insert(conn, "event_actor", with_actors, built)
    _insert(conn, "event_statement", with_statements, built)


# --------------------------------------------------------------------------- measuring


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (no interpolation between two samples)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


@dataclass
class Figure:
    operation: str
    times: list[float]  # ms, unless ``unit`` says otherwise
    baseline: list[float] | None = None
    base: str = ""  # what the baseline is
    goal: str = ""
    goal_value: float | None = None  # the p95 (``worst``: the largest) must stay under this
    unit: str = "ms"
    #: judged by its largest value, which may equal the goal (rows loaded at once)
    worst: bool = False

    @property
    def p50(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")

    @property
    def p95(self) -> float:
        if not self.times:
            return float("nan")
        return max(self.times) if self.worst else percentile(self.times, 0.95)

    @property
    def verdict(self) -> str:
        if self.goal_value is None:
            return ""
        if not self.times:
            return "MISSED"  # nothing measured is no evidence of speed
        ok = self.p95 <= self.goal_value if self.worst else self.p95 < self.goal_value
        return "met" if ok else "MISSED"

    @property
    def missed(self) -> bool:
        return self.verdict == "MISSED"


#: What a figure measures: wall time (what an editor waits), or with ``--clock cpu`` this
#: process's CPU time, which leaves out waiting for a CPU that other work on the machine
#: holds (a shared 2-core box under load doubles the wall-clock p95s). In-process figures
#: only: what the app in its terminal costs is always wall time.
CLOCKS: dict[str, Callable[[], float]] = {"wall": time.perf_counter, "cpu": time.process_time}
_clock = CLOCKS["wall"]


def timed(call: Callable[[], Any]) -> float:
    began = _clock()
    call()
    return (_clock() - began) * 1000


def measure_pairs(
    cases: Sequence[Any],
    run: Callable[[Any], Any],
    base: Callable[[Any], Any] | None,
    *,
    budget: float | None = None,
    at_least: int = 30,
) -> tuple[list[float], list[float] | None]:
    """Each case once through ``run`` and once through ``base``, interleaved so that both
    see the same cache state; one warm-up of each first. With a ``budget`` (seconds), stop
    once it is spent and ``at_least`` cases were measured: a slow figure is clear from 30
    samples, and the default run must end in minutes."""
    if cases:
        run(cases[0])
        if base is not None:
            base(cases[0])
    times, base_times = [], []
    began = time.perf_counter()
    for n, case in enumerate(cases):
        if budget is not None and n >= at_least and time.perf_counter() - began > budget:
            break
        times.append(timed(lambda c=case: run(c)))
        if base is not None:
            base_times.append(timed(lambda c=case: base(c)))
    return times, (base_times if base is not None else None)


@dataclass(frozen=True)
class SearchCase:
    kind: str  # common, rare, phrase, prefix, or, not, and
    text: str


def _rows(conn: Any, sql: str, **params: Any) -> list[Any]:
    from sqlalchemy import text

    return list(conn.execute(text(sql), params).all())


def query_mix(conn: Any, rng: random.Random, per_kind: int) -> list[SearchCase]:
    """What editors type: common and rare words, phrases lifted from stored statements,
    prefixes, OR, NOT, two words."""
    ranks = {w: i for i, w in enumerate(VOCABULARY)}
    common = [w for w in _COMMON if len(w) > 3 and w not in ("that", "with", "from", "have")]
    common = common[:60]
    middle = [w for w in VOCABULARY[300:3000] if len(w) > 3]
    rare = [w for w in VOCABULARY[8000:30000] if ranks[w] > 8000]
    top = _rows(conn, "SELECT max(id) FROM statement")[0][0] or 0
    phrases = []
    for _ in range(per_kind * 3):
        if not top or len(phrases) >= per_kind:
            break
        found = _rows(
            conn,
            "SELECT text FROM statement WHERE id >= :i ORDER BY id LIMIT 1",
            i=rng.randint(1, top),
        )
        tokens = (found[0][0] if found else "").lower().split()
        if len(tokens) >= 4:
            at = rng.randrange(len(tokens) - 2)
            phrases.append('"' + " ".join(tokens[at : at + rng.choice((2, 3))]) + '"')
    cases = []
    for _ in range(per_kind):
        cases += [
            SearchCase("common", rng.choice(common)),
            SearchCase("rare", rng.choice(rare)),
            SearchCase("prefix", rng.choice(common + middle)[: rng.randint(3, 5)] + "*"),
            SearchCase("or", f"{rng.choice(middle)} OR {rng.choice(rare)}"),
            SearchCase("not", f"{rng.choice(common)} NOT {rng.choice(common)}"),
            SearchCase("and", f"{rng.choice(common)} {rng.choice(middle)}"),
        ]
    cases += [SearchCase("phrase", p) for p in phrases]
    rng.shuffle(cases)
    return cases


@dataclass(frozen=True)
class RawSearch:
    """The raw index queries the search figures are compared with, on one backend."""

    ranked: str  # every hit ranked by the index itself, best 50
    first: str  # the first 50 hits, unranked
    pool: str  # the link picker's pool: the newest 300 hits
    postgres: bool

    def match(self, fts: str) -> str:
        """What the raw queries take: the FTS5 expression, or its tsquery on PostgreSQL."""
        from db.search import fts_to_tsquery

        return fts_to_tsquery(fts) if self.postgres else fts


def raw_search(backend: str) -> RawSearch:
    if backend == "postgres":
        hits = "FROM {t}_search_doc WHERE tsv @@ CAST(:q AS tsquery)"
        return RawSearch(
            f"SELECT id {hits} ORDER BY ts_rank(tsv, CAST(:q AS tsquery)) DESC LIMIT 50",
            f"SELECT id {hits} LIMIT 50",
            f"SELECT id {hits} ORDER BY id DESC LIMIT 300".format(t="statement"),
            True,
        )
    hits = "FROM {t}_fts WHERE {t}_fts MATCH :q"
    return RawSearch(
        f"SELECT rowid {hits} ORDER BY rank LIMIT 50",
        f"SELECT rowid {hits} LIMIT 50",
        f"SELECT rowid {hits} ORDER BY rowid DESC LIMIT 300".format(t="statement"),
        False,
    )


SEARCH_GOAL = {"goal": "p95 < 20 ms", "goal_value": 20.0}
PANE_GOAL = {"goal": "p95 < 30 ms", "goal_value": 30.0}
#: search figures stop after this many seconds (once 30 queries are in): the raw ranked
#: baseline of a common word costs seconds on PostgreSQL at a million statements
SEARCH_BUDGET = 40.0


def search_figures(
    conn: Any, backend: str, rng: random.Random, reps: int
) -> tuple[list[Figure], list[Figure]]:
    from db.search import parse_query, search

    raw = raw_search(backend)
    per_kind = max(1, reps // 6)
    cases = query_mix(conn, rng, per_kind)
    parsed = {case.text: parse_query(case.text) for case in cases}
    pair = {"budget": SEARCH_BUDGET, "at_least": 30}

    def index(sql: str, table: str) -> Callable[[SearchCase], Any]:
        return lambda c: _rows(conn, sql.format(t=table), q=raw.match(parsed[c.text].fts))

    def both(sql: str) -> Callable[[SearchCase], Any]:
        return lambda c: (index(sql, "statement")(c), index(sql, "article")(c))

    ranked_st, naive_st = measure_pairs(
        cases,
        lambda c: search(conn, parsed[c.text], kinds=("statement",), limit=50),
        index(raw.ranked, "statement"),
        **pair,  # type: ignore[arg-type]
    )
    _, first_st = measure_pairs(cases[: len(ranked_st)], index(raw.first, "statement"), None)
    ranked_all, naive_all = measure_pairs(
        cases,
        lambda c: search(conn, parsed[c.text], limit=50),
        both(raw.ranked),
        **pair,  # type: ignore[arg-type]
    )
    _, first_all = measure_pairs(cases[: len(ranked_all)], both(raw.first), None)
    by_index = "raw index query, every hit ranked by the index"
    unranked = "raw index query, first 50 hits unranked"
    figures = [
        Figure("search statements, ranked", ranked_st, naive_st, by_index, **SEARCH_GOAL),  # type: ignore[arg-type]
        Figure("search statements, ranked", ranked_st, first_st, unranked),
        Figure("search statements + articles", ranked_all, naive_all, by_index, **SEARCH_GOAL),  # type: ignore[arg-type]
        Figure("search statements + articles", ranked_all, first_all, unranked),
    ]
    by_kind: list[Figure] = []
    for kind in sorted({c.kind for c in cases}):
        for label, times, base in (
            ("statements", ranked_st, naive_st),
            ("statements + articles", ranked_all, naive_all),
        ):
            at = [i for i, c in enumerate(cases[: len(times)]) if c.kind == kind]
            by_kind.append(
                Figure(
                    f"{kind} ({len(at)}): {label}",
                    [times[i] for i in at],
                    [base[i] for i in at],  # type: ignore[index]
                    by_index,
                    **SEARCH_GOAL,  # type: ignore[arg-type]
                )
            )
    return figures, by_kind


def picker_figures(
    conn: Any, repo: Any, backend: str, rng: random.Random, reps: int
) -> list[Figure]:
    from workbench.linking import candidates, content_words, related_query, typed_query

    raw = raw_search(backend)
    top = _rows(conn, "SELECT max(id) FROM statement")[0][0] or 0
    subjects: list[tuple[int, str, str]] = []
    while top and len(subjects) < reps:
        found = _rows(
            conn,
            "SELECT id, text FROM statement WHERE id >= :i AND review != 'dismissed' "
            "AND deleted_at IS NULL ORDER BY id LIMIT 1",
            i=rng.randint(1, top),
        )
        if not found:
            continue
        words_ = content_words(found[0][1]) or ["minister"]
        typed = rng.choice(words_)
        typed = typed[: max(3, len(typed) - rng.randint(0, 3))]
        subjects.append((int(found[0][0]), found[0][1], typed))

    def pool(fts: str | None) -> list[Any]:
        return _rows(conn, raw.pool, q=raw.match(fts or '"minister"'))

    plain, raw_plain = measure_pairs(
        subjects, lambda s: candidates(repo, s[0]), lambda s: pool(related_query(s[1]))
    )
    filtered, raw_typed = measure_pairs(
        subjects, lambda s: candidates(repo, s[0], s[2]), lambda s: pool(typed_query(s[2]))
    )
    base = "its raw pool query (newest 300 index hits)"
    return [
        Figure("link picker candidates", plain, raw_plain, base, **SEARCH_GOAL),  # type: ignore[arg-type]
        Figure("link picker, typed filter", filtered, raw_typed, base, **SEARCH_GOAL),  # type: ignore[arg-type]
    ]


def pane_figures(engine: Any, conn: Any, rng: random.Random, reps: int) -> list[Figure]:
    """Pages as the panes load them: the first page, a jump to the middle (one key looked
    up by offset, then a keyset page), the last page, and the count every reload asks."""
    from db.views import GridView, feed_view, grid_columns, statements_view, timeline_view

    cases = list(range(reps))

    def plain(sql: str) -> Callable[[Any], Any]:
        return lambda _c: _rows(conn, sql)

    def pane(
        label: str,
        run: Callable[[Any], Any],
        base_sql: str,
        *,
        cases_: Sequence[Any] = cases,
        reload: bool = False,
    ) -> Figure:
        """A pane's query; one a key waits on has the key-to-repaint budget (the frame
        itself is drawn at once, the rows when this returns). A reload's (start, filter,
        live refresh) runs behind rows already drawn: its cost shows in first paint and
        live refresh, which have goals of their own."""
        times, base = measure_pairs(
            cases_, run, plain(base_sql), budget=PANE_BUDGET, at_least=PANE_AT_LEAST
        )
        goal = {} if reload else PANE_GOAL
        return Figure(label, times, base, base_sql, **goal)  # type: ignore[arg-type]

    figures: list[Figure] = []
    columns = grid_columns(engine)
    figures.append(
        pane(
            "grid columns (actors with positions)",
            lambda _c: grid_columns(engine),
            "SELECT id, name FROM actor LIMIT 12",
        )
    )
    grid = GridView(engine, columns)
    figures.append(
        pane(
            f"grid page ({PAGE} issues × {len(columns)} actors)",
            lambda _c: GridView(engine, columns).page(limit=PAGE),
            f"SELECT * FROM position LIMIT {PAGE}",
        )
    )
    figures.append(
        pane(
            "grid count (on reload)",
            lambda _c: grid.count(),
            "SELECT count(*) FROM issue",
            reload=True,
        )
    )

    def jumps(total: int) -> list[int]:
        return [rng.randint(total // 4, max(total // 4, 3 * total // 4)) for _ in cases]

    def middle(view: Any, total: int) -> Callable[[int], Any]:
        """A jump as the list makes one: the key before the window, looked up from the
        nearer end of the list, then a keyset page."""
        from workbench.ui.virtual_list import VirtualList

        def run(offset: int) -> Any:
            key = VirtualList._key_at(view, offset, total)
            return view.page(after=key, limit=PAGE) if key is not None else []

        return run

    for label, view, table in (
        ("timeline", timeline_view(engine), "statement"),
        ("statements", statements_view(engine), "statement"),
        ("statements (suggested)", statements_view(engine, state="suggested"), "statement"),
        ("feed (inbox)", feed_view(engine, editor=EDITOR, state="inbox"), "article"),
        ("feed (unread)", feed_view(engine, editor=EDITOR, state="unread"), "article"),
    ):
        base = f"SELECT * FROM {table} LIMIT {PAGE}"
        total = view.count()
        figures.append(pane(f"{label}: first page", lambda _c, v=view: v.page(limit=PAGE), base))
        figures.append(
            pane(
                f"{label}: jump to the middle (key + page)",
                middle(view, total),
                base,
                cases_=jumps(total),
            )
        )
        figures.append(
            pane(
                f"{label}: last page",
                lambda _c, v=view: v.page(limit=PAGE, from_end=True),
                base,
            )
        )
        figures.append(
            pane(
                f"{label}: count ({total:,}; on reload)",
                lambda _c, v=view: v.count(),
                f"SELECT count(*) FROM {table}",
                reload=True,
            )
        )
        # A reload that keeps the cursor asks where its row is now: cheap near the top of
        # the list, a count of every row before it further down.
        top = [row.key for row in view.page(limit=PAGE)] or [None]
        middle_rows = [view.page(after=view.key_at(o), limit=1) for o in jumps(total)[:8]]
        mid = [rows[0].key for rows in middle_rows if rows] or [None]
        for where, keys in (("cursor on the first page", top), ("cursor mid-list", mid)):
            figures.append(
                pane(
                    f"{label}: index_of, {where} (on reload)",
                    lambda k, v=view: v.index_of(k) if k is not None else 0,
                    base,
                    cases_=[keys[i % len(keys)] for i in cases],
                    reload=True,
                )
            )
    return figures


def _first_window() -> int:
    """The rows a pane's first load asks for: what an 80×24 pane shows and its margin."""
    from workbench.ui.virtual_list import MARGIN

    return 20 + MARGIN


def grid_load(engine: Any) -> Any:
    """What the Positions pane does to show the desk: its columns, then the list's first
    load (the count and the first window, with every cell)."""
    from db.views import GridView, grid_columns

    view = GridView(engine, grid_columns(engine))
    view.count()
    return view.page(limit=_first_window())


def timeline_load(engine: Any) -> Any:
    """What the Timeline pane does to show the desk: the count and the first window."""
    from db.views import timeline_view

    view = timeline_view(engine)
    view.count()
    return view.page(limit=_first_window())


def load_figures(engine: Any, base_engine: Any, reps: int) -> list[Figure]:
    figures = []
    for label, load in (("grid load", grid_load), ("timeline load", timeline_load)):
        times, _ = measure_pairs(
            range(reps),
            lambda _c, f=load: f(engine),
            None,
            budget=PANE_BUDGET,
            at_least=PANE_AT_LEAST,
        )
        base, _ = measure_pairs(
            range(reps),
            lambda _c, f=load: f(base_engine),
            None,
            budget=PANE_BUDGET,
            at_least=PANE_AT_LEAST,
        )
        what = "columns, count, " if label == "grid load" else "count, "
        figures.append(
            Figure(
                f"{label} ({what}first {_first_window()} rows; on reload)",
                times,
                base,
                "the same on the small desk",
            )
        )
    return figures


# --------------------------------------------------------------------------- the app itself

SESSION_BASE = "the same on the small desk"


def session_figures(
    desk: Desk, base_desk: Desk, starts: int, keys: int, log: Callable[[str], None]
) -> list[Figure]:
    """The app in a real terminal: start, scrolling each pane, memory, rows per load."""
    import scale_session as s

    same = base_desk == desk
    figures: list[Figure] = []
    with s.temporary_home() as tmp:
        home = Path(tmp)
        log("  starting the app …")
        runs = [s.start(desk.location, home) for _ in range(starts)]
        bare = [s.bare_first_frame(home) for _ in range(starts)]
        base_runs = runs if same else [s.start(base_desk.location, home) for _ in range(starts)]
        figures.append(
            Figure(
                "app: spawn → first frame, first paint (160×45)",
                [r.first_frame for r in runs],
                bare,
                "a bare Textual app",
                "p95 < 1 s",
                1000.0,
            )
        )
        figures.append(  # no goal of its own: issue 8's first paint is the first frame
            Figure(
                "app: spawn → every pane's rows on screen",
                [r.rows_on_screen for r in runs],
                [r.rows_on_screen for r in base_runs],
                SESSION_BASE,
            )
        )
        log("  scrolling every pane …")
        main = s.session(desk.location, home, keys)
        base = main if same else s.session(base_desk.location, home, keys)
    for pane in s.PANES:
        mine, theirs = main.keys.get(pane, []), base.keys.get(pane, [])
        figures.append(
            Figure(
                f"{pane}: key → repaint (scrolling)",
                [k.first for k in mine],
                [k.first for k in theirs],
                SESSION_BASE,
                **PANE_GOAL,  # type: ignore[arg-type]
            )
        )
        figures.append(
            Figure(
                f"{pane}: key → rows and detail drawn",
                [k.settled for k in mine],
                [k.settled for k in theirs],
                SESSION_BASE,
            )
        )
    figures.append(
        Figure(
            "app: peak RSS after scrolling every pane",
            [main.rss_mb],
            [base.rss_mb],
            SESSION_BASE,
            "< 300 MB",
            300.0,
            unit="MB",
        )
    )
    bound = s.page_bound(0)
    for pane in s.PANES:
        figures.append(
            Figure(
                f"{pane}: rows per load beyond those shown (p95 column: most)",
                [load["rows"] - load["shown"] for load in main.loads if load["pane"] == pane],
                [load["rows"] - load["shown"] for load in base.loads if load["pane"] == pane],
                SESSION_BASE,
                f"≤ shown + {bound}",
                float(bound),
                unit="rows",
                worst=True,
            )
        )
    return figures


def live_figure(desk: Desk, base_desk: Desk, commits: int) -> Figure:
    import scale_session as s

    times = s.live(desk.location, commits)
    base = times if base_desk == desk else s.live(base_desk.location, commits)
    how = "LISTEN/NOTIFY" if desk.backend == "postgres" else "polled every 50 ms"
    return Figure(
        f"live: commit in another process → watcher ({how}; {len(times)}/{commits} seen)",
        times,
        base,
        SESSION_BASE,
        "p95 < 300 ms",
        300.0,
    )


PARTS = ("search", "picker", "panes", "loads", "session", "live")


def measure(
    desk: Desk, base_desk: Desk, args: argparse.Namespace, log: Callable[[str], None]
) -> tuple[list[Figure], list[Figure]]:
    """Every figure of the table, and the search figures per kind of query."""
    from db.engine import open_desk
    from db.repo import Repo

    parts = set(args.parts.split(",")) if args.parts else set(PARTS)
    rng = random.Random(args.seed)
    figures: list[Figure] = []
    by_kind: list[Figure] = []
    began = time.perf_counter()
    engine = open_desk(desk.location)
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar()
    opened = (time.perf_counter() - began) * 1000
    figures.append(Figure("open desk (engine, schema check)", [opened]))
    base_engine = engine if base_desk == desk else open_desk(base_desk.location)
    repo = Repo(engine, EDITOR)
    try:
        with engine.connect() as conn:
            if "search" in parts:
                log("  search …")
                found, by_kind = search_figures(conn, desk.backend, rng, args.reps)
                figures += found
            if "picker" in parts:
                log("  link picker …")
                figures += picker_figures(conn, repo, desk.backend, rng, args.reps)
            if "loads" in parts:
                log("  grid and timeline loads …")
                figures += load_figures(engine, base_engine, args.reps)
            if "panes" in parts:
                log("  pane pages …")
                figures += pane_figures(engine, conn, rng, args.reps)
    finally:
        engine.dispose()
        base_engine.dispose()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures.append(Figure("peak RSS, measuring process", [rss], unit="MB"))
    if "session" in parts:
        figures += session_figures(desk, base_desk, args.starts, args.keys, log)
    if "live" in parts:
        log("  live refresh …")
        figures.append(live_figure(desk, base_desk, args.commits))
    return figures, by_kind


# --------------------------------------------------------------------------- output


def _value(value: float, unit: str) -> str:
    if value != value:  # NaN: nothing measured
        return f"{'—':>9}"
    return f"{value:9.0f}" if unit in ("MB", "rows") else f"{value:9.2f}"


def table(figures: Sequence[Figure], title: str) -> str:
    width = max(len(f.operation) for f in figures)
    base_width = max(len(f.base) for f in figures)
    goal_width = max([len(f.goal) for f in figures] + [4])
    head = f"{'operation':<{width}}  unit  " + "  ".join(
        f"{c:>9}" for c in ("p50", "p95", "base p50", "base p95")
    )
    head += f"  {'baseline':<{base_width}}  {'goal':<{goal_width}}  met"
    lines = [title, head, "-" * len(head)]
    for f in figures:
        base = f.baseline or []
        base50 = _value(statistics.median(base), f.unit) if base else f"{'—':>9}"
        worst = max(base) if f.worst else percentile(base, 0.95) if base else 0.0
        base95 = _value(worst, f.unit) if base else f"{'—':>9}"
        lines.append(
            f"{f.operation:<{width}}  {f.unit:<4}  {_value(f.p50, f.unit)}  "
            f"{_value(f.p95, f.unit)}  {base50}  {base95}  {f.base:<{base_width}}  "
            f"{f.goal:<{goal_width}}  {f.verdict}".rstrip()
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def _stem(sizes: Sizes) -> str:
    return f"scale-{sizes.articles}a-{sizes.statements}s-{sizes.links}l-{sizes.events}e"


def baseline_sizes(sizes: Sizes) -> Sizes:
    """The small desk every figure of the app in its terminal is compared with: the same
    generator, a hundredth of the default size (or the desk itself when it is smaller)."""
    return replace(
        sizes,
        articles=min(sizes.articles, 1_000),
        statements=min(sizes.statements, 10_000),
        links=min(sizes.links, 2_000),
        events=min(sizes.events, 200),
    )


def _derived(desk: Desk, suffix: str) -> Desk:
    if desk.backend == "sqlite":
        path = Path(desk.location)
        return Desk("sqlite", str(path.with_name(f"{path.stem}{suffix}{path.suffix or '.db'}")))
    from sqlalchemy.engine import make_url

    url = make_url(desk.location)
    name = f"{url.database}{suffix}".replace("-", "_")
    return Desk("postgres", url.set(database=name).render_as_string(hide_password=False))


def _build_child(desk: Desk, sizes: Sizes) -> dict[str, Any]:
    """Build in a child process: generating rows must not count in the reader's RSS."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--build-only",
        "--backend",
        desk.backend,
        "--db",
        desk.location,
    ]
    for name in ("articles", "statements", "links", "events", "seed"):
        command += [f"--{name}", str(getattr(sizes, name))]
    began = time.perf_counter()
    last = ""
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:  # progress lines as they come, then one line of JSON
            if line.startswith("{"):
                last = line
            else:
                print(line, end="", flush=True)
    if proc.returncode != 0 or not last:
        raise SystemExit(f"error: building the desk failed (exit {proc.returncode})")
    report = json.loads(last)
    report["wall"] = time.perf_counter() - began
    return report


def _ready(desk: Desk, sizes: Sizes, reuse: bool, what: str) -> None:
    """Build the desk unless ``reuse`` and it was built with these sizes; then bring its
    schema to the newest migration (a desk built before a migration gets it here, with
    fresh statistics for the planner, not in the middle of a measurement)."""
    meta = desk.built_with()
    if reuse and meta is not None and meta.get("sizes") == sizes.key():
        print(f"{what}: reusing the desk built earlier with these sizes (--reuse)")
    else:
        desk.remove()
        print(f"{what}: building …", flush=True)
        report = _build_child(desk, sizes)
        inserted = sum(report["rows"].values())
        phases = report["phases"]
        print(
            f"{what}: {report['wall']:.1f} s in all; {inserted:,} rows generated and inserted "
            f"in {phases['insert']:.1f} s ({inserted / max(phases['insert'], 1e-9):,.0f} rows/s; "
            f"database alone {inserted / max(phases['db'], 1e-9):,.0f} rows/s); "
            f"search indexes {phases['fts article'] + phases['fts statement']:.1f} s; "
            f"ANALYZE {phases['analyze']:.1f} s; builder peak RSS {report['rss']:.0f} MB"
        )
        desk.record({"sizes": sizes.key(), "rows": report["rows"]})
    from db.engine import make_engine, open_desk
    from db.migrate import current_revision

    engine = make_engine(desk.location)
    try:
        with engine.connect() as conn:
            before = current_revision(conn)
    finally:
        engine.dispose()
    began = time.perf_counter()
    engine = open_desk(desk.location)
    try:
        with engine.connect() as conn:
            after = current_revision(conn)
        if after != before:
            analyze(engine)
            print(
                f"{what}: migrated from {before} to {after} and analysed in "
                f"{time.perf_counter() - began:.1f} s"
            )
    finally:
        engine.dispose()
    print(f"{what}: {desk.label}, {desk.size_mb():,.0f} MB", flush=True)


def _sizes(args: argparse.Namespace) -> Sizes:
    base = QUICK if args.quick else Sizes()
    return Sizes(
        articles=args.articles if args.articles is not None else base.articles,
        statements=args.statements if args.statements is not None else base.statements,
        links=args.links if args.links is not None else base.links,
        events=args.events if args.events is not None else base.events,
        seed=args.seed,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--quick", action="store_true", help="10k articles, 100k statements")
    parser.add_argument("--articles", type=int, default=None, help="default 100,000")
    parser.add_argument("--statements", type=int, default=None, help="default 1,000,000")
    parser.add_argument("--links", type=int, default=None, help="default 200,000")
    parser.add_argument("--events", type=int, default=None, help="default 5,000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reps", type=int, default=120, help="repetitions per figure")
    parser.add_argument("--keys", type=int, default=30, help="'down' presses per pane")
    parser.add_argument("--starts", type=int, default=5, help="app starts timed")
    parser.add_argument("--commits", type=int, default=40, help="commits for live refresh")
    parser.add_argument(
        "--db", default=None, help="desk file, or postgresql URL (default: a cached one)"
    )
    parser.add_argument("--baseline-db", default=None, help="the small desk's file or URL")
    parser.add_argument(
        "--reuse", action="store_true", help="keep a desk built with the same sizes"
    )
    parser.add_argument(
        "--clock", choices=tuple(CLOCKS), default="wall", help="wall time (default) or CPU time"
    )
    parser.add_argument(
        "--parts", default=None, help=f"comma-separated subset of {','.join(PARTS)}"
    )
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    unknown = set(args.parts.split(",")) - set(PARTS) if args.parts else set()
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    sizes = _sizes(args)
    if args.build_only:  # the child: build, then one JSON line for the parent
        built = build(args.db, sizes, log=lambda line: print(line, flush=True))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({"rows": built.rows, "phases": built.phases, "rss": peak}))
        return 0

    desk = desk_at(args.backend, args.db) if args.db else default_desk(args.backend, _stem(sizes))
    small = baseline_sizes(sizes)
    if small == sizes:
        base_desk = desk
    elif args.baseline_db:
        base_desk = desk_at(args.backend, args.baseline_db)
    elif args.db:
        base_desk = _derived(desk, "-baseline")
    else:
        base_desk = default_desk(args.backend, _stem(small))
    print(
        f"backend: {args.backend}\n"
        f"sizes: {sizes.articles:,} articles, {sizes.statements:,} statements, "
        f"{sizes.links:,} links, {sizes.events:,} events, {sizes.actors:,} actors, "
        f"{sizes.issues} issues, {sizes.sources} sources\n"
        f"small desk (baseline): {small.articles:,} articles, {small.statements:,} statements"
        + (" (the desk itself)" if base_desk == desk else ""),
        flush=True,
    )
    _ready(desk, sizes, args.reuse, "desk")
    if base_desk != desk:
        _ready(base_desk, small, args.reuse, "small desk")
    global _clock
    _clock = CLOCKS[args.clock]
    load = os.getloadavg()[0]
    began = time.perf_counter()
    figures, by_kind = measure(desk, base_desk, args, lambda line: print(line, flush=True))
    print(
        f"measured ({args.clock} clock in this process, wall clock for the app) in "
        f"{time.perf_counter() - began:.1f} s on {os.cpu_count()} CPUs; "
        f"load average {load:.1f} before, {os.getloadavg()[0]:.1f} after (other work on "
        "the machine shows in the p95s)\n"
    )
    print(table(figures, f"figures on {args.backend} (baselines measured in the same run)"))
    if by_kind:
        print()
        print(table(by_kind, "search by kind of query (detail of the search rows above)"))
    judged = [f for f in figures if f.goal_value is not None]
    missed = [f for f in judged if f.missed]
    print(f"\n{len(missed)} of {len(judged)} goals missed")
    for figure in missed:
        print(f"  missed: {figure.operation} ({figure.base})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
