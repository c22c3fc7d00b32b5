"""Repository operations around links between statements: the candidate pool the link
picker and the link suggester rank, storing suggested links, and the review list.

A mixin of ``Repo``. Ranking itself (rapidfuzz, negation and modality cues) lives in
``workbench.linking``: storage hands out rows, the app judges them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, or_, select

from db.models import Link, Relation, Statement
from db.search import newest_ids, placeholders
from db.tx import _choice, _Tx

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine


@dataclass(frozen=True)
class LinkCandidate:
    """A statement as the link picker and the suggester see it."""

    id: int
    text: str
    speaker_id: int | None
    speaker: str
    issue_id: int | None
    said_on: dt.date | None
    article_id: int | None
    outlet: str
    review: str
    verification: str
    #: The speaker's outermost parent (Dana Mirek → Foreign Office → Ostmarin): one side.
    side_id: int | None = None


@dataclass(frozen=True)
class LinkProposal:
    """A link the desk proposes: ``from_id`` is the later statement."""

    from_id: int
    to_id: int
    relation: str
    note: str = ""


@dataclass(frozen=True)
class SuggestedLinkRow:
    """One suggested link with both statements, for the review list."""

    link_id: int
    version: int
    relation: str
    note: str
    from_side: LinkCandidate
    to_side: LinkCandidate


_CANDIDATE_SQL = (
    "SELECT statement.id, statement.text, statement.speaker_id, coalesce(actor.name, ''), "
    "statement.issue_id, statement.said_on, statement.article_id, coalesce(source.name, ''), "
    "statement.review, statement.verification FROM statement "
    "LEFT JOIN actor ON actor.id = statement.speaker_id "
    "LEFT JOIN article ON article.id = statement.article_id "
    "LEFT JOIN source ON source.id = article.source_id "
)


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _candidate(row: Sequence[Any], parents: dict[int, int | None]) -> LinkCandidate:
    return LinkCandidate(
        id=int(row[0]),
        text=row[1] or "",
        speaker_id=row[2],
        speaker=row[3] or "",
        issue_id=row[4],
        said_on=_as_date(row[5]),
        article_id=row[6],
        outlet=row[7] or "",
        review=row[8],
        verification=row[9],
        side_id=_root(row[2], parents),
    )


def _parents(conn: Connection, actor_ids: set[int]) -> dict[int, int | None]:
    """Each of these actors' parent, and theirs, up to the roots: a desk has thousands of
    actors and a pool names a few dozen, so reading every actor's parent cost more than
    the pool itself (bench/scale.py)."""
    parents: dict[int, int | None] = {}
    todo = sorted(actor_ids)
    while todo:
        for start in range(0, len(todo), 500):
            chunk = todo[start : start + 500]
            marks = placeholders(conn, len(chunk))
            for actor_id, parent_id in conn.exec_driver_sql(
                f"SELECT id, parent_id FROM actor WHERE id IN ({marks})", tuple(chunk)
            ):
                parents[int(actor_id)] = parent_id
        todo = sorted({p for p in parents.values() if p is not None and p not in parents})
    return parents


def _root(actor_id: int | None, parents: dict[int, int | None]) -> int | None:
    seen: set[int] = set()
    while actor_id is not None and parents.get(actor_id) is not None and actor_id not in seen:
        seen.add(actor_id)
        actor_id = parents[actor_id]
    return actor_id


class LinksMixin:
    engine: Engine
    editor: str

    if TYPE_CHECKING:

        def _write(self) -> AbstractContextManager[_Tx]: ...
        def read(self) -> AbstractContextManager[Session]: ...

    # ---------------------------------------------------------------- candidates

    def statement_candidates(self, ids: Sequence[int]) -> dict[int, LinkCandidate]:
        """Live, not dismissed statements by id, with speaker and outlet names."""
        ids = list(dict.fromkeys(int(i) for i in ids))
        rows: list[Sequence[Any]] = []
        with self.read() as session:
            conn = session.connection()
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = placeholders(conn, len(chunk))
                rows += conn.exec_driver_sql(
                    _CANDIDATE_SQL + f"WHERE statement.id IN ({marks}) "
                    "AND statement.deleted_at IS NULL AND statement.review != 'dismissed'",
                    tuple(chunk),
                ).fetchall()
            parents = _parents(conn, {row[2] for row in rows if row[2] is not None})
        return {int(row[0]): _candidate(row, parents) for row in rows}

    def link_pool(
        self,
        subject: LinkCandidate,
        fts: str | None,
        *,
        window: int = 200,
        related: int = 60,
    ) -> list[LinkCandidate]:
        """What a statement could link to: the newest ``window`` full-text hits of ``fts``
        and the newest ``related`` statements by the same speaker and on the same issue
        (a denial shares few words with what it denies, but it shares the speaker).

        Each source is a keyset read newest first, so the pool costs the same at any desk
        size. A malformed ``fts`` raises ``QueryError``.
        """
        ids: list[int] = []
        with self.read() as session:
            conn = session.connection()
            if fts:
                ids += newest_ids(conn, "statement", fts, window)
            for column, value in (
                ("speaker_id", subject.speaker_id),
                ("issue_id", subject.issue_id),
            ):
                if value is None:
                    continue
                # Newest by date said, which the (speaker_id | issue_id, said_on) index
                # hands out in order; "ORDER BY id" sorted every statement of a talkative
                # speaker first (120k rows at a million statements: bench/scale.py).
                mark = placeholders(conn, 1)
                ids += [
                    int(r[0])
                    for r in conn.exec_driver_sql(
                        f"SELECT id FROM statement WHERE {column} = {mark} "
                        f"AND deleted_at IS NULL ORDER BY said_on DESC, id DESC LIMIT {mark}",
                        (value, related),
                    )
                ]
        ids = [i for i in dict.fromkeys(ids) if i != subject.id]
        pool = self.statement_candidates(ids)
        return [pool[i] for i in ids if i in pool]

    def linked(self, statement_id: int) -> dict[int, tuple[str, str]]:
        """Statements already linked with this one, either way: other id → (relation,
        review). Dismissed suggestions count, so they are not proposed again."""
        with self.read() as session:
            rows = session.exec(
                select(Link.from_id, Link.to_id, Link.relation, Link.review).where(
                    or_(Link.from_id == statement_id, Link.to_id == statement_id),
                    col(Link.deleted_at).is_(None),
                )
            ).all()
        return {(t if f == statement_id else f): (rel, rev) for f, t, rel, rev in rows}

    def recent_statement_ids(self, limit: int, since_id: int | None = None) -> list[int]:
        """Ids of the newest live, not dismissed statements (the suggester's default work)."""
        with self.read() as session:
            query = select(Statement.id).where(
                col(Statement.deleted_at).is_(None), Statement.review != "dismissed"
            )
            if since_id is not None:
                query = query.where(col(Statement.id) > since_id)
            rows = session.exec(query.order_by(col(Statement.id).desc()).limit(limit))
            return [int(i) for i in rows if i is not None]

    # ---------------------------------------------------------------- suggestions

    def store_link_suggestions(self, proposals: Sequence[LinkProposal]) -> int:
        """Store proposals as suggested links; a pair already linked either way (any
        relation, including a dismissed suggestion) is left alone. Returns how many
        were stored."""
        stored = 0
        with self._write() as tx:
            seen: set[frozenset[int]] = set()
            for proposal in proposals:
                relation = _choice(proposal.relation, Relation, "relation")
                pair = frozenset((proposal.from_id, proposal.to_id))
                if proposal.from_id == proposal.to_id or pair in seen:
                    continue
                seen.add(pair)
                existing = tx.session.exec(
                    select(Link.id).where(
                        or_(
                            (Link.from_id == proposal.from_id) & (Link.to_id == proposal.to_id),
                            (Link.from_id == proposal.to_id) & (Link.to_id == proposal.from_id),
                        )
                    )
                ).first()
                if existing is not None:
                    continue
                tx.insert(
                    Link(
                        from_id=proposal.from_id,
                        to_id=proposal.to_id,
                        relation=relation,
                        note=proposal.note,
                        review="suggested",
                    )
                )
                stored += 1
        return stored

    def suggested_links(self, limit: int = 500) -> list[SuggestedLinkRow]:
        """Suggested links waiting for review, newest first, with both statements."""
        with self.read() as session:
            links = session.exec(
                select(Link)
                .where(Link.review == "suggested", col(Link.deleted_at).is_(None))
                .order_by(col(Link.id).desc())
                .limit(limit)
            ).all()
        sides = self.statement_candidates([i for link in links for i in (link.from_id, link.to_id)])
        return [
            SuggestedLinkRow(
                link_id=link.id,  # type: ignore[arg-type]
                version=link.version,
                relation=link.relation,
                note=link.note,
                from_side=sides[link.from_id],
                to_side=sides[link.to_id],
            )
            for link in links
            if link.from_id in sides and link.to_id in sides
        ]

    def set_link_relation(
        self,
        link_id: int,
        relation: str,
        note: str | None = None,
        expected_version: int | None = None,
    ) -> Link:
        """Change what a link says (the picker re-choosing a relation)."""
        relation = _choice(relation, Relation, "relation")
        with self._write() as tx:
            link = tx.get(Link, link_id)
            values: dict[str, Any] = {"relation": relation}
            if note is not None:
                values["note"] = note
            return tx.update(link, values, expected_version)


__all__ = [
    "LinkCandidate",
    "LinkProposal",
    "LinksMixin",
    "SuggestedLinkRow",
]
