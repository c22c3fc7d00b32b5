"""Fetched or read bytes → articles: feeds, web pages, and plain or Markdown text files.

Everything that comes out of here is untrusted text made safe to store and show: decoded
without mojibake (``decode``), stripped of terminal escape sequences and control characters
(``strip_controls``), titles and bylines on one line. Evidence offsets are later taken on
this text, so it is produced the same way every time: paragraphs separated by one blank line,
list items as ``- item`` lines, table rows as ``a | b | c`` lines (tables in articles are
evidence the desk reads into positions and timelines).

Feeds go to feedparser-rs first — a Rust parser, fast enough for thousands of entries per
refresh and immune to XML entity tricks — and to Python's feedparser only when the Rust parser
rejects a feed, finds nothing, or finds it broken (feedparser's loose mode recovers more of a
damaged feed), and to recover entry links the Rust parser drops (it blanks links to intranet
hosts, which desks subscribe to; see ``_links_lost``). Neither parser is ever handed a string
it could mistake for a URL or a file name: both accept those and would fetch or open them.

Heavy libraries (feedparser, trafilatura, charset-normalizer, selectolax) are imported inside
the functions that need them, so starting the app does not pay for them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
import io
import itertools
import re
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote, urljoin, urlsplit

from db.clean import strip_controls
from workbench.ingest.decode import decode
from workbench.ingest.types import ParsedArticle, ParsedDocument

if TYPE_CHECKING:  # imported lazily at run time: the app's start-up must not pay for them
    from selectolax.lexbor import LexborHTMLParser, LexborNode

__all__ = [
    "ParseError",
    "html_to_text",
    "parse_document",
    "parse_feed",
    "parse_page",
    "parse_text",
    "sniff_kind",
]

#: Derived titles (a text file's first line, an untitled feed entry) are cut to this length.
TITLE_MAX = 200
#: A declared title longer than this is hostile or broken; cut it so one row cannot swamp a
#: pane or the database.
DECLARED_TITLE_MAX = 1000
#: Entries read from one feed at most (feedparser-rs's own default, made explicit).
MAX_ENTRIES = 10_000


class ParseError(Exception):
    """A document that holds nothing we can use; the message names the source and why.

    One line, fit to show an editor next to the source, so a batch can report it and go on.
    """

    def __init__(self, source: str, problem: str | None = None) -> None:
        message = source if problem is None else f"{source}: {problem}"
        self.source = source
        self.problem = problem or ""
        super().__init__(_one_line(message))


# --------------------------------------------------------------------------------------------
# Small text helpers


def _one_line(value: str) -> str:
    """Controls stripped and all whitespace collapsed: titles, bylines, names, messages."""
    return " ".join(strip_controls(value).split())


def _shorten(value: str, limit: int) -> str:
    """``value`` cut at a word boundary to at most ``limit`` characters, with an ellipsis."""
    if len(value) <= limit:
        return value
    cut = value[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "…"


def _plain_paragraphs(value: str) -> str:
    """Plain text kept as written, with blank-line runs and outer blank lines tidied."""
    value = strip_controls(value).replace("\xa0", " ")
    lines = [line.rstrip() for line in value.split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip("\n")


_BLANK_RUNS = re.compile(r"\n{3,}")
_SPACES = re.compile(r"[ \t\n\r\f\xa0]+")
_RUN_OF_SPACES = re.compile(r" {2,}")


def _derived_title(text: str) -> str:
    """A title for something that has none: its first line of text, shortened."""
    for line in text.split("\n"):
        line = _one_line(line)
        if line:
            return _shorten(line, TITLE_MAX)
    return ""


def _source_name(*candidates: str | None, default: str) -> str:
    for candidate in candidates:
        if candidate and candidate.strip():
            return _one_line(candidate)
    return default


def _require_content(body: bytes, source: str) -> None:
    if not body or not body.strip(b" \t\r\n\f\x00\xef\xbb\xbf\xfe\xff"):
        raise ParseError(source, "empty document")


# Characters no text document is made of: C0 controls other than whitespace and ESC (escape
# sequences are text we clean, not binary), DEL, and U+FFFD from undecodable bytes.
_BINARY_CHARACTERS = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f\ufffd]")


def _readable(text: str, source: str) -> str:
    """Decoded text, controls stripped; a PDF, image or archive is refused by name.

    Ten percent of binary characters in the first 4,000 is far beyond any text file,
    however damaged, and well below any compressed or binary format.
    """
    head = text[:4096]
    if len(_BINARY_CHARACTERS.findall(head)) > len(head) // 10:
        raise ParseError(source, "binary data, not a text document")
    text = strip_controls(text)
    if not text.strip():
        raise ParseError(source, "empty document")
    return text


def _http_url(value: str | None, base: str | None = None) -> str | None:
    """An absolute http(s) URL, or ``None``.

    Relative links are resolved against ``base``; ``javascript:``, ``data:`` and other schemes
    are refused, because an editor may open the stored link from the workbench.
    """
    if not value:
        return None
    # Feeds do contain links with raw spaces; encoded, they still lead to the article.
    value = _WHITESPACE.sub(lambda m: quote(m.group()), strip_controls(value).strip())
    try:
        if base and not urlsplit(value).scheme:
            value = urljoin(base, value)
        scheme = urlsplit(value).scheme.lower()
    except ValueError:  # "http://[broken": a malformed link costs only itself
        return None
    return value if scheme in ("http", "https") else None


_WHITESPACE = re.compile(r"\s")


def _aware_utc(value: dt.datetime) -> dt.datetime:
    """Aware UTC; a time without a zone is taken as UTC (the feed libraries do the same)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _from_struct(value: Any) -> dt.datetime | None:
    """A feed library's UTC ``time.struct_time`` as an aware datetime; ``None`` if unusable."""
    if not value:
        return None
    try:
        return dt.datetime.fromtimestamp(calendar.timegm(tuple(value)[:9]), dt.UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _date_from_text(value: Any) -> dt.datetime | None:
    """A date string the fast parser left unparsed (``05:31:45 EST``, ``Dec 16 2023 02:02
    PM``), read with feedparser's own date handlers, which know the feed world's forms."""
    if not value or not isinstance(value, str):
        return None
    from feedparser.datetimes import _parse_date

    return _from_struct(_parse_date(value))


def _from_iso(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    value = value.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        return _aware_utc(dt.datetime.fromisoformat(value))
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------
# HTML → text


def _names(text: str) -> frozenset[str]:
    """A set of element names written as one string (long lists stay readable)."""
    return frozenset(text.split())


# Elements whose content is never article text.
_SKIP = _names(
    "script style noscript template head title iframe object embed svg canvas select "
    "button input textarea"
)
# Elements that end the paragraph before them and start a new one.
_BLOCKS = _names(
    "address article aside blockquote body caption center dd details dialog div dl dt "
    "fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html "
    "legend main nav p section summary"
)
_LISTS = frozenset({"ul", "ol", "menu"})
_CELLS = frozenset({"td", "th"})
# Deep nesting makes HTML tree building slow (lexbor is quadratic in depth): 200,000 nested
# <div>s take over a minute. Real articles nest a few dozen deep; past this, the fragment is
# read by a flat tag-stripper instead, which is linear and still keeps the words.
_MAX_DEPTH = 500
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^>]*?(/?)>")
# Elements that never nest (void) or close themselves implicitly: not counted as depth.
_FLAT = _names(
    "area base br col dd dt embed hr img input li link meta option p param source td th "
    "tr track wbr"
)
# A line that could be a row of a pipe table: a "|" and something besides pipes and spaces.
_PIPE_ROW = re.compile(r"^(?=[^\n]*\|)(?=[^\n]*[^\s|])[^\n]*$")


class _Table:
    __slots__ = ("caption", "cell", "row", "rows")

    def __init__(self) -> None:
        self.caption = ""
        self.rows: list[list[str]] = []
        self.row: list[str] | None = None
        self.cell: list[str] | None = None

    def end_cell(self) -> None:
        if self.cell is not None:
            text = " ".join("".join(self.cell).split()).replace("|", "\\|")
            if self.row is None:
                self.row = []
            self.row.append(text)
            self.cell = None

    def end_row(self) -> None:
        self.end_cell()
        if self.row is not None and any(self.row):
            self.rows.append(self.row)
        self.row = None


class _TextBuilder:
    """Collects the text of an HTML tree as paragraphs, list lines and table rows.

    Units are ``(group, text)``: units of one list or one table share a group and are joined
    by a single newline; everything else is separated by a blank line.
    """

    def __init__(self) -> None:
        self.units: list[tuple[int | None, str]] = []
        self.inline: list[str] = []
        self.pre = 0
        self.list_depth = 0
        self.list_group: int | None = None
        self.item_prefix: str | None = None
        self.tables: list[_Table] = []
        self._groups = itertools.count()

    # -- events

    def text(self, value: str) -> None:
        # Entities such as &#27; only become escape characters now; strip them before
        # whitespace is collapsed, so no double space marks where they were.
        value = strip_controls(value)
        table = self.tables[-1] if self.tables else None
        if table is not None and table.cell is not None:
            table.cell.append(value)
        elif table is not None:
            return  # whitespace between rows and cells
        elif self.pre:
            self.inline.append(value.replace("\xa0", " "))
        else:
            self.inline.append(_SPACES.sub(" ", value))

    def open(self, tag: str) -> None:
        table = self.tables[-1] if self.tables else None
        if table is not None and table.cell is not None and tag not in ("table", *_CELLS, "tr"):
            # Blocks inside a cell only separate words; the row must stay on one line.
            if tag == "br" or tag in _BLOCKS or tag in _LISTS or tag == "li":
                table.cell.append(" ")
            return
        if tag == "br":
            self.inline.append("\n")
        elif tag in _LISTS:
            self.flush()
            self.list_depth += 1
            if self.list_group is None:
                self.list_group = next(self._groups)
        elif tag == "li":
            self.flush()
            self.item_prefix = "  " * max(self.list_depth - 1, 0) + "- "
        elif tag == "table":
            self.flush()
            self.tables.append(_Table())
        elif tag == "caption" and table is not None:
            table.end_row()
            table.cell = []  # collected like a cell, told apart on close
        elif tag == "tr" and table is not None:
            table.end_row()
            table.row = []
        elif tag in _CELLS and table is not None:
            table.end_cell()
            table.cell = []
        elif tag == "pre":
            self.flush()
            self.pre += 1
        elif tag in _BLOCKS:
            self.flush()

    def close(self, tag: str) -> None:
        table = self.tables[-1] if self.tables else None
        if table is not None:
            if tag in _CELLS:
                table.end_cell()
            elif tag == "caption" and table.row is None and table.cell is not None:
                table.caption = " ".join("".join(table.cell).split())
                table.cell = None
            elif tag == "tr":
                table.end_row()
            elif tag == "table":
                table.end_row()
                self.tables.pop()
                self._emit_table(table)
            elif table.cell is not None and (tag in _BLOCKS or tag in _LISTS or tag == "li"):
                table.cell.append(" ")
            return
        if tag in _LISTS:
            self.flush()
            self.list_depth = max(self.list_depth - 1, 0)
            if not self.list_depth:
                self.list_group = None
        elif tag == "li":
            self.flush()
            self.item_prefix = None
        elif tag == "pre":
            self.flush()
            self.pre = max(self.pre - 1, 0)
        elif tag in _BLOCKS:
            self.flush()

    # -- output

    def _emit_table(self, table: _Table) -> None:
        lines = [" | ".join(row) for row in table.rows]
        if self.tables and self.tables[-1].cell is not None:
            # A table inside a cell: its words join the outer cell, without pipes.
            words = " ".join([table.caption, *(" ".join(row) for row in table.rows)])
            self.tables[-1].cell.append(f" {words} ")
            return
        if table.caption:
            self.units.append((None, table.caption))  # the caption says what the rows are
        group = next(self._groups)
        self.units.extend((group, line) for line in lines if line.strip(" |"))

    def flush(self) -> None:
        if not self.inline:
            return
        raw = "".join(self.inline)
        self.inline.clear()
        if self.pre:
            text = "\n".join(line.rstrip() for line in raw.split("\n")).strip("\n")
        else:
            lines = (_RUN_OF_SPACES.sub(" ", line).strip() for line in raw.split("\n"))
            text = _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip("\n")
        if not text.strip():
            return
        if self.list_depth:
            if self.item_prefix is not None:
                indent = " " * len(self.item_prefix)
                text = self.item_prefix + text.replace("\n", "\n" + indent)
                self.item_prefix = indent  # a second paragraph of the same item
            self.units.append((self.list_group, text))
        else:
            self.units.append((None, text))

    def result(self) -> str:
        self.flush()
        units = _group_pipe_rows(self.units, self._groups)
        parts: list[str] = []
        previous: int | None = None
        for group, text in units:
            if parts:
                parts.append("\n" if group is not None and group == previous else "\n\n")
            parts.append(text)
            previous = group
        return "".join(parts)


def _group_pipe_rows(
    units: list[tuple[int | None, str]], groups: Iterable[int]
) -> list[tuple[int | None, str]]:
    """Runs of two or more one-line paragraphs that are pipe-table rows become one table.

    Articles often paste a Markdown table as one ``<p>`` per row; split by blank lines, the
    rows would no longer read as a table.
    """
    numbers = iter(groups)
    out: list[tuple[int | None, str]] = []
    index = 0
    while index < len(units):
        end = index
        while (
            end < len(units)
            and units[end][0] is None
            and "\n" not in units[end][1]
            and _PIPE_ROW.match(units[end][1])
        ):
            end += 1
        if end - index >= 2:
            group = next(numbers)
            out.extend((group, text) for _, text in units[index:end])
            index = end
        else:
            out.append(units[index])
            index += 1
    return out


def _too_deep(fragment: str) -> bool:
    """Whether the fragment nests elements deeper than a tree builder can take quickly."""
    if fragment.count("<") < _MAX_DEPTH:
        return False
    depth = deepest = 0
    for match in _TAG.finditer(fragment):
        closing, name, self_closing = match.groups()
        name = name.lower()
        if self_closing or name in _FLAT:
            continue
        if closing:
            depth = max(depth - 1, 0)
        else:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > _MAX_DEPTH:
                    return True
    return False


def _flat_text(fragment: str) -> str:
    """Tag-stripped text of a fragment, in linear time: the fallback for hostile nesting."""
    pieces: list[str] = []
    skipping: str | None = None
    for token in re.split(r"(<[^>]*>)", fragment):
        match = _TAG.fullmatch(token) if token.startswith("<") else None
        if match is None:
            if not skipping and not token.startswith("<"):
                pieces.append(_SPACES.sub(" ", html.unescape(token)))
            continue
        closing, name, _ = match.groups()
        name = name.lower()
        if skipping:
            if closing and name == skipping:
                skipping = None
        elif name in _SKIP and not closing:
            skipping = name
        elif name == "br":
            pieces.append("\n")
        elif name in _BLOCKS or name in _LISTS or name in ("li", "tr", "table", "pre"):
            pieces.append("\n\n")
        elif name in _CELLS and not closing:
            pieces.append(" ")
    lines = (line.strip() for line in "".join(pieces).split("\n"))
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip("\n")


def html_to_text(fragment: str) -> str:
    """Readable text of an HTML fragment or page, as the desk stores article text.

    Paragraphs are separated by a blank line, ``<br>`` becomes a newline, list items become
    ``- item`` lines (indented two spaces per nesting level), table rows become ``a | b | c``
    lines (a ``|`` inside a cell is written ``\\|``), and scripts, styles and form controls are
    dropped. Runs of one-row-per-paragraph pipe tables are kept together as one table.
    """
    if not fragment or not fragment.strip():
        return ""
    if "<" not in fragment:  # no markup: entities and whitespace are all there is to do
        return _one_line(html.unescape(fragment) if "&" in fragment else fragment)
    fragment = strip_controls(fragment)
    if _too_deep(fragment):
        return strip_controls(_flat_text(fragment))

    from selectolax.lexbor import LexborHTMLParser

    # With scripting on, <noscript> holds raw text (as in a browser) and is dropped whole;
    # with it off, its contents would leak into the page as markup.
    tree = LexborHTMLParser(fragment, scripting=True)
    root = tree.body or tree.root
    if root is None:
        return ""
    builder = _TextBuilder()
    # Iterative walk: hostile nesting must not hit Python's recursion limit.
    stack: list[tuple[LexborNode, bool]] = [(root, True)]
    while stack:
        node, entering = stack.pop()
        if not entering:
            builder.close(node.tag)
            continue
        if node.is_text_node:
            builder.text(node.text_content or "")
            continue
        if not node.is_element_node:
            continue  # comments, doctype
        tag = node.tag
        if tag in _SKIP:
            continue
        builder.open(tag)
        stack.append((node, False))
        children = []
        child = node.child
        while child is not None:
            children.append(child)
            child = child.next
        stack.extend((child, True) for child in reversed(children))
    return strip_controls(builder.result())


# --------------------------------------------------------------------------------------------
# Sniffing

_FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/x-rss+xml",
        "application/x-atom+xml",
        "application/rss",
        "text/rss+xml",
        "text/atom+xml",
    }
)
_XML_TYPES = frozenset({"application/xml", "text/xml"})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_MARKDOWN_TYPES = frozenset({"text/markdown", "text/x-markdown"})
_EXTENSIONS = {
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
    ".rdf": "feed",
    ".html": "page",
    ".htm": "page",
    ".xhtml": "page",
    ".shtml": "page",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".mkd": "markdown",
    ".txt": "text",
    ".text": "text",
}
_PREAMBLE = re.compile(
    r"""\s*(?:<\?.*?\?>|<!--.*?-->|<!doctype(?!\s+html)[^\[>]*(?:\[.*?\]\s*)?>)""",
    re.S | re.I,
)


