"""Repository operations around statements: saving an editor's form, machine suggestions,
merging actors, and keeping evidence attached to text that changes.

A mixin of ``Repo``: the same transactions and Change log as every other write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert
from sqlmodel import col, select

from db.clean import strip_controls
from db.models import (
    Actor,
    ActorAlias,
    Article,
    Change,
    EventActor,
    Position,
    Statement,
    normalise_name,
)
from db.tx import (
    ValidationError,
    _json_value,
    _Tx,
    quote_selector,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine

#: How closely re-found evidence must match its old words (rapidfuzz partial ratio, 0–100).
REFIND_THRESHOLD = 85.0


@dataclass(frozen=True)
class SuggestedStatement:
    """A statement the extractor proposes (see workbench.extract), ready to store."""

    start: int
    end: int
    text: str
    speaker_id: int | None = None
    attribution: str = ""
    quote: bool = False
    said_on: dt.date | None = None
    said_until: dt.date | None = None
    precision: str = "unknown"
    date_text: str = ""
    score: float | None = None
    tags: tuple[str, ...] = ()  # e.g. "belief", "intention": not every claim is a saying


class StatementsMixin:
    """Statement-side operations; ``Repo`` supplies ``_write``, ``read`` and ``editor``."""

    engine: Engine
    editor: str

    if TYPE_CHECKING:

        def _write(self) -> AbstractContextManager[_Tx]: ...

    # ------------------------------------------------------------------ the editor's form

    def save_statement(
        self,
        values: dict[str, Any],
        *,
        statement_id: int | None = None,
        expected_version: int | None = None,
        new_speaker: tuple[str, str] | None = None,
    ) -> Statement:
        """Create or update a statement from an editor's form, in one transaction.

        ``new_speaker`` (name, kind) creates that actor first and makes it the speaker:
        the form offers "new actor" when the typed name matches nobody. An update names
        the version the form was opened at; a newer stored version raises ConflictError
        and changes nothing.
        """
        values = dict(values)
        with self._write() as tx:
            if new_speaker is not None:
                name, kind = new_speaker
                actor = _add_actor(tx, name, kind)
                values["speaker_id"] = actor.id
            if statement_id is None:
                evidence = values.pop("evidence", None)
                if evidence is not None:
                    values["evidence_start"], values["evidence_end"] = evidence
                return tx.insert(Statement(**values))
            statement = tx.get(Statement, statement_id)
            values.pop("evidence", None)
            return tx.update(statement, values, expected_version)

    # ------------------------------------------------------------------ suggestions

    def store_suggestions(
        self, article_id: int, suggestions: Sequence[SuggestedStatement]
    ) -> list[int]:
        """Store the extractor's statements for an article as suggestions.

        What is still only a suggestion from an earlier pass is replaced; what an editor
        accepted or dismissed stays, and the same evidence is not suggested again. Bulk
        inserts with one Change row each, in one transaction.
        """
        with self._write() as tx:
            article = tx.get(Article, article_id)
            reviewed: set[tuple[int | None, int | None]] = set()
            for statement in tx.session.exec(
                select(Statement).where(
                    Statement.article_id == article_id, col(Statement.deleted_at).is_(None)
                )
            ):
                if statement.review == "suggested":
                    tx.update(statement, {"deleted_at": tx.now}, None, op="delete")
                else:
                    reviewed.add((statement.evidence_start, statement.evidence_end))
            rows = []
            for s in suggestions:
                if not s.text.strip() or _covered(s.start, s.end, reviewed):
                    continue
                selector = quote_selector(article.text, s.start, s.end)
                rows.append(
                    {
                        "article_id": article_id,
                        **selector,
                        "speaker_id": s.speaker_id,
                        "attribution": strip_controls(s.attribution),
                        "text": strip_controls(s.text.strip()),
                        "quote": s.quote,
                        "said_on": s.said_on,
                        "said_until": s.said_until
                        if s.said_until and s.said_on and s.said_until >= s.said_on
                        else None,
                        "date_precision": s.precision,
                        "date_text": strip_controls(s.date_text),
                        "review": "suggested",
                        "verification": "unverified",
                        "tags": list(s.tags),
                        "notes": "",
                        "score": s.score,
                        "editor": tx.editor,
                        "created_at": tx.now,
                        "updated_at": tx.now,
                        "version": 1,
                    }
                )
            if not rows:
                return []
            returning = insert(Statement).returning(Statement.id, sort_by_parameter_order=True)
            ids = list(tx.session.execute(returning, rows).scalars())
            tx.index.added("statement", ids)
            tx.session.execute(
                insert(Change),
                [
                    {
                        "at": tx.now,
                        "editor": tx.editor,
                        "txn": tx.txn,
                        "op": "create",
                        "entity": "statement",
                        "entity_id": statement_id,
                        "diff": {
                            k: [None, _json_value(v)]
                            for k, v in row.items()
                            if k not in ("created_at", "updated_at", "version")
                            and v not in (None, "", [])
                        },
                    }
                    for statement_id, row in zip(ids, rows, strict=True)
                ],
            )
            return ids

    # ------------------------------------------------------------------ actors

    def merge_actors(self, from_id: int, into_id: int) -> Actor:
        """Make two actors one: statements, positions, events, aliases and children of
        ``from_id`` move to ``into_id``, each move logged; ``from_id`` is then deleted
        (softly, so the merge can be read in the log and undone)."""
        if from_id == into_id:
            raise ValidationError("an actor cannot be merged into itself")
        with self._write() as tx:
            source, target = tx.get(Actor, from_id), tx.get(Actor, into_id)
            ancestor = target.parent_id
            while ancestor is not None:  # merging a parent into its own child would loop
                if ancestor == from_id:
                    raise ValidationError(
                        f"{target.name} is under {source.name}; merge the other way"
                    )
                ancestor = tx.session.get(Actor, ancestor).parent_id  # type: ignore[union-attr]
            for statement in tx.session.exec(
                select(Statement).where(
                    Statement.speaker_id == from_id, col(Statement.deleted_at).is_(None)
                )
            ):
                tx.update(statement, {"speaker_id": into_id}, None, op="merge")
            for position in tx.session.exec(
                select(Position).where(
                    Position.actor_id == from_id, col(Position.deleted_at).is_(None)
                )
            ):
                tx.update(position, {"actor_id": into_id}, None, op="merge")
            for child in tx.session.exec(
                select(Actor).where(Actor.parent_id == from_id, col(Actor.deleted_at).is_(None))
            ):
                tx.update(child, {"parent_id": into_id}, None, op="merge")
            moved_events = []
            for link in tx.session.exec(select(EventActor).where(EventActor.actor_id == from_id)):
                if tx.session.get(EventActor, (link.event_id, into_id)) is None:
                    tx.session.add(EventActor(event_id=link.event_id, actor_id=into_id))
                tx.session.delete(link)
                moved_events.append(link.event_id)
            target_norms = set(
                tx.session.exec(select(ActorAlias.norm).where(ActorAlias.actor_id == into_id))
            )
            old_aliases = list(
                tx.session.exec(
                    select(ActorAlias.alias)
                    .where(ActorAlias.actor_id == into_id)
                    .order_by(col(ActorAlias.id))
                )
            )
            added = []
            for alias in tx.session.exec(select(ActorAlias).where(ActorAlias.actor_id == from_id)):
                if alias.norm not in target_norms:
                    tx.session.add(ActorAlias(actor_id=into_id, alias=alias.alias, norm=alias.norm))
                    target_norms.add(alias.norm)
                    added.append(alias.alias)
                tx.session.delete(alias)
            extra: dict[str, list[Any]] = {"merged_from": [None, from_id]}
            if added:
                extra["aliases"] = [old_aliases, [*old_aliases, *added]]
            if moved_events:
                extra["events"] = [None, moved_events]
            tx.update(target, {}, None, extra=extra, op="merge")
            tx.update(
                source,
                {"deleted_at": tx.now},
                None,
                extra={"merged_into": [None, into_id]},
                op="delete",
            )
            return target

    def actor_entries(self) -> list[tuple[int, str, str, tuple[str, ...], int | None]]:
        """(id, name, kind, aliases, parent) of live actors: what the speaker autocomplete
        and the extractor's resolver are built from."""
        with self.read() as session:  # type: ignore[attr-defined]
            actors = session.exec(
                select(Actor).where(col(Actor.deleted_at).is_(None)).order_by(col(Actor.id))
            ).all()
            aliases: dict[int, list[str]] = {}
            for actor_id, alias in session.exec(
                select(ActorAlias.actor_id, ActorAlias.alias).order_by(col(ActorAlias.id))
            ):
                aliases.setdefault(actor_id, []).append(alias)
        return [
            (int(a.id), a.name, a.kind, tuple(aliases.get(int(a.id), ())), a.parent_id)  # type: ignore[arg-type]
            for a in actors
        ]

    def orphaned_statements(self) -> list[Statement]:
        """Statements whose evidence could not be found again after their article changed:
        listed for an editor, never silently dropped."""
        with self.read() as session:  # type: ignore[attr-defined]
            return list(
                session.exec(
                    select(Statement)
                    .where(
                        col(Statement.article_id).is_not(None),
                        col(Statement.evidence_start).is_(None),
                        col(Statement.evidence_exact) != "",
                        col(Statement.deleted_at).is_(None),
                    )
                    .order_by(col(Statement.id))
                )
            )


