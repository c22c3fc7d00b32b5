"""Full-text search over articles and statements, and the index's upkeep: SQLite FTS5,
or a tsvector table per kind with a GIN index on PostgreSQL, behind one query syntax.

Migrations that rebuild ``article``, ``statement`` or ``actor`` (Alembic's batch mode copies
and renames) must drop the two views first and recreate them after: SQLite refuses to
rename a table while a view names a missing one.

The SQLite indexes are *external content* FTS5 tables reading from two views that show only
live rows. External content keeps one copy of each article's text on disk; the price is
that the index must hear of every change, and hear of it in the right order: an entry is
taken out *while the row still reads as it did when indexed* (FTS5 re-tokenises the old
values to find what to remove) and put back after the change. ``Indexer`` does that for a
write transaction, so the repository layer (``db.tx._Tx``) is the one place that keeps
search in step with the data. ``INSERT INTO … ('integrity-check', 1)`` proves it in the
tests; ``check_in_step`` says it for either backend.

PostgreSQL (migration 0008): ``article_search_doc`` and ``statement_search_doc`` hold one
``tsvector`` per live row, under a GIN index. The vector is built *here*, from the same
``words_of`` that the ranking and highlighting use, and queries are tsquery literals built
from the parsed search (``fts_to_tsquery``), never run through a text search parser. So
both backends cut text into the same words, fold accents the same way ("Tomás" finds
"Tomas", without the ``unaccent`` extension) and never stem (FTS5's unicode61 does not),
whatever the server's locale: PostgreSQL's own parser reads ``3.5``, ``U.S.``, e-mail
addresses and, in a C locale, any run of non-ASCII characters as one token, and would find
other things than SQLite. The same ``Indexer`` calls keep these tables in step, in the
same transaction (see ``Indexer.flush`` for how concurrent writers stay correct).

Ranking: ``ORDER BY bm25()`` over every hit costs one score per hit, ~0.3 s for a common
word at a million statements. A newsroom wants the best of what is *recent* anyway, so a
search ranks the newest ``window`` hits (a keyset read, newest rowid first, that costs the
same at any size) by BM25 computed here on their text, and says so when the window was
full. A rare term's hits all fit in the window, so for the searches where ranking matters
most, the ranking is over everything. Both backends rank this way, so a desk's results and
their order are the same on either.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session

#: The live rows each index holds, as (id, the indexed columns in ``COLUMNS`` order).
LIVE: dict[str, str] = {
    "article": "SELECT id, title, text FROM article WHERE deleted_at IS NULL",
    "statement": (
        "SELECT statement.id AS id, statement.text AS text, "
        "statement.attribution AS attribution, coalesce(actor.name, '') AS speaker "
        "FROM statement LEFT JOIN actor ON actor.id = statement.speaker_id "
        "WHERE statement.deleted_at IS NULL"
    ),
}
#: What each SQLite index holds, and the live-rows view it reads from.
VIEWS: dict[str, str] = {
    kind: f"CREATE VIEW IF NOT EXISTS {kind}_search AS {select}" for kind, select in LIVE.items()
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


def doc_table(kind: str) -> str:
    """PostgreSQL: the table of ``(id, tsv)`` standing for ``kind``'s FTS5 index."""
    return f"{kind}_search_doc"


def _backend(conn: Connection) -> str:
    return conn.dialect.name


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


def create_pg_indexes(conn: Connection) -> None:
    """PostgreSQL: the tsvector tables, filled from what is stored (migration 0008).

    A row of ``article``/``statement`` that is hard-deleted takes its entry with it (the
    repository only soft-deletes, which ``Indexer`` handles; this covers everything else).
    Rows written past the repository (a copied desk, a bulk load) need ``rebuild``; a
    ``TRUNCATE`` of ``article`` or ``statement`` must name these tables too (or CASCADE)."""
    for kind in VIEWS:
        table = doc_table(kind)
        conn.exec_driver_sql(
            f"CREATE TABLE IF NOT EXISTS {table} ("
            f"id integer PRIMARY KEY REFERENCES {kind}(id) ON DELETE CASCADE, "
            "tsv tsvector NOT NULL)"
        )
        rebuild(conn, kind)