def _head_text(body: bytes) -> str:
    """The start of a document as lowercase text, good enough to recognise its root element."""
    head = body[:4096]
    for bom, codec in (
        (b"\xff\xfe\x00\x00", "utf-32-le"),
        (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, errors="ignore").lower()
    head = head.removeprefix(b"\xef\xbb\xbf")
    if b"\x00" in head[:64]:  # UTF-16 without a mark: ASCII letters with NULs between
        head = head.replace(b"\x00", b"")
    return head.decode("latin-1").lower()


def _sniff_body(body: bytes) -> str:
    """``feed``, ``page`` or ``text`` from the first bytes of the document."""
    head = _head_text(body)
    position, xml = 0, False
    while True:
        match = _PREAMBLE.match(head, position)
        if match is None:
            break
        xml = xml or match.group(0).lstrip().startswith("<?xml")
        position = match.end()
    start = head[position:].lstrip()
    if start.startswith(("<rss", "<feed", "<rdf", "<atom:feed", "<channel")):
        return "feed"
    if start.startswith(("<!doctype html", "<html", "<head", "<body")):
        return "page"
    if xml:
        return "feed"
    if start.startswith("{") and "jsonfeed.org/version" in start:
        return "feed"
    if start.startswith("<") and re.search(r"<(html|body|head|article|p|div)[\s>]", start):
        return "page"
    return "text"


def _extension(name: str | None) -> str:
    if not name:
        return ""
    try:
        path = urlsplit(name).path if "://" in name else name
    except ValueError:
        return ""
    return PurePosixPath(path.replace("\\", "/")).suffix.lower()


def sniff_kind(body: bytes, *, content_type: str | None = None, name: str | None = None) -> str:
    """What a document is — ``feed``, ``page``, ``text`` or ``markdown`` — and so its parser.

    The content type decides when it says something specific. Generic XML and HTML types are
    checked against the body, because servers routinely label feeds ``text/html`` or
    ``text/xml`` and XHTML pages ``application/xml``. Then the file or URL extension, then the
    first bytes of the body.
    """
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media in _FEED_TYPES:
        return "feed"
    if media in _MARKDOWN_TYPES:
        return "markdown"
    if media in _HTML_TYPES:
        return "feed" if _sniff_body(body) == "feed" else "page"
    if media in _XML_TYPES:
        return "page" if _sniff_body(body) == "page" else "feed"
    if media in ("application/json", "text/json"):
        return "feed" if _sniff_body(body) == "feed" else "text"
    kind = _EXTENSIONS.get(_extension(name))
    if kind is not None:
        return kind
    return _sniff_body(body)


# --------------------------------------------------------------------------------------------
# Feeds

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*?\?>", re.I)
_ENCODING_PSEUDO_ATTRIBUTE = re.compile(r"""(encoding\s*=\s*)(["'])[^"']*\2""", re.I)
_HTML_IN_FEEDS = ("html", "xhtml", "text/html", "application/xhtml+xml")


class _EntityDeclared(Exception):
    """Raised from inside expat to stop at a DTD entity declaration (never expanded)."""


def _as_utf8_xml(text: str) -> bytes:
    """Decoded, cleaned feed text as UTF-8 bytes whose XML declaration says so.

    Decoding is ``decode``'s job alone, so both feed parsers see the same characters whatever
    the original encoding. The text arrives with controls and escape sequences already
    stripped: XML forbids them, and a parser meeting one would call the whole feed broken.
    """
    text = text.lstrip("\ufeff \t\n")
    declaration = _XML_DECLARATION.match(text)
    if declaration:
        fixed = _ENCODING_PSEUDO_ATTRIBUTE.sub(r"\1\2utf-8\2", declaration.group(0))
        text = fixed.lstrip() + text[declaration.end() :]
    return text.encode("utf-8", errors="replace")


def _xml_problem(data: bytes) -> tuple[str, bool] | None:
    """The first well-formedness error in ``data`` as ``("line N: what", entity)``.

    Used only to describe a feed the parsers already called broken. Expat is told to refuse
    entity declarations outright (as defusedxml does), so describing a billion-laughs feed
    costs nothing; ``entity`` is True for that case.
    """
    from xml.parsers import expat

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args: object) -> None:
        raise _EntityDeclared

    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = lambda *_args: 0  # never read, never fetched
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        return f"line {error.lineno}: {expat.errors.messages[error.code]}", False
    except _EntityDeclared:
        return f"line {parser.CurrentLineNumber}", True
    return None


