"""Full-text search over articles and statements (SQLite FTS5), and the index's upkeep.

Migrations that rebuild ``article``, ``statement`` or ``actor`` (Alembic's batch mode copies
and renames) must drop the two views first and recreate them after: SQLite refuses to
rename a table while a view names a missing one.

The indexes are *external content* FTS5 tables reading from two views that show only live
rows. External content keeps one copy of each article's text on disk; the price is that
the index must hear of every change, and hear of it in the right order: an entry is taken
out *while the row still reads as it did when indexed* (FTS5 re-tokenises the old values to
find what to remove) and put back after the change. ``Indexer`` does that for a write
transaction, so the repository layer (``db.tx._Tx``) is the one place that keeps search in
step with the data. ``INSERT INTO … ('integrity-check', 1)`` proves it in the tests.

Ranking: ``ORDER BY bm25()`` over every hit costs one score per hit, ~0.3 s for a common
word at a million statements. A newsroom wants the best of what is *recent* anyway, so a
search ranks the newest ``window`` hits (a keyset read, newest rowid first, that costs the
same at any size) by BM25 computed here on their text, and says so when the window was
full. A rare term's hits all fit in the window, so for the searches where ranking matters
most, the ranking is over everything.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

#: What each index holds, and the live-rows view it reads from.
VIEWS: dict[str, str] = {
    "article": (
        "CREATE VIEW IF NOT EXISTS article_search AS "
        "SELECT id, title, text FROM article WHERE deleted_at IS NULL"
    ),
    "statement": (
        "CREATE VIEW IF NOT EXISTS statement_search AS "
        "SELECT statement.id AS id, statement.text AS text, "
        "statement.attribution AS attribution, coalesce(actor.name, '') AS speaker "
        "FROM statement LEFT JOIN actor ON actor.id = statement.speaker_id "
        "WHERE statement.deleted_at IS NULL"
    ),
}
COLUMNS: dict[str, tuple[str, ...]] = {
    "article": ("title", "text"),
    "statement": ("text", "attribution", "speaker"),
}
#: Fields whose change changes what a row's index entry says.
INDEXED_FIELDS: dict[str, frozenset[str]] = {
    "article": frozenset({"title", "text", "deleted_at"}),
    "statement": frozenset({"text", "attribution", "speaker_id", "deleted_at"}),
}
#: Accents fold ("Tomás" finds "Tomas"); 2- and 3-letter prefix indexes make ``dam*`` cheap.
_OPTIONS = "tokenize='unicode61 remove_diacritics 2', prefix='2 3'"


def fts_table(kind: str) -> str:
    return f"{kind}_fts"


def create_indexes(conn: Connection) -> None:
    """The views and FTS5 tables, filled from what is stored (migration 0006)."""
    for kind, view in VIEWS.items():
        conn.exec_driver_sql(view)
        columns = ", ".join(COLUMNS[kind])
        conn.exec_driver_sql(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts_table(kind)} USING fts5("
            f"{columns}, content='{kind}_search', content_rowid='id', {_OPTIONS})"
        )
        rebuild(conn, kind)


def drop_indexes(conn: Connection) -> None:
    for kind in VIEWS:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {fts_table(kind)}")
        conn.exec_driver_sql(f"DROP VIEW IF EXISTS {kind}_search")


def rebuild(conn: Connection, kind: str) -> None:
    """Re-read every live row: the repair for an index that drifted (``workbench db
    reindex``); FTS5 does it in one pass."""
    table = fts_table(kind)
    conn.exec_driver_sql(f"INSERT INTO {table}({table}) VALUES ('rebuild')")


def check(conn: Connection, kind: str) -> None:
    """Raise if the index does not say exactly what the live rows say."""
    table = fts_table(kind)
    conn.exec_driver_sql(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")


def is_search_table(name: str) -> bool:
    """FTS5 tables and their shadow tables: not in the SQLModel metadata, by design."""
    return any(name == fts_table(k) or name.startswith(f"{fts_table(k)}_") for k in VIEWS)


def include_name(name: str | None, type_: str, _parent: Any) -> bool:
    """For Alembic's autogenerate: leave the search tables out of model comparisons."""
    return not (type_ == "table" and name is not None and is_search_table(name))


# --------------------------------------------------------------------------- upkeep


