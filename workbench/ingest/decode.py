"""Bytes from the outside world → text, without mojibake.

Feeds and pages arrive with encodings that are declared in the HTTP header, declared in the
document, declared wrongly, or not declared at all. Evidence offsets and quotes are taken on
the decoded text, so a wrong guess here silently corrupts everything downstream ("pr\u00eat"
read as "pr\u0119t"). The order below trusts the strongest signal first and only falls back to
statistics when every declaration has failed:

1. a byte-order mark (UTF-8, UTF-16, UTF-32) — it cannot occur by accident;
2. the charset declared by HTTP, if the bytes decode cleanly with it;
3. a declaration inside the document (``<?xml encoding>``, ``<meta charset>``,
   ``<meta http-equiv="content-type">``), if the bytes decode cleanly with it;
4. strict UTF-8 (what almost everything is today);
5. charset-normalizer's best guess (Western cp1252 wins ties, as browsers default to it) —
   skipped when the bytes are UTF-8 with a few broken bytes, which no guess reads better;
6. UTF-8 with replacement characters, so decoding never fails.

Two corrections to plain "trust the declaration", both from what servers actually send:
labels for ISO-8859-1 and ASCII mean windows-1252 (the WHATWG encoding standard does the same,
and without it curly quotes in the 0x80–0x9F range would become control characters that the
cleaner then deletes); and a declared legacy charset loses to UTF-8 when the bytes are valid
UTF-8 containing non-ASCII text — a server default of ISO-8859-1 in front of UTF-8 files is
common, while legacy-encoded prose that happens to be valid multi-byte UTF-8 is not.
"""

from __future__ import annotations

import codecs
import re

__all__ = ["decode", "normalise_label"]

# Longest marks first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Labels whose real-world meaning is a superset codec (after the WHATWG encoding standard):
# documents labelled with the narrow name routinely contain the superset's extra characters.
_SUPERSETS: dict[str, str] = {
    "ascii": "cp1252",
    "latin_1": "cp1252",
    "iso8859_1": "cp1252",
    "iso8859_9": "cp1254",
    "shift_jis": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "tis_620": "cp874",
}
# Labels Python does not know by these names but servers send.
_ALIASES: dict[str, str] = {
    "x-sjis": "cp932",
    "windows-31j": "cp932",
    "x-euc-jp": "euc_jp",
    "x-mac-roman": "mac_roman",
    "unicode": "utf-16",
    "ucs-2": "utf-16",
}
# Codecs with multi-byte characters. The rest are single-byte: they accept almost any byte
# string, so "decodes cleanly" proves little for them.
_MULTI_BYTE_PREFIXES = (
    "utf",
    "cp932",
    "cp949",
    "cp950",
    "shift_jis",
    "euc_",
    "gb",
    "big5",
    "hz",
    "iso2022",
    "johab",
)

# Where in-document declarations are looked for: browsers pre-scan the first 1024 bytes; a
# little more tolerates long comments or whitespace before the <head>.
_PRESCAN = 4096
_XML_DECL = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']\s*([A-Za-z0-9._:\-]+)""", re.I)
# Matches both <meta charset="x"> and <meta http-equiv=... content="text/html; charset=x">.
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.I)

# A valid UTF-8 sequence of two to four bytes (what plain ASCII or single-byte text lacks).
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]"
    rb"|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}|\xed[\x80-\x9f][\x80-\xbf]"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
# Codecs charset-normalizer confuses with windows-1252 on short Western text (they differ from
# it in a few letters only); when one of them ties with cp1252, cp1252 is the likelier truth.
_CP1252_TIES = 0.02
# Against another single-byte Latin code page with no more chaos, cp1252 also wins unless
# that code page reads as clearly more like a language: undeclared legacy text on news
# sites is overwhelmingly Western (feedparser falls back to cp1252 too), and on short text
# the coherence of a Baltic or Central European reading is an unreliable signal (seen: an
# undeclared Portuguese feed read as cp1257, "campeć" for "campeã").
_CP1252_COHERENCE_MARGIN = 0.3


def normalise_label(label: str | None) -> str | None:
    """Python's codec name for a charset label, widened to the superset actually meant.

    ``None`` for an unknown or missing label, so a typo in a header is simply ignored.
    """
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    name = name.replace("-", "_")
    return _SUPERSETS.get(name, name)


def _is_single_byte(codec: str) -> bool:
    return not codec.startswith(_MULTI_BYTE_PREFIXES)


def _is_wide(codec: str) -> bool:
    return codec.startswith(("utf_16", "utf_32"))


def _try(body: bytes, codec: str) -> str | None:
    """The text if ``body`` decodes without a single error in ``codec``, else ``None``."""
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _declared(body: bytes, codec: str | None) -> str | None:
    """Decode with a declared codec, unless the bytes show the declaration to be wrong."""
    if codec is None:
        return None
    if _is_wide(codec) and b"\x00" not in body[:_PRESCAN]:
        # Text in UTF-16/32 always has NUL bytes; without them the label is a lie, and
        # decoding ASCII pairs as UTF-16 "succeeds" with a page of CJK nonsense.
        return None
    if not codec.startswith("utf") and _looks_like_utf8(body):
        return None
    text = _try(body, codec)
    if text is None and codec == "cp1252":
        # The five bytes cp1252 leaves undefined still mean their Latin-1 code points.
        text = _try(body, "latin_1")
    return text


def _looks_like_utf8(body: bytes) -> bool:
    """Valid UTF-8 with at least one multi-byte character: no single-byte text looks so."""
    return _UTF8_MULTIBYTE.search(body) is not None and _try(body, "utf-8") is not None


