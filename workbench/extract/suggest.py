"""Putting the extractor's statements into the desk as suggestions.

Used at ingest (for every new or changed article) and on demand (``x`` in the reader,
``workbench suggest``). The resolver is built once per run from the desk's actors and
aliases, not per article.
"""

from __future__ import annotations

from collections.abc import Iterable

from db.repo import Repo
from db.repo_statements import SuggestedStatement
from workbench.extract.actors import ActorEntry, ActorResolver
from workbench.extract.statements import Candidate, extract_statements


def resolver_for(repo: Repo) -> ActorResolver:
    return ActorResolver([ActorEntry(i, n, k, a, p) for i, n, k, a, p in repo.actor_entries()])


def _suggestion(candidate: Candidate) -> SuggestedStatement:
    return SuggestedStatement(
        start=candidate.start,
        end=candidate.end,
        text=candidate.text,
        speaker_id=candidate.speaker_id,
        attribution=candidate.attribution
        or (candidate.speaker_mention if candidate.speaker_id is None else ""),
        quote=candidate.quote,
        said_on=candidate.said_on,
        said_until=candidate.said_until,
        precision=candidate.precision,
        date_text=candidate.date_text,
        score=round(candidate.score, 3),
        tags=() if candidate.kind == "speech" else (candidate.kind,),
    )


def suggest_for_article(repo: Repo, article_id: int, resolver: ActorResolver | None = None) -> int:
    """Suggest statements for one article; returns how many were stored."""
    article = repo.article_detail(article_id)
    if article is None:
        return 0
    resolver = resolver or resolver_for(repo)
    published = article.published_at.date() if article.published_at else None
    candidates = extract_statements(article.text, published=published, resolver=resolver)
    return len(repo.store_suggestions(article_id, [_suggestion(c) for c in candidates]))


def suggest_for_articles(repo: Repo, article_ids: Iterable[int]) -> int:
    resolver = resolver_for(repo)
    return sum(suggest_for_article(repo, i, resolver) for i in article_ids)
