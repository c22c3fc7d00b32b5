"""How much a sentence is worth checking, from 0 to 1.

The Statements pane sorts suggestions by this score so an editor sees first the sentences a
fact-checker would pick: figures, dates, named people and places, claims that something
happened or caused something, comparisons. It is deliberately a handful of visible weights
rather than a model: an editor who asks "why is this one on top?" gets an answer, and the
score costs microseconds per sentence.

The weights (added to a base of 0.20, then clamped to 0..1):

======================================  =======  =================================================
signal                                  weight   why
======================================  =======  =================================================
a number or quantity ("58", "12,000")    +0.20   figures are the most checkable claims
a percentage or share ("40 percent")     +0.10   and the most often wrong
units, money, "million"/"billion"        +0.05   quantities with a unit can be sourced
a date                                   +0.10   when something happened can be verified
named entities (capitalised names)       +0.07   each, at most +0.21: who and where
a claim of fact or causation             +0.15   "shot down", "withdrew", "because", "led to"
a comparative or superlative             +0.10   "more than", "largest", "record", "first"
an attribution verb                      +0.05   someone is on record, so there is a source
a question                               -0.30   a question claims nothing
opinion or hedging without a figure      -0.10   "should", "must", "we hope", "could"
boilerplate ("stay with us", "share")    → 0.02  never worth a check
======================================  =======  =================================================
"""

from __future__ import annotations

import re
from datetime import date

__all__ = ["checkworthiness"]


def _words(text: str) -> frozenset[str]:
    """A vocabulary written as running words (easier to read and extend than a list)."""
    return frozenset(text.split())


_BASE = 0.20
_ANY_DAY = date(2000, 1, 5)
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,\u202f\u00a0 ]\d{3})*(?:\.\d+)?(?!\w)")
_NUMBER_WORDS = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
    r"fifty|hundred|hundreds|thousand|thousands|dozens?|half|a third|a quarter)\b",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"\d\s*%|\b(?:per ?cent|percent|percentage points?)\b", re.IGNORECASE)
_UNITS = re.compile(
    r"\b(?:million|billion|trillion|km|kilomet(?:re|er)s?|miles?|tonnes?|tons?|barrels?|"
    r"troops|soldiers|casualties|deaths|dead|killed|wounded|dollars?|euros?|pounds?)\b|[$€£¥₽]",
    re.IGNORECASE,
)
_FACT = re.compile(
    r"\b(?:because|caused?|causing|led to|leads to|result(?:ed|s)? in|due to|killed|destroyed|"
    r"shot down|struck|hit|attacked|seized|captured|withdr[ae]w|withdrawn|deployed|signed|"
    r"agreed|crossed|launched|fired|opened|closed|expelled|summoned|recalled|evacuated|"
    r"increased|decreased|rose|fell|doubled|halved|tripled|cut|banned|imposed|lifted|"
    r"completed|held|met|violated|breached|confirmed|denied)\b",
    re.IGNORECASE,
)
_COMPARE = re.compile(
    r"\b(?:more|less|fewer|greater|higher|lower|larger|smaller|bigger|biggest|largest|"
    r"smallest|highest|lowest|most|least|worst|best|first|last|record|unprecedented|"
    r"only|never|twice|double)\b|\b\w{3,}(?:est)\b",
    re.IGNORECASE,
)
_ATTRIBUTION = re.compile(
    r"\b(?:said|says|told|stated|declared|announced|confirmed|claimed|denied|reported|"
    r"according to|warned|insisted|affirmed|indicated)\b",
    re.IGNORECASE,
)
_OPINION = re.compile(
    r"\b(?:should|must|ought|hope[sd]?|wish(?:es)?|believe[sd]?|think|feel|could|might|may|"
    r"perhaps|maybe|in (?:my|our) view|deserves?|great|terrible|wonderful)\b",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(
    r"\b(?:stay (?:with us|tuned)|share your|subscribe|sign up|follow us|click here|read more|"
    r"all rights reserved|copyright|newsletter|comments? below|let us know|what do you think|"
    r"all data reflects)\b|©",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w'’\-]+(?:\s+(?:of\s+)?[A-Z][\w'’\-]+)*")
_SKIP_NAMES = _words(
    """
    The A An He She It They We I This That These Those But And Or In On At For With From
    By As If When While After Before Monday Tuesday Wednesday Thursday Friday Saturday
    Sunday January February March April May June July August September October November
    December
    """
)


def checkworthiness(sentence: str, *, has_date: bool | None = None) -> float:
    """A 0..1 score: higher for checkable claims (see the module's table). Never raises.

    ``has_date`` lets a caller that has already read the sentence's dates (the extractor)
    skip reading them again; None means "find out".
    """
    if not isinstance(sentence, str) or not sentence.strip():
        return 0.0
    text = " ".join(sentence.split())[:2000]
    if _BOILERPLATE.search(text):
        return 0.02
    score = _BASE
    numbers = [m for m in _NUMBER.finditer(text) if not _is_year(m.group())]
    has_figure = bool(numbers) or bool(_NUMBER_WORDS.search(text))
    if has_figure:
        score += 0.20
    if _PERCENT.search(text):
        score += 0.10
    if _UNITS.search(text):
        score += 0.05
    if has_date if has_date is not None else _has_date(text):
        score += 0.10
    names = [m.group() for m in _NAME.finditer(text) if m.group() not in _SKIP_NAMES]
    score += min(len(names), 3) * 0.07
    if _FACT.search(text):
        score += 0.15
    if _COMPARE.search(text):
        score += 0.10
    if _ATTRIBUTION.search(text):
        score += 0.05
    if text.rstrip(" ”\"’')").endswith("?"):
        score -= 0.30
    if _OPINION.search(text) and not has_figure:
        score -= 0.10
    return round(max(0.0, min(1.0, score)), 3)


def _is_year(token: str) -> bool:
    return len(token) == 4 and token.isdigit() and 1900 <= int(token) <= 2100


def _has_date(text: str) -> bool:
    """Whether the sentence names a date. Any fixed reference will do: only whether there is
    one matters, and relative ones ("on Thursday") need a reference to be recognised."""
    from workbench.dates import find_date_expressions

    return bool(find_date_expressions(text, reference=_ANY_DAY))