def _in_document(body: bytes) -> str | None:
    """The codec a document declares for itself in its first few kilobytes."""
    head = body[:_PRESCAN]
    for pattern in (_XML_DECL, _META_CHARSET):
        found = pattern.search(head)
        if found:
            codec = normalise_label(found.group(1).decode("ascii", "replace"))
            # We read the declaration as ASCII, so the document cannot really be UTF-16/32.
            if codec is not None and not _is_wide(codec):
                return codec
    return None


def _utf16_without_bom(body: bytes) -> str | None:
    """UTF-16 XML without a mark still starts with '<' and a NUL (XML 1.0, appendix F)."""
    if body.startswith(b"<\x00?\x00") or body.startswith(b"<\x00"):
        return _try(body, "utf-16-le")
    if body.startswith(b"\x00<\x00?") or body.startswith(b"\x00<"):
        return _try(body, "utf-16-be")
    return None


def _utf8_evidence(body: bytes) -> tuple[int, int]:
    """(bytes in valid multi-byte UTF-8 sequences, other non-ASCII bytes).

    Single-byte text almost never forms valid sequences by accident, so when they dominate,
    the bytes are UTF-8 with a few damaged spots (a truncated upload, one bad paste) — and
    a single-byte reading would turn every correct accented letter into two wrong ones
    ("GenÃ¨ve") just to explain one of them.
    """
    covered = sum(len(match) for match in _UTF8_MULTIBYTE.findall(body))
    non_ascii = len(body) - len(body.translate(None, _HIGH_BYTES))
    return covered, non_ascii - covered


_HIGH_BYTES = bytes(range(0x80, 0x100))


# Terminal escape sequences and control bytes (not NUL, which UTF-16 needs) say nothing about
# the charset, but they make charset-normalizer give up or choose badly; the guess is made
# without them (the whole body is then decoded, and cleaned later).
_NOISE_BYTES = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]"
)
# Guesses whose chaos (charset-normalizer's measure of implausible text) is this close are
# treated as equally clean, and the one that reads more like a language wins.
_CHAOS_TIES = 0.05
_HALFWIDTH_KATAKANA = re.compile("[\uff61-\uff9f]")
_NON_ASCII = re.compile("[^\x00-\x7f]")
_JAPANESE = ["cp932", "shift_jis", "shift_jis_2004", "shift_jisx0213", "euc_jp", "euc_jis_2004"]


def _implausible(text: str) -> bool:
    """Text that is mostly half-width katakana is a Cyrillic single-byte text misread.

    charset-normalizer reads short KOI8-R as Shift-JIS this way; real Japanese prose uses
    full-width kana, and the half-width forms are rare outside old terminals.
    """
    non_ascii = len(_NON_ASCII.findall(text))
    return non_ascii > 0 and len(_HALFWIDTH_KATAKANA.findall(text)) > non_ascii // 5


def _guess(body: bytes) -> tuple[str, str] | None:
    """(codec, text) of charset-normalizer's best guess, windows-1252 winning near-ties."""
    from charset_normalizer import from_bytes  # heavy: loaded only when a guess is needed

    sample = _NOISE_BYTES.sub(b"", body)
    matches = list(from_bytes(sample))
    if b"\x00" not in sample:  # UTF-16/32 text of any length has NULs; tiny inputs fool it
        matches = [m for m in matches if not _is_wide(normalise_label(m.encoding) or "")]
    if matches and _implausible(str(matches[0])):
        matches = list(from_bytes(sample, cp_exclusion=_JAPANESE)) or matches
    if not matches:
        return None
    clean = [m for m in matches if m.chaos <= matches[0].chaos + _CHAOS_TIES]
    best = max(clean, key=lambda m: m.coherence)  # max keeps the first of equals
    single_byte_rival = _is_single_byte(best.encoding)
    for match in matches:
        margin = _CP1252_COHERENCE_MARGIN if single_byte_rival else _CP1252_TIES
        if (
            match.encoding == "cp1252"
            and match.chaos <= best.chaos + _CP1252_TIES
            and match.coherence >= best.coherence - margin
        ):
            best = match
            break
    else:
        if best.encoding != "cp1252" and _is_single_byte(best.encoding):
            western = _try(body, "cp1252")
            guessed = body.decode(best.encoding, errors="replace")
            # A Latin look-alike won but reads the bytes exactly as cp1252 does: say cp1252.
            if western is not None and western == guessed:
                return "cp1252", western
    return best.encoding, body.decode(best.encoding, errors="replace")


def decode(body: bytes, *, declared: str | None = None) -> str:
    """Decode a document, trusting a byte-order mark, then declarations, then statistics.

    ``declared`` is the charset from the HTTP Content-Type header, if any. The BOM itself
    is removed from the result. Never raises: the last resort keeps every decodable
    character and marks the rest with U+FFFD, so an editor still sees the article.
    """
    if not body:
        return ""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(codec, errors="replace")
    text = _declared(body, normalise_label(declared))
    if text is None:
        text = _declared(body, _in_document(body))
    if text is None:
        text = _utf16_without_bom(body)
    if text is None:
        text = _try(body, "utf-8")
    if text is not None:
        return text
    covered, stray = _utf8_evidence(body)
    if covered < 3 * stray:  # else clearly UTF-8, whatever a guess might say
        guess = _guess(body)
        # A multi-byte guess that decoded cleanly is real evidence (Shift-JIS bytes form
        # UTF-8 sequences by accident); a single-byte one loses to substantial UTF-8.
        if guess is not None and (not _is_single_byte(guess[0]) or covered < stray):
            return guess[1]
    return body.decode("utf-8", errors="replace")