def _field(obj: Any, name: str) -> Any:
    """A field of a feed object from either library (feedparser dicts, feedparser-rs objects)."""
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj.get(name)
    getter = getattr(obj, "get", None)
    if getter is not None:
        try:
            return getter(name)
        except (TypeError, KeyError):
            pass
    return getattr(obj, name, None)


def _construct_text(detail: Any, value: Any) -> str:
    """A feed text construct as plain text: HTML types through ``html_to_text``."""
    if detail is not None:
        kind = str(_field(detail, "type") or "").lower()
        text = _field(detail, "value")
        if text is None:
            text = value
    else:
        kind, text = "text/html", value
    if not text:
        return ""
    text = str(text)
    if kind in _HTML_IN_FEEDS:
        return html_to_text(text)
    return _plain_paragraphs(text)


def _entry_text(entry: Any) -> str:
    """Full content when the entry has it (content:encoded, Atom content), else its summary."""
    contents = [c for c in (_field(entry, "content") or []) if str(_field(c, "value") or "")]
    if contents:
        html = [c for c in contents if str(_field(c, "type") or "").lower() in _HTML_IN_FEEDS]
        text = _construct_text((html or contents)[0], None)
        if text.strip():
            return text
    return _construct_text(_field(entry, "summary_detail"), _field(entry, "summary"))


