#!/usr/bin/env python3
"""Standalone validator for the Newsroom Workbench demo desk (desk.toml).

Usage:  python tests/check_desk.py [path/to/desk.toml]

Stdlib only (tomllib, Python 3.11+).  Prints "OK" and a count summary, or
lists every problem found and exits with status 1.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
DEFAULT_PATH = HERE.parent / "workbench" / "demo" / "desk.toml"

# ---------------------------------------------------------------- constants
SOURCE_KINDS = {"feed", "page", "file"}
ACTOR_KINDS = {"person", "government", "organisation", "outlet"}
PRECISIONS_STATEMENT = {"day", "month", "year", "approximate", "unknown"}
PRECISIONS_EVENT = {"day", "month", "year", "approximate"}
UNCERTAIN = {"month", "year", "approximate"}
VERIFICATIONS = {
    "unverified",
    "verified",
    "disputed",
    "false",
    "misleading",
    "retracted",
    "superseded",
}
REVIEWS = {"suggested", "accepted", "dismissed"}
RELATIONS = {"supports", "contradicts", "updates", "duplicates", "responds_to"}
ITEM_KINDS = {"statement", "position", "event"}

CUTOFF = date(2026, 11, 20)  # every date must be strictly before this
STORY_START = date(2026, 10, 1)  # articles fall in October-November 2026
# said_on at most this many days before publication, unless the statement
# re-reports ("duplicates" link) an earlier statement and carries its said_on
SAID_ON_MAX_LAG = 7
SAID_UNTIL_MAX_AHEAD = 14  # forward-looking range end, days after publication
MAX_TITLE = 72  # article titles (80-column terminal)
MAX_SHORT = 60  # issue/event titles, position summaries
MAX_NOTE = 80  # collection item notes

# Names the brief reserves (real-world look-alikes and the schema's examples).
FORBIDDEN_NAMES = [
    "Aldova",
    "Brennmark",
    "Varga",
    "Rehn",
    "Kastell",
    "Vasary",
    "Hallor",
    "Quist",
    "Lenz",
    "Calvera",
    "Drossland",
    "Nordholm",
    "Harbour Post",
]

ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
YMD = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")

# Allowed keys and their expected Python types per table.
SCHEMA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "sources": {"key": str, "name": str, "url": str, "kind": str},
    "actors": {"key": str, "name": str, "kind": str, "aliases": list, "parent": str},
    "articles": {
        "key": str,
        "source": str,
        "url": str,
        "title": str,
        "byline": str,
        "published": str,
        "text": str,
    },
    "issues": {"key": str, "title": str, "description": str},
    "statements": {
        "key": str,
        "article": str,
        "evidence": str,
        "speaker": str,
        "attribution": str,
        "text": str,
        "quote": bool,
        "said_on": str,
        "said_until": str,
        "precision": str,
        "verification": str,
        "review": str,
        "issue": str,
        "tags": list,
        "notes": str,
    },
    "links": {"from": str, "to": str, "relation": str, "note": str, "review": str},
    "positions": {
        "issue": str,
        "actor": str,
        "summary": str,
        "as_of": str,
        "review": str,
        "statements": list,
    },
    "events": {
        "key": str,
        "date": str,
        "date_end": str,
        "precision": str,
        "title": str,
        "description": str,
        "actors": list,
        "statements": list,
        "review": str,
    },
    "collections": {"name": str, "description": str, "items": list},
}
ITEM_SCHEMA = {"kind": str, "key": str, "note": str}
TOP_LEVEL = set(SCHEMA) | {"grid"}


class Checker:
    def __init__(self, data: dict, raw: str):
        self.d = data
        self.raw = raw
        self.problems: list[str] = []
        self.stale: dict[str, str] = {}  # statement key -> said_on lag problem, settled by links

    # ------------------------------------------------------------ helpers
    def err(self, msg: str) -> None:
        self.problems.append(msg)

    def table(self, name: str) -> list[dict]:
        value = self.d.get(name, [])
        if not isinstance(value, list):
            self.err(f"[{name}] must be an array of tables")
            return []
        return [row for row in value if isinstance(row, dict)]

    def parse_date(self, value: str, where: str) -> date | None:
        if not isinstance(value, str) or not YMD.match(value):
            self.err(f"{where}: {value!r} is not a YYYY-MM-DD date")
            return None
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            self.err(f"{where}: {value!r} is not a valid calendar date")
            return None
        if parsed >= CUTOFF:
            self.err(f"{where}: {value} is not before {CUTOFF}")
        return parsed

    def check_fields(self, row: dict, schema: dict, where: str) -> bool:
        ok = True
        for field, typ in schema.items():
            if field not in row:
                self.err(f"{where}: missing field {field!r}")
                ok = False
            elif not isinstance(row[field], typ):
                self.err(
                    f"{where}: field {field!r} should be {typ.__name__}, "
                    f"got {type(row[field]).__name__}"
                )
                ok = False
        for field in row:
            if field not in schema:
                self.err(f"{where}: unknown field {field!r}")
        return ok

    def keyed(self, name: str, key_field: str = "key") -> dict[str, dict]:
        """Validate fields of every row and return rows indexed by key."""
        out: dict[str, dict] = {}
        for i, row in enumerate(self.table(name)):
            label = row.get(key_field, f"#{i + 1}")
            where = f"{name}[{label}]"
            self.check_fields(row, SCHEMA[name], where)
            key = row.get(key_field)
            if key_field == "key":
                if not isinstance(key, str) or not SLUG.match(key):
                    self.err(f"{where}: key {key!r} is not a lowercase slug")
                    continue
                if key in out:
                    self.err(f"{where}: duplicate key {key!r}")
                    continue
                out[key] = row
        return out

    def enum(self, row: dict, field: str, allowed: set[str], where: str) -> None:
        value = row.get(field)
        if value not in allowed:
            self.err(f"{where}: {field} {value!r} not in {sorted(allowed)}")

    # ------------------------------------------------------------- checks
    def run(self) -> dict:
        d = self.d
        for top in d:
            if top not in TOP_LEVEL:
                self.err(f"unknown top-level entry {top!r}")

        for name in FORBIDDEN_NAMES:
            if re.search(rf"\b{re.escape(name)}\b", self.raw, re.IGNORECASE):
                self.err(f"reserved name {name!r} must not be used")

        sources = self.check_sources()
        actors = self.check_actors()
        articles = self.check_articles(sources)
        issues = self.check_issues()
        statements = self.check_statements(articles, actors, issues)
        links = self.check_links(statements, articles)
        columns = self.check_grid(actors)
        positions = self.check_positions(issues, actors, columns, statements, articles)
        events = self.check_events(actors, statements)
        collections = self.check_collections(statements, events, positions)

        return {
            "sources": len(sources),
            "actors": len(actors),
            "articles": len(articles),
            "issues": len(issues),
            "statements": len(statements),
            "links": len(links),
            "positions": len(positions),
            "events": len(events),
            "collections": len(collections),
            "collection items": sum(len(c.get("items", [])) for c in collections),
            "_statements": statements,
            "_links": links,
            "_positions": positions,
            "_events": events,
            "_actors": actors,
            "_columns": columns,
        }

    def check_url(self, url: str, where: str) -> str:
        parsed = urlparse(url) if isinstance(url, str) else None
        if not parsed or parsed.scheme not in {"http", "https"} or not parsed.hostname:
            self.err(f"{where}: url {url!r} is not an absolute http(s) URL")
            return ""
        if not parsed.hostname.endswith(".example"):
            self.err(f"{where}: url host {parsed.hostname!r} must use a .example domain")
        return parsed.hostname

    def check_sources(self) -> dict[str, dict]:
        sources = self.keyed("sources")
        names = Counter(s.get("name") for s in sources.values())
        for key, s in sources.items():
            where = f"sources[{key}]"
            self.enum(s, "kind", SOURCE_KINDS, where)
            if not str(s.get("name", "")).strip():
                self.err(f"{where}: empty name")
            elif names[s["name"]] > 1:
                self.err(f"{where}: duplicate outlet name {s['name']!r}")
            self.check_url(s.get("url", ""), where)
        if len(sources) < 4:
            self.err(f"need at least 4 sources, found {len(sources)}")
        return sources

    def check_actors(self) -> dict[str, dict]:
        actors = self.keyed("actors")
        seen_names: dict[str, str] = {}
        for key, a in actors.items():
            where = f"actors[{key}]"
            self.enum(a, "kind", ACTOR_KINDS, where)
            name = str(a.get("name", "")).strip()
            if not name:
                self.err(f"{where}: empty name")
            elif name.casefold() in seen_names:
                self.err(f"{where}: name {name!r} also used by {seen_names[name.casefold()]}")
            else:
                seen_names[name.casefold()] = key
            for alias in a.get("aliases", []) or []:
                if not isinstance(alias, str) or not alias.strip():
                    self.err(f"{where}: alias {alias!r} must be a non-empty string")
            parent = a.get("parent", "")
            if parent:
                if parent == key:
                    self.err(f"{where}: actor is its own parent")
                elif parent not in actors:
                    self.err(f"{where}: parent {parent!r} is not an actor key")
        # aliases must not collide with another actor's canonical name or alias
        alias_owner: dict[str, str] = {}
        for key, a in actors.items():
            for alias in a.get("aliases", []) or []:
                if not isinstance(alias, str):
                    continue
                folded = alias.casefold()
                if folded in seen_names and seen_names[folded] != key:
                    self.err(f"actors[{key}]: alias {alias!r} is the name of {seen_names[folded]}")
                if folded in alias_owner and alias_owner[folded] != key:
                    self.err(f"actors[{key}]: alias {alias!r} also used by {alias_owner[folded]}")
                alias_owner.setdefault(folded, key)
        # parent chains must be acyclic
        for key in actors:
            seen = {key}
            cur = actors[key].get("parent", "")
            while cur and cur in actors:
                if cur in seen:
                    self.err(f"actors[{key}]: parent chain has a cycle")
                    break
                seen.add(cur)
                cur = actors[cur].get("parent", "")
        if len(actors) < 8:
            self.err(f"need at least 8 actors, found {len(actors)}")
        kinds = Counter(a.get("kind") for a in actors.values())
        for kind in sorted(ACTOR_KINDS):
            if kinds[kind] == 0:
                self.err(f"no actor of kind {kind!r}")
        with_alias = sum(1 for a in actors.values() if a.get("aliases"))
        if with_alias < len(actors) / 2:
            self.err(f"only {with_alias} of {len(actors)} actors have aliases")
        with_parent = [a for a in actors.values() if a.get("parent")]
        if len(with_parent) < 3:
            self.err(f"only {len(with_parent)} actors have a parent (need >= 3)")
        if not any(
            a.get("kind") == "person" and actors.get(a["parent"], {}).get("kind") == "government"
            for a in with_parent
        ):
            self.err("no person whose parent is a government (e.g. a leader)")
        if not any(
            a.get("kind") in {"government", "organisation"}
            and actors.get(a["parent"], {}).get("kind") == "government"
            for a in with_parent
        ):
            self.err("no office/institution whose parent is a government")
        return actors

    def check_articles(self, sources: dict[str, dict]) -> dict[str, dict]:
        articles = self.keyed("articles")
        per_source = Counter()
        has_non_ascii = has_table = has_quotes = has_chain = False
        ascii_q = curly_q = False
        for key, a in articles.items():
            where = f"articles[{key}]"
            src = a.get("source")
            if src not in sources:
                self.err(f"{where}: source {src!r} is not a source key")
            else:
                per_source[src] += 1
                host = self.check_url(a.get("url", ""), where)
                src_host = urlparse(sources[src].get("url", "")).hostname
                if host and src_host and host != src_host:
                    self.err(f"{where}: url host {host!r} differs from its source's {src_host!r}")
            title = str(a.get("title", ""))
            if not title.strip():
                self.err(f"{where}: empty title")
            if len(title) > MAX_TITLE:
                self.err(f"{where}: title longer than {MAX_TITLE} chars ({len(title)})")
            pub = a.get("published", "")
            if not isinstance(pub, str) or not ISO_Z.match(pub):
                self.err(f"{where}: published {pub!r} is not ISO 8601 UTC ending in Z")
                a["_date"] = None
            else:
                try:
                    stamp = datetime.strptime(pub, "%Y-%m-%dT%H:%M:%SZ")
                    a["_date"] = stamp.date()
                    if not (STORY_START <= stamp.date() < CUTOFF):
                        self.err(f"{where}: published {pub} outside {STORY_START}..{CUTOFF}")
                except ValueError:
                    self.err(f"{where}: published {pub!r} is not a valid timestamp")
                    a["_date"] = None
            text = a.get("text", "")
            if not isinstance(text, str):
                continue
            paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
            if not 3 <= len(paragraphs) <= 8:
                self.err(f"{where}: {len(paragraphs)} paragraphs (need 3-8)")
            if any(ord(c) > 127 for c in text):
                has_non_ascii = True
            lines = text.splitlines()
            for i in range(len(lines) - 1):
                if lines[i].count("|") >= 2 and lines[i + 1].count("|") >= 2:
                    has_table = True
            if '"' in text:
                ascii_q = True
            if "\u201c" in text or "\u201d" in text:
                curly_q = True
            if re.search(r'"[^"\n]{3,}"', text) or re.search("\u201c[^\u201d\n]{3,}\u201d", text):
                has_quotes = True
            if re.search(r"\bciting\b|\baccording to\b", text, re.IGNORECASE):
                has_chain = True
        for key in sources:
            if per_source[key] == 0:
                self.err(f"sources[{key}]: outlet has no articles")
        if len(articles) < 8:
            self.err(f"need at least 8 articles, found {len(articles)}")
        if not has_non_ascii:
            self.err("no article text contains a non-ASCII character")
        if not has_table:
            self.err("no article text contains a pipe table")
        if not has_quotes:
            self.err("no article text contains a direct quote")
        if not has_chain:
            self.err("no article text contains an attribution chain ('citing', 'according to')")
        if ascii_q and curly_q:
            self.err("article texts mix ASCII and typographic double quotes")
        return articles

    def check_issues(self) -> dict[str, dict]:
        issues = self.keyed("issues")
        for key, i in issues.items():
            where = f"issues[{key}]"
            title = str(i.get("title", ""))
            if not title.strip():
                self.err(f"{where}: empty title")
            if len(title) > MAX_SHORT:
                self.err(f"{where}: title longer than {MAX_SHORT} chars")
        if len(issues) != 4:
            self.err(f"need exactly 4 issues, found {len(issues)}")
        return issues

    def check_statements(self, articles, actors, issues) -> dict[str, dict]:
        statements = self.keyed("statements")
        for key, s in statements.items():
            where = f"statements[{key}]"
            art = articles.get(s.get("article"))
            if art is None:
                self.err(f"{where}: article {s.get('article')!r} is not an article key")
            ev = s.get("evidence", "")
            if not isinstance(ev, str) or not ev.strip():
                self.err(f"{where}: empty evidence")
            elif art is not None and isinstance(art.get("text"), str):
                text = art["text"]
                first = text.find(ev)
                if first < 0:
                    self.err(f"{where}: evidence not found verbatim in {s['article']}")
                elif text.find(ev, first + 1) >= 0:
                    self.err(f"{where}: evidence occurs more than once in {s['article']}")
            speaker = s.get("speaker", "")
            if speaker and speaker not in actors:
                self.err(f"{where}: speaker {speaker!r} is not an actor key")
            if not speaker and not str(s.get("attribution", "")).strip():
                self.err(f"{where}: unnamed speaker needs an attribution")
            if not str(s.get("text", "")).strip():
                self.err(f"{where}: empty text")
            if (
                s.get("quote") is True
                and isinstance(ev, str)
                and not re.search('["\u201c\u201d]', ev)
            ):
                self.err(f"{where}: quote = true but evidence has no quotation mark")
            self.enum(s, "precision", PRECISIONS_STATEMENT, where)
            self.enum(s, "verification", VERIFICATIONS, where)
            self.enum(s, "review", REVIEWS, where)
            if s.get("issue") and s["issue"] not in issues:
                self.err(f"{where}: issue {s['issue']!r} is not an issue key")
            if not all(isinstance(t, str) and t for t in s.get("tags", []) or []):
                self.err(f"{where}: tags must be non-empty strings")
            said_on = s.get("said_on", "")
            said_until = s.get("said_until", "")
            on = until = None
            if said_on:
                on = self.parse_date(said_on, f"{where}.said_on")
                if s.get("precision") == "unknown":
                    self.err(f"{where}: precision 'unknown' but said_on is set")
            elif s.get("precision") != "unknown":
                self.err(f"{where}: said_on empty but precision is not 'unknown'")
            if said_until:
                until = self.parse_date(said_until, f"{where}.said_until")
                if not said_on:
                    self.err(f"{where}: said_until without said_on")
                elif on and until and until <= on:
                    self.err(f"{where}: said_until {said_until} not after said_on {said_on}")
            s["_date"] = on
            pub = art.get("_date") if art else None
            if pub and on:
                if on > pub:
                    self.err(f"{where}: said_on {said_on} after article date {pub}")
                elif (pub - on).days > SAID_ON_MAX_LAG:
                    self.stale[key] = (
                        f"{where}: said_on {said_on} more than {SAID_ON_MAX_LAG} days "
                        f"before article date {pub} (and not a 'duplicates' re-report "
                        f"of a statement said on that date)"
                    )
            if pub and until and (until - pub).days > SAID_UNTIL_MAX_AHEAD:
                self.err(f"{where}: said_until {said_until} too far after article date {pub}")
        n = len(statements)
        if n < 28:
            self.err(f"need at least 28 statements, found {n}")
        verif = Counter(s.get("verification") for s in statements.values())
        for v in sorted(VERIFICATIONS):
            if verif[v] == 0:
                self.err(f"no statement with verification {v!r}")
        review = Counter(s.get("review") for s in statements.values())
        if review["accepted"] <= n / 2:
            self.err(f"most statements should be accepted ({review['accepted']} of {n})")
        if review["suggested"] < 2:
            self.err(f"need a few suggested statements, found {review['suggested']}")
        if not 1 <= review["dismissed"] <= 2:
            self.err(f"need 1-2 dismissed statements, found {review['dismissed']}")
        if not any(s.get("attribution") and s.get("speaker") for s in statements.values()):
            self.err("no statement records an attribution chain for a named speaker")
        if not any(s.get("said_until") for s in statements.values()):
            self.err("no statement uses a said_on/said_until range")
        return statements

    def check_links(self, statements, articles) -> list[dict]:
        links = self.table("links")
        seen = set()
        for i, link in enumerate(links):
            where = f"links[#{i + 1} {link.get('from')}->{link.get('to')}]"
            self.check_fields(link, SCHEMA["links"], where)
            src, dst = link.get("from"), link.get("to")
            for end in (src, dst):
                if end not in statements:
                    self.err(f"{where}: {end!r} is not a statement key")
            if src == dst:
                self.err(f"{where}: link from a statement to itself")
            self.enum(link, "relation", RELATIONS, where)
            self.enum(link, "review", REVIEWS, where)
            if not str(link.get("note", "")).strip():
                self.err(f"{where}: empty note")
            ident = (src, dst, link.get("relation"))
            if ident in seen:
                self.err(f"{where}: duplicate link")
            seen.add(ident)
            if src in statements and dst in statements:
                a_src = articles.get(statements[src].get("article"), {}).get("_date")
                a_dst = articles.get(statements[dst].get("article"), {}).get("_date")
                if (
                    link.get("relation") in {"updates", "responds_to", "duplicates"}
                    and a_src
                    and a_dst
                    and a_src < a_dst
                ):
                    self.err(
                        f"{where}: {link['relation']} link points from an earlier "
                        f"article ({a_src}) to a later one ({a_dst})"
                    )
                if (
                    link.get("relation") == "updates"
                    and link.get("review") == "accepted"
                    and statements[dst].get("verification") != "superseded"
                ):
                    self.err(
                        f"{where}: target of an accepted 'updates' link should be "
                        f"verification 'superseded'"
                    )
        for key, problem in self.stale.items():
            said_on = statements[key].get("said_on")
            if not any(
                link.get("from") == key
                and link.get("relation") == "duplicates"
                and statements.get(link.get("to"), {}).get("said_on") == said_on
                for link in links
            ):
                self.err(problem)
        relations = Counter(link.get("relation") for link in links)
        for rel in sorted(RELATIONS):
            if relations[rel] == 0:
                self.err(f"no link with relation {rel!r}")
        if len(links) < 10:
            self.err(f"need at least 10 links, found {len(links)}")
        suggested = sum(1 for link in links if link.get("review") == "suggested")
        if not 1 <= suggested <= 2:
            self.err(f"need 1-2 suggested links, found {suggested}")
        updated = {link.get("to") for link in links if link.get("relation") == "updates"}
        for key, s in statements.items():
            if s.get("verification") == "superseded" and key not in updated:
                self.err(f"statements[{key}]: superseded but no 'updates' link points to it")
        if not any(
            link.get("relation") == "contradicts"
            and statements.get(link.get("from"), {}).get("article")
            != statements.get(link.get("to"), {}).get("article")
            for link in links
        ):
            self.err("no 'contradicts' link between two different articles")
        return links

    def check_grid(self, actors) -> list[str]:
        grid = self.d.get("grid")
        if not isinstance(grid, dict) or not isinstance(grid.get("columns"), list):
            self.err("[grid] with a 'columns' list is required")
            return []
        for field in grid:
            if field != "columns":
                self.err(f"grid: unknown field {field!r}")
        cols = grid["columns"]
        if len(cols) != 3:
            self.err(f"grid.columns must list exactly 3 actors, found {len(cols)}")
        if len(set(cols)) != len(cols):
            self.err("grid.columns has duplicates")
        for c in cols:
            if c not in actors:
                self.err(f"grid.columns: {c!r} is not an actor key")
        return [c for c in cols if isinstance(c, str)]

    def check_positions(self, issues, actors, columns, statements, articles) -> dict[str, dict]:
        rows = self.table("positions")
        out: dict[str, dict] = {}
        cells: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for i, p in enumerate(rows):
            where = f"positions[#{i + 1} {p.get('issue')}/{p.get('actor')}/{p.get('as_of')}]"
            self.check_fields(p, SCHEMA["positions"], where)
            if p.get("issue") not in issues:
                self.err(f"{where}: issue {p.get('issue')!r} is not an issue key")
            if p.get("actor") not in columns:
                self.err(f"{where}: actor {p.get('actor')!r} is not a grid column")
            summary = str(p.get("summary", ""))
            if not summary.strip():
                self.err(f"{where}: empty summary")
            if len(summary) > MAX_SHORT:
                self.err(f"{where}: summary longer than {MAX_SHORT} chars ({len(summary)})")
            self.enum(p, "review", REVIEWS, where)
            as_of = self.parse_date(p.get("as_of", ""), f"{where}.as_of")
            p["_date"] = as_of
            latest = None
            for sk in p.get("statements", []) or []:
                s = statements.get(sk)
                if s is None:
                    self.err(f"{where}: statement {sk!r} is not a statement key")
                    continue
                if s.get("review") == "dismissed":
                    self.err(f"{where}: backed by dismissed statement {sk!r}")
                if s.get("issue") and s["issue"] != p.get("issue"):
                    self.err(f"{where}: backing statement {sk!r} is about issue {s['issue']!r}")
                art_date = articles.get(s.get("article"), {}).get("_date")
                if art_date and (latest is None or art_date > latest):
                    latest = art_date
            if as_of and latest and as_of > latest + timedelta(days=1):
                self.err(
                    f"{where}: as_of {as_of} after latest backing article date {latest} + 1 day"
                )
            pkey = f"{p.get('issue')}/{p.get('actor')}/{p.get('as_of')}"
            if pkey in out:
                self.err(f"{where}: duplicate position {pkey}")
            out[pkey] = p
            cells[(p.get("issue"), p.get("actor"))].append(p)
        backed = sum(1 for p in rows if p.get("statements"))
        if rows and backed < 0.75 * len(rows):
            self.err(f"only {backed} of {len(rows)} positions are backed by statements")
        history = 0
        for issue in issues:
            for col in columns:
                cell = cells.get((issue, col), [])
                if not cell:
                    self.err(f"grid cell {issue}/{col} has no position")
                    continue
                if len(cell) > 3:
                    self.err(f"grid cell {issue}/{col} has {len(cell)} positions (max 3)")
                if len(cell) >= 2:
                    history += 1
                    ordered = sorted(cell, key=lambda p: p.get("as_of", ""))
                    for prev, nxt in pairwise(ordered):
                        if prev.get("as_of") == nxt.get("as_of"):
                            self.err(
                                f"grid cell {issue}/{col}: two positions as of {nxt.get('as_of')}"
                            )
                        if prev.get("summary") == nxt.get("summary"):
                            self.err(f"grid cell {issue}/{col}: later position repeats summary")
        if history < 3:
            self.err(f"need >= 3 grid cells with position history, found {history}")
        return out

    def check_events(self, actors, statements) -> dict[str, dict]:
        events = self.keyed("events")
        ranges = uncertain = 0
        for key, e in events.items():
            where = f"events[{key}]"
            self.enum(e, "precision", PRECISIONS_EVENT, where)
            self.enum(e, "review", REVIEWS, where)
            title = str(e.get("title", ""))
            if not title.strip():
                self.err(f"{where}: empty title")
            if len(title) > MAX_SHORT:
                self.err(f"{where}: title longer than {MAX_SHORT} chars ({len(title)})")
            start = self.parse_date(e.get("date", ""), f"{where}.date")
            if start and e.get("precision") == "year" and (start.month, start.day) != (1, 1):
                self.err(f"{where}: year-precision date should be YYYY-01-01")
            if start and e.get("precision") == "month" and start.day != 1:
                self.err(f"{where}: month-precision date should be YYYY-MM-01")
            if e.get("date_end"):
                end = self.parse_date(e["date_end"], f"{where}.date_end")
                ranges += 1
                if start and end and end <= start:
                    self.err(f"{where}: date_end {end} not after date {start}")
            if e.get("precision") in UNCERTAIN:
                uncertain += 1
            for a in e.get("actors", []) or []:
                if a not in actors:
                    self.err(f"{where}: actor {a!r} is not an actor key")
            for sk in e.get("statements", []) or []:
                s = statements.get(sk)
                if s is None:
                    self.err(f"{where}: statement {sk!r} is not a statement key")
                elif s.get("review") == "dismissed":
                    self.err(f"{where}: cites dismissed statement {sk!r}")
        if len(events) < 12:
            self.err(f"need at least 12 events, found {len(events)}")
        if ranges < 3:
            self.err(f"need >= 3 date-range events, found {ranges}")
        if uncertain < 3:
            self.err(f"need >= 3 events with uncertain dates, found {uncertain}")
        return events

    def check_collections(self, statements, events, positions) -> list[dict]:
        cols = self.table("collections")
        if len(cols) != 1:
            self.err(f"need exactly 1 collection, found {len(cols)}")
        for c in cols:
            where = f"collections[{c.get('name')}]"
            self.check_fields(c, SCHEMA["collections"], where)
            if not str(c.get("name", "")).strip():
                self.err(f"{where}: empty name")
            items = c.get("items", []) or []
            if not 5 <= len(items) <= 8:
                self.err(f"{where}: {len(items)} items (need 5-8)")
            seen = set()
            for j, item in enumerate(items):
                iw = f"{where}.items[#{j + 1}]"
                if not isinstance(item, dict):
                    self.err(f"{iw}: not a table")
                    continue
                self.check_fields(item, ITEM_SCHEMA, iw)
                kind, key = item.get("kind"), item.get("key")
                if kind not in ITEM_KINDS:
                    self.err(f"{iw}: kind {kind!r} not in {sorted(ITEM_KINDS)}")
                target = {"statement": statements, "event": events, "position": positions}.get(
                    kind, {}
                )
                if key not in target:
                    self.err(f"{iw}: {kind} {key!r} does not resolve")
                if (kind, key) in seen:
                    self.err(f"{iw}: duplicate item")
                seen.add((kind, key))
                note = str(item.get("note", ""))
                if not note.strip():
                    self.err(f"{iw}: empty note")
                if len(note) > MAX_NOTE:
                    self.err(f"{iw}: note longer than {MAX_NOTE} chars")
        return cols


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT_PATH
    try:
        raw = path.read_text(encoding="utf-8")
        data = tomllib.loads(raw)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        print(f"cannot load {path}: {exc}")
        return 1
    checker = Checker(data, raw)
    summary = checker.run()
    if checker.problems:
        print(f"{len(checker.problems)} problem(s) in {path.name}:")
        for p in checker.problems:
            print(f"  - {p}")
        return 1

    statements = summary["_statements"]
    links = summary["_links"]
    positions = summary["_positions"]
    events = summary["_events"]
    cells = Counter((p["issue"], p["actor"]) for p in positions.values())
    print("OK")
    print("  " + ", ".join(f"{k}={v}" for k, v in summary.items() if not k.startswith("_")))
    print(
        "  statement review:       "
        + ", ".join(
            f"{k}={v}" for k, v in sorted(Counter(s["review"] for s in statements.values()).items())
        )
    )
    print(
        "  statement verification: "
        + ", ".join(
            f"{k}={v}"
            for k, v in sorted(Counter(s["verification"] for s in statements.values()).items())
        )
    )
    relations = Counter(link["relation"] for link in links)
    print(
        "  link relations:         "
        + ", ".join(f"{k}={v}" for k, v in sorted(relations.items()))
        + f" (suggested={sum(1 for link in links if link['review'] == 'suggested')})"
    )
    print(
        f"  grid: columns={summary['_columns']}, cells={len(cells)}, "
        f"cells with history={sum(1 for n in cells.values() if n >= 2)}"
    )
    print(
        f"  events: ranges={sum(1 for e in events.values() if e['date_end'])}, "
        f"uncertain={sum(1 for e in events.values() if e['precision'] in UNCERTAIN)}"
    )
    print(
        "  actor kinds:            "
        + ", ".join(
            f"{k}={v}"
            for k, v in sorted(Counter(a["kind"] for a in summary["_actors"].values()).items())
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