def drop_pg_indexes(conn: Connection) -> None:
    for kind in VIEWS:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {doc_table(kind)}")


def rebuild(conn: Connection, kind: str) -> None:
    """Re-read every live row: the repair for an index that drifted, and the fill after
    rows were written past the repository (a bulk load, a copied desk). FTS5 does it in one
    pass; on PostgreSQL the GIN index is built once, after the table is filled (much faster
    than growing it row by row), and searches wait for the rebuild to commit."""
    if _backend(conn) == "postgresql":
        _pg_rebuild(conn, kind)
        return
    table = fts_table(kind)
    conn.exec_driver_sql(f"INSERT INTO {table}({table}) VALUES ('rebuild')")


def check(conn: Connection, kind: str) -> None:
    """Raise if the index does not say exactly what the live rows say."""
    if _backend(conn) == "postgresql":
        problems = _pg_problems(conn, kind)
        if problems:
            raise RuntimeError("; ".join(problems))
        return
    table = fts_table(kind)
    conn.exec_driver_sql(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")


def check_in_step(conn: Connection) -> list[str]:
    """What is wrong with the desk's search indexes, one line per problem (empty when each
    says exactly what the live rows say); either backend. For the tests' after-each-test
    check, and for anyone wondering whether a desk needs ``rebuild``."""
    problems: list[str] = []
    for kind in VIEWS:
        if _backend(conn) == "postgresql":
            problems += _pg_problems(conn, kind)
            continue
        table = fts_table(kind)
        found = conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).first()
        if found is None:
            continue
        try:
            check(conn, kind)
        except DBAPIError as exc:
            problems.append(f"{table} is out of step: {exc.orig}")
    return problems


def is_search_table(name: str) -> bool:
    """FTS5 tables and their shadow tables, and PostgreSQL's tsvector tables: not in the
    SQLModel metadata, by design."""
    return any(
        name in (fts_table(k), doc_table(k)) or name.startswith(f"{fts_table(k)}_") for k in VIEWS
    )


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
    def backend(self) -> str:
        return self.session.get_bind().dialect.name

    @property
    def enabled(self) -> bool:
        return self.backend in ("sqlite", "postgresql")

    def added(self, kind: str, ids: Iterable[int]) -> None:
        """New rows: not in the index yet, put in at commit."""
        self.pending[kind].update(ids)

    def changing(self, kind: str, ids: Iterable[int]) -> None:
        """Rows about to change (call *before* the database sees the change): their entries
        come out now, while the rows still read as indexed, and go back in at commit.

        PostgreSQL stores the words themselves, so nothing needs the old values: the entry
        is replaced at commit."""
        if not self.enabled:
            return
        if self.backend == "postgresql":
            self.pending[kind].update(ids)
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
        """Put the pending rows (back) in, as they read now.

        On PostgreSQL several servers write at once. Each entry is written from rows read
        ``FOR SHARE`` (in id order): the read waits for a transaction that is changing one
        of them, then sees its committed values, and a transaction that changes one later
        waits for this one and rewrites the entry itself. The last writer of a row is so
        the last writer of its entry (an actor's rename rewrites every statement it spoke
        under the same rule). The entry is an upsert: a concurrent writer's new entry for
        the same row is replaced, never a duplicate-key failure."""
        if not self.enabled:
            return
        if self.backend == "postgresql":
            for kind, ids in self.pending.items():
                if ids:
                    _pg_refresh(self.session.connection(), kind, sorted(ids))
                    ids.clear()
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


