"""Sentence and word spans for article text.

The reader moves sentence by sentence and the extractor reads one sentence at a time, so both
need the same, predictable idea of where a sentence ends. News copy defeats the naive "split
at a full stop": titles ("Gen.", "Dr."), initialisms ("U.S."), dates ("Dec. 18"), numbers
("No. 2", "3.5"), quotes that close after the stop, bullet lists and headlines without any
punctuation at all. A small rule-based splitter handles those predictably and costs nothing
at import time; a statistical model would need a download and would still need these rules.

Rules, in order:

* A blank line always ends a sentence; so does the end of a bullet line ("- ", "* ", "• ",
  "1. "), a table row ("| a | b |") and a line that ends without sentence punctuation when
  the text is not hard-wrapped (a headline, a label).
* Inside a block, a sentence ends after ``.``, ``!``, ``?`` or ``…`` (plus any closing quotes
  and brackets) followed by whitespace and the start of a new sentence, unless the word
  before the stop is a known abbreviation, an initial or an initialism.
* Spans never include surrounding whitespace or the bullet marker, and pieces with no letter
  or digit in them (a stray ``/>``) are not sentences.
"""

from __future__ import annotations

import re

__all__ = ["split_sentences", "word_spans"]


def _words(text: str) -> frozenset[str]:
    """A vocabulary written as running words (easier to read and extend than a list)."""
    return frozenset(text.split())


#: Words that take a full stop without ending a sentence (compared lowercased, without the dot).
_ABBREVIATIONS = _words(
    """
    mr mrs ms mx dr prof gen lt col maj capt cpt sgt cmdr adm brig gov sen rep rev fr sr
    jr st hon pres amb supt insp det cdr messrs mme mlle no nos vol vols pp p para art
    sec ch fig figs cf al approx est ca vs viz etc ie eg inc ltd co corp bros dept univ
    assn intl natl govt jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues
    wed thu thur thurs fri sat sun mt ft ave blvd rd hwy
    """
)
#: Abbreviations that can also end a sentence: they end one only before a capitalised word
#: that is not a number ("... and so on, etc. The next day" splits; "Dec. 18" does not).
_SOFT_ABBREVIATIONS = _words(
    """
    etc jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs
    fri sat sun inc ltd co corp bros
    """
)
_TERMINAL = ".!?…"
_CLOSERS = "\"'”’»)]"
_OPENERS = "\"'“‘«(["
_BULLET = re.compile(r"[ \t]*(?:[-*•–—▪‣◦]|\d{1,3}[.)])[ \t]+")
_WORD = re.compile(r"\w+(?:(?:['’\-‑.]|(?<=\d),(?=\d))\w+)*")
_HAS_CONTENT = re.compile(r"[^\W_]")


def word_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Words inside ``text[start:end]`` as absolute spans, for extending a selection word by
    word. Apostrophes, hyphens and dots inside a word keep it whole ("Kestria's", "U.S",
    "12,000", "3.5"); punctuation around it is not part of it."""
    if not isinstance(text, str):
        return []
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    return [(m.start(), m.end()) for m in _WORD.finditer(text, start, end)]


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in ``text``, in order. Never raises."""
    if not isinstance(text, str) or not text.strip():
        return []
    spans: list[tuple[int, int]] = []
    for block_start, block_end in _blocks(text):
        for start, end in _split_block(text, block_start, block_end):
            start, end = _trim(text, start, end)
            if end > start and _HAS_CONTENT.search(text, start, end):
                spans.append((start, end))
    return spans


# --- blocks: paragraphs and lines that always stand alone ---------------------------------------


