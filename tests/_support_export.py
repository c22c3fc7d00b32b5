"""A small, deterministic desk for the export tests and their golden files.

Built through the repository (``Repo``) on a fresh desk, so ids are the same on every run;
the few values the repository stamps with the clock (``created_at``, ``updated_at``) are
pinned afterwards, and exports get a pinned ``now``. The text is deliberately hostile in
places: a statement with a pipe, a newline and ``=cmd`` (Markdown tables, CSV injection),
one with ``<script>`` and backticks (HTML, TimelineJS), an article whose URL is
``javascript:`` (must never become a link), an issue title with a pipe.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import update
from sqlmodel import SQLModel

from db.engine import open_desk
from db.repo import Repo
from workbench.export import ExportOptions

EDITOR = "golden-desk"
EXPORTER = "Maria Export"
NOW = dt.datetime(2026, 11, 12, 9, 30, tzinfo=dt.UTC)
STAMP = dt.datetime(2026, 11, 10, 8, 0, tzinfo=dt.UTC)
COLLECTION = "Verrin talks"
ORGANISATION = "Example Fact Desk"
ORGANISATION_URL = "https://factdesk.example/checks"

HOSTILE_TEXT = "=cmd|' /C calc'!A0 says the | pipe\nand a second line"
SCRIPT_TEXT = 'Officials said <script>alert("x")</script> and `rm -rf` & more'

ARTICLE_1 = (
    "LISK, Nov 4 (Meridian Wire) - President Tomás Idrevo said on Tuesday: "
    '"We are ready to talk, today and every day." His foreign minister added that '
    'Officials said <script>alert("x")</script> and `rm -rf` & more were rumours.'
)
ARTICLE_2 = (
    "MARSTADT, Nov 5 - The Ministry of Water said filling of the Verrin reservoir has "
    "stopped completely. Piet Savolder said =cmd|' /C calc'!A0 says the | pipe\n"
    "and a second line, calling the claim a provocation."
)
ARTICLE_3 = (
    "A brief from the Lisk Courier. Savolder told reporters the talks would take weeks, "
    "and the ministry later corrected its earlier figure."
)


@dataclass(frozen=True)
class FixtureDesk:
    path: Path
    repo: Repo
    ids: dict[str, int]


def _span(text: str, phrase: str) -> tuple[int, int]:
    start = text.index(phrase)
    return start, start + len(phrase)


def build_fixture_desk(path: Path) -> FixtureDesk:
    """The fixture desk at ``path`` (a new file)."""
    repo = Repo(open_desk(str(path)), EDITOR)
    ids: dict[str, int] = {}
    with repo.batch():
        wire = repo.add_source("Meridian Wire", "https://meridianwire.example/rss")
        courier = repo.add_source("The Lisk Courier", "https://liskcourier.example/feed")
        a1 = repo.add_article(
            title="Idrevo: ready to talk | 'today'",
            text=ARTICLE_1,
            source_id=wire.id,
            url="https://meridianwire.example/2026/11/04/ready-to-talk",
        )
        a2 = repo.add_article(
            title="Ministry: filling has stopped",
            text=ARTICLE_2,
            source_id=wire.id,
            url="https://meridianwire.example/2026/11/05/filling(stopped)",
        )
        a3 = repo.add_article(
            title="Savolder expects weeks of talks",
            text=ARTICLE_3,
            source_id=courier.id,
            url="javascript:alert(document.cookie)",
        )
        idrevo = repo.add_actor("Tomás Idrevo", "person")
        ministry = repo.add_actor("Ministry of Water", "organisation")
        savolder = repo.add_actor("Piet Savolder", "person")
        talks = repo.add_issue("Will the talks open?")
        dam = repo.add_issue("Dam | filling paused?")
        s1 = repo.add_statement(
            text="We are ready to talk, today and every day.",
            article_id=a1.id,
            evidence=_span(ARTICLE_1, "We are ready to talk, today and every day."),
            speaker_id=idrevo.id,
            quote=True,
            said_on=dt.date(2026, 11, 4),
            date_precision="day",
            verification="verified",
            tags=["talks", "leaders"],
            notes="Desk note: confirmed on tape.",
            issue_id=talks.id,
        )
        s2 = repo.add_statement(
            text="Filling of the Verrin reservoir has stopped completely.",
            article_id=a2.id,
            evidence=_span(ARTICLE_2, "filling of the Verrin reservoir has stopped completely"),
            speaker_id=ministry.id,
            said_on=dt.date(2026, 11, 1),
            date_precision="month",
            verification="false",
            issue_id=dam.id,
        )
        s3 = repo.add_statement(
            text=HOSTILE_TEXT,
            article_id=a2.id,
            evidence=_span(ARTICLE_2, HOSTILE_TEXT),
            speaker_id=savolder.id,
            said_on=dt.date(2026, 11, 5),
            date_precision="approximate",
            verification="misleading",
            issue_id=dam.id,
        )
        s4 = repo.add_statement(
            text=SCRIPT_TEXT,
            article_id=a1.id,
            evidence=_span(ARTICLE_1, SCRIPT_TEXT),
            attribution="officials close to the talks",
            said_on=dt.date(2026, 11, 4),
            said_until=dt.date(2026, 11, 6),
            date_precision="day",
            verification="disputed",
            issue_id=talks.id,
        )
        s5 = repo.add_statement(
            text="The talks will take weeks, not days.",
            article_id=a3.id,
            evidence=_span(ARTICLE_3, "the talks would take weeks"),
            speaker_id=savolder.id,
            verification="unverified",
            issue_id=talks.id,
        )
        s6 = repo.add_statement(
            text="The ministry's earlier figure was wrong.",
            article_id=a3.id,
            evidence=_span(ARTICLE_3, "the ministry later corrected its earlier figure"),
            speaker_id=ministry.id,
            said_on=dt.date(2026, 11, 7),
            date_precision="day",
            verification="superseded",
            issue_id=dam.id,
        )
        s7 = repo.add_statement(  # a machine suggestion nobody accepted: never published
            text="Suggested but never accepted.",
            article_id=a3.id,
            speaker_id=idrevo.id,
            review="suggested",
            said_on=dt.date(2026, 11, 8),
            date_precision="day",
        )
        repo.add_link(s3.id, s2.id, "supports", note="same | story")  # type: ignore[arg-type]
        repo.add_link(s4.id, s1.id, "contradicts")  # type: ignore[arg-type]
        repo.add_link(s6.id, s2.id, "responds_to")  # type: ignore[arg-type]
        repo.add_link(s7.id, s1.id, "supports")  # type: ignore[arg-type]  (to a suggestion)
        p1 = repo.add_position(
            issue_id=talks.id,  # type: ignore[arg-type]
            actor_id=idrevo.id,  # type: ignore[arg-type]
            summary="Open to talks, no date",
            as_of=dt.date(2026, 11, 1),
        )
        p2 = repo.add_position(
            issue_id=talks.id,  # type: ignore[arg-type]
            actor_id=idrevo.id,  # type: ignore[arg-type]
            summary="Ready to talk 'today'",
            as_of=dt.date(2026, 11, 4),
            statement_ids=[s1.id],  # type: ignore[list-item]
        )
        p3 = repo.add_position(
            issue_id=dam.id,  # type: ignore[arg-type]
            actor_id=ministry.id,  # type: ignore[arg-type]
            summary="Says filling stopped | no numbers",
            as_of=dt.date(2026, 11, 5),
            statement_ids=[s2.id],  # type: ignore[list-item]
        )
        p4 = repo.add_position(
            issue_id=talks.id,  # type: ignore[arg-type]
            actor_id=savolder.id,  # type: ignore[arg-type]
            summary="Expects <weeks> of talks",
            as_of=None,
        )
        e1 = repo.add_event(
            title="Talks in Lisk",
            date=dt.date(2026, 11, 4),
            date_end=dt.date(2026, 11, 6),
            precision="day",
            description="Three days at the Villa Ardenne.",
            actor_ids=[savolder.id, idrevo.id],  # type: ignore[list-item]
            statement_ids=[s1.id],  # type: ignore[list-item]
        )
        e2 = repo.add_event(
            title="Filling of the reservoir begins",
            date=dt.date(2026, 10, 1),
            precision="month",
            description="Reported as 'early October'.",
            actor_ids=[ministry.id],  # type: ignore[list-item]
        )
        e3 = repo.add_event(
            title="Guards exchanged at <Merrow>",
            date=dt.date(2026, 11, 2),
            precision="approximate",
            description="Five guards.\nExact day not confirmed.",
        )
        collection = repo.ensure_collection(COLLECTION, "For the web desk | evening shift")
        repo.add_items(
            collection.id,  # type: ignore[arg-type]
            [("statement", s4.id), ("statement", s1.id), ("statement", s3.id)],  # type: ignore[list-item]
        )
        repo.add_items(collection.id, [("event", e1.id)], note="Lead with this")  # type: ignore[arg-type,list-item]
        repo.add_items(collection.id, [("position", p2.id)])  # type: ignore[arg-type,list-item]
        repo.add_items(collection.id, [("statement", s7.id)], note="Check | first\nthen run")  # type: ignore[arg-type,list-item]
        repo.ensure_collection("Archive")
    for name, row in {
        "a1": a1, "a2": a2, "a3": a3, "idrevo": idrevo, "ministry": ministry,
        "savolder": savolder, "talks": talks, "dam": dam, "s1": s1, "s2": s2, "s3": s3,
        "s4": s4, "s5": s5, "s6": s6, "s7": s7, "p1": p1, "p2": p2, "p3": p3, "p4": p4,
        "e1": e1, "e2": e2, "e3": e3, "collection": collection,
    }.items():  # fmt: skip
        ids[name] = row.id  # type: ignore[assignment]
    _pin_clock(repo)
    return FixtureDesk(path, repo, ids)


def _pin_clock(repo: Repo) -> None:
    """Every row's created/updated time, set to one fixed moment (the repository stamps
    them with the clock; the golden files must not change from run to run)."""
    with repo.engine.begin() as conn:
        for table in SQLModel.metadata.sorted_tables:
            columns = {c.name for c in table.columns}
            if {"created_at", "updated_at"} <= columns:
                conn.execute(update(table).values(created_at=STAMP, updated_at=STAMP))


def options(**changes: object) -> ExportOptions:
    """Export options with the pinned clock and exporter."""
    base: dict[str, object] = {"editor": EXPORTER, "now": NOW}
    base.update(changes)
    return ExportOptions(**base)  # type: ignore[arg-type]