def placeholders(conn: Connection, count: int) -> str:
    """``count`` positional parameter marks for ``exec_driver_sql`` on this connection's
    driver: ``?`` for sqlite3, ``%s`` for psycopg."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    return ",".join([mark] * count)


# ------------------------------------------------------------- PostgreSQL: the vectors

#: tsvector limits: a lexeme is at most 2046 bytes, a position at most 16383 (later words
#: all sit at 16383, so a phrase that far into an article is not found), 256 positions a
#: lexeme, and the lexemes of one vector under 1 MB together.
_MAX_LEXEME = 2046
_MAX_POSITION = 16383
_MAX_POSITIONS = 256
_MAX_VECTOR = 1_000_000


def _lexeme(word: str) -> str:
    """A word as a tsvector/tsquery lexeme: quoted (quotes and backslashes doubled, though
    ``words_of`` never yields them), within the length PostgreSQL takes (cut at a
    character; the index and the queries cut alike)."""
    if len(word) > _MAX_LEXEME // 4 and len(word.encode()) > _MAX_LEXEME:
        word = word.encode()[:_MAX_LEXEME].decode(errors="ignore")
    if "'" in word or "\\" in word:
        word = word.replace("\\", "\\\\").replace("'", "''")
    return f"'{word}'"


def tsvector(values: Sequence[str | None]) -> str:
    """A row's fields as a tsvector literal: the words ``words_of`` finds (what FTS5's
    unicode61 indexes, folded), with positions. One position is left out between fields,
    so a phrase never runs from an article's title into its body (FTS5 matches a phrase
    within one column). Rebuilding a desk's index spends much of its time here."""
    positions: defaultdict[str, list[int]] = defaultdict(list)
    at = 0
    for value in values:
        words = _WORD.findall(fold(value)) if value else []
        for position, word in enumerate(words, at + 1):
            positions[word].append(position)
        at += len(words) + 1
    parts: list[str] = []
    size = 0
    for word, where in positions.items():
        size += len(word) if word.isascii() else len(word.encode())
        if size > _MAX_VECTOR:  # an absurd "article" of a million distinct words
            break
        if len(where) > _MAX_POSITIONS or where[-1] > _MAX_POSITION:
            # PostgreSQL keeps 256 positions a lexeme, and later words share the last one
            where = sorted({min(p, _MAX_POSITION) for p in where})[:_MAX_POSITIONS]
        parts.append(f"{_lexeme(word)}:{','.join(map(str, where))}")
    return " ".join(parts)


def _pg_rows(kind: str, where: str) -> str:
    """The live rows of ``kind`` with a condition and ordering appended, for PostgreSQL
    (the column names qualified, so ``FOR SHARE OF`` can name the row's own table)."""
    if kind == "article":
        select = (
            "SELECT article.id, article.title, article.text FROM article "
            "WHERE article.deleted_at IS NULL"
        )
    else:
        select = (
            "SELECT statement.id, statement.text, statement.attribution, "
            "coalesce(actor.name, '') FROM statement "
            "LEFT JOIN actor ON actor.id = statement.speaker_id "
            "WHERE statement.deleted_at IS NULL"
        )
    return f"{select} AND {where}"


def _pg_write(conn: Connection, kind: str, rows: Sequence[Sequence[Any]]) -> None:
    """Upsert the entries of these live rows (one statement for the lot)."""
    if not rows:
        return
    conn.execute(
        text(
            f"INSERT INTO {doc_table(kind)} (id, tsv) "
            "SELECT t.id, CAST(t.v AS tsvector) FROM "
            "unnest(CAST(:ids AS integer[]), CAST(:vectors AS text[])) AS t(id, v) "
            "ON CONFLICT (id) DO UPDATE SET tsv = EXCLUDED.tsv"
        ),
        {"ids": [int(r[0]) for r in rows], "vectors": [tsvector(r[1:]) for r in rows]},
    )


def _pg_refresh(conn: Connection, kind: str, ids: Sequence[int]) -> None:
    """These rows' entries as the rows read now: rewritten if live, gone if not."""
    for chunk in _chunks(ids, 500):
        rows = conn.execute(
            text(
                _pg_rows(kind, f"{kind}.id = ANY(CAST(:ids AS integer[]))")
                + f" ORDER BY {kind}.id FOR SHARE OF {kind}"
            ),
            {"ids": list(chunk)},
        ).all()
        live = {int(r[0]) for r in rows}
        gone = [i for i in chunk if i not in live]
        if gone:
            conn.execute(
                text(f"DELETE FROM {doc_table(kind)} WHERE id = ANY(CAST(:ids AS integer[]))"),
                {"ids": gone},
            )
        _pg_write(conn, kind, rows)