@dataclass
class Indexer:
    """A write transaction's index upkeep; flushed just before it commits."""

    session: Session
    pending: dict[str, set[int]] = field(default_factory=lambda: {k: set() for k in VIEWS})

    @property
    def enabled(self) -> bool:
        return self.session.get_bind().dialect.name == "sqlite"

    def added(self, kind: str, ids: Iterable[int]) -> None:
        """New rows: not in the index yet, put in at commit."""
        self.pending[kind].update(ids)

    def changing(self, kind: str, ids: Iterable[int]) -> None:
        """Rows about to change (call *before* the database sees the change): their entries
        come out now, while the rows still read as indexed, and go back in at commit."""
        if not self.enabled:
            return
        out = sorted(set(ids) - self.pending[kind])
        if not out:
            return
        table = fts_table(kind)
        with self.session.no_autoflush:
            for chunk in _chunks(out, 500):
                marks = ",".join("?" * len(chunk))
                self.session.connection().exec_driver_sql(
                    f"DELETE FROM {table} WHERE rowid IN ({marks})", tuple(chunk)
                )
        self.pending[kind].update(out)

    def flush(self) -> None:
        if not self.enabled:
            return
        for kind, ids in self.pending.items():
            if not ids:
                continue
            table, columns = fts_table(kind), ", ".join(COLUMNS[kind])
            for chunk in _chunks(sorted(ids), 500):
                marks = ",".join("?" * len(chunk))
                self.session.connection().exec_driver_sql(
                    f"INSERT INTO {table}(rowid, {columns}) "
                    f"SELECT id, {columns} FROM {kind}_search WHERE id IN ({marks})",
                    tuple(chunk),
                )
            ids.clear()