def _lines(text: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        out.append((pos, pos + len(body)))
        pos += len(line)
    return out


def _blocks(text: str) -> list[tuple[int, int]]:
    """Runs of lines that may hold one sentence across a line break.

    A line break joins two lines only when the text looks hard-wrapped (most lines of the
    paragraph are long and do not end in punctuation) or when the next line plainly goes on
    with the same sentence (it starts in lowercase and the line before has no end mark).
    """
    lines = _lines(text)
    paragraphs: list[list[tuple[int, int]]] = [[]]
    for start, end in lines:
        if not text[start:end].strip():
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        paragraphs[-1].append((start, end))
    blocks: list[tuple[int, int]] = []
    for para in paragraphs:
        if not para:
            continue
        wrapped = _looks_wrapped(text, para)
        current: tuple[int, int] | None = None
        for index, (start, end) in enumerate(para):
            if current is None:
                current = (start, end)
            elif _joins(text, current, (start, end), wrapped):
                current = (current[0], end)
            else:
                blocks.append(current)
                current = (start, end)
            if index == len(para) - 1 and current is not None:
                blocks.append(current)
    return blocks


def _standalone(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("|") or bool(_BULLET.match(line)) or stripped.startswith("#")


def _looks_wrapped(text: str, para: list[tuple[int, int]]) -> bool:
    """Whether a paragraph's line breaks are hard wraps (most lines long and open-ended)."""
    if len(para) < 3:
        return False
    bodies = [text[s:e].rstrip() for s, e in para[:-1]]
    long_open = sum(1 for b in bodies if 45 <= len(b) <= 100 and b[-1:] not in _TERMINAL + ":")
    return long_open * 3 >= len(bodies) * 2


def _joins(text: str, previous: tuple[int, int], line: tuple[int, int], wrapped: bool) -> bool:
    """Whether ``line`` continues the sentence of the block ending at ``previous``."""
    body = text[line[0] : line[1]]
    before = text[previous[0] : previous[1]].rstrip()
    if _standalone(body) or _standalone(text[previous[0] : previous[1]].split("\n")[-1]):
        return False
    last = before.rstrip(_CLOSERS)[-1:]
    if last in _TERMINAL or before.endswith(":"):
        return False
    if wrapped:
        return True
    first = body.lstrip()[:1]
    return first.islower() or first.isdigit() or before.endswith((",", ";", "—", "–", "-"))


# --- sentences inside a block -------------------------------------------------------------------

_BOUNDARY = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)")


def _split_block(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences inside one block (a bullet marker at its start is left out of the span)."""
    marker = _BULLET.match(text, start, end)
    if marker and not text[start:end].lstrip().startswith("|"):
        start = marker.end()
    pieces: list[tuple[int, int]] = []
    piece_start = start
    for m in _BOUNDARY.finditer(text, start, end):
        stop = m.end()
        nxt = _next_token_start(text, stop, end)
        if nxt >= end:
            continue
        if _is_boundary(text, piece_start, m.start(), m.group(), nxt, end):
            pieces.append((piece_start, stop))
            piece_start = nxt
    pieces.append((piece_start, end))
    return pieces


def _next_token_start(text: str, pos: int, end: int) -> int:
    while pos < end and text[pos].isspace():
        pos += 1
    return pos


def _word_before(text: str, start: int, stop: int) -> str:
    """The run of non-space characters just before ``stop`` (the stop itself excluded)."""
    pos = stop
    while pos > start and not text[pos - 1].isspace():
        pos -= 1
    return text[pos:stop].lstrip(_OPENERS)


def _is_boundary(text: str, piece_start: int, dot: int, mark: str, nxt: int, end: int) -> bool:
    """Whether the stop at ``dot`` ends a sentence, given what follows it at ``nxt``."""
    following = text[nxt:end]
    first = following[:1]
    closes_quote = mark.rstrip(_TERMINAL + _CLOSERS) == "" and mark[-1:] in _CLOSERS
    if mark[0] in "!?" or mark.startswith("…") or mark.startswith(".."):
        # "“Why now?” she asked." goes on with the attribution, in lowercase.
        return not (first.islower() and closes_quote)
    word = _word_before(text, piece_start, dot)
    bare = word.rstrip(".").lower()
    next_word = re.match(r"[\"'“‘«(\[]*([\w’'-]*)", following)
    next_text = next_word.group(1) if next_word else ""
    starts_upper = next_text[:1].isupper()
    starts_digit = next_text[:1].isdigit()
    if closes_quote and first.islower():
        return False  # "... done.” he said" goes on
    if bare in _ABBREVIATIONS:
        if bare in _SOFT_ABBREVIATIONS and starts_upper and not starts_digit:
            return bare == "etc" or next_text.lower() in {"the", "a", "an", "it", "he", "she"}
        return False
    if re.fullmatch(r"(?:[^\W\d_]\.)*[^\W\d_]", word) and (word[0].isupper() or "." in word):
        # An initial ("F.") or an initialism ("U.S."): not a sentence end before a name.
        return False
    if first.islower() and not closes_quote:
        # A lowercase start after a real word is rare but happens in sloppy copy; after a
        # short token (e.g. "approx") it is almost always an abbreviation we do not know.
        return len(bare) >= 4 and bare.isalpha() and next_text.lower() not in {"and", "or", "of"}
    return True


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