def _pg_live(conn: Connection, kind: str, batch: int = 2000) -> Iterable[Sequence[Any]]:
    """Every live row of ``kind``, in id order, a keyset batch at a time (a desk's
    articles do not fit in memory at once)."""
    after = 0
    sql = text(_pg_rows(kind, f"{kind}.id > :after") + f" ORDER BY {kind}.id LIMIT :n")
    while True:
        rows = conn.execute(sql, {"after": after, "n": batch}).all()
        if not rows:
            return
        yield rows
        after = int(rows[-1][0])


def _pg_rebuild(conn: Connection, kind: str) -> None:
    table = doc_table(kind)
    conn.exec_driver_sql(f"DROP INDEX IF EXISTS ix_{table}_tsv")
    conn.exec_driver_sql(f"TRUNCATE {table}")
    for rows in _pg_live(conn, kind):
        _pg_write(conn, kind, rows)
    conn.exec_driver_sql(f"CREATE INDEX ix_{table}_tsv ON {table} USING gin (tsv)")


def _pg_problems(conn: Connection, kind: str) -> list[str]:
    """Where the tsvector table and the live rows disagree: an entry missing or saying
    something else, or an entry for a row that is deleted or gone."""
    table = doc_table(kind)
    if conn.execute(text("SELECT to_regclass(:t)"), {"t": table}).scalar() is None:
        return []
    wrong: list[int] = []
    compare = text(
        "SELECT t.id FROM unnest(CAST(:ids AS integer[]), CAST(:vectors AS text[])) "
        f"AS t(id, v) LEFT JOIN {table} d ON d.id = t.id "
        "WHERE d.tsv IS DISTINCT FROM CAST(t.v AS tsvector) ORDER BY t.id"
    )
    for rows in _pg_live(conn, kind):
        params = {"ids": [int(r[0]) for r in rows], "vectors": [tsvector(r[1:]) for r in rows]}
        wrong += [int(i) for i in conn.execute(compare, params).scalars()]
    stale = [
        int(i)
        for i in conn.execute(
            text(
                f"SELECT d.id FROM {table} d LEFT JOIN {kind} r ON r.id = d.id "
                "WHERE r.id IS NULL OR r.deleted_at IS NOT NULL ORDER BY d.id"
            )
        ).scalars()
    ]
    problems = []
    if wrong:
        problems.append(f"{table}: live {kind}s missing or out of date: {_some(wrong)}")
    if stale:
        problems.append(f"{table}: entries for deleted {kind}s: {_some(stale)}")
    return problems


def _some(ids: Sequence[int]) -> str:
    shown = ", ".join(map(str, ids[:10]))
    return shown + (f" … ({len(ids)} in all)" if len(ids) > 10 else "")


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

    @property
    def tsquery(self) -> str:
        """The same search as a PostgreSQL tsquery literal (see ``fts_to_tsquery``)."""
        return fts_to_tsquery(self.fts)


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


# ------------------------------------------------------------ PostgreSQL: the tsquery

_FTS_TOKEN = re.compile(r'\s*(?:"((?:[^"]|"")*)"|(\()|(\))|(\*)|([^\s()"*]+))')