_EMAIL_AND_NAME = re.compile(r"\s*[^\s@()]+@[^\s()]+\s*\((?P<name>[^()]+)\)\s*")


def _byline(entry: Any) -> str:
    """Who wrote an entry: RSS author "mail@x (Name)" → Name; dc:creator; Atom authors."""
    author = _one_line(str(_field(entry, "author") or ""))
    match = _EMAIL_AND_NAME.fullmatch(author)
    if match:
        return _one_line(match.group("name"))
    names = [_one_line(str(_field(a, "name") or "")) for a in (_field(entry, "authors") or [])]
    names = list(dict.fromkeys(name for name in names if name))
    if len(names) > 1:  # "author" holds only the first of several
        return ", ".join(names)
    if author:
        return author
    if names:
        return names[0]
    return _one_line(str(_field(_field(entry, "author_detail"), "name") or ""))


def _entry_article(entry: Any, link: Any, *, outlet: str, base: str | None) -> ParsedArticle:
    """One entry as an article; ``link`` is the entry's link as ``_FeedParse`` settled it."""
    text = _entry_text(entry)
    title = _one_line(_construct_text(_field(entry, "title_detail"), _field(entry, "title")))
    title = _shorten(title, DECLARED_TITLE_MAX) if title else _derived_title(text)
    guid = _one_line(str(_field(entry, "id") or "")) or None
    published = (
        _from_struct(_field(entry, "published_parsed"))
        or _from_struct(_field(entry, "updated_parsed"))
        or _date_from_text(_field(entry, "published") or _field(entry, "updated"))
    )
    return ParsedArticle(
        title=title,
        text=text,
        url=_http_url(link, base),
        byline=_byline(entry),
        published_at=published,
        guid=guid,
        outlet=outlet,
    )


