"""The demo desk: a fictional diplomatic story, loaded through the repository layer.

It is written for this project (``desk.toml``) and loaded in one transaction, so the Change
log holds it like any editor's work, an open session sees it arrive live, and a killed load
leaves nothing half-made.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

from sqlmodel import select

from db.models import Source
from db.repo import Repo

DESK_FILE = "desk.toml"


@dataclass(frozen=True)
class DemoResult:
    loaded: bool  # False when the desk already held the demo
    counts: dict[str, int]


def demo_data() -> dict[str, Any]:
    return tomllib.loads(resources.files(__package__).joinpath(DESK_FILE).read_text("utf-8"))


def _date(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def is_loaded(repo: Repo, data: dict[str, Any] | None = None) -> bool:
    data = data or demo_data()
    urls = [source["url"] for source in data["sources"]]
    with repo.read() as session:
        return session.exec(select(Source.id).where(Source.url.in_(urls))).first() is not None  # type: ignore[union-attr]


def load_demo(repo: Repo) -> DemoResult:
    data = demo_data()
    if is_loaded(repo, data):
        return DemoResult(False, {})
    ids: dict[str, dict[str, int]] = {
        name: {} for name in ("source", "actor", "article", "issue", "statement", "event")
    }
    texts: dict[str, str] = {}
    with repo.batch():
        for source in data["sources"]:
            row = repo.add_source(source["name"], source["url"], source.get("kind", "feed"))
            ids["source"][source["key"]] = row.id  # type: ignore[assignment]
        pending = list(data["actors"])
        while pending:  # parents first, whatever order the file lists them in
            progress = False
            for actor in list(pending):
                parent = actor.get("parent") or None
                if parent and parent not in ids["actor"]:
                    continue
                row = repo.add_actor(
                    actor["name"],
                    actor.get("kind", "person"),
                    aliases=actor.get("aliases", []),
                    parent_id=ids["actor"][parent] if parent else None,
                )
                ids["actor"][actor["key"]] = row.id  # type: ignore[assignment]
                pending.remove(actor)
                progress = True
            if not progress:
                raise ValueError("demo actors have a parent cycle or an unknown parent")
        for article in data["articles"]:
            row = repo.add_article(
                title=article["title"],
                text=article["text"],
                source_id=ids["source"][article["source"]],
                url=article.get("url"),
                byline=article.get("byline", ""),
                published_at=dt.datetime.fromisoformat(article["published"]),
            )
            ids["article"][article["key"]] = row.id  # type: ignore[assignment]
            texts[article["key"]] = article["text"]
        for issue in data["issues"]:
            row = repo.add_issue(issue["title"], issue.get("description", ""))
            ids["issue"][issue["key"]] = row.id  # type: ignore[assignment]
        for st in data["statements"]:
            text = texts[st["article"]]
            start = text.find(st["evidence"])
            if start < 0:
                raise ValueError(f"demo statement {st['key']}: evidence not in its article")
            row = repo.add_statement(
                text=st["text"],
                article_id=ids["article"][st["article"]],
                evidence=(start, start + len(st["evidence"])),
                speaker_id=ids["actor"][st["speaker"]] if st.get("speaker") else None,
                attribution=st.get("attribution", ""),
                quote=bool(st.get("quote")),
                said_on=_date(st.get("said_on", "")),
                said_until=_date(st.get("said_until", "")),
                date_precision=st.get("precision", "unknown"),
                review=st.get("review", "accepted"),
                verification=st.get("verification", "unverified"),
                tags=st.get("tags", []),
                notes=st.get("notes", ""),
                issue_id=ids["issue"][st["issue"]] if st.get("issue") else None,
            )
            ids["statement"][st["key"]] = row.id  # type: ignore[assignment]
        for link in data["links"]:
            repo.add_link(
                ids["statement"][link["from"]],
                ids["statement"][link["to"]],
                link["relation"],
                note=link.get("note", ""),
                review=link.get("review", "accepted"),
            )
        positions: dict[str, int] = {}
        for pos in data["positions"]:
            row = repo.add_position(
                issue_id=ids["issue"][pos["issue"]],
                actor_id=ids["actor"][pos["actor"]],
                summary=pos["summary"],
                as_of=_date(pos.get("as_of", "")),
                review=pos.get("review", "accepted"),
                statement_ids=[ids["statement"][key] for key in pos.get("statements", [])],
            )
            positions[f"{pos['issue']}/{pos['actor']}/{pos.get('as_of', '')}"] = row.id  # type: ignore[assignment]
        for event in data["events"]:
            row = repo.add_event(
                title=event["title"],
                date=dt.date.fromisoformat(event["date"]),
                date_end=_date(event.get("date_end", "")),
                precision=event.get("precision", "day"),
                description=event.get("description", ""),
                review=event.get("review", "accepted"),
                actor_ids=[ids["actor"][key] for key in event.get("actors", [])],
                statement_ids=[ids["statement"][key] for key in event.get("statements", [])],
            )
            ids["event"][event["key"]] = row.id  # type: ignore[assignment]
        for collection in data["collections"]:
            row = repo.add_collection(collection["name"], collection.get("description", ""))
            for item in collection.get("items", []):
                kind = item["kind"]
                item_id = positions[item["key"]] if kind == "position" else ids[kind][item["key"]]
                repo.add_to_collection(row.id, kind, item_id, item.get("note", ""))  # type: ignore[arg-type]
    counts = {name: len(values) for name, values in ids.items()}
    counts.update(
        link=len(data["links"]),
        position=len(data["positions"]),
        collection=len(data["collections"]),
    )
    return DemoResult(True, counts)