@lru_cache(maxsize=256)
def fts_to_tsquery(fts: str) -> str:
    """An FTS5 expression of the kind this module writes (``parse_query``'s, and the
    ``"w1" OR "w2"`` the link suggester writes) as a tsquery literal for
    ``CAST(:q AS tsquery)``: a phrase is its words joined by ``<->``, ``"w" *`` is
    ``'w':*``, ``a NOT b`` is ``a & !b``, AND ``&``, OR ``|``, with FTS5's precedence
    (NOT binds tighter than AND, AND than OR) kept by brackets.

    Every word is re-read with ``words_of`` and written as a quoted lexeme (quotes and
    backslashes doubled), so nothing in a search reaches PostgreSQL as tsquery syntax; the
    literal is cast, not parsed by a text search configuration, so its words are exactly
    the words the index holds (``tsvector``). Raises ``QueryError`` for anything else."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(fts):
        match = _FTS_TOKEN.match(fts, pos)
        if match is None or match.end() == pos:
            if fts[pos:].strip():
                raise QueryError(f"The search could not run: cannot read {fts[pos:]!r}")
            break
        pos = match.end()
        phrase, opened, closed, star, bare = match.groups()
        if phrase is not None:
            tokens.append(("term", phrase.replace('""', '"')))
        elif opened:
            tokens.append(("(", ""))
        elif closed:
            tokens.append((")", ""))
        elif star:
            tokens.append(("*", ""))
        elif bare in ("AND", "OR", "NOT"):
            tokens.append(("op", bare))
        else:
            tokens.append(("term", bare))
    reader = _TsqueryReader(tokens)
    result = reader.or_()
    if reader.pos != len(tokens):
        raise QueryError(f"The search could not run: unexpected {tokens[reader.pos][0]!r}")
    return result


class _TsqueryReader:
    """Recursive descent over an FTS5 expression's tokens, writing tsquery."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def or_(self) -> str:
        parts = [self.and_()]
        while self._peek() == ("op", "OR"):
            self.pos += 1
            parts.append(self.and_())
        return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"

    def and_(self) -> str:
        parts = [self.not_()]
        while True:
            token = self._peek()
            if token == ("op", "AND"):
                self.pos += 1
            elif token is None or token[0] not in ("term", "("):
                break  # an FTS5 term or bracket straight after another is an implicit AND
            parts.append(self.not_())
        return parts[0] if len(parts) == 1 else "(" + " & ".join(parts) + ")"

    def not_(self) -> str:
        expression = self.primary()
        while self._peek() == ("op", "NOT"):
            self.pos += 1
            expression = f"({expression} & !{self.primary()})"
        return expression

    def primary(self) -> str:
        token = self._peek()
        if token is None:
            raise QueryError("The search could not run: it ends too soon.")
        kind, value = token
        self.pos += 1
        if kind == "(":
            inner = self.or_()
            if self._peek() != (")", ""):
                raise QueryError("The search could not run: a bracket is not closed.")
            self.pos += 1
            return inner
        if kind != "term":
            raise QueryError(f"The search could not run: unexpected {value or kind!r}.")
        words = words_of(value)
        if not words:
            raise QueryError("The search could not run: a phrase has no words.")
        prefix = self._peek() == ("*", "")
        self.pos += prefix
        lexemes = [_lexeme(w) for w in words]
        if prefix:
            lexemes[-1] += ":*"
        return lexemes[0] if len(lexemes) == 1 else "(" + " <-> ".join(lexemes) + ")"


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
    if _backend(conn) == "postgresql":
        ids = _pg_newest(conn, kind, query.tsquery, size)
        rows = conn.execute(
            text(f"SELECT * FROM ({LIVE[kind]}) v WHERE id = ANY(CAST(:ids AS integer[]))"),
            {"ids": ids},
        ).all()
        return sorted((tuple(row) for row in rows), key=lambda row: -row[0])
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
    marks = placeholders(conn, len(ids))
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
    if _backend(conn) == "postgresql":
        sql = (
            f"SELECT count(*) FROM (SELECT 1 FROM {doc_table(kind)} "
            "WHERE tsv @@ CAST(:q AS tsquery) LIMIT :n) AS hits"
        )
        return int(_pg_run(conn, sql, {"q": query.tsquery, "n": cap})[0][0])
    table = fts_table(kind)
    sql = f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {table} MATCH ? LIMIT ?)"
    return int(conn.exec_driver_sql(sql, (query.fts, cap)).scalar_one())