class _FeedParse(NamedTuple):
    """What the feed parsers made of a document."""

    #: the parse whose entries are used (feedparser-rs's or feedparser's)
    result: Any
    #: the other parser's result when both ran, for describing a document neither could read
    other: Any
    #: each entry's link, lined up with ``result.entries``
    links: list[Any]


def _links_of(entries: Sequence[Any]) -> list[Any]:
    return [_field(entry, "link") for entry in entries]


def _links_lost(links: Sequence[Any], data: bytes) -> bool:
    """Whether feedparser-rs dropped entry links that feedparser would read.

    feedparser-rs 0.7.1 hands back ``''`` for links to loopback, private and link-local
    addresses and local names (``localhost``, ``.local``, ``.internal``, ``.lan`` …): a guard
    against fetching them, wrong here, where desks subscribe to intranet feeds on purpose (and
    fetch.py allows them). Without its link an entry has no canonical URL, so a guid-less
    entry whose text changes would be added again instead of updated. It also never reads an
    RSS item's ``atom:link``, which leaves the link ``None``. Both are rare, so the check is a
    scan of the links already read (and a byte search), and the common feed pays nothing more.
    """
    if "" in links:
        return True
    return None in links and b":link" in data


def _same_entry(rust: Any, python: Any) -> bool:
    """Whether two parsers' entries at one position are the same entry: their ids agree
    when both have one (feedparser resolves an Atom id against ``xml:base``; the Rust
    parser leaves it as written)."""
    mine, theirs = _field(rust, "id"), _field(python, "id")
    if not mine or not theirs:
        return True
    return mine == theirs or str(theirs).endswith(str(mine))