def _chunks(items: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --------------------------------------------------------------------------- queries


class QueryError(ValueError):
    """A search an editor typed that cannot be run; the message says what to change."""


@dataclass(frozen=True)
class Term:
    """One word or phrase to look for (``prefix``: the last word may go on)."""

    words: tuple[str, ...]
    prefix: bool = False

    def fts(self) -> str:
        quoted = '"' + " ".join(self.words).replace('"', '""') + '"'
        return quoted + " *" if self.prefix else quoted

    def pattern(self) -> str:
        """The term as a regex over folded text, for scoring and highlighting.

        The first word's letters come first and the "no letter before it" check right
        after them, as a look-behind: a pattern that starts with a literal is scanned for
        like a substring, while a leading look-behind is tried at every position, ~20×
        slower over a window of articles (bench/scale.py)."""
        head = re.escape(self.words[0])
        body = head + rf"(?<![^\W_]{head})"
        body += "".join(rf"[^\w]+{re.escape(w)}" for w in self.words[1:])
        return body + (r"[^\W_]*" if self.prefix else r"(?![^\W_])")


@dataclass(frozen=True)
class Query:
    fts: str  # the FTS5 MATCH expression
    terms: tuple[Term, ...]  # what a hit is scored and highlighted on (not the NOT parts)
    text: str  # as typed


_TOKEN = re.compile(r'\s*(?:(")|(\()|(\))|([^\s()"]+))')
_OPERATORS = {"AND", "OR", "NOT"}
_WORD = re.compile(r"[^\W_]+")


def fold(value: str) -> str:
    """Lower case without accents, one character for one (offsets stay valid). ASCII text,
    most of what is searched, takes ``str.lower`` (the same result, several times faster)."""
    return value.lower() if value.isascii() else value.translate(_FOLD)


class _FoldTable(dict[int, str]):
    def __missing__(self, code: int) -> str:
        char = chr(code)
        base = unicodedata.normalize("NFKD", char)[:1] or char
        folded = base.lower()
        self[code] = folded = folded if len(folded) == 1 else char.lower()[:1] or char
        return folded


_FOLD = _FoldTable()


def words_of(value: str) -> list[str]:
    """Words as FTS5's unicode61 tokenizer sees them (folded)."""
    return _WORD.findall(fold(value))


def parse_query(typed: str) -> Query:
    """An editor's search → FTS5 syntax. Words are ANDed; ``"a phrase"``, ``prefix*``,
    ``OR``, ``NOT``, ``-word`` and parentheses work as they look. Every word is quoted for
    FTS5, so punctuation (``U.S.``, ``don't``, ``3-2``) never reads as its syntax."""
    text_ = typed.strip()
    if not text_:
        raise QueryError("Type something to search for.")
    tokens: list[tuple[str, Any]] = []  # ("term", Term) | ("op", "AND"…) | ("(" | ")", None)
    pos = 0
    while pos < len(text_):
        match = _TOKEN.match(text_, pos)
        if match is None or match.end() == pos:
            break
        pos = match.end()
        if match.group(1):  # a phrase up to the closing quote
            close = text_.find('"', pos)
            if close < 0:
                raise QueryError('A quote is not closed: end the phrase with ".')
            words = tuple(words_of(text_[pos:close]))
            pos = close + 1
            prefix = text_[pos : pos + 1] == "*"
            pos += prefix
            if not words:
                raise QueryError('Nothing to search for between the quotes "".')
            tokens.append(("term", Term(words, prefix)))
        elif match.group(2):
            tokens.append(("(", None))
        elif match.group(3):
            tokens.append((")", None))
        else:
            raw = match.group(4)
            if raw in _OPERATORS:
                tokens.append(("op", raw))
                continue
            if raw == "-" and text_[pos : pos + 1] in ('"', "("):
                _negate(tokens)  # -"a phrase", -(a OR b)
                continue
            negate = raw.startswith("-") and len(raw) > 1
            raw = raw[1:] if negate else raw
            prefix = raw.endswith("*")
            words = tuple(words_of(raw))
            if not words:
                continue  # lone punctuation: nothing FTS5 would index either
            if negate:
                _negate(tokens)
            tokens.append(("term", Term(words, prefix)))
    if ("op", "OR") not in tokens:
        # "-river dam": an exclusion typed first applies to the rest, as it reads
        while len(tokens) > 2 and tokens[0] == ("op", "NOT") and tokens[1][0] == "term":
            tokens = tokens[2:] + tokens[:2]
    return _Parser(tokens, text_).parse()


def _negate(tokens: list[tuple[str, Any]]) -> None:
    """``-x`` is ``NOT x``; ``AND -x`` says the same twice, so it is ``NOT x`` too."""
    if tokens and tokens[-1] == ("op", "AND"):
        tokens.pop()
    tokens.append(("op", "NOT"))


class _Parser:
    """Recursive descent over the tokens, rebuilding a valid FTS5 expression and catching
    what FTS5 would only call a "syntax error" with a message an editor can act on."""

    def __init__(self, tokens: list[tuple[str, Any]], typed: str) -> None:
        self.tokens = tokens
        self.pos = 0
        self.typed = typed
        self.positive: list[Term] = []

    def parse(self) -> Query:
        if not any(kind == "term" for kind, _ in self.tokens):
            raise QueryError("Type a word to search for (operators alone find nothing).")
        expression = self._or(negated=False)
        if self.pos < len(self.tokens):
            kind, value = self.tokens[self.pos]
            if kind == ")":
                raise QueryError("A closing bracket has no opening one.")
            raise QueryError(f"Unexpected {value or kind!s} in the search.")
        return Query(expression, tuple(dict.fromkeys(self.positive)), self.typed)

    def _peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _or(self, negated: bool) -> str:
        parts = [self._and(negated)]
        while self._peek() == ("op", "OR"):
            self.pos += 1
            if self._peek() is None:
                raise QueryError("OR needs a word after it.")
            if self._peek() == ("op", "NOT"):
                raise QueryError(
                    "OR -word would mean everything without the word; search "
                    "dam NOT river (or dam -river) instead."
                )
            parts.append(self._and(negated))
        return " OR ".join(parts)

    def _and(self, negated: bool) -> str:
        expression = self._not(negated)
        while True:
            token = self._peek()
            if token is None or token == ("op", "OR") or token[0] == ")":
                return expression
            if token == ("op", "AND"):
                self.pos += 1
                if self._peek() is None:
                    raise QueryError("AND needs a word after it.")
            expression = f"{expression} AND {self._not(negated)}"

    def _not(self, negated: bool) -> str:
        expression = self._unary(negated)
        while self._peek() == ("op", "NOT"):
            self.pos += 1
            if self._peek() is None:
                raise QueryError("NOT needs a word after it.")
            expression = f"{expression} NOT {self._unary(not negated)}"
        return expression

    def _unary(self, negated: bool) -> str:
        token = self._peek()
        if token is None:
            raise QueryError("The search ends too soon.")
        kind, value = token
        if kind == "term":
            self.pos += 1
            if not negated:
                self.positive.append(value)
            return str(value.fts())
        if kind == "(":
            self.pos += 1
            if self._peek() == (")", None):
                raise QueryError("Empty brackets ().")
            inner = self._or(negated)
            if self._peek() != (")", None):
                raise QueryError("A bracket is not closed: add ).")
            self.pos += 1
            return f"({inner})"
        if kind == "op" and value == "NOT":
            raise QueryError("NOT needs a word before it too, e.g. dam NOT river.")
        if kind == "op":
            raise QueryError(f"{value} needs a word before it.")
        raise QueryError("A closing bracket has no opening one.")


# --------------------------------------------------------------------------- ranking


@dataclass(frozen=True)
class Hit:
    kind: str  # "article" | "statement"
    id: int
    score: float
    title: str  # an article's title, a statement's text
    snippet: str  # the first match in context, folded offsets → original text
    marks: tuple[tuple[int, int], ...]  # matched spans in ``snippet``
    speaker: str = ""
    outlet: str = ""
    when: dt.date | None = None
    #: A statement's standing, shown with the hit: "superseded" must never pass unmarked.
    verification: str = ""
    review: str = ""


@dataclass(frozen=True)
class Results:
    query: Query
    hits: list[Hit]
    #: True when more hits exist than were ranked: ranking covered the newest ``window``.
    windowed: dict[str, bool]


#: Hits ranked per search, newest first: a statement is short, an article long.
WINDOW = {"statement": 500, "article": 150}
_K1, _B = 1.2, 0.75
#: Words in an article's title count this many times over the body.
TITLE_WEIGHT = 3.0


def search(
    conn: Connection,
    query: Query,
    *,
    kinds: Sequence[str] = ("statement", "article"),
    limit: int = 50,
    window: dict[str, int] | None = None,
) -> Results:
    """The best ``limit`` hits of ``query``, statements and articles together."""
    window = window or WINDOW
    hits: list[Hit] = []
    windowed: dict[str, bool] = {}
    for kind in kinds:
        rows = _window_rows(conn, kind, query, window[kind])
        windowed[kind] = len(rows) >= window[kind]
        ranked = _ranked(conn, kind, query, rows, limit)
        # BM25 of a long article (title ×3) and of a one-line statement are on different
        # scales: raw, articles always came first. Each kind's best hit scores 1.
        top = max((h.score for h in ranked), default=0.0) or 1.0
        hits += [replace(h, score=round(h.score / top, 4)) for h in ranked]
    hits.sort(key=lambda h: (-h.score, h.kind != "statement", -h.id))
    return Results(query, hits[:limit], windowed)


def _window_rows(conn: Connection, kind: str, query: Query, size: int) -> list[tuple[Any, ...]]:
    table, columns = fts_table(kind), ", ".join(f"v.{c}" for c in COLUMNS[kind])
    try:
        result = conn.exec_driver_sql(
            f"SELECT v.id, {columns} FROM {table} JOIN {kind}_search v ON v.id = "
            f"{table}.rowid WHERE {table} MATCH ? ORDER BY {table}.rowid DESC LIMIT ?",
            (query.fts, size),
        )
        return [tuple(row) for row in result.fetchall()]  # one fetch, not one per row
    except OperationalError as exc:  # the parser lets nothing through FTS5 rejects
        raise QueryError(f"The search could not run: {exc.orig}") from exc


def _ranked(
    conn: Connection, kind: str, query: Query, rows: list[tuple[Any, ...]], limit: int
) -> list[Hit]:
    """BM25 over the window's rows: term frequency against the length of each field, and
    rarity (IDF) within the window, so an OR's rarer side counts for more."""
    if not rows:
        return []
    patterns = [re.compile(term.pattern()) for term in query.terms]
    # fields: article (title ×3, body), statement (text, attribution, speaker)
    weights = (TITLE_WEIGHT, 1.0) if kind == "article" else (1.0, 0.5, 1.0)
    folded = [[fold(value) if value else "" for value in row[1:]] for row in rows]
    lengths = [sum(map(len, fields)) + 1 for fields in folded]
    average = sum(lengths) / len(lengths)
    # Weighted term frequency per row and term. Every match of a term starts with its first
    # word, so a field without that substring skips the regex: most attributions and
    # speakers, and this loop is most of a search's time at a million statements.
    probes = [(p, term.words[0]) for p, term in zip(patterns, query.terms, strict=True)]
    tfs = [
        [
            sum(w * len(p.findall(v)) for w, v in zip(weights, fields, strict=True) if first in v)
            for p, first in probes
        ]
        for fields in folded
    ]
    n = len(rows)
    idf = [
        math.log(1 + (n - df + 0.5) / (df + 0.5))
        for df in (sum(1 for tf in tfs if tf[i]) for i in range(len(probes)))
    ]
    scored: list[tuple[float, int, int]] = []  # (-score, -id, index): best, then newest
    for index, per_term in enumerate(tfs):
        norm = _K1 * (1 - _B + _B * lengths[index] / average)
        score = 0.0
        for i, tf in enumerate(per_term):
            score += idf[i] * tf * (_K1 + 1) / (tf + norm) if tf else 0.0
        scored.append((-score, -rows[index][0], index))
    best = [(-negated, index) for negated, _id, index in heapq.nsmallest(limit, scored)]
    details = _details(conn, kind, [int(rows[i][0]) for _s, i in best])
    hits = []
    for score, index in best:
        row = rows[index]
        body = row[2] if kind == "article" else row[1]
        snippet, marks = highlight(body or "", patterns)
        extra = details.get(int(row[0]), {})
        hits.append(
            Hit(
                kind,
                int(row[0]),
                round(score, 4),
                row[1] or "",
                snippet,
                marks,
                speaker=extra.get("speaker", ""),
                outlet=extra.get("outlet", ""),
                when=extra.get("when"),
                verification=extra.get("verification", ""),
                review=extra.get("review", ""),
            )
        )
    return hits


def _details(conn: Connection, kind: str, ids: list[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    if kind == "article":
        sql = (
            "SELECT article.id, coalesce(source.name, ''), article.sort_at FROM article "
            f"LEFT JOIN source ON source.id = article.source_id WHERE article.id IN ({marks})"
        )
        return {
            r[0]: {"outlet": r[1], "when": _date(r[2])}
            for r in conn.exec_driver_sql(sql, tuple(ids))
        }
    sql = (
        "SELECT statement.id, coalesce(actor.name, ''), coalesce(source.name, ''), "
        "statement.said_on, statement.verification, statement.review FROM statement "
        "LEFT JOIN actor ON actor.id = statement.speaker_id "
        "LEFT JOIN article ON article.id = statement.article_id "
        f"LEFT JOIN source ON source.id = article.source_id WHERE statement.id IN ({marks})"
    )
    return {
        r[0]: {
            "speaker": r[1],
            "outlet": r[2],
            "when": _date(r[3]),
            "verification": r[4],
            "review": r[5],
        }
        for r in conn.exec_driver_sql(sql, tuple(ids))
    }


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value if type(value) is dt.date else value.date()  # type: ignore[union-attr]
    return dt.date.fromisoformat(str(value)[:10])


def highlight(
    body: str, patterns: Sequence[re.Pattern[str]], width: int = 160
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The stretch of ``body`` around its first match, and the matches in it."""
    folded = fold(body)
    found = sorted(
        (m.start(), m.end()) for p in patterns for m in p.finditer(folded) if m.end() > m.start()
    )
    first = found[0][0] if found else 0
    start = max(0, first - width // 3)
    if start:  # begin on a word
        space = body.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(body), start + width)
    snippet = " ".join(body[start:end].split("\n"))
    marks = tuple((s - start, e - start) for s, e in found if s >= start and e <= end)
    prefix = "…" if start else ""
    marks = tuple((s + len(prefix), e + len(prefix)) for s, e in marks)
    return prefix + snippet + ("…" if end < len(body) else ""), marks


def count(conn: Connection, kind: str, query: Query, cap: int = 10_000) -> int:
    """How many hits, up to ``cap`` (a count costs one step per hit)."""
    table = fts_table(kind)
    sql = f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {table} MATCH ? LIMIT ?)"
    return int(conn.exec_driver_sql(sql, (query.fts, cap)).scalar_one())


__all__ = [
    "COLUMNS",
    "INDEXED_FIELDS",
    "Hit",
    "Indexer",
    "Query",
    "QueryError",
    "Results",
    "Term",
    "check",
    "count",
    "create_indexes",
    "drop_indexes",
    "fold",
    "highlight",
    "include_name",
    "is_search_table",
    "parse_query",
    "rebuild",
    "search",
    "words_of",
]