def newest_ids(conn: Connection, kind: str, fts: str, limit: int) -> list[int]:
    """The ids of the newest ``limit`` rows of ``kind`` matching ``fts`` (an FTS5
    expression as ``parse_query`` or the link suggester writes it), newest first: the
    link picker's pool. A malformed ``fts`` raises ``QueryError``."""
    if _backend(conn) == "postgresql":
        return _pg_newest(conn, kind, fts_to_tsquery(fts), limit)
    table = fts_table(kind)
    try:
        return [
            int(r[0])
            for r in conn.exec_driver_sql(
                f"SELECT rowid FROM {table} WHERE {table} MATCH ? ORDER BY rowid DESC LIMIT ?",
                (fts, limit),
            )
        ]
    except OperationalError as exc:
        raise QueryError(f"The search could not run: {exc.orig}") from exc


#: PostgreSQL, newest-first reading (``_pg_newest``): the entries read first, and the most
#: read before a search turns to the GIN index.
RECENT = {"statement": 2_000, "article": 300}
BUDGET = {"statement": 100_000, "article": 5_000}


def _pg_newest(conn: Connection, kind: str, tsquery: str, n: int) -> list[int]:
    """The ids of the newest ``n`` entries matching ``tsquery``, newest first.

    FTS5 hands out a word's hits in rowid order, so "the newest n" costs the same for any
    word. A GIN index hands out an unordered set: the planner chooses between reading the
    newest entries backwards until n match (quick for a common word, the whole table for
    a rare one) and taking every hit from the index to sort them (quick for a rare word,
    every hit of a common one, and a phrase of common words is rechecked row by row), on
    an estimate that an OR of rare words gets wrong by orders of magnitude (80 ms instead
    of 3 at 300k statements). So the choice is made here, on what the newest rows show:
    the newest ``RECENT`` entries are read; if they hold fewer than n hits, the density
    seen says how many more rows would do, and they are read if that stays within
    ``BUDGET``; otherwise the word is rare and the index finds the rest of its hits."""
    table = doc_table(kind)
    newest = (
        "SELECT coalesce(array_agg(id ORDER BY id DESC) FILTER (WHERE hit), '{}'), "
        f"min(id), count(*) FROM (SELECT id, tsv @@ CAST(:q AS tsquery) AS hit FROM {table} "
        "WHERE id < :below ORDER BY id DESC LIMIT :n) AS slice"
    )
    ids: list[int] = []
    below, read, size = 2**31 - 1, 0, RECENT[kind]
    while True:
        hits, lowest, seen = _pg_run(conn, newest, {"q": tsquery, "below": below, "n": size})[0]
        ids += hits
        read += seen
        if len(ids) >= n or seen < size:  # enough, or every entry read
            return ids[:n]
        below = lowest
        size = (n - len(ids)) * read * 5 // (4 * len(ids)) + 1 if ids else BUDGET[kind]
        if read + size > BUDGET[kind]:
            break
    # MATERIALIZED: every older hit from the index, then the newest of them; never planned
    # as a backward scan in the hope of finding n hits soon
    rest = (
        f"WITH hits AS MATERIALIZED (SELECT id FROM {table} "
        "WHERE tsv @@ CAST(:q AS tsquery) AND id < :below) "
        "SELECT id FROM hits ORDER BY id DESC LIMIT :n"
    )
    older = _pg_run(conn, rest, {"q": tsquery, "below": below, "n": n - len(ids)})
    return ids + [int(r[0]) for r in older]


def _pg_run(conn: Connection, sql: str, params: dict[str, Any]) -> list[Any]:
    """A search on PostgreSQL, the tsquery a bound parameter. The translation lets nothing
    through that PostgreSQL rejects; if it ever did, the editor reads why, not a trace."""
    try:
        return list(conn.execute(text(sql), params).all())
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
        raise QueryError(f"The search could not run: {reason}") from exc


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
    "check_in_step",
    "count",
    "create_indexes",
    "create_pg_indexes",
    "doc_table",
    "drop_indexes",
    "drop_pg_indexes",
    "fold",
    "fts_to_tsquery",
    "highlight",
    "include_name",
    "is_search_table",
    "newest_ids",
    "parse_query",
    "placeholders",
    "rebuild",
    "search",
    "tsvector",
    "words_of",
]