def _recover_links(rust_entries: Sequence[Any], links: list[Any], python: Any) -> list[Any]:
    """The links feedparser-rs left empty, taken from feedparser's parse of the same bytes.

    Entries are paired by position when both parsers found as many (they read a document
    in order), else by a guid both give and no other entry shares; an entry that cannot be
    paired keeps what it had.
    """
    python_entries = list(python.entries)
    paired: list[Any] = []
    if len(python_entries) == len(rust_entries):
        paired = python_entries
    else:
        counts: dict[str, int] = {}
        for entry in python_entries:
            guid = _field(entry, "id")
            if guid:
                counts[guid] = counts.get(guid, 0) + 1
        by_id = {_field(e, "id"): e for e in python_entries if counts.get(_field(e, "id"), 0) == 1}
        paired = [by_id.get(_field(entry, "id")) for entry in rust_entries]
    recovered = list(links)
    for index, (entry, link) in enumerate(zip(rust_entries, links, strict=True)):
        if link:
            continue
        match = paired[index] if index < len(paired) else None
        if match is None or not _same_entry(entry, match):
            continue
        found = _field(match, "link")
        if found:
            recovered[index] = found
    return recovered


def _feedparser(data: bytes) -> Any:
    import feedparser

    # A stream, never bytes or str: feedparser treats a string as a URL or a file name.
    return feedparser.parse(io.BytesIO(data))


def _run_feed_parsers(data: bytes) -> _FeedParse:
    """feedparser-rs's parse, with feedparser as the fallback and as the source of links the
    Rust parser drops.

    feedparser runs only when the Rust parser raised, found no entries, or called the feed
    broken — then whichever recovered more entries wins — or when it lost entry links
    (``_links_lost``), which are then taken from feedparser's reading.
    """
    import feedparser_rs

    rust: Any = None
    try:
        rust = feedparser_rs.parse_with_limits(
            data, limits=feedparser_rs.ParserLimits(max_entries=MAX_ENTRIES)
        )
    except Exception:  # a rejection like any other; the fallback gets its turn
        rust = None
    if rust is not None and rust.entries and not rust.bozo:
        links = _links_of(rust.entries)
        if _links_lost(links, data):
            links = _recover_links(rust.entries, links, _feedparser(data))
        return _FeedParse(rust, None, links)

    python: Any = _feedparser(data)
    if rust is None:
        return _FeedParse(python, None, _links_of(python.entries))
    if len(python.entries) > len(rust.entries) or (
        not rust.entries and not _field(rust, "version") and _field(python, "version")
    ):
        return _FeedParse(python, rust, _links_of(python.entries))
    links = _links_of(rust.entries)
    if _links_lost(links, data):
        links = _recover_links(rust.entries, links, python)
    return _FeedParse(rust, python, links)


def _not_a_feed_reason(text: str, results: Iterable[Any]) -> str:
    head = text.lstrip()[:4096].lower()
    if _sniff_body(head.encode("utf-8", errors="ignore")) == "page":
        return "it looks like an HTML page"
    if head.startswith(("{", "[")):
        return "JSON, but not a JSON Feed"
    if not head.startswith("<"):
        return "it looks like plain text"
    for result in results:
        message = _one_line(str(_field(result, "bozo_exception") or ""))
        if message:
            return f"no RSS, Atom or RDF root element; {message}"
    return "no RSS, Atom or RDF root element"


def _bozo_warning(result: Any, data: bytes, count: int) -> str:
    recovered = f"{count} {'entry' if count == 1 else 'entries'} recovered"
    if data.lstrip().startswith((b"{", b"[")):
        detail = _one_line(str(_field(result, "bozo_exception") or "")) or "invalid JSON"
        return f"feed is not valid JSON ({detail}); {recovered}"
    problem = _xml_problem(data)
    if problem is not None:
        where, entity = problem
        if entity:
            return f"feed declares its own XML entities ({where}), not expanded; {recovered}"
        return f"feed is not well-formed XML ({where}); {recovered}"
    detail = _one_line(str(_field(result, "bozo_exception") or "")) or "unknown problem"
    return f"feed has problems ({detail}); {recovered}"


def _parse_feed(
    body: bytes, *, source: str, url: str | None, charset: str | None
) -> ParsedDocument:
    _require_content(body, source)
    text = _readable(decode(body, declared=charset), source)
    data = _as_utf8_xml(text)
    result, other, links = _run_feed_parsers(data)
    entries = list(result.entries)
    version = _field(result, "version")
    if not entries and not version:
        raise ParseError(source, f"not a feed ({_not_a_feed_reason(text, (result, other))})")

    feed = result.feed
    outlet = _one_line(_construct_text(_field(feed, "title_detail"), _field(feed, "title")))
    base = _http_url(url) or _http_url(_field(feed, "link"))
    articles = [
        _entry_article(entry, link, outlet=outlet, base=base)
        for entry, link in zip(entries, links, strict=True)
    ]
    warnings: list[str] = []
    if result.bozo:
        warnings.append(_bozo_warning(result, data, len(articles)))
    if len(articles) >= MAX_ENTRIES:
        warnings.append(f"feed has {MAX_ENTRIES} or more entries; only the first were read")
    return ParsedDocument(kind="feed", articles=articles, title=outlet, warnings=warnings)


def parse_feed(
    body: bytes, *, url: str | None = None, charset: str | None = None
) -> ParsedDocument:
    """Entries of an RSS 0.9x/1.0/2.0, Atom 0.3/1.0 or JSON Feed document, one article each.

    A broken feed whose entries still parse is kept, with a warning naming the first problem
    (an editor would rather have the articles than a refusal); a document that is no feed at
    all raises ``ParseError``. Entity declarations are never expanded and external entities
    never read, so billion-laughs and XXE feeds cost nothing and leak nothing.
    """
    return _parse_feed(body, source=_source_name(url, default="feed"), url=url, charset=charset)


# --------------------------------------------------------------------------------------------
# Web pages