def _covered(start: int, end: int, spans: set[tuple[int | None, int | None]]) -> bool:
    """Whether an editor already has a statement on (most of) this evidence: a suggestion
    overlapping a reviewed statement by half of the shorter span or more is not made."""
    for other_start, other_end in spans:
        if other_start is None or other_end is None:
            continue
        overlap = min(end, other_end) - max(start, other_start)
        shorter = min(end - start, other_end - other_start)
        if shorter > 0 and overlap * 2 >= shorter:
            return True
    return False


def _add_actor(tx: _Tx, name: str, kind: str) -> Actor:
    name = " ".join(strip_controls(name).split())
    actor = tx.insert(Actor(name=name, kind=kind), extra={"aliases": [name]})
    tx.session.add(ActorAlias(actor_id=actor.id, alias=name, norm=normalise_name(name)))  # type: ignore[arg-type]
    return actor


def refind_evidence(
    text: str, prefix: str, exact: str, suffix: str, start_hint: int | None = None
) -> tuple[int, int] | None:
    """Where evidence stands in a changed text: verbatim with its context, verbatim alone,
    then fuzzily (rapidfuzz's best partial alignment of the old words, above
    ``REFIND_THRESHOLD``). None when it is gone: the statement is then orphaned.

    Where the words occur more than once (a repeated "he said yes"), the occurrence
    nearest the old TextPosition ``start_hint`` wins, as the W3C selectors intend: the
    first occurrence would pin a statement on a sentence the editor never marked."""
    found = _nearest(text, prefix + exact + suffix, start_hint, len(prefix))
    if found is not None:
        return found, found + len(exact)
    found = _nearest(text, exact, start_hint, 0)
    if found is not None:
        return found, found + len(exact)
    if len(exact) < 12:
        return None  # too short to recognise reworded
    from rapidfuzz import fuzz

    alignment = fuzz.partial_ratio_alignment(exact, text, score_cutoff=REFIND_THRESHOLD)
    if alignment is None:
        return None
    # The alignment is exactly as long as the old words: with words added it cuts one
    # ("he said" for "she said"), with words dropped it takes in a space. Whole words only.
    start, end = alignment.dest_start, alignment.dest_end
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _nearest(text: str, needle: str, hint: int | None, offset: int) -> int | None:
    """Start (plus ``offset``) of the occurrence of ``needle`` nearest ``hint``."""
    best: int | None = None
    at = text.find(needle)
    while at >= 0:
        candidate = at + offset
        if hint is None:
            return candidate
        if best is None or abs(candidate - hint) < abs(best - hint):
            best = candidate
        elif candidate > hint:
            break  # later occurrences only move further away
        at = text.find(needle, at + 1)
    return best


__all__ = ["StatementsMixin", "SuggestedStatement", "refind_evidence"]