# trafilatura's output vocabulary → HTML, so html_to_text reads it like any page; the rest
# (hi, ref, del, graphic …) is inline.
_TRAFILATURA_TAGS = {
    "head": "h2",
    "p": "p",
    "list": "ul",
    "item": "li",
    "table": "table",
    "row": "tr",
    "cell": "td",
    "quote": "blockquote",
    "code": "pre",
    "lb": "br",
    "div": "div",
}


def _page_meta(tree: LexborHTMLParser) -> dict[str, str]:
    """What a page says about itself in its markup: the fallback and supplement to
    trafilatura's metadata (title, author, date, site name, canonical link).

    Each candidate names where its value is: an attribute, or ``None`` for the element's text.
    """

    def first(*candidates: tuple[str, str | None]) -> str:
        for selector, attribute in candidates:
            node = tree.css_first(selector)
            if node is None:
                continue
            value = node.attributes.get(attribute) if attribute else node.text(deep=True)
            if value and value.strip():
                return value.strip()
        return ""

    return {
        "title": first(('meta[property="og:title"]', "content"), ("title", None), ("h1", None)),
        "author": first(
            ('meta[name="author"]', "content"),
            ('meta[property="article:author"]', "content"),
            ('[rel="author"]', None),
        ),
        "date": first(
            ('meta[property="article:published_time"]', "content"),
            ('meta[itemprop="datePublished"]', "content"),
            ('meta[name="date"]', "content"),
            ("time[datetime]", "datetime"),
        ),
        "site": first(('meta[property="og:site_name"]', "content")),
        "canonical": first(
            ('link[rel="canonical"]', "href"), ('meta[property="og:url"]', "content")
        ),
    }


def _trafilatura_text(document: Any) -> str:
    """trafilatura's cleaned body (its own XML vocabulary) as our paragraph text."""
    from lxml import etree

    body = getattr(document, "body", None)
    if body is None or not len(body):
        return _plain_paragraphs(str(getattr(document, "text", "") or "").replace("\n", "\n\n"))
    for element in body.iter():
        if isinstance(element.tag, str):
            element.tag = _TRAFILATURA_TAGS.get(element.tag, "span")
            element.attrib.clear()
    body.tag = "div"
    # trafilatura normalises whitespace itself; a newline it leaves in text is a line break
    # (its fallback extractors join lines so), not HTML whitespace to collapse.
    markup = etree.tostring(body, encoding="unicode", method="html").replace("\n", "<br>")
    return html_to_text(markup)


def _extract(markup: str, url: str | None) -> Any:
    """trafilatura's main-content extraction with metadata; ``None`` when it finds nothing."""
    import trafilatura

    try:
        return trafilatura.bare_extraction(
            markup,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
            include_formatting=False,
            deduplicate=False,
            # No guessing dates from copyright lines or random text: a wrong date on
            # evidence is worse than none. Keep the time of day and zone when given.
            date_extraction_params={
                "extensive_search": False,
                "original_date": True,
                "outputformat": "%Y-%m-%dT%H:%M:%S%z",
            },
        )
    except Exception:  # trafilatura failing on odd markup must not lose the page
        return None


def _fallback_text(markup: str) -> str:
    """Text without trafilatura: <article>, else <main>, else every <p>, else the body."""
    if _too_deep(markup):
        return html_to_text(markup)  # the linear reader; a tree would take minutes

    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(markup, scripting=True)
    for selector in ("article", "main", '[role="main"]'):
        node = tree.css_first(selector)
        if node is not None:
            text = html_to_text(node.html or "")
            if text.strip():
                return text
    paragraphs = tree.css("p")
    if paragraphs:
        text = html_to_text("".join(p.html or "" for p in paragraphs))
        if text.strip():
            return text
    return html_to_text(tree.body.html or "") if tree.body is not None else ""


def _site_name(document: Any) -> str:
    """trafilatura's site name, unless it is only the host name it falls back to."""
    name = _one_line(str(getattr(document, "sitename", "") or ""))
    host = str(getattr(document, "hostname", "") or "")
    if name.lower().removeprefix("www.") == host.lower().removeprefix("www."):
        return ""
    return name


def _meta_tree(markup: str) -> LexborHTMLParser:
    """A parsed tree to read the page's metadata from.

    For a page nested too deeply to parse quickly, only its head (where metadata lives).
    """
    from selectolax.lexbor import LexborHTMLParser

    if _too_deep(markup):
        body = markup.lower().find("<body")
        markup = markup[: body if body >= 0 else 65_536]
        if _too_deep(markup):
            markup = ""
    return LexborHTMLParser(markup, scripting=True)


def _parse_page(
    body: bytes, *, source: str, url: str | None, charset: str | None
) -> ParsedDocument:
    _require_content(body, source)
    markup = _readable(decode(body, declared=charset), source)
    # lxml refuses a str that still carries an encoding declaration; it is decoded already.
    markup = _XML_DECLARATION.sub("", markup, count=1)

    meta = _page_meta(_meta_tree(markup))
    document = _extract(markup, url)
    text = _trafilatura_text(document) if document is not None else ""
    if not text.strip():
        text = _fallback_text(markup)

    title = _one_line(str(getattr(document, "title", "") or "")) or _one_line(meta["title"])
    title = _shorten(title, DECLARED_TITLE_MAX) if title else _derived_title(text)
    # The extracted body often repeats the headline as its first heading.
    first, _, rest = text.partition("\n\n")
    if title and _one_line(first).casefold() == title.casefold():
        text = rest
    if not title and not text.strip():
        raise ParseError(source, "no article text or title found")
    warnings = [] if text.strip() else ["no article text found, only a title"]

    byline = _one_line(str(getattr(document, "author", "") or "")) or _one_line(meta["author"])
    published = _from_iso(getattr(document, "date", None)) or _from_iso(meta["date"])
    outlet = _one_line(meta["site"]) or _site_name(document)
    page_url = _http_url(url) or _http_url(meta["canonical"])
    page_url = page_url or _http_url(str(getattr(document, "url", "") or ""))
    article = ParsedArticle(
        title=title,
        text=text,
        url=page_url,
        byline=byline.replace("; ", ", "),  # trafilatura joins several authors with "; "
        published_at=published,
        outlet=outlet,
    )
    return ParsedDocument(kind="page", articles=[article], title=title, warnings=warnings)


def parse_page(
    body: bytes, *, url: str | None = None, charset: str | None = None
) -> ParsedDocument:
    """The article on a web page, with navigation, ads and footers left behind.

    trafilatura finds the main text and the title, author and date; when it finds nothing
    (unusual markup, a very short page) the page's <article>, <main> or paragraphs are used.
    The article's URL is the one it was fetched from, else the page's canonical link.
    """
    return _parse_page(body, source=_source_name(url, default="page"), url=url, charset=charset)


# --------------------------------------------------------------------------------------------
# Text and Markdown files

_ATX_H1 = re.compile(r"^\s{0,3}#\s+(?P<title>.+?)(?:\s+#+)?\s*$")
_ATX_ANY = re.compile(r"^\s{0,3}#{1,6}\s+(?P<title>.+?)(?:\s+#+)?\s*$")
_SETEXT_H1 = re.compile(r"^\s{0,3}=+\s*$")
_TITLE_LINE = re.compile(r"^\s*title\s*:\s*(?P<title>\S.*)$", re.I)
_FRONT_MATTER_FENCE = re.compile(r"^---\s*$")


def _front_matter(lines: list[str]) -> tuple[str, list[str]]:
    """A Markdown file's YAML front matter title, and the lines after the front matter."""
    if not lines or not _FRONT_MATTER_FENCE.match(lines[0]):
        return "", lines
    for index in range(1, min(len(lines), 100)):
        if _FRONT_MATTER_FENCE.match(lines[index]) or lines[index].strip() == "...":
            title = ""
            for line in lines[1:index]:
                match = _TITLE_LINE.match(line)
                if match:
                    title = match.group("title").strip().strip("\"'")
                    break
            return title, lines[index + 1 :]
    return "", lines


def _split_title(text: str, *, markdown: bool) -> tuple[str, str]:
    """(title, rest): a "# heading", else a "Title:" line in the header block, else the
    first non-empty line (which stays in the text when it had to be shortened)."""
    lines = text.split("\n")
    title = ""
    if markdown:
        title, lines = _front_matter(lines)
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if title or first is None:
        return title, "\n".join(lines)
    line = lines[first]
    if markdown:
        match = _ATX_H1.match(line)
        if match:
            return match.group("title"), "\n".join(lines[first + 1 :])
        if first + 1 < len(lines) and _SETEXT_H1.match(lines[first + 1]):
            return line, "\n".join(lines[first + 2 :])
    for index in range(first, min(len(lines), first + 20)):
        if not lines[index].strip():
            break
        match = _TITLE_LINE.match(lines[index])
        if match:
            return match.group("title"), "\n".join(lines[:index] + lines[index + 1 :])
    if markdown:
        match = _ATX_ANY.match(line)
        line = match.group("title") if match else line
    if len(_one_line(line)) > TITLE_MAX:
        return line, "\n".join(lines[first:])
    return line, "\n".join(lines[first + 1 :])


def _parse_text(body: bytes, *, source: str, markdown: bool, charset: str | None) -> ParsedDocument:
    _require_content(body, source)
    text = _readable(decode(body, declared=charset), source)
    title, rest = _split_title(text, markdown=markdown)
    title = _shorten(_one_line(title), TITLE_MAX)
    lines = rest.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    article = ParsedArticle(title=title, text="\n".join(lines))
    return ParsedDocument(kind="text", articles=[article], title=title)


def parse_text(
    body: bytes,
    *,
    name: str | None = None,
    markdown: bool = False,
    charset: str | None = None,
) -> ParsedDocument:
    """A plain-text or Markdown file as one article, its text kept exactly as written.

    The title is a Markdown "# heading" (or front-matter ``title:``), else a ``Title:`` line
    in the opening block, else the first non-empty line, cut to 200 characters; the text is
    the rest. A file carries no trustworthy date, so ``published_at`` stays ``None``.
    """
    source = _source_name(name, default="text")
    return _parse_text(body, source=source, markdown=markdown, charset=charset)


# --------------------------------------------------------------------------------------------
# Any document


def parse_document(
    body: bytes,
    *,
    content_type: str | None = None,
    charset: str | None = None,
    url: str | None = None,
    name: str | None = None,
) -> ParsedDocument:
    """Sniff what a document is and parse it accordingly; one entry point for every source.

    A document taken for a feed (say, from a ``text/xml`` header) that turns out to be an
    HTML page is read as a page rather than refused.
    """
    source = _source_name(url, name, default="document")
    kind = sniff_kind(body, content_type=content_type, name=name or url)
    if kind == "feed":
        try:
            return _parse_feed(body, source=source, url=url, charset=charset)
        except ParseError:
            if _sniff_body(body) != "page":
                raise
        kind = "page"
    if kind == "page":
        return _parse_page(body, source=source, url=url, charset=charset)
    return _parse_text(body, source=source, markdown=kind == "markdown", charset=charset)
