"""Suggested statements: who said what, when, and through whom, read off article text.

Editors accept or dismiss these suggestions one key at a time, so the extractor is tuned to
be *right when it speaks*: a missed statement costs the editor one selection, a statement
given to the wrong speaker costs a correction and some trust. It is a set of explainable
rules over one sentence at a time (plus the sentence before, for "he said" and for quotes
that run over several sentences), written for wire copy and explainers in English; no
model, no download, nothing heavy at import time.

What it reads
    Reported speech and quotes around an attribution verb ("said", "told", "warned",
    "affirmed", "signalled", "denied", "according to", "citing", "quoted … as saying", …),
    with the speaker before the verb ("Lenk said"), after it ("…, said Lenk"), in an
    appositive ("Pavel Lenk, the Stenhold spokesman, denied …"), as an institution ("the
    Corvin Palace affirmed"), as a pronoun or a role noun ("she said", "the spokesman added":
    the last compatible speaker in the text), and beliefs and intentions ("believes",
    "hopes", "wants", "plans to", "is ready to") when no speech verb governs them.

Decisions (the gold file in ``tests/gold/statements.toml`` states the same conventions)
    * One statement per speaker per sentence; a quote over several sentences attributed
      once is one statement; an unattributed quote right after a speaker's quote is theirs.
    * The speaker is whose words or stance they are — the one who said them even when an
      intention opens them ("Ostmarin wants …, Prasz said" is Prasz's). An unnamed
      spokesman for an institution, or an unnamed official of one, speaks for it;
      advisers, aides, sources, officials of a country ("an Ostmarin official") and of no
      named institution are anonymous (speaker None, mention kept). A person the desk does
      not know, named in a post at an institution it does ("a commission hydrologist, Dr.
      …"), speaks for the institution, post and name in the chain; so does an office the
      desk does not list for its country ("Savoren's foreign ministry"). "X has indicated
      …, according to Y citing Z" is X's, with the chain "Y, citing Z" in ``attribution``;
      "according to figures published by Y" is Y's. An outlet is the speaker only when the
      claim rests on it alone ("…, PNA has learned").
    * The date is the one tied to the act of saying ("said on Thursday", "On Tuesday, the
      ministry announced", "… to be announced in the coming days", a "(12 Dec 2025):"
      label, "last Wednesday, when the ministry said"), not one inside the reported
      content; a continuation ("She added …") takes its predecessor's date (never one still
      to come); a speaker named again takes the date of their last dated statement in the
      article; otherwise the day the lead pegs the story to, if within a week before
      publication (approximate: a morning wire on "Wednesday's call" reports Wednesday's
      words); otherwise the article's date with precision "day".
    * A quote is a statement whose words are all inside quotation marks; a paraphrase with
      a partial quote is a paraphrase, and so is reported speech after "that" or a clause
      that only ends in a quoted fragment.
    * No claim: questions, headlines and labels, boilerplate, table rows, negated or
      declined speech ("did not respond", "declined to comment"), "That said", "All told".
      "Analysts caution …" is a statement by an anonymous group (speaker None).

``extract_statements`` never raises: a sentence it cannot read yields nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from workbench.dates import DateGuess, find_date_expressions
from workbench.extract.actors import (
    ANONYMOUS_WORDS,
    COLLECTIVE_WORDS,
    INSTITUTION_WORDS,
    MOUTHPIECE_WORDS,
    OFFICIAL_WORDS,
    TITLE_WORDS,
    ActorMatch,
    ActorResolver,
    fold,
)
from workbench.extract.checkworthiness import checkworthiness
from workbench.extract.sentences import split_sentences

__all__ = ["Candidate", "extract_statements"]


def _words(text: str) -> frozenset[str]:
    """A vocabulary written as running words (easier to read and extend than a list)."""
    return frozenset(text.split())


@dataclass(frozen=True)
class Candidate:
    """One suggested statement, ready to be stored with review "suggested"."""

    start: int  # evidence span in the article text (the sentence(s) holding it)
    end: int
    speaker_mention: str  # as written: "a Kremlin spokesman", "Varga", "the adviser"
    speaker_id: int | None  # resolved actor, or None
    attribution: str  # the chain as a phrase: "Kremlin spokesman, citing …"; "" when direct
    text: str  # the quoted words for a quote; the reported clause for a paraphrase
    quote: bool
    said_on: date | None
    said_until: date | None
    precision: str  # day | month | year | approximate | unknown
    date_text: str  # the words the date came from; "" when it is the article's date
    kind: str  # "speech" | "belief" | "intention"
    score: float  # check-worthiness 0..1


# --- vocabulary ---------------------------------------------------------------------------------


def _verb_table(rows: str) -> dict[str, tuple[str, bool]]:
    """ "say said says | say" lines → form → (lemma, is_base_form)."""
    table: dict[str, tuple[str, bool]] = {}
    for line in rows.strip().splitlines():
        forms, _, base = line.partition("|")
        words = forms.split()
        lemma = words[0]
        for form in words[1:]:
            table[form] = (lemma, False)
        for form in base.split():
            table[form] = (lemma, True)
    return table


#: Speech verbs: past and third-person forms, then (after "|") base forms, which count only
#: with a plural or pronoun subject ("Analysts caution", "both capitals say").
SPEECH_VERBS = _verb_table(
    """
    say said says | say
    tell told tells | tell
    warn warned warns | warn
    affirm affirmed affirms | affirm
    signal signaled signalled signals | signal
    declare declared declares | declare
    indicate indicated indicates | indicate
    stress stressed stresses | stress
    add added adds | add
    insist insisted insists | insist
    deny denied denies | deny
    confirm confirmed confirms | confirm
    announce announced announces | announce
    note noted notes | note
    argue argued argues | argue
    claim claimed claims | claim
    reiterate reiterated reiterates | reiterate
    assert asserted asserts | assert
    acknowledge acknowledged acknowledges | acknowledge
    admit admitted admits | admit
    accuse accused accuses | accuse
    urge urged urges | urge
    demand demanded demands | demand
    reject rejected rejects | reject
    dismiss dismissed dismisses | dismiss
    explain explained explains | explain
    emphasise emphasised emphasises emphasized emphasizes | emphasise emphasize
    underline underlined underlines | underline
    underscore underscored underscores | underscore
    suggest suggested suggests | suggest
    predict predicted predicts | predict
    promise promised promises | promise
    pledge pledged pledges | pledge
    vow vowed vows | vow
    threaten threatened threatens | threaten
    caution cautioned cautions | caution
    maintain maintained maintains | maintain
    contend contended contends | contend
    allege alleged alleges | allege
    report reported reports | report
    write wrote writes | write
    tweet tweeted tweets | tweet
    comment commented comments | comment
    reply replied replies | reply
    respond responded responds | respond
    retort retorted retorts | retort
    counter countered counters | counter
    concede conceded concedes | concede
    disclose disclosed discloses | disclose
    reveal revealed reveals | reveal
    hint hinted hints | hint
    protest protested protests | protest
    complain complained complains | complain
    criticise criticised criticises criticized criticizes | criticise criticize
    condemn condemned condemns | condemn
    welcome welcomed welcomes | welcome
    state stated states | state
    observe observed observes | observe
    remark remarked remarks | remark
    assure assured assures | assure
    ask asked asks | ask
    describe described describes | describe
    mention mentioned mentions | mention
    call called calls | call
    rule ruled rules | rule
    put put puts |
    repeat repeated repeats | repeat
    recall recalled recalls | recall
    thank thanked thanks | thank
    praise praised praises | praise
    hail hailed hails | hail
    learn learned learnt |
    """
)
#: Beliefs: a stance held rather than something said.
BELIEF_VERBS = _verb_table(
    """
    believe believes believed | believe
    think thinks thought | think
    expect expects | expect
    hope hopes hoped | hope
    fear fears feared | fear
    doubt doubts doubted | doubt
    """
)
#: Intentions; "plan", "seek", "aim" and "wish" only before "to".
INTENTION_VERBS = _verb_table(
    """
    want wants wanted | want
    intend intends intended | intend
    plan plans planned | plan
    seek seeks | seek
    aim aims | aim
    wish wishes | wish
    """
)
_NEEDS_TO = frozenset({"plan", "seek", "aim", "wish"})
#: "is ready to", "stands prepared to", "remains open to": intention predicates.
_READY_WORDS = frozenset({"ready", "prepared", "willing", "determined", "eager", "keen", "open"})
_BE_WORDS = frozenset(
    {"is", "are", "was", "were", "remains", "remain", "remained", "stands", "stand", "stood"}
)
#: Verbs that put their speaker after them in inversions ("…, said Lenk").
_INVERTING = _words(
    """
    say add insist warn claim note explain ask reply stress declare argue concede
    confirm announce write continue retort counter affirm
    """
)
#: Participles that carry a second speech act of the sentence's subject ("…, saying …").
_PARTICIPLES = _words(
    """
    saying adding warning insisting noting stressing arguing claiming accusing urging
    denying declaring signalling signaling affirming confirming announcing explaining
    reiterating pledging vowing promising threatening asserting acknowledging suggesting
    rejecting dismissing calling describing
    """
)
_PRONOUNS = frozenset({"he", "she", "they", "it"})
_DETERMINERS = _words(
    """
    the a an his her their its our two three four five several some many both other
    unnamed
    """
)
#: Role nouns that name a body, not a person: "the commission said" refers back to a
#: commission, never to the last person who spoke.
_BODY_WORDS = INSTITUTION_WORDS | _words(
    """
    union alliance committee commission court team delegation palace bloc league federation
    institute authority board newspaper broadcaster
    """
)
#: Nouns that can head a speaker phrase, besides names.
_ROLE_HEADS = (
    (TITLE_WORDS - _DETERMINERS - {"new", "first", "top", "former", "acting", "state", "under"})
    | ANONYMOUS_WORDS
    | MOUTHPIECE_WORDS
    | COLLECTIVE_WORDS
    | _BODY_WORDS
    | _words(
        """
    analysts observers experts capitals authorities investigators economists activists
    campaigners protesters doctors police prosecutors prosecutor monitors inspectors
    researchers scientists historians commentators troops ministries governments
    """
    )
)
#: Lowercase words that may qualify a speaker phrase ("senior", "military", "unnamed").
_MODIFIERS = _words(
    """
    senior top junior former acting deputy vice chief foreign defence defense interior
    finance military press state government opposition presidential ministerial security
    intelligence diplomatic western european local regional national joint other unnamed
    anonymous new first prime general high special federal public official independent
    """
)
#: Words before a verb that do not end the speaker phrase's search ("Lenk has also said").
_SKIP_BEFORE_VERB = _words(
    """
    also again has have had will would later previously already repeatedly publicly
    separately firmly flatly further then recently now once still reportedly privately
    openly explicitly categorically strongly sharply quickly immediately initially
    subsequently earlier long just often since yet swiftly curtly briefly angrily
    """
)
_PASSIVE_MARKERS = frozenset({"be", "been", "being", "is", "are", "was", "were"})
_NEGATIONS = frozenset({"not", "never", "no"})
_AUX_FOR_NEGATION = frozenset({"did", "does", "do"})
_CONJUNCTIONS = frozenset({"and", "but", "or", "while", "whereas", ";"})
#: Words that may sit between a verb and the date tied to it ("told reporters in Halden on
#: Thursday", "said in a joint statement on Thursday"); names are allowed as well.
_GAP_WORDS = _words(
    """
    on in at to late early earlier again also publicly first only so a an the joint
    statement statements interview interviews reporters journalists press conference
    briefing television tv radio broadcaster state parliament lawmakers with separately
    later by phone telephone video link message series of remarks speech address news
    late-night
    """
)
_STATEMENT_NOUNS = re.compile(
    r"\b(?:statement|interview|briefing|remarks|comments|press conference|speech|message|"
    r"post|letter|address|communiqu[eé])\s+(?:(?:released|issued|published|made|given|posted|"
    r"sent)\s+)?(?:(?:late|early)\s+)?(?:on\s+|in\s+|at\s+)?$",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(
    r"\b(?:stay (?:with us|tuned)|share your|subscribe|sign up|follow us|click here|read more|"
    r"all rights reserved|copyright|newsletter|all data reflects|reporting by|editing by)\b|©",
    re.IGNORECASE,
)
_FRONTED = _words(
    """
    in on at after before during following speaking asked citing from with by between
    since earlier later last this over amid despite writing addressing
    """
)
_CAP_STOP = _words(
    """
    The A An But And Or However Meanwhile It This That These Those In On At For With
    From By As If When While After Before Asked Speaking Citing According Yet So Still
    Also Then There Here What Who Why How Will Would Could Should Can Did Does Do Is Are
    Was Were Has Have Had We They He She I You No Not Its Their His Her Our
    """
)
_AUDIENCE = _words(
    """
    him her them us me reporters journalists parliament lawmakers delegates the a an
    """
)
_QUOTE_OPEN = {"“": "”", "«": "»", "„": "“", '"': '"', "‘": "’"}


# --- tokens and quotes --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tok:
    """A word, a punctuation mark, or a whole quotation (quoted words are never read as
    verbs or speakers, so one token hides them).
    """

    start: int  # relative to the unit
    end: int
    text: str
    kind: str  # word | punct | quote
    low: str


_WORD_RE = re.compile(r"\w+(?:(?:['’\-‑.]|(?<=\d),(?=\d))\w+)*")


def _quote_regions(text: str) -> list[tuple[int, int]]:
    """Spans of quoted passages (marks included), each within one paragraph.

    Curly and guillemet quotes pair by shape; straight double quotes alternate; single
    curly quotes count only where they cannot be apostrophes. An unclosed quote is dropped
    rather than allowed to swallow the rest of the paragraph.
    """
    regions: list[tuple[int, int]] = []
    for para in re.finditer(r"(?:[^\n]|\n(?![ \t]*\n))+", text):
        open_at: int | None = None
        closer = ""
        for pos in range(para.start(), para.end()):
            ch = text[pos]
            if open_at is None:
                if ch in _QUOTE_OPEN and (ch != "‘" or _opens_single(text, pos)):
                    open_at, closer = pos, _QUOTE_OPEN[ch]
                continue
            if ch == closer and (closer != "’" or _closes_single(text, pos)):
                regions.append((open_at, pos + 1))
                open_at = None
    return regions


def _opens_single(text: str, pos: int) -> bool:
    before = text[pos - 1] if pos else " "
    after = text[pos + 1] if pos + 1 < len(text) else " "
    return (before.isspace() or before in "([—–-") and not after.isspace()


def _closes_single(text: str, pos: int) -> bool:
    after = text[pos + 1] if pos + 1 < len(text) else " "
    return not after.isalnum()


def _tokens(text: str, quotes: list[tuple[int, int]]) -> list[_Tok]:
    """Words, punctuation and quotations of one unit, in order, with unit-relative spans."""
    toks: list[_Tok] = []
    pos = 0
    qi = 0
    while pos < len(text):
        while qi < len(quotes) and quotes[qi][1] <= pos:
            qi += 1
        if qi < len(quotes) and quotes[qi][0] == pos:
            start, end = quotes[qi]
            toks.append(_Tok(start, end, text[start:end], "quote", ""))
            pos = end
            continue
        ch = text[pos]
        if ch.isspace():
            pos += 1
            continue
        m = _WORD_RE.match(text, pos)
        if m:
            word = m.group()
            toks.append(_Tok(m.start(), m.end(), word, "word", word.lower().replace("’", "'")))
            pos = m.end()
        else:
            toks.append(_Tok(pos, pos + 1, ch, "punct", ch))
            pos += 1
    return toks


def _quote_inner(tok: _Tok) -> str:
    return tok.text[1:-1].strip() if len(tok.text) >= 2 else tok.text


# --- the reading of one unit --------------------------------------------------------------------


@dataclass
class _Unit:
    """A sentence, or several a quotation runs across: what the extractor reads at once."""

    start: int
    end: int
    text: str
    toks: list[_Tok]
    quotes: list[tuple[int, int]]  # relative spans of quotations
    published: date | None
    alone: bool  # the unit is a whole line of its own
    _dates: list[tuple[int, int, DateGuess]] | None = None

    @property
    def dates(self) -> list[tuple[int, int, DateGuess]]:
        """Date expressions outside quotations (relative spans), read on first use: most
        sentences never need them, and reading dates is the costliest step."""
        if self._dates is None:
            found = [
                (s, e, g)
                for s, e, g in find_date_expressions(self.text, reference=self.published)
                if not any(qs <= s < qe for qs, qe in self.quotes)
            ]
            self._dates = _join_day_pairs(self.text, found)
        return self._dates

    def first_date(self) -> DateGuess | None:
        return self.dates[0][2] if self.dates else None


def _join_day_pairs(
    text: str, found: list[tuple[int, int, DateGuess]]
) -> list[tuple[int, int, DateGuess]]:
    """ "on Tuesday and Wednesday" is one span of two days, not two dates: two single days
    joined by "and", the second within a week after the first, become a range."""
    out: list[tuple[int, int, DateGuess]] = []
    for start, end, guess in found:
        if out:
            p_start, p_end, prev = out[-1]
            joined = (
                re.fullmatch(r"\s+and\s+", text[p_end:start]) is not None
                and prev.end is None
                and guess.end is None
                and prev.precision == guess.precision == "day"
                and 0 < (guess.start - prev.start).days <= 7
            )
            if joined:
                merged = DateGuess(prev.start, guess.start, "day", text[p_start:end])
                out[-1] = (p_start, end, merged)
                continue
        out.append((start, end, guess))
    return out


@dataclass
class _Hit:
    """One reading of an attribution inside a unit, before its speaker is resolved."""

    verb: int  # token index of the verb (or of the key word of a pattern)
    verb_end: int  # token index after the verb phrase
    lemma: str
    kind: str  # speech | belief | intention
    subj: tuple[int, int]  # token range of the speaker phrase
    content: tuple[int, int] = (0, 0)
    before: bool = False  # the content comes before the speaker ("…, Tasch said")
    quotes: list[int] = field(default_factory=list)  # token indices of the quoted statement
    chain: list[str] = field(default_factory=list)
    appositive: tuple[int, int] | None = None
    #: every comma-set aside between the speaker and the verb ("Fendrel, spokesman for
    #: Idrevo, citing PNA, said"): a date inside one may belong to the speaker, not the saying
    asides: list[tuple[int, int]] = field(default_factory=list)
    special: str = ""  # according | quoted | participle | colon | follow
    mention: str = ""
    speaker_id: int | None = None
    continuation: bool = False
    guessed: bool = False  # the speaker phrase is a lowercase guess: keep only if resolved
    #: tokens inside ``content`` that are not said: the attribution itself in "Arlen, he
    #: said, had promised a vote"
    hole: tuple[int, int] | None = None
    #: the whole source phrase of "according to …" (its speaker may be only the "by" part)
    source: tuple[int, int] | None = None


def _is_name(tok: _Tok) -> bool:
    return tok.kind == "word" and tok.text[:1].isupper() and tok.text not in _CAP_STOP


def _is_nationality(low: str) -> bool:
    return bool(re.fullmatch(r"[a-z]{3,}(?:ian|ean|ese|ish)", low))


def _np_word(tok: _Tok) -> bool:
    if tok.kind != "word":
        return False
    if _is_name(tok):
        return True
    low = tok.low
    return (
        low in _ROLE_HEADS
        or low in _MODIFIERS
        or _is_nationality(low)
        or low.rstrip("s") in _ROLE_HEADS
        or _is_profession(low)
        or (low[:1].isdigit() and len(low) <= 3)
    )


_PROFESSION = re.compile(r"[a-z]{5,}ists?")


def _is_profession(low: str) -> bool:
    """A profession by its shape ("hydrologist", "economists"): a role the vocabulary need
    not list one by one. Long enough that "insist" or "exist" never qualify."""
    return bool(_PROFESSION.fullmatch(low))


_NP_PREPS = frozenset({"to", "for", "of", "with", "from", "in", "at", "close", "familiar", "near"})


def _role_before_prep(toks: list[_Tok], j: int, lo: int) -> int | None:
    """If ``toks[j]`` is a preposition inside a speaker phrase ("adviser to", "sources close
    to", "spokesman for"), the index of the role noun it hangs from."""
    if toks[j].kind != "word" or toks[j].low not in _NP_PREPS:
        return None
    k = j - 1
    while k >= lo and toks[k].kind == "word" and toks[k].low in ("close", "familiar", "near"):
        k -= 1
    if (
        k >= lo
        and toks[k].kind == "word"
        and (toks[k].low in _ROLE_HEADS or toks[k].low.rstrip("s") in _ROLE_HEADS)
    ):
        return k
    return None


def _np_left(toks: list[_Tok], i: int, lo: int) -> tuple[int, int] | None:
    """The speaker phrase ending at token ``i`` (inclusive), scanning back no further than
    ``lo``: names, roles, modifiers, a determiner at its start, and prepositional tails that
    hang from a role ("an adviser to Marovic")."""
    if i < lo:
        return None
    if toks[i].kind == "word" and toks[i].low in _PRONOUNS:
        prev = toks[i - 1] if i - 1 >= lo else None
        if prev is None or prev.kind != "word" or prev.low in _CONJUNCTIONS or prev.low == "that":
            return (i, i + 1)
        return None
    j = _prep_object_start(toks, i, lo)
    while j >= lo:
        tok = toks[j]
        if tok.kind == "word" and tok.low in _DETERMINERS:
            role = _role_before_prep(toks, j - 1, lo) if j - 1 >= lo else None
            if role is not None:
                j = role
                continue
            j -= 1
            break
        role = _role_before_prep(toks, j, lo)
        if role is not None and j < i:
            j = role
            continue
        title = _title_before_and(toks, j, lo) if j < i else None
        if title is not None:
            j = title
            continue
        if _np_word(tok):
            j -= 1
            continue
        break
    start = j + 1
    # A name written in lowercase ("elena Marovic said", "President vladimir Putin", "…, the
    # elysée affirmed"): up to three plain words running back to the clause's start may be
    # part of the name. Such a guess stands only if the resolver knows the name (see
    # ``_Hit.guessed``).
    k = start - 1
    run = 0
    while k >= lo and run < 3 and _may_be_lowercase_name(toks[k]):
        k -= 1
        run += 1
    at_boundary = k < lo or toks[k].kind != "word" or toks[k].low in _CONJUNCTIONS
    if run and at_boundary and any(t.text[:1].islower() for t in toks[k + 1 : start]):
        start = k + 1
    if start > i:
        return None
    phrase = toks[start : i + 1]
    if not any(
        _is_name(t)
        or t.low in _ROLE_HEADS
        or t.low.rstrip("s") in _ROLE_HEADS
        or _is_profession(t.low)
        or _may_be_lowercase_name(t)
        for t in phrase
    ):
        return None
    return (start, i + 1)


def _prep_object_start(toks: list[_Tok], i: int, lo: int) -> int:
    """ "A senior diplomat familiar with the shuttle": a speaker phrase may end in a short
    prepositional object of plain nouns hanging from a role ("familiar with", "close to",
    "involved in" is not a role and stays out). Returns the role's index, or ``i``."""
    k = i
    while k >= lo and i - k <= 4:
        tok = toks[k]
        if tok.kind != "word":
            return i
        if k < i and tok.low in _NP_PREPS:
            if all(_np_word(t) or t.low in _DETERMINERS for t in toks[k + 1 : i + 1]):
                return i  # names and roles: the phrase scan handles those ("adviser to X")
            role = _role_before_prep(toks, k, lo)
            return role if role is not None else i
        if tok.low in _CLAUSE_WORDS - _DETERMINERS or tok.low in SPEECH_VERBS or tok.low == "and":
            return i
        k -= 1
    return i


def _title_before_and(toks: list[_Tok], j: int, lo: int) -> int | None:
    """If ``toks[j]`` is an "and" inside a capitalised title's "of"-phrase ("Minister of
    Energy and Water Halina Brecht", "the Ministry of Energy and Water"), the index of the
    title word before "of".

    Such an "and" joins two parts of one office's name, not two speakers: read as a
    coordination it would give a second, bogus speaker ("Energy"). A lowercase role ("the
    president of Valdria and Anton Dreyer") or a plural one ("the Foreign Ministers of
    Valdria and Kestria") stays a coordination of two speakers.
    """
    if toks[j].kind != "word" or toks[j].low != "and":
        return None
    if j + 1 >= len(toks) or not _is_name(toks[j + 1]):
        return None
    k = j - 1
    while k >= lo and j - k <= 3 and _is_name(toks[k]):
        k -= 1
    if k == j - 1:
        return None  # nothing capitalised between "of" and "and"
    if k >= lo and toks[k].kind == "word" and toks[k].low == "the":
        k -= 1  # "Minister of the Interior and Security …"
    if k - 1 < lo or toks[k].kind != "word" or toks[k].low != "of":
        return None
    head = toks[k - 1]
    if head.low.endswith("s") and not head.low.endswith("ss"):
        return None  # "Foreign Ministers of Valdria and Kestria": two owners, two speakers
    if _is_name(head) and head.low in _ROLE_HEADS:
        return k - 1
    return None


def _may_be_lowercase_name(tok: _Tok) -> bool:
    """A word that could belong to a name typed in lowercase (or a title before one)."""
    if tok.kind != "word" or not tok.text.replace("-", "").isalpha():
        return False
    if tok.low in _STOP_WORDS or tok.low in SPEECH_VERBS or tok.low in _SKIP_BEFORE_VERB:
        return False
    return tok.text[:1].islower() or tok.low in TITLE_WORDS


def _guessed(toks: list[_Tok], span: tuple[int, int]) -> bool:
    """Whether a speaker phrase rests on lowercase words read as a name. The object of a
    preposition hanging from a role ("sources close to the talks") is no name: the role is
    the speaker's, and the words after it only say whose or which."""
    for j in range(span[0], span[1]):
        if toks[j].low in _NP_PREPS and _role_before_prep(toks, j, span[0]) is not None:
            span = (span[0], j)
            break
    return any(
        t.text[:1].islower()
        and not _np_word(t)
        and t.low not in _DETERMINERS
        and t.low not in _NP_PREPS
        and t.low not in _PRONOUNS
        and t.low != "and"  # only ever inside a title here (see ``_title_before_and``)
        for t in toks[span[0] : span[1]]
    )


_STOP_WORDS = _words(
    """
    a an and or but if then that this these those is are was were be been has have had
    will would could should can may might must do does did not no to of in on at by for
    with from as it its he she they we you i there here what which who whom whose when
    where why how yesterday today tomorrow also only just so very
    """
)


def _np_right(toks: list[_Tok], k: int, hi: int) -> tuple[int, int] | None:
    """The speaker phrase starting at token ``k`` ("…, said Mirela Tasch, the minister")."""
    j = k
    if j < hi and toks[j].kind == "word" and toks[j].low in _PRONOUNS:
        return (j, j + 1)
    while j < hi:
        tok = toks[j]
        if tok.kind != "word":
            break
        if tok.low in _DETERMINERS and all(t.low in _DETERMINERS for t in toks[k:j]):
            j += 1  # "the", "the three", "its two"
            continue
        if tok.low in _NP_PREPS and _role_before_prep(toks, j, k) is not None:
            j += 1
            continue
        if _np_word(tok):
            j += 1
            continue
        break
    if j == k:
        return None
    phrase = toks[k:j]
    if not any(_is_name(t) or t.low in _ROLE_HEADS or _is_profession(t.low) for t in phrase):
        return None
    return (k, j)


def _skip_back(toks: list[_Tok], i: int, lo: int, unit: _Unit) -> tuple[int, set[str]]:
    """Step back over adverbs, auxiliaries and a date between a speaker and its verb
    ("Lenk has also said", "the ministry on Monday said"); returns the new index and the
    words stepped over (to spot negation and the passive)."""
    seen: set[str] = set()
    while i >= lo:
        tok = toks[i]
        if tok.kind == "word" and (
            tok.low in _SKIP_BEFORE_VERB
            or tok.low in _NEGATIONS
            or tok.low in _AUX_FOR_NEGATION
            or tok.low in _PASSIVE_MARKERS
            or tok.low.endswith("n't")
        ):
            seen.add("not" if tok.low.endswith("n't") else tok.low)
            i -= 1
            continue
        if tok.kind == "word" and _in_date(unit, tok.start):
            seen.add("<date>")
            i -= 1
            while i >= lo and toks[i].kind == "word" and toks[i].low in ("on", "in", "late"):
                i -= 1
            continue
        break
    return i, seen


def _in_date(unit: _Unit, pos: int) -> bool:
    return any(s <= pos < e for s, e, _ in unit.dates)


# --- finding the attributions -------------------------------------------------------------------


def _verb_entry(toks: list[_Tok], i: int) -> tuple[str, bool, str] | None:
    """(lemma, base form?, kind) for a token that may be an attribution verb here."""
    tok = toks[i]
    if tok.kind != "word" or not tok.text[:1].islower():
        return None
    low = tok.low
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    nxt_low = nxt.low if nxt is not None and nxt.kind == "word" else ""
    if low in SPEECH_VERBS:
        lemma, base = SPEECH_VERBS[low]
        if lemma == "put":
            ahead = [t.low for t in toks[i + 1 : i + 4] if t.kind == "word"]
            if not (
                ahead[:1] in (["the"], ["its"], ["their"])
                and set(ahead[1:3])
                & {"number", "figure", "toll", "total", "tally", "count", "losses", "cost"}
            ):
                return None
        if lemma == "rule" and nxt_low != "out":
            return None
        if lemma == "call" and not (
            nxt_low == "for" or any(t.kind == "quote" for t in toks[i + 1 : i + 7])
        ):
            return None
        if lemma == "state" and nxt_low not in ("that", ""):
            return None
        if lemma == "thank" and nxt_low == "to":
            return None  # "thanks to the rain"
        if lemma == "learn" and (i == 0 or toks[i - 1].low not in ("has", "have", "had")):
            return None  # only the reporter's "PNA has learned": what it found out and says
        if lemma == "learn" and nxt_low == "to":
            return None
        return lemma, base, "speech"
    if low in BELIEF_VERBS:
        lemma, base = BELIEF_VERBS[low]
        return lemma, base, "belief"
    if low in INTENTION_VERBS:
        lemma, base = INTENTION_VERBS[low]
        if lemma in _NEEDS_TO and nxt_low != "to":
            return None
        return lemma, base, "intention"
    return None


def _find_hits(unit: _Unit) -> list[_Hit]:
    """Every attribution a unit may hold: the key-word patterns first ("according to",
    "quoted … as saying"), then each verb with its speaker before or after it, then — only if
    nothing else spoke — a participle ("…, saying …") or a colon before a quote.
    """
    toks = unit.toks
    hits: list[_Hit] = []
    lo = _segment_start(toks)
    special = _special_hits(unit, lo)
    claimed = {i for h in special for i in range(h.verb, h.verb_end)}
    hits.extend(special)
    for i in range(lo, len(toks)):
        if i in claimed:
            continue
        ready = _ready_predicate(toks, i)
        if ready is not None:
            hit = _left_hit(unit, lo, ready[0], ready[1], "ready", False, "intention")
            if hit is not None:
                hits.append(hit)
            continue
        entry = _verb_entry(toks, i)
        if entry is None:
            continue
        lemma, base, kind = entry
        if _idiom(toks, i, lo):
            continue
        end = i + 2 if lemma == "rule" else i + 1
        hit = _inverted_hit(unit, lo, i, end, lemma, kind) if lemma in _INVERTING else None
        if hit is None:
            hit = _left_hit(unit, lo, i, end, lemma, base, kind)
        if hit is not None:
            hits.append(hit)
            hits.extend(_coordinated(unit, lo, hit))
    if not any(h.kind == "speech" for h in hits):
        hits.extend(_participle_hits(unit, lo))
    if not hits:
        hits.extend(_colon_hits(unit, lo))
    hits.sort(key=lambda h: (h.verb, h.subj[0]))
    return hits


def _segment_start(toks: list[_Tok]) -> int:
    """Where the sentence proper starts: after a "Label (date):" prefix of a bullet line.

    A colon after a clause with its own attribution verb ("Mirek said the position had not
    changed: Ostmarin wants …", "She said Savoren had a plan: a cap, …") is no label: it
    introduces what that clause's speaker said."""
    for i, tok in enumerate(toks[:14]):
        if tok.kind == "punct" and tok.text == ":":
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            if nxt is not None and nxt.kind == "quote":
                return 0  # "Dreyer put it plainly: “…”" — the colon introduces a quote
            if any(_verb_entry(toks, j) is not None for j in range(i)):
                return 0
            return i + 1
    return 0


def _idiom(toks: list[_Tok], i: int, lo: int) -> bool:
    """ "That said," "All told," "Having said that," "the said agreement", "so to say"."""
    prev = toks[i - 1].low if i - 1 >= lo and toks[i - 1].kind == "word" else ""
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if toks[i].low in ("said", "told") and i - 1 == lo and prev in ("that", "all", "this"):
        return nxt is not None and nxt.text == ","
    return prev in ("having", "the", "to", "so", "needless")


def _ready_predicate(toks: list[_Tok], i: int) -> tuple[int, int] | None:
    """ "is ready to" / "stands prepared to" / "remains open to": (start, end) indices."""
    tok = toks[i]
    if tok.kind != "word" or tok.low not in _BE_WORDS:
        return None
    j = i + 1
    if j < len(toks) and toks[j].kind == "word" and toks[j].low in ("still", "now", "also"):
        j += 1
    if (
        j + 1 < len(toks)
        and toks[j].kind == "word"
        and toks[j].low in _READY_WORDS
        and toks[j + 1].low == "to"
    ):
        return (i, j + 1)
    return None


def _left_hit(
    unit: _Unit, lo: int, i: int, end: int, lemma: str, base: bool, kind: str
) -> _Hit | None:
    """A verb whose speaker stands before it: "Lenk said", "Pavel Lenk, the spokesman, said"."""
    toks = unit.toks
    j, seen = _skip_back(toks, i - 1, lo, unit)
    if seen & _NEGATIONS:
        return None
    if lemma != "ready" and seen & _PASSIVE_MARKERS:
        return None
    if j >= lo and toks[j].kind == "word" and toks[j].low == "and":
        return _coordinated_verb(unit, lo, i, end, lemma, base, kind, j)
    appositive: tuple[int, int] | None = None
    asides: list[tuple[int, int]] = []
    chain: list[str] = []
    if _is_comma(toks, j, lo):
        aside = _aside_before(toks, j, lo)
        if aside is None:
            return None
        appositive = aside
        asides.append(aside)
        chain.extend(_chain_from_aside(unit, aside))
        j = aside[0] - 2
    subj = _np_left(toks, j, lo)
    if subj is None:
        return None
    if asides and chain and _is_comma(toks, subj[0] - 1, lo) and _is_role_phrase(toks, subj):
        # "Luka Fendrel, spokesman for President Tomás Idrevo, citing PNA, said": the phrase
        # before the "citing" aside is a second aside, a role; the speaker is the name before
        # it, and a mouthpiece's role (on whose behalf he spoke) heads the chain.
        named = _np_left(toks, subj[0] - 2, lo)
        if named is not None and _looks_like_name(unit, named):
            role = subj
            appositive, subj = role, named
            asides.append(role)
            if _speaks_through([t.low for t in toks[role[0] : role[1]]]):
                chain.insert(0, _strip_article(_phrase(unit, role)))
    elif appositive is not None and not chain and not _looks_like_name(unit, appositive):
        # "Pavel Lenk, the Stenhold spokesman, said": a mouthpiece's role, kept in the chain
        # as in the two-aside case above, so the editor sees on whose behalf he spoke.
        words = [t.low for t in toks[appositive[0] : appositive[1]]]
        if _speaks_through(words) and _looks_like_name(unit, subj):
            chain.append(_strip_article(_phrase(unit, appositive)))
    if base and kind != "intention" and not _plural_subject(toks, subj):
        return None
    if not _head_ok(toks, subj):
        return None
    hit = _Hit(i, end, lemma, kind, subj, appositive=appositive, chain=chain, asides=asides)
    hit.guessed = _guessed(toks, subj)
    _set_content(unit, hit)
    return hit


def _coordinated_verb(
    unit: _Unit, lo: int, i: int, end: int, lemma: str, base: bool, kind: str, and_at: int
) -> _Hit | None:
    """ "Savolder, who answered questions in parliament, thanked Savoren and said …": a verb
    after "and" shares the subject the clause opened with. Only when that subject is
    followed (after at most one comma-set aside) by a verb of its own, and no "that" stands
    between — in "Arlen said the port had closed and said …" the second verb is still
    Arlen's, but in "… said that the port had closed and said …" it may not be."""
    toks = unit.toks
    subj = _initial_subject(unit, lo)
    if subj is None or subj[1] >= and_at:
        return None
    k = subj[1]
    asides: list[tuple[int, int]] = []
    if _is_comma(toks, k, lo):
        close = k + 1
        while close < and_at and not _is_comma(toks, close, lo):
            close += 1
        if close >= and_at:
            return None
        asides.append((k + 1, close))
        k = close + 1
    verb = toks[k] if k < and_at else None
    if verb is None or verb.kind != "word" or not verb.text[:1].islower():
        return None
    if verb.low in _STOP_WORDS - {"has", "have", "had", "also"} or verb.low in _CONJUNCTIONS:
        return None
    if any(t.kind == "word" and t.low == "that" for t in toks[k:and_at]):
        return None
    if base and kind != "intention" and not _plural_subject(toks, subj):
        return None
    if not _head_ok(toks, subj):
        return None
    hit = _Hit(i, end, lemma, kind, subj, asides=asides)
    hit.appositive = asides[0] if asides else None
    _set_content(unit, hit)
    return hit


def _is_comma(toks: list[_Tok], j: int, lo: int) -> bool:
    return lo <= j < len(toks) and toks[j].kind == "punct" and toks[j].text == ","


def _aside_before(toks: list[_Tok], j: int, lo: int) -> tuple[int, int] | None:
    """The comma-set aside that ends at the comma ``toks[j]`` ("Lenk, the spokesman, said"),
    as a token span without its commas; None when no comma opens it (the comma then ends a
    clause, and what stands before it is not the verb's subject)."""
    k = j - 1
    while k >= lo and not (toks[k].kind == "punct" and toks[k].text in ",:;("):
        if toks[k].kind == "quote":
            break
        k -= 1
    if _is_comma(toks, k, lo) and k + 1 < j:
        return (k + 1, j)
    return None


def _is_role_phrase(toks: list[_Tok], span: tuple[int, int]) -> bool:
    """ "spokesman for President Tomás Idrevo", "the palace spokesman", "Norvena's foreign
    minister": a phrase whose head (its last word before any preposition) is a lowercase
    role, which describes a speaker rather than names one."""
    phrase = toks[span[0] : span[1]]
    for index, tok in enumerate(phrase):
        if index and tok.kind == "word" and tok.low in _NP_PREPS:
            phrase = phrase[:index]
            break
    head = phrase[-1] if phrase else None
    return (
        head is not None
        and head.kind == "word"
        and head.text[:1].islower()
        and (
            head.low in _ROLE_HEADS
            or head.low.rstrip("s") in _ROLE_HEADS
            or _is_profession(head.low)
        )
    )


def _head_ok(toks: list[_Tok], subj: tuple[int, int]) -> bool:
    """The last word of a speaker phrase must be able to speak: a name, a role, a pronoun —
    not a possessive ("the Kremlin's claims") or a common noun ("Russia's security demands",
    where "demands" is a noun, not a verb)."""
    head = toks[subj[1] - 1]
    if head.low.endswith(("'s", "s'")):
        return False
    if _is_name(head) or head.low in _PRONOUNS or head.low in _ROLE_HEADS:
        return True
    if _is_profession(head.low):
        return True
    if _head_of(toks[subj[0] : subj[1]]) is not None:
        return True  # "the head of state said": "state" is a verb elsewhere, not here
    return head.low.rstrip("s") in _ROLE_HEADS or _may_be_lowercase_name(head)


def _coordinated(unit: _Unit, lo: int, hit: _Hit) -> list[_Hit]:
    """ "Sorell and Tasch said in a joint statement": one statement for each named speaker.
    A phrase that is not a name counts too when it opens its clause ("…, the governments of
    both countries and Savoren said"): then what they said is the clause before them all."""
    toks = unit.toks
    out: list[_Hit] = []
    start = hit.subj[0]
    while start - 2 >= lo and toks[start - 1].low == "and":
        end = start - 1
        if _is_name(toks[start - 2]):
            first = end - 1
            while first - 1 >= lo and _is_name(toks[first - 1]):
                first -= 1
            if first - 1 >= lo and toks[first - 1].low == "the":
                first -= 1  # "the Pact and the Northern Union said"
        else:
            span = _np_left(toks, start - 2, lo)
            if span is None or not (span[0] == lo or _is_comma(toks, span[0] - 1, lo)):
                break
            if not _head_ok(toks, span) or _guessed(toks, span):
                break
            first = span[0]
        other = _Hit(hit.verb, hit.verb_end, hit.lemma, hit.kind, (first, end), hit.content)
        other.before, other.quotes, other.chain = hit.before, list(hit.quotes), list(hit.chain)
        other.special = "coordinated"
        out.insert(0, other)
        start = first
    if out and hit.content[1] <= hit.content[0]:
        own = hit.subj
        hit.subj = (start, own[1])
        _set_content(unit, hit)
        hit.subj = own
        for other in out:
            other.content, other.before, other.quotes = hit.content, hit.before, list(hit.quotes)
    return out


def _plural_subject(toks: list[_Tok], subj: tuple[int, int]) -> bool:
    """Whether a base form ("say", "caution") agrees with the subject: its head noun (the
    last word before any preposition: "Officials in Halden") is plural, or a pronoun."""
    phrase = toks[subj[0] : subj[1]]
    for index, tok in enumerate(phrase):
        if index and tok.low in _NP_PREPS:
            phrase = phrase[:index]
            break
    head = phrase[-1]
    low = head.low
    if low in ("they", "we", "i", "you"):
        return True
    if not low.endswith("s") or low.endswith("ss") or low.endswith("'s"):
        return False
    return not _is_name(head) or low in _ROLE_HEADS or low[:-1] in _ROLE_HEADS


def _inverted_hit(unit: _Unit, lo: int, i: int, end: int, lemma: str, kind: str) -> _Hit | None:
    """ "…, said Mirela Tasch, Kestria's foreign minister." / "“…,” said Lenk." """
    toks = unit.toks
    if i - 1 < lo:
        return None
    prev = toks[i - 1]
    if not (prev.kind == "quote" or (prev.kind == "punct" and prev.text == ",")):
        return None
    subj = _np_right(toks, end, len(toks))
    if subj is None:
        return None
    after = subj[1]
    if after < len(toks):
        nxt = toks[after]
        ok = (nxt.kind == "punct" and nxt.text in ",.;!?") or _in_date(unit, nxt.start)
        ok = ok or (nxt.kind == "word" and nxt.low in ("on", "in", "at", "late", "told"))
        if not ok:
            return None
    hit = _Hit(i, end, lemma, kind, subj, before=True)
    if after < len(toks) and toks[after].kind == "punct" and toks[after].text == ",":
        stop = after + 1
        while stop < len(toks) and not (toks[stop].kind == "punct" and toks[stop].text in ",."):
            stop += 1
        hit.appositive = (after + 1, stop)
    q = i - 1
    if toks[q].kind == "punct":
        q -= 1
    if q >= 0 and toks[q].kind == "quote" and _whole_quote(toks, q):
        hit.quotes = [q]
        hit.content = (q, q + 1)
    else:
        hit.content = (lo, i - 1)
    return hit


def _chain_from_aside(unit: _Unit, aside: tuple[int, int]) -> list[str]:
    """ "citing two officials" → ["citing two officials"]; "cited by Valdria Today" →
    ["Valdria Today"]; "who cited intelligence reports" → ["citing intelligence reports"]."""
    toks = unit.toks[aside[0] : aside[1]]
    if not toks:
        return []
    text = unit.text[toks[0].start : toks[-1].end]
    m = re.match(r"(?:who\s+)?(?:cited|citing)\s+(.+)$", text, re.IGNORECASE)
    if m and not text.lower().startswith("cited by"):
        return [f"citing {m.group(1)}"]
    m = re.match(r"(?:as\s+)?(?:cited|quoted)\s+by\s+(.+)$", text, re.IGNORECASE)
    if m:
        return [m.group(1)]
    return []


def _set_content(unit: _Unit, hit: _Hit) -> None:
    """What was said: the clause after the verb, or — when nothing follows the verb but its
    own tail ("…, Tasch said on Friday.") — the clause before the speaker."""
    toks = unit.toks
    k = hit.verb_end
    n = len(toks)
    jumped = False
    # "said in an interview with Valdria Today that …": jump to the "that".
    for j in range(k, min(n, k + 14)):
        tok = toks[j]
        if tok.kind == "word" and tok.low == "that":
            if _adverbial_gap(unit, toks[k:j]):
                k, jumped = j + 1, True
            break
        if tok.kind == "quote" or (tok.kind == "punct" and tok.text in ";:"):
            break
    if hit.lemma in ("tell", "urge", "accuse", "assure", "ask") and k == hit.verb_end:
        k = _skip_object(unit, k)
    while k < n and (
        (toks[k].kind != "quote" and _in_date(unit, toks[k].start))
        or (toks[k].kind == "word" and toks[k].low in ("on", "late") and _date_follows(unit, k))
    ):
        k += 1  # "said on Dec. 12", "said Dec 30–Jan 2": a date's own stops and dashes too
    if _parenthetical(unit, hit, k):
        return
    # "…, Hallor said on Saturday, one day after …" / "…, the presidency added, without
    # giving details": an attribution with only an aside after it reports what came before.
    tail_only = k >= n or (toks[k].kind == "punct" and toks[k].text in ",.;!?")
    if not (tail_only or jumped) and toks[k].low in _TAIL_STARTS:
        # "X could resume, Prasz said on Wednesday after a morning of talks": an adverbial
        # after the verb says when or how; the statement is the clause before the speaker.
        tail_only = _clause_before_subject(toks, hit)
    while k < n and toks[k].kind == "punct" and toks[k].text in ",:":
        k += 1
    end = n
    for j in range(k, n - 1):
        if toks[j].low == "according" and toks[j + 1].low == "to":
            end = j  # "…, according to BNA": the source, not the content
            break
    while end > k and toks[end - 1].kind == "punct" and toks[end - 1].text in ".!?;,":
        end -= 1
    rest = [t for t in toks[k:end] if not _gap_ok(unit, t)]
    if (not rest or tail_only) and hit.subj[0] > 0:
        before = hit.subj[0] - 1
        if toks[before].kind == "punct" and toks[before].text == ",":
            before -= 1
        if before >= 0 and toks[before].kind == "quote" and _whole_quote(toks, before):
            # A quote right after the verb continues it: "“We will answer,” Dreyer said,
            # “at a time of our choosing.”"
            more = [k] if k < n and toks[k].kind == "quote" else []
            hit.quotes = [before, *more]
            hit.content = (before, before + 1)
            hit.before = True
            return
        if toks[hit.subj[0] - 1].kind == "punct" and toks[hit.subj[0] - 1].text in ",":
            hit.content = (_segment_start(toks), hit.subj[0] - 1)
            hit.before = True
            return
    hit.content = (k, end)
    inside = [t for t in toks[k:end] if not (t.kind == "punct" and t.text in ",.:")]
    if inside and all(t.kind == "quote" for t in inside) and not jumped:
        # (after "that" the words are reported speech even when all of them are quoted:
        # "Mirek replied that “no call is planned”" is a paraphrase with a quotation)
        hit.quotes = [j for j in range(k, end) if toks[j].kind == "quote"]
    quote_before = _quote_before_subject(toks, hit.subj[0])
    if quote_before is not None and _whole_quote(toks, quote_before):
        # "“…,” Lenk said of reports that …" / "“…,” she said, ruling out …": the quote is
        # the statement; what follows the verb is about it. A quote right after the verb
        # continues it ("“We will answer,” Dreyer said, “at a time of our choosing.”").
        after = [j for j in range(k, end) if toks[j].kind == "quote"]
        hit.quotes = [quote_before, *(after[:1] if after and after[0] == k else [])]


#: Words that open an adverbial after an attribution verb rather than what was said
#: ("said after a morning of talks", "said during a visit", "said of the proposal").
_TAIL_STARTS = _words(
    """
    after before during following amid ahead upon despite while when as without until at
    in of with
    """
)


def _clause_before_subject(toks: list[_Tok], hit: _Hit) -> bool:
    """Whether a clause of its own stands before the speaker, set off by a comma ("Ferry
    services could resume, Prasz said …"), rather than an opening phrase ("In Lisk, Prasz
    said …", "Speaking to reporters, Prasz said …") that leads into the attribution."""
    comma = hit.subj[0] - 1
    if comma <= 0 or not (toks[comma].kind == "punct" and toks[comma].text == ","):
        return False
    lo = _segment_start(toks)
    words = [t for t in toks[lo:comma] if t.kind in ("word", "quote")]
    return len(words) >= 3 and not (words[0].kind == "word" and words[0].low in _FRONTED)


def _whole_quote(toks: list[_Tok], q: int) -> bool:
    """Whether the quotation ``toks[q]`` is a clause of its own, not the tail of a
    paraphrase ("The ban should end “within days”, Arlen said." is a paraphrase with a
    quoted fragment): no word stands between it and the start of its clause."""
    j = q - 1
    while j >= 0:
        tok = toks[j]
        if tok.kind == "punct" and tok.text in ".!?:;…":
            return True
        if tok.kind in ("word", "quote"):
            return False
        j -= 1
    return True


def _quote_before_subject(toks: list[_Tok], start: int) -> int | None:
    j = start - 1
    if j >= 0 and toks[j].kind == "punct" and toks[j].text == ",":
        j -= 1
    return j if j >= 0 and toks[j].kind == "quote" else None


def _date_follows(unit: _Unit, k: int) -> bool:
    return k + 1 < len(unit.toks) and _in_date(unit, unit.toks[k + 1].start)


def _gap_ok(unit: _Unit, tok: _Tok) -> bool:
    """A word that can sit between a verb and its "that" or its date without being content."""
    if tok.kind != "quote" and _in_date(unit, tok.start):
        return True  # the stop of "Dec. 12", the dash of "Dec 30–Jan 2"
    if tok.kind == "punct":
        return tok.text in ","
    if tok.kind != "word":
        return False
    return tok.low in _GAP_WORDS or _is_name(tok)


#: Words that make a clause, not an adverbial: what follows them is content.
_CLAUSE_WORDS = _words(
    """
    that is are was were be been being has have had will would could should can may might
    must do does did not no never it he she they we i you there
    """
)
_ADVERBIAL_PREPS = _TAIL_STARTS | _words("on in at to for from by over within inside outside")


def _adverbial_gap(unit: _Unit, gap: list[_Tok]) -> bool:
    """Whether the words between a verb and its "that" only say where, when or how it was
    said: "said on Dec. 12 that", "told reporters in Halden that", "said on Tuesday after
    talks with the mayors that". Words after a preposition may be any noun, but no word
    that makes a clause ("said the talks had failed and that": content, not an adverbial)."""
    if all(_gap_ok(unit, t) for t in gap):
        return True
    if any(t.kind == "punct" and t.text == "," for t in gap):
        return False  # "said on Tuesday, in the clearest sign yet that …": an aside's "that"
    after_prep = False
    for tok in gap:
        if _gap_ok(unit, tok):
            if tok.kind == "word" and tok.low in _ADVERBIAL_PREPS:
                after_prep = True
            continue
        if tok.kind != "word" or tok.low in _CLAUSE_WORDS:
            return False
        if tok.low in _ADVERBIAL_PREPS:
            after_prep = True
            continue
        if not after_prep:
            return False
    return True


#: First words of the rest of a sentence after a parenthetical attribution ("Arlen, he
#: said, had promised a vote"): a verb of the clause the attribution interrupts.
_CLAUSE_GOES_ON = _words(
    """
    is are was were has have had will would could should can may might must did does do
    also still never already always remains remained
    """
)


def _parenthetical(unit: _Unit, hit: _Hit, k: int) -> bool:
    """ "Arlen, he said, had promised a vote": an attribution set off by commas inside the
    clause it reports. What was said is the whole clause without the attribution (kept in
    ``hit.hole``); the words before the first comma ("Arlen") are content, not a speaker."""
    toks = unit.toks
    n = len(toks)
    comma = hit.subj[0] - 1
    if hit.before or comma <= 0 or not _is_comma(toks, comma, 0):
        return False
    if k >= n or not _is_comma(toks, k, 0) or k + 1 >= n:
        return False
    nxt = toks[k + 1]
    goes_on = nxt.kind == "word" and (
        nxt.low in _CLAUSE_GOES_ON
        or (nxt.low in SPEECH_VERBS | BELIEF_VERBS | INTENTION_VERBS and nxt.text[:1].islower())
    )
    if not goes_on:
        return False
    lo = _segment_start(toks)
    head = [t for t in toks[lo:comma] if t.kind in ("word", "quote")]
    if not head or any(t.kind == "punct" and t.text in ",;:" for t in toks[lo:comma]):
        return False
    if head[0].kind == "word" and head[0].low in _FRONTED:
        return False  # "In Velsk, Kowal said, …" opens with a phrase, not a subject
    end = n
    while end > k + 1 and toks[end - 1].kind == "punct" and toks[end - 1].text in ".!?;,":
        end -= 1
    hit.content = (lo, end)
    hit.hole = (comma, k + 1)
    return True


def _skip_object(unit: _Unit, k: int) -> int:
    """ "told him the shelling …", "told reporters …", "urged Kestria to …": the listener is
    not part of what was said."""
    toks = unit.toks
    j = k
    while (
        j < len(toks)
        and toks[j].kind == "word"
        and (toks[j].low in _AUDIENCE or _is_name(toks[j]) or toks[j].low in _MODIFIERS)
    ):
        j += 1
        if toks[j - 1].low in ("him", "her", "them", "us", "me", "reporters", "journalists"):
            break
    return j


def _special_hits(unit: _Unit, lo: int) -> list[_Hit]:
    """Patterns around a key word rather than a speaker and a verb: "according to X",
    "X quoted Y as saying", "Y was quoted by X as saying"."""
    toks = unit.toks
    out: list[_Hit] = []
    for i in range(lo, len(toks) - 1):
        tok = toks[i]
        if tok.kind != "word":
            continue
        if tok.low == "according" and toks[i + 1].low == "to":
            hit = _according(unit, lo, i)
            if hit is not None:
                out.append(hit)
        elif tok.low == "quoted":
            hit = _quoted_as_saying(unit, lo, i)
            if hit is not None:
                out.append(hit)
    return out


def _according(unit: _Unit, lo: int, i: int) -> _Hit | None:
    """ "According to X[, who cited Y | citing Y], …" or "…, according to X": X is the
    source; ``_settle`` decides whether X is the speaker or only part of the chain.
    """
    toks = unit.toks
    k = i + 2
    stop = k
    while stop < len(toks) and not (
        (toks[stop].kind == "punct" and toks[stop].text in ",.;:")
        or (toks[stop].kind == "word" and toks[stop].low in ("citing", "who"))
    ):
        stop += 1
    if stop == k:
        return None
    hit = _Hit(i, stop, "according", "speech", (k, stop), special="according")
    hit.source = (k, stop)
    agent = _agent(toks, k, stop)
    if agent is not None:
        # "according to data published on Monday by the Basin Commission": the commission
        # is the source; the data, and when they were published, go into the chain
        hit.subj = agent
        hit.chain.append(_strip_article(_phrase(unit, (k, stop))))
    # the chain after the source: "citing Y", ", who cited Y"
    j = stop
    if j < len(toks) and toks[j].kind == "punct" and toks[j].text == ",":
        j += 1
    if j < len(toks) and toks[j].kind == "word" and toks[j].low in ("citing", "who"):
        aside_end = j
        while aside_end < len(toks) and not (
            toks[aside_end].kind == "punct" and toks[aside_end].text in ",.;"
        ):
            aside_end += 1
        hit.chain.extend(_chain_from_aside(unit, (j, aside_end)))
        hit.verb_end = aside_end
    if i == lo:  # "According to X, the talks will resume."
        k2 = hit.verb_end
        while k2 < len(toks) and toks[k2].kind == "punct" and toks[k2].text == ",":
            k2 += 1
        end = len(toks)
        while end > k2 and toks[end - 1].kind == "punct":
            end -= 1
        hit.content = (k2, end)
    else:  # "The talks will resume, according to X."
        end = i
        if end - 1 >= lo and toks[end - 1].kind == "punct" and toks[end - 1].text == ",":
            end -= 1
        hit.content = (lo, end)
        hit.before = True
    return hit


_PUBLISHING = _words(
    """
    published issued released compiled posted made given put distributed circulated
    """
)


def _agent(toks: list[_Tok], start: int, stop: int) -> tuple[int, int] | None:
    """The "by X" of a source phrase that names a document ("data published on Monday by
    the commission", "a joint statement issued by the three governments late on
    Wednesday"), as a token span; None when there is none."""
    for j in range(start + 1, stop - 1):
        if toks[j].low != "by":
            continue
        if not any(t.low in _PUBLISHING for t in toks[start:j]):
            return None
        return _np_right(toks, j + 1, stop)
    return None


def _quoted_as_saying(unit: _Unit, lo: int, i: int) -> _Hit | None:
    """ "KSNA quoted Lenk as saying …" and "Lenk was quoted (by KSNA) as saying …": Lenk
    speaks, the outlet goes into the chain.
    """
    toks = unit.toks
    as_at = None
    for j in range(i + 1, min(len(toks) - 1, i + 14)):
        if toks[j].low == "as" and toks[j + 1].low == "saying":
            as_at = j
            break
    if as_at is None:
        return None
    prev = toks[i - 1].low if i - 1 >= lo else ""
    if prev in ("was", "were", "is", "are", "been"):  # "Dreyer was quoted by X as saying"
        subj = _np_left(toks, i - 2, lo)
        source_start = i + 2 if i + 1 < len(toks) and toks[i + 1].low == "by" else None
        source = (
            unit.text[toks[source_start].start : toks[as_at - 1].end]
            if source_start is not None and source_start < as_at
            else ""
        )
    else:  # "KSNA quoted Lenk as saying"
        subj = _np_right(toks, i + 1, as_at)
        src = _np_left(toks, i - 1, lo)
        source = unit.text[toks[src[0]].start : toks[src[1] - 1].end] if src else ""
    if subj is None:
        return None
    k = as_at + 2
    if k < len(toks) and toks[k].low == "that":
        k += 1
    end = len(toks)
    while end > k and toks[end - 1].kind == "punct":
        end -= 1
    hit = _Hit(i, as_at + 2, "quote", "speech", subj, content=(k, end), special="quoted")
    if source:
        hit.chain.append(_strip_article(source))
    inside = [t for t in toks[k:end] if t.kind != "punct"]
    if inside and all(t.kind == "quote" for t in inside):
        hit.quotes = [j for j in range(k, end) if toks[j].kind == "quote"]
    before = _quote_before_subject(toks, subj[0])
    if not inside and before is not None and _whole_quote(toks, before):
        # "“…,” spokesman Hallor was quoted as saying."
        hit.quotes, hit.content, hit.before = [before], (before, before + 1), True
    return hit


def _participle_hits(unit: _Unit, lo: int) -> list[_Hit]:
    """ "Valdria's presidency echoed the optimism, saying …": the sentence's subject speaks."""
    toks = unit.toks
    for i in range(lo + 1, len(toks)):
        tok = toks[i]
        if tok.kind != "word" or tok.low not in _PARTICIPLES:
            continue
        if not (toks[i - 1].kind == "punct" and toks[i - 1].text == ","):
            continue
        if tok.low == "calling" and not any(t.kind == "quote" for t in toks[i + 1 : i + 7]):
            continue
        subj = _initial_subject(unit, lo)
        if subj is None or subj[1] > i:
            continue
        hit = _Hit(i, i + 1, tok.low, "speech", subj, special="participle")
        _set_content(unit, hit)
        return [hit]
    return []


def _initial_subject(unit: _Unit, lo: int) -> tuple[int, int] | None:
    """The phrase a sentence opens with, after a fronted "In …," or "On Tuesday,"."""
    toks = unit.toks
    k = lo
    dateline = _DATELINE.match(unit.text) if lo == 0 else None
    if dateline is not None:
        # "MARSTADT, Oct 19 (Meridian Wire) - Ostmarin on Monday softened …": the place the
        # copy was filed from is not the sentence's subject
        while k < len(toks) and toks[k].start < dateline.end():
            k += 1
    if k < len(toks) and toks[k].kind == "word" and toks[k].low in _FRONTED:
        while k < len(toks) and not (toks[k].kind == "punct" and toks[k].text == ","):
            k += 1
        k += 1
    return _np_right(toks, k, len(toks)) if k < len(toks) else None


def _colon_hits(unit: _Unit, lo: int) -> list[_Hit]:
    """ "Dreyer put it plainly: “There will be no retreat. …”" """
    toks = unit.toks
    for i, tok in enumerate(toks):
        if tok.kind == "punct" and tok.text == ":" and i + 1 < len(toks):
            if toks[i + 1].kind != "quote" or i > 10:
                continue
            subj = _initial_subject(unit, 0)
            if subj is None or subj[1] > i:
                return []
            return [_Hit(i, i + 1, "colon", "speech", subj, (i + 1, i + 2), quotes=[i + 1])]
    return []


def _strip_article(text: str) -> str:
    return re.sub(r"^(?:the|a|an)\s+", "", text.strip(), flags=re.IGNORECASE)


# --- whole-article pass -------------------------------------------------------------------------


@dataclass
class _Seen:
    """A speaker met so far, for "he", "they", "the spokesman"."""

    actor_id: int | None
    mention: str
    cls: str  # person | institution | group
    roles: frozenset[str]


@dataclass
class _Context:
    """What the extractor carries from one sentence to the next: the speakers met so far
    (for pronouns), the dates sentences gave (for "She added …"), the last quote's speaker
    (for a quote that follows it unattributed).
    """

    text: str
    published: date | None
    resolver: ActorResolver | None
    history: list[_Seen] = field(default_factory=list)
    units: list[_Unit] = field(default_factory=list)
    #: per sentence, the date tied to its first statement, if any
    unit_dates: list[DateGuess | None] = field(default_factory=list)
    #: per speaker, the date of their last dated statement in this article
    speaker_dates: dict[int, DateGuess] = field(default_factory=dict)
    last_quote_speaker: tuple[int | None, str] | None = None
    #: the day the article's lead pegs its story to (see ``_news_day``); read once
    news_day: DateGuess | None = None
    news_day_read: bool = False


def extract_statements(
    text: str, *, published: date | None = None, resolver: ActorResolver | None = None
) -> list[Candidate]:
    """Suggested statements in ``text``, in reading order. Never raises.

    ``published`` is the article's date: relative dates are read against it and it dates
    statements whose sentence gives no date. ``resolver`` maps speaker mentions to actors;
    without one every ``speaker_id`` is None but mentions are still found.
    """
    if not isinstance(text, str) or not text.strip():
        return []
    if isinstance(published, datetime):
        published = published.date()
    if not isinstance(published, date):
        published = None
    if resolver is not None and not isinstance(resolver, ActorResolver):
        resolver = None
    try:
        units = _units(text[:2_000_000], published)
    except Exception:
        return []
    ctx = _Context(text, published, resolver)
    out: list[Candidate] = []
    for index, unit in enumerate(units):
        ctx.units.append(unit)
        try:
            found = _read_unit(ctx, index, unit)
        except Exception:  # one unreadable sentence must not cost the rest of the article
            found = []
            ctx.last_quote_speaker = None
        if len(ctx.unit_dates) <= index:
            ctx.unit_dates.append(None)
        out.extend(found)
    return out


def _units(text: str, published: date | None) -> list[_Unit]:
    """Sentences, with those a quotation runs across merged into one."""
    spans = split_sentences(text)
    regions = _quote_regions(text)  # in order, not overlapping
    merged: list[tuple[int, int]] = []
    ri = 0
    for start, end in spans:
        if merged:
            last_start, last_end = merged[-1]
            while ri < len(regions) and regions[ri][1] <= last_end:
                ri += 1
            open_quote = ri < len(regions) and last_start <= regions[ri][0] < last_end
            if open_quote and text[last_end:start].count("\n") < 2:
                merged[-1] = (last_start, end)
                continue
        merged.append((start, end))
    units: list[_Unit] = []
    ri = 0
    for start, end in merged:
        while ri < len(regions) and regions[ri][0] < start:
            ri += 1
        local: list[tuple[int, int]] = []
        rj = ri
        while rj < len(regions) and regions[rj][1] <= end:
            local.append((regions[rj][0] - start, regions[rj][1] - start))
            rj += 1
        body = text[start:end]
        toks = _tokens(body, local)
        alone = _line_edge(text, start, -1) and _line_edge(text, end, 1)
        units.append(_Unit(start, end, body, toks, local, published, alone))
    return units


def _line_edge(text: str, pos: int, step: int) -> bool:
    """Whether only spaces lie between ``pos`` and the line's start (step -1) or end (+1)."""
    i = pos - 1 if step < 0 else pos
    while 0 <= i < len(text) and text[i] in " \t":
        i += step
    return not 0 <= i < len(text) or text[i] in "\r\n"


def _no_claim(unit: _Unit) -> bool:
    """Questions, headlines, labels, boilerplate and table rows hold no statement."""
    body = unit.text.strip()
    if not unit.toks or body.startswith("|") or _BOILERPLATE.search(body):
        return True
    last = unit.toks[-1]
    if last.kind == "punct" and last.text == "?":
        return True
    if last.kind == "punct" and last.text == ":":
        return True
    if unit.alone and not (last.kind == "quote" or (last.kind == "punct" and last.text in ".!…")):
        words = [t for t in unit.toks if t.kind == "word" and len(t.text) >= 4]
        capitals = sum(1 for t in words if t.text[:1].isupper())
        if words and capitals / len(words) >= 0.6:
            return True  # a headline or a section title
    return False


def _read_unit(ctx: _Context, index: int, unit: _Unit) -> list[Candidate]:
    """The candidates of one unit, in order, one per speaker; updates the context."""
    if _no_claim(unit):
        ctx.last_quote_speaker = None
        ctx.unit_dates.append(None)
        return []
    hits = _find_hits(unit)
    if not hits and _only_quote(unit) and ctx.last_quote_speaker is not None:
        speaker_id, mention = ctx.last_quote_speaker
        quote_idx = [j for j, t in enumerate(unit.toks) if t.kind == "quote"]
        follow = _Hit(0, 0, "quote", "speech", (0, 0), (0, len(unit.toks)), quotes=quote_idx)
        follow.special, follow.mention, follow.speaker_id = "follow", mention, speaker_id
        follow.continuation = True
        hits = [follow]
    hits = _settle(unit, hits)
    candidates: list[Candidate] = []
    seen_keys: list[tuple[object, int]] = []
    unit_date: DateGuess | None = None
    ctx.last_quote_speaker = None
    for hit in hits:
        if hit.special != "follow":
            _resolve_speaker(ctx, index, unit, hit)
            _expand_chain(ctx, index, hit)
        if hit.guessed and hit.speaker_id is None:
            continue
        if not _statement_text(unit, hit)[0]:
            continue  # nothing said: "Russia's security demands." is not a statement
        key: object = hit.speaker_id if hit.speaker_id is not None else fold(hit.mention)
        if any(k == key for k, _ in seen_keys):
            dated = _merge_kind(unit, candidates, seen_keys, key, hit)
            if dated is not None and unit_date is None:
                unit_date = dated
                if hit.speaker_id is not None:
                    ctx.speaker_dates[hit.speaker_id] = dated
            continue
        guess, date_text, from_text = _date_for(ctx, index, unit, hit)
        if from_text and unit_date is None:
            unit_date = guess
        if from_text and guess is not None and hit.speaker_id is not None:
            ctx.speaker_dates[hit.speaker_id] = guess
        candidate = _candidate(ctx, unit, hit, guess, date_text)
        seen_keys.append((key, len(candidates)))
        candidates.append(candidate)
        _remember(ctx, hit)
        if candidate.quote:
            ctx.last_quote_speaker = (hit.speaker_id, hit.mention)
    ctx.unit_dates.append(unit_date)
    return candidates


def _only_quote(unit: _Unit) -> bool:
    inside = [t for t in unit.toks if not (t.kind == "punct" and t.text in ".,!?…")]
    return bool(inside) and all(t.kind == "quote" for t in inside)


def _settle(unit: _Unit, hits: list[_Hit]) -> list[_Hit]:
    """One reading per clause: nested verbs fold into the one that reports them, "according
    to" becomes the chain of a statement that has its own verb, and "her office said" gives
    way to the belief it reports."""
    toks = unit.toks
    # Where a coordinated clause with its own speaker starts, the previous content ends.
    for hit in hits:
        if hit.before or hit.special in ("according", "follow"):
            continue
        for other in hits:
            if other is hit or other.subj[0] <= hit.verb_end:
                continue
            before = other.subj[0] - 1
            if before >= 0 and toks[before].low in _CONJUNCTIONS and other.special == "":
                cut = before - 1 if before - 1 >= 0 and toks[before - 1].text == "," else before
                if hit.content[0] <= cut < hit.content[1]:
                    hit.content = (hit.content[0], cut)
    according = [h for h in hits if h.special == "according"]
    main = [h for h in hits if h.special != "according"]
    kept: list[_Hit] = []
    for hit in main:
        outer = next((o for o in main if _reports(o, hit)), None)
        if outer is None:
            kept.append(hit)
            continue
        if _mouthpiece_of(unit, outer) or _relays(outer, hit):
            hit.chain = [_strip_article(_phrase(unit, outer.subj)), *outer.chain]
            outer.special = "dropped"
            if hit.content[0] < outer.subj[0] <= hit.content[1]:
                # the relay's attribution ends what was said: "…, his office said"
                cut = outer.subj[0] - 1 if toks[outer.subj[0] - 1].text == "," else outer.subj[0]
                hit.content = (hit.content[0], cut)
            kept.append(hit)
        elif _relays(hit, outer):
            # "President Idrevo has said …, “…”, the Office of the President reported": the
            # report gives way to the statement it carries, and its source joins the chain.
            outer.chain.append(_strip_article(_phrase(unit, hit.subj)))
    kept = [h for h in kept if h.special != "dropped"]
    for acc in according:
        host = next(
            (
                h
                for h in kept
                if not (acc.verb <= h.verb < acc.verb_end)
                and h.kind == "speech"
                and not _subordinate_in(unit, h, acc)
            ),
            None,
        )
        if host is None:
            host = next((h for h in kept if h.kind != "speech"), None)
            if host is not None and acc.before and host.verb >= acc.content[1]:
                host = None
        if host is not None:
            source = _strip_article(_phrase(unit, acc.source or acc.subj))
            host.chain = [source, *[c for c in acc.chain if c != source], *host.chain]
        else:
            kept.append(acc)
    kept.sort(key=lambda h: (h.verb, h.subj[0]))
    return kept


#: Words that open a subordinate clause: a speech verb inside one is part of what the
#: sentence reports ("Levels have barely risen since Pellara announced …, according to …").
_SUBORDINATORS = _words("since after before because although though while when until once")


def _subordinate_in(unit: _Unit, hit: _Hit, acc: _Hit) -> bool:
    """Whether ``hit`` stands in a subordinate clause inside what ``acc`` reports, so the
    source of "according to" is not its source."""
    before = hit.subj[0] - 1
    return (
        acc.content[0] <= hit.verb < acc.content[1]
        and before >= acc.content[0]
        and unit.toks[before].kind == "word"
        and unit.toks[before].low in _SUBORDINATORS
    )


def _reports(outer: _Hit, inner: _Hit) -> bool:
    """Whether ``inner``'s verb is part of what ``outer`` reports. When each lies in the
    other's content ("Kestria is ready to …, Tasch said"), the speech verb that attributes
    the sentence wins over a belief or intention, and an attribution after the content wins
    over one before it."""
    if outer is inner or outer.special in ("follow", "dropped"):
        return False
    if not outer.content[0] <= inner.verb < outer.content[1]:
        return False
    if not inner.content[0] <= outer.verb < inner.content[1]:
        return True
    if outer.kind != inner.kind:
        return outer.kind == "speech"
    return outer.before and not inner.before


def _relays(report: _Hit, speech: _Hit) -> bool:
    """ "Arlen has said the harbour will reopen, the Office of the President reported": a
    "reported" after the clause, whose own speaker opens the sentence with a speech verb,
    relays that speaker's words — like "according to" it belongs in the chain."""
    return (
        report.lemma == "report"
        and report.before
        and report.special == ""
        and speech.kind == "speech"
        and not speech.before
        and speech.special == ""
        and speech.verb < report.subj[0]
    )


def _mouthpiece_of(unit: _Unit, outer: _Hit) -> bool:
    """ "her office said", "his spokesman said": the outer speaker only relays the inner."""
    words = [t.low for t in unit.toks[outer.subj[0] : outer.subj[1]]]
    return (
        len(words) >= 2
        and words[0] in ("his", "her", "their", "its")
        and all(w in MOUTHPIECE_WORDS or w in _MODIFIERS for w in words[1:])
    )


def _phrase(unit: _Unit, span: tuple[int, int]) -> str:
    if span[1] <= span[0]:
        return ""
    toks = unit.toks
    return unit.text[toks[span[0]].start : toks[span[1] - 1].end]


# --- speakers -----------------------------------------------------------------------------------


def _resolve_speaker(ctx: _Context, index: int, unit: _Unit, hit: _Hit) -> None:
    """Set ``hit.mention`` and ``hit.speaker_id``: pronouns and role nouns from the context,
    a named appositive over a role, the resolver for the rest, and "a presidency official"
    from the institution that spoke before. Unresolved speakers keep their mention.
    """
    mention = _phrase(unit, hit.subj)
    hit.mention = mention
    words = fold(mention).split()
    if not words:
        return
    if len(words) == 1 and words[0] in _PRONOUNS:
        hit.speaker_id, hit.continuation = _pronoun(ctx, index, words[0]), True
        return
    if _is_role_reference(unit, hit.subj):
        found, matched = _role_reference(ctx, index, words)
        if matched:
            hit.speaker_id, hit.continuation = found, True
            return
    if hit.appositive is not None and _looks_like_name(unit, hit.appositive):
        # "Marovic's spokeswoman, Hanne Vik, insisted": a named person wins over a role.
        head = unit.toks[hit.subj[1] - 1]
        if (
            head.low in _ROLE_HEADS
            or _is_profession(head.low)
            or not _is_name_phrase(unit, hit.subj)
        ):
            hit.mention = _phrase(unit, hit.appositive)
            match = _resolve(ctx, hit.mention)
            if match is not None:
                hit.speaker_id = match.actor_id
                return
            employer = _employer(ctx, index, unit, hit.subj)
            if employer is not None:
                # "A commission hydrologist, Dr. Oda Kessenich, said": a person the desk does
                # not know, speaking in a named institution's post, speaks for it (as its
                # unnamed official would); who exactly goes into the chain.
                hit.speaker_id = employer
                role = _strip_article(_phrase(unit, hit.subj))
                hit.chain.insert(0, f"{role} {hit.mention}")
            return
    match = _resolve(ctx, mention)
    if match is not None:
        hit.speaker_id = match.actor_id
        relayed = _speaks_through(words) and not _own_name(ctx, match.actor_id, words)
        if relayed or match.how == "parent":
            # "a Stenhold spokesman", "Savoren's foreign ministry" (an office the desk does
            # not list, speaking for its country): who actually spoke stays in the chain
            hit.chain.insert(0, _strip_article(mention))
        return
    if _is_titled_reference(unit, hit.subj):
        # "The President also noted …", "…, the Office said": a capitalised title that names
        # no one by itself refers back to the holder of that title the article introduced.
        found, matched = _role_reference(ctx, index, words, strict=True)
        if matched:
            hit.speaker_id, hit.continuation = found, True
            return
    # "A presidency official": an unnamed mouthpiece or official of "the presidency" that
    # has already spoken in this article.
    core = [
        w for w in words if w not in _DETERMINERS and (w not in _MODIFIERS or w in OFFICIAL_WORDS)
    ]
    if len(core) == 2 and core[0] in INSTITUTION_WORDS and _speaks_through(core[1:]):
        found = _institution_in_context(ctx, core[0])
        if found is not None:
            hit.speaker_id = found
            hit.chain.insert(0, _strip_article(mention))


def _employer(ctx: _Context, index: int, unit: _Unit, span: tuple[int, int]) -> int | None:
    """The institution a role phrase places its holder in ("a commission hydrologist", "the
    Stenhold spokesman"), if the desk knows it and it is not a country or a person: the
    phrase itself resolved, or its institution noun matched to one the article named
    before. Roles that never speak for anyone ("an adviser", "an analyst") give None."""
    toks = unit.toks[span[0] : span[1]]
    head = toks[-1].low if toks else ""
    if head in ANONYMOUS_WORDS and head not in OFFICIAL_WORDS:
        return None
    if ctx.resolver is None:
        return None
    candidates: list[int] = []
    match = _resolve(ctx, _phrase(unit, span))
    if match is not None:
        candidates.append(match.actor_id)
    for tok in toks[:-1]:
        if tok.kind != "word" or tok.low in _DETERMINERS or tok.low in _MODIFIERS:
            continue
        found = _institution_in_context(ctx, tok.low)
        if found is None:
            named = _institution_named(ctx, index, tok.low)
            found = named[0] if named is not None else None
        if found is not None:
            candidates.append(found)
    for actor_id in candidates:
        actor = ctx.resolver.actor(actor_id)
        if actor is None or actor.kind in ("person", "outlet"):
            continue
        if actor.kind == "government" and actor.parent_id is None:
            continue  # "an Ostmarin engineer" is no more Ostmarin's voice than its official
        return actor_id
    return None


def _resolve(ctx: _Context, mention: str) -> ActorMatch | None:
    return ctx.resolver.resolve(mention) if ctx.resolver is not None else None


def _speaks_through(words: list[str]) -> bool:
    """ "a Stenhold spokesman", "Dreyer's office", "a spokeswoman for the Foreign Office":
    an unnamed mouthpiece, which belongs in the attribution chain. Not "spokeswoman Hanne
    Vik", where the named person is the speaker."""
    for index, word in enumerate(words):
        if word in MOUTHPIECE_WORDS or word in COLLECTIVE_WORDS or word in OFFICIAL_WORDS:
            after = words[index + 1 :]
            return not after or after[0] in ("for", "from", "of", "by", "at", "in")
    return False


def _own_name(ctx: _Context, actor_id: int, words: list[str]) -> bool:
    """Whether the mouthpiece words of a mention belong to the actor's own name ("the Office
    of the President", "Ostmarin's Foreign Office"): then the institution speaks itself and
    no one relays it, so nothing goes into the chain."""
    actor = ctx.resolver.actor(actor_id) if ctx.resolver is not None else None
    if actor is None:
        return False
    names = {w for name in (actor.name, *actor.aliases) for w in fold(name).split()}
    relays = [w for w in words if w in MOUTHPIECE_WORDS or w in OFFICIAL_WORDS]
    return bool(relays) and all(w in names for w in relays)


def _looks_like_name(unit: _Unit, span: tuple[int, int]) -> bool:
    """Capitalised words only; a title's abbreviation stop ("Dr. Oda Kessenich") allowed."""
    toks = unit.toks[span[0] : span[1]]
    return (
        bool(toks)
        and _is_name(toks[-1])
        and all(
            _is_name(t) or (t.text == "." and k and toks[k - 1].low in _TITLE_ABBREVIATIONS)
            for k, t in enumerate(toks)
        )
    )


_TITLE_ABBREVIATIONS = _words("dr prof gen col maj capt sgt adm lt mr mrs ms sen rep gov amb")


def _is_name_phrase(unit: _Unit, span: tuple[int, int]) -> bool:
    return any(_is_name(t) for t in unit.toks[span[0] : span[1]])


def _is_role_reference(unit: _Unit, span: tuple[int, int]) -> bool:
    """ "the spokesman", "the defence minister", "the head of state": a role noun with "the"
    and no name."""
    toks = unit.toks[span[0] : span[1]]
    if len(toks) < 2 or toks[0].low != "the" or any(_is_name(t) for t in toks[1:]):
        return False
    return toks[-1].low in _ROLE_HEADS or _head_of(toks) is not None


def _is_titled_reference(unit: _Unit, span: tuple[int, int]) -> bool:
    """ "The President", "the Office": "the" and one role word written with a capital, as
    house style has it for a title used alone. It is tried only after the resolver. A
    qualified title ("the Foreign Office", "the Foreign Minister") is left alone: it names a
    particular office, which only the desk's names and aliases can tell apart."""
    toks = unit.toks[span[0] : span[1]]
    return (
        len(toks) == 2
        and toks[0].low == "the"
        and toks[1].kind == "word"
        and toks[1].text[:1].isupper()
        and toks[1].low in _ROLE_HEADS
        and toks[1].low not in _PLURAL_ROLES
    )


#: Role words that name a group, not one office ("the Ministers", "the Officials").
_PLURAL_ROLES = frozenset(w for w in _ROLE_HEADS if w.endswith("s") and not w.endswith("ss"))


#: Titles a "head of state" or "head of government" may hold, as the roles a speaker was
#: introduced by ("President Tomás Idrevo"), so "the head of state said" finds Idrevo.
_HEAD_OF = {
    "state": _words("president king queen emir sultan monarch sovereign duke duchess prince"),
    "government": _words("prime premier chancellor taoiseach"),
}


def _head_of(toks: list[_Tok]) -> frozenset[str] | None:
    """The titles meant by a phrase ending in "head of state" / "head of government"."""
    words = [t.low for t in toks[-3:] if t.kind == "word"]
    if len(words) == 3 and words[:2] == ["head", "of"]:
        return _HEAD_OF.get(words[2])
    return None


def _role_compatible(head: str, seen: _Seen) -> bool:
    """Whether a speaker met before can be the one a role noun refers to: an institution's
    noun ("the office", "the ministry") only an institution, a person's title ("the
    president", "the minister") only a person — so "the President" after "the Office of the
    President said" is the president, not the office. A mouthpiece ("the spokesman") or an
    unknown noun may be either."""
    if head in MOUTHPIECE_WORDS - INSTITUTION_WORDS or head in ANONYMOUS_WORDS:
        return True
    if head in _BODY_WORDS:
        return seen.cls == "institution"
    if head in TITLE_WORDS:
        return seen.cls == "person"
    return True


def _pronoun(ctx: _Context, index: int, word: str) -> int | None:
    """ "he"/"she": the last person who spoke (named or not), else a person named in the
    sentences before; "they": the last group or institution; "it": the last institution.
    """
    if word in ("he", "she"):
        for seen in reversed(ctx.history):
            if seen.cls == "person":
                return seen.actor_id
        return _person_mentioned(ctx, index)
    want = ("group", "institution") if word == "they" else ("institution",)
    for seen in reversed(ctx.history):
        if seen.cls in want:
            return seen.actor_id
    return None


def _role_reference(
    ctx: _Context, index: int, words: list[str], *, strict: bool = False
) -> tuple[int | None, bool]:
    """The last compatible speaker introduced with this role (see ``_role_compatible``);
    failing that, a holder of the title named earlier in the article ("President Tomás
    Idrevo"), or the institution named earlier ("the Office of the President"); for a
    person's role, failing that, the last person who spoke or was named. Returns (actor,
    whether anything matched).

    ``strict`` (a capitalised title, "the head of state") skips that last guess: such a
    title names one office, and the last person who spoke may well hold another.
    """
    head = words[-1]
    if head in ("statement", "communique", "note", "remarks", "comments"):
        # "The statement underscores …": whoever made the last statement.
        if ctx.history:
            return ctx.history[-1].actor_id, True
        return None, False
    titles = _HEAD_OF.get(head) if words[-3:-1] == ["head", "of"] else None
    wanted = titles or frozenset({head})
    roles_of = "president" if titles else head  # compatibility: a head of state is a person
    for seen in reversed(ctx.history):
        if wanted & seen.roles and _role_compatible(roles_of, seen):
            return seen.actor_id, True
    if head in _BODY_WORDS:
        found = _institution_in_context(ctx, head)
        qualifiers = [w for w in words[:-1] if w not in _DETERMINERS]
        if found is None:
            named = _institution_named(ctx, index, head, qualifiers)
            found = named[0] if named is not None else None
        if found is None and head in _LEADERS_OFFICES and not qualifiers:
            found = _leaders_office(ctx, index, head)
        return found, found is not None
    if head in ANONYMOUS_WORDS:
        return None, False
    if head.endswith("s") and not head.endswith("ss") and head.rstrip("s") in _ROLE_HEADS:
        return None, False  # "the three governments" are no one person who spoke before
    if titles or head in TITLE_WORDS:
        found = _titled_person(ctx, index, wanted)
        if found is not None:
            return found, True
    if strict:
        return None, False
    for seen in reversed(ctx.history):
        if seen.cls == "person" and seen.actor_id is not None:
            return seen.actor_id, True
    found = _person_mentioned(ctx, index)
    return found, found is not None


#: How many sentences back "she" may look for a person named but not yet quoted.
_LOOK_BACK = 6


def _institution_in_context(ctx: _Context, noun: str) -> int | None:
    """The last institution that spoke and is called by this noun ("the presidency" after
    "the Vasary Palace said", when its actor is named "Presidency of Aldova")."""
    for seen in reversed(ctx.history):
        if seen.cls != "institution":
            continue
        names = fold(seen.mention)
        if seen.actor_id is not None and ctx.resolver is not None:
            actor = ctx.resolver.actor(seen.actor_id)
            names += " " + fold(actor.name) if actor is not None else ""
        if noun in names.split():
            return seen.actor_id
    return None


def _titled_person(ctx: _Context, index: int, titles: frozenset[str]) -> int | None:
    """A person the article named with one of these titles before sentence ``index``
    ("President Tomás Idrevo has said …"), nearest first: whom "the President" means."""
    if ctx.resolver is None:
        return None
    for unit in reversed(ctx.units[:index]):
        toks = unit.toks
        j = len(toks)
        while j > 0:
            if not _is_name(toks[j - 1]):
                j -= 1
                continue
            k = j
            while k > 0 and _is_name(toks[k - 1]):
                k -= 1
            if any(t.low in titles for t in toks[k:j]):
                match = ctx.resolver.resolve(_phrase(unit, (k, j)))
                actor = ctx.resolver.actor(match.actor_id) if match is not None else None
                if actor is not None and actor.kind == "person":
                    return actor.id
            j = k
    return None


def _institution_named(
    ctx: _Context, index: int, noun: str, qualifiers: list[str] | None = None
) -> tuple[int, str] | None:
    """An institution the article named before sentence ``index`` (or earlier in it) whose
    name holds this noun and every qualifier the reference gave ("foreign" in "the foreign
    office"): (actor, the words that named it). "According to the Office" after "the Office
    of the President reported" means that office, and its chain should say so.
    """
    if ctx.resolver is None:
        return None
    units = ctx.units[: index + 1]
    for unit in reversed(units):
        toks = unit.toks
        for j in range(len(toks) - 1, -1, -1):
            if toks[j].kind != "word" or toks[j].low != noun or not _is_name(toks[j]):
                continue
            right = j + 1
            while right + 1 < len(toks) and toks[right].low == "of":
                nxt = right + 1
                if nxt < len(toks) and toks[nxt].low == "the":
                    nxt += 1
                end = nxt
                while end < len(toks) and _is_name(toks[end]):
                    end += 1
                if end == nxt:
                    break
                right = end
            left = j
            while left > 0 and _is_name(toks[left - 1]):
                left -= 1
            for span in ((j, right), (left, right), (left, j + 1)):
                if span[1] - span[0] < 2 and span != (left, right):
                    continue  # the bare noun is what could not be resolved
                phrase = _phrase(unit, span)
                match = ctx.resolver.resolve(phrase)
                actor = ctx.resolver.actor(match.actor_id) if match is not None else None
                if actor is None or actor.kind == "person":
                    continue
                named = set(fold(phrase).split()) | set(fold(actor.name).split())
                if all(w in named for w in qualifiers or ()):
                    return actor.id, phrase
    return None


#: Institution nouns that, alone, mean the head of state's own office ("the Office said").
_LEADERS_OFFICES = _words("office presidency palace chancellery")


def _leaders_office(ctx: _Context, index: int, noun: str) -> int | None:
    """ "…, the Office said" when the article never spelled the office out but named a head
    of state ("President Tomás Idrevo"): that leader's office if the desk has exactly one
    institution by that noun and title under the same government, else the leader — the
    words are theirs either way, and an editor can narrow it; an actor called "Office" helps
    no one."""
    titles = _HEAD_OF["state"]
    leader_id = _titled_person(ctx, index + 1, titles)
    if leader_id is None or ctx.resolver is None:
        return None
    leader = ctx.resolver.actor(leader_id)
    if leader is None or leader.parent_id is None:
        return leader_id
    offices = []
    for entry in ctx.resolver.entries():
        if entry.kind == "person" or leader.parent_id not in (entry.parent_id, entry.id):
            continue
        words = {w for name in (entry.name, *entry.aliases) for w in fold(name).split()}
        if noun in words and words & (titles | {"presidency", "chancellery"}):
            offices.append(entry.id)
    return offices[0] if len(offices) == 1 else leader_id


def _expand_chain(ctx: _Context, index: int, hit: _Hit) -> None:
    """ "according to the Office" gives the chain "Office", which tells an editor little:
    a bare institution noun the resolver cannot place is replaced by the fuller name the
    article gave it before ("Office of the President"), or, for a leader's office the
    article never spelled out, by that office's name on the desk."""
    for position, link in enumerate(hit.chain):
        words = fold(link).split()
        if len(words) != 1 or words[0] not in INSTITUTION_WORDS:
            continue
        if _resolve(ctx, link) is not None:
            continue
        named = _institution_named(ctx, index, words[0])
        if named is not None:
            hit.chain[position] = _strip_article(named[1])
        elif words[0] in _LEADERS_OFFICES and ctx.resolver is not None:
            office = ctx.resolver.actor(_leaders_office(ctx, index, words[0]) or -1)
            if office is not None and office.kind != "person":
                hit.chain[position] = office.name


def _person_mentioned(ctx: _Context, index: int) -> int | None:
    """A person named in the sentences before (nearest sentence first, its first name
    first): "Marovic was blunt. “…,” she told parliament." """
    if ctx.resolver is None:
        return None
    for unit in reversed(ctx.units[max(0, index - _LOOK_BACK) : index]):
        toks = unit.toks
        j = 0
        while j < len(toks):
            if not _is_name(toks[j]):
                j += 1
                continue
            k = j
            while k < len(toks) and _is_name(toks[k]):
                k += 1
            match = ctx.resolver.resolve(_phrase(unit, (j, k)))
            if match is not None:
                actor = ctx.resolver.actor(match.actor_id)
                if actor is not None and actor.kind == "person":
                    return match.actor_id
            j = k
    return None


def _remember(ctx: _Context, hit: _Hit) -> None:
    """Add a statement's speaker to the context, classed as person, group or institution,
    with the role words it was introduced by ("spokesman", "minister").
    """
    words = fold(hit.mention).split()
    if hit.continuation and hit.speaker_id is not None:
        for seen in reversed(ctx.history):
            if seen.actor_id == hit.speaker_id:
                ctx.history.append(seen)
                return
    if hit.continuation and words and words[0] in _PRONOUNS:
        for seen in reversed(ctx.history):
            if seen.actor_id is None and seen.cls in ("group", "person"):
                ctx.history.append(seen)
                return
    roles = frozenset(w for w in words if w in _ROLE_HEADS)
    cls = "person"
    if hit.speaker_id is not None and ctx.resolver is not None:
        actor = ctx.resolver.actor(hit.speaker_id)
        cls = "person" if actor is None or actor.kind == "person" else "institution"
    elif words:
        head = words[-1]
        if head.endswith("s") and (head in _ROLE_HEADS or head.rstrip("s") in _ROLE_HEADS):
            cls = "group"
        elif head in INSTITUTION_WORDS or head in COLLECTIVE_WORDS:
            cls = "institution"
    ctx.history.append(_Seen(hit.speaker_id, hit.mention, cls, roles))


def _merge_kind(
    unit: _Unit, candidates: list[Candidate], keys: list[tuple[object, int]], key: object, hit: _Hit
) -> DateGuess | None:
    """A second verb by the same speaker in a sentence: one statement, speech wins; and when
    only the second verb has a date of its own ("… thanked Savoren and said on Tuesday
    that …"), the statement takes it. Returns that date, if taken."""
    position = next(i for k, i in keys if k == key)
    current = candidates[position]
    changes: dict[str, object] = {}
    if hit.kind == "speech" and current.kind != "speech":
        changes["kind"] = "speech"
    tied = _tied_date(unit, hit) if not current.date_text else None
    if tied is not None:
        changes.update(
            said_on=tied.start, said_until=tied.end, precision=tied.precision, date_text=tied.text
        )
    if changes:
        candidates[position] = Candidate(**{**current.__dict__, **changes})
    return tied


# --- dates, text, the candidate -----------------------------------------------------------------


def _date_for(
    ctx: _Context, index: int, unit: _Unit, hit: _Hit
) -> tuple[DateGuess | None, str, bool]:
    """(guess, date_text, from the text) for a statement; see the module docstring. The flag
    is False when the article's date stands in, so a following "She added …" inherits only
    a date some sentence actually gave."""
    tied = _tied_date(unit, hit)
    if tied is not None:
        return tied, tied.text, True
    if hit.continuation or hit.lemma in ("add",) or hit.special == "follow":
        previous = _previous_date(ctx, index)
        if previous is not None and _same_paragraph(ctx, index):
            return previous, previous.text, True
    if hit.speaker_id is not None and hit.speaker_id in ctx.speaker_dates:
        # "Mirek told reporters on Wednesday …" then "Mirek said …": the same occasion
        earlier = ctx.speaker_dates[hit.speaker_id]
        return earlier, earlier.text, True
    day = _news_day(ctx, index)
    if day is not None:
        return day, "", False
    if ctx.published is None:
        return None, "", False
    return DateGuess(ctx.published, None, "day", ""), "", False


def _previous_date(ctx: _Context, index: int) -> DateGuess | None:
    """The date a continuation ("She added …") takes from the sentence before: the date tied
    to that sentence's statement; else the first date that sentence gives ("Kowal met the
    envoy on Wednesday." / "Marovic spoke with Dreyer on Monday, the palace said."), unless
    it lies after publication — "… talks would open on 16 November" is what was said, and
    no one said anything on a day still to come."""
    if index < 1:
        return None
    if ctx.unit_dates[index - 1] is not None:
        return ctx.unit_dates[index - 1]
    first = ctx.units[index - 1].first_date()
    if first is None or (ctx.published is not None and first.start > ctx.published):
        return None
    return first


#: How many days before publication the lead's date may lie and still be the news day.
_NEWS_DAY_WINDOW = 7


def _news_day(ctx: _Context, index: int) -> DateGuess | None:
    """The day the article's lead (its first sentence of prose) pegs the story to, when that
    is before publication: a morning wire about "talks by telephone on Wednesday",
    published on Thursday, reports what was said on Wednesday. The date tied to the lead's
    own statement if it has one ("…, a spokesman said on Tuesday"), else the lead's first
    single day within a week before publication, never the dateline's. Statements after
    the lead with no date of their own take it, as approximate; the lead's own statements
    do not ("Marovic spoke with Dreyer on Monday, the palace said" is the palace's word of
    the day it is published, unless the sentence says otherwise). None when the lead gives
    no such day: the publication date stands."""
    if ctx.news_day_read:
        return ctx.news_day
    lead_at = next(
        (i for i, u in enumerate(ctx.units) if not _no_claim(u) and len(u.toks) >= 8), None
    )
    if lead_at is None or lead_at >= index or ctx.published is None:
        return None
    ctx.news_day_read = True  # the lead has been read: the answer is final
    lead = ctx.units[lead_at]
    day = ctx.unit_dates[lead_at]
    if day is None:
        dateline = _DATELINE.match(lead.text)
        skip = dateline.end() if dateline else 0
        day = next(
            (g for s, _, g in lead.dates if s >= skip and g.end is None and g.precision == "day"),
            None,
        )
    if day is None or day.end is not None:
        return None
    if not 0 < (ctx.published - day.start).days <= _NEWS_DAY_WINDOW:
        return None
    ctx.news_day = DateGuess(day.start, None, "approximate", day.text)
    return ctx.news_day


def _same_paragraph(ctx: _Context, index: int) -> bool:
    before, unit = ctx.units[index - 1], ctx.units[index]
    return "\n\n" not in ctx.text[before.end : unit.start].replace("\r", "")


def _tied_date(unit: _Unit, hit: _Hit) -> DateGuess | None:
    """The date tied to this statement's act of saying, if the unit gives one. Ranked:
    next to the verb (or its short object), between the speaker and the verb, in an opening
    phrase before the speaker, in a "(date):" label, after "in a statement …", next to
    another speech verb. Dates elsewhere belong to the reported content.
    """
    if not unit.dates:
        return None
    toks = unit.toks
    verb_end_char = toks[hit.verb_end - 1].end if hit.verb_end > 0 else 0
    verb_start_char = toks[hit.verb].start if toks else 0
    subj_start_char = toks[hit.subj[0]].start if hit.subj[1] > hit.subj[0] else verb_start_char
    best: tuple[int, DateGuess] | None = None

    def offer(rank: int, guess: DateGuess) -> None:
        nonlocal best
        if best is None or rank < best[0]:
            best = (rank, guess)

    content_chars = (
        (toks[hit.content[0]].start, toks[hit.content[1] - 1].end)
        if hit.content[1] > hit.content[0]
        else (0, 0)
    )
    described = [
        (toks[a].start, toks[b - 1].end)
        for a, b in hit.asides
        if not _aside_about_saying(unit, (a, b))
    ]
    source_chars = (
        (toks[hit.source[0]].start, toks[hit.source[1] - 1].end) if hit.source else (0, 0)
    )
    for start, end, guess in unit.dates:
        if any(a <= start < b for a, b in described):
            continue  # "the commission, set up in 1998, said": the speaker's past, not the saying
        if source_chars[0] <= start < source_chars[1]:
            offer(1, guess)  # "according to a statement issued late on Wednesday"
            continue
        if hit.special != "follow" and start >= verb_end_char:
            gap = unit.text[verb_end_char:start]
            if _gap_is_filler(gap):
                offer(abs(start - verb_end_char) // 10, guess)
                continue
        if subj_start_char <= start < verb_start_char:
            offer(1, guess)
            continue
        if not hit.before and end <= subj_start_char and _fronted_date(unit, end, hit):
            offer(2, guess)
            continue
        if re.fullmatch(r",?\s*when\s+", unit.text[end:subj_start_char]):
            offer(2, guess)  # "… since last Wednesday, when the ministry said …"
            continue
        if re.search(r"\(\s*$", unit.text[:start]) and re.match(r"\s*\)\s*:", unit.text[end:]):
            offer(3, guess)  # "Official announcement (12 Dec 2025): …"
            continue
        if _STATEMENT_NOUNS.search(unit.text[max(0, start - 60) : start]) and not (
            content_chars[0] <= start < content_chars[1] and hit.before
        ):
            offer(4, guess)
            continue
        if _speech_verb_before(unit.text[max(0, start - 40) : start]):
            offer(5, guess)
    return best[1] if best is not None else None


#: First words of an aside between speaker and verb that is about the act of saying
#: ("Brecht, speaking at a conference on Thursday, said"; "Tasch, on Friday, said"), so a
#: date in it dates the statement. Any other aside describes the speaker ("a joint body set
#: up in 1998", "who took office in 2019") and its dates belong to that description.
_SAYING_ASIDE = _words(
    """
    speaking addressing writing asked answering responding replying talking interviewed
    briefing spoke addressed wrote told said answered responded replied testified appeared
    questioned interviewed briefed
    on late early earlier later yesterday today
    tonight after before following ahead upon
    """
)
#: "in/at/during" open a saying aside only before the occasion of the saying.
_OCCASION = re.compile(
    r"\b(?:statement|interview|briefing|conference|speech|remarks|address|message|post|"
    r"letter|meeting|session|hearing|debate|broadcast|communiqu[eé])s?\b",
    re.IGNORECASE,
)


def _aside_about_saying(unit: _Unit, span: tuple[int, int]) -> bool:
    """Whether an aside between speaker and verb tells when or how the words were said
    (see ``_SAYING_ASIDE``) rather than who the speaker is."""
    toks = [t for t in unit.toks[span[0] : span[1]] if t.kind == "word"]
    if toks and all(_in_date(unit, t.start) for t in toks):
        return True  # "Tasch, Thursday, said"
    while toks and toks[0].low in ("who", "while", "when", "was", "were", "had", "has"):
        toks = toks[1:]
    if not toks:
        return False
    first = toks[0].low
    if first in _SAYING_ASIDE:
        return True
    text = unit.text[toks[0].start : toks[-1].end]
    return first in ("in", "at", "during") and bool(_OCCASION.search(text))


#: A short object between a verb and its date ("dismissed the idea on Thursday"); longer
#: ones, or ones with a preposition, are content ("ruled out any visit by Marovic … this year").
_SHORT_OBJECT = re.compile(
    r"^\s*(?:the|a|an|its|his|her|their|this|that|these|those|any)\s+[a-z][\w-]*(?:\s+[a-z][\w-]*)?"
    r"(?=\s+(?:on|in|late|early|at)?\s*$)"
)


def _gap_is_filler(gap: str) -> bool:
    """Whether only filler words sit between a verb and a date ("told reporters in Halden
    on", "in a joint statement on"), so the date belongs to the act of saying."""
    short = _SHORT_OBJECT.match(gap)
    if short and not any(w in _NP_PREPS or w in ("and", "that") for w in short.group().split()[1:]):
        gap = gap[short.end() :]
    words = re.findall(r"[\w'’-]+|[^\s\w]", gap)
    if len(words) > 12 or any(w in ("that", '"', "“", "”") for w in words):
        return False
    after_prep = False
    for w in words:
        low = w.lower()
        if low in _OCCASION_PREPS:
            after_prep = True
        if w == "," or low in _GAP_WORDS or (w[:1].isupper() and w not in _CAP_STOP):
            continue
        # "told reporters at the regular government briefing in Marstadt on": the words of a
        # phrase about the occasion; a clause word means content ("the talks would open on")
        if not after_prep or low in _CLAUSE_WORDS or not w[:1].isalpha():
            return False
    return len(words) <= 7 or after_prep


#: Prepositions that open a phrase about the occasion of saying (not "of", "about", "for":
#: "warned of an attack on Monday" dates the attack).
_OCCASION_PREPS = _words("at in during after before following upon amid with inside outside")


def _fronted_date(unit: _Unit, date_end: int, hit: _Hit) -> bool:
    """A date in an opening phrase directly before the speaker: "On Tuesday, the ministry
    announced", "Speaking on January 7, Tasch claimed"."""
    toks = unit.toks
    lo = _segment_start(toks)
    start_char = toks[lo].start if lo < len(toks) else 0
    if date_end < start_char:
        return False
    before_subject = hit.subj[0] - 1
    if before_subject < 0 or not (
        toks[before_subject].kind == "punct" and toks[before_subject].text == ","
    ):
        return False
    between = toks[lo:before_subject]
    return date_end <= toks[before_subject].start and not any(
        t.kind == "punct" and t.text == "," for t in between
    )


def _speech_verb_before(text: str) -> bool:
    """ "… could be announced in the coming days": a date next to a speech verb."""
    m = re.search(r"(\w+)\s+(?:(?:late|early)\s+)?(?:on\s+|in\s+)?$", text)
    if not m:
        return False
    word = m.group(1).lower()
    return word in SPEECH_VERBS and SPEECH_VERBS[word][0] not in ("put", "call", "rule")


def _statement_text(unit: _Unit, hit: _Hit) -> tuple[str, bool]:
    """(text, is a quote): the quoted words, joined, for a quote; the reported clause
    without a leading "that" for a paraphrase.
    """
    toks = unit.toks
    if hit.quotes:
        parts = [_quote_inner(toks[j]) for j in hit.quotes]
        joined = " ".join(p for p in parts if p)
        return joined.rstrip(",").strip(), True
    a, b = hit.content
    if b <= a:
        return "", False
    if hit.hole is not None and a <= hit.hole[0] < hit.hole[1] < b:
        left = unit.text[toks[a].start : toks[hit.hole[0] - 1].end]
        right = unit.text[toks[hit.hole[1]].start : toks[b - 1].end]
        text = f"{left} {right}".strip()
    else:
        text = unit.text[toks[a].start : toks[b - 1].end].strip()
    text = _DATELINE.sub("", text)
    text = re.sub(r"^(?:that|,|:)\s+", "", text, flags=re.IGNORECASE)
    return text.rstrip(" ,;:").strip(), False


#: A wire dateline opening an article's first sentence ("MARSTADT, 3 December (Tessel
#: Brief) - ", "LISK, Oct 14 (Meridian Wire) - "): where the copy was filed, not what the
#: speaker said, so it is left out when the statement is the clause it opens.
_DATELINE = re.compile(
    r"^[A-Z][A-Z'’.\-]+(?:\s+[A-Z][A-Z'’.\-]+)*(?:,\s*[^()\n–—]{1,30}?)?"
    r"(?:\s*\([^()\n]{1,40}\))?\s+[-–—]+\s+"
)


def _candidate(
    ctx: _Context, unit: _Unit, hit: _Hit, guess: DateGuess | None, date_text: str
) -> Candidate:
    """The public record of one statement, with its chain and check-worthiness."""
    text, quote = _statement_text(unit, hit)
    chain = [c for c in dict.fromkeys(hit.chain) if c]
    told = _told_outlet(ctx, unit, hit)
    if told and told not in chain:
        chain.append(told)
    return Candidate(
        start=unit.start,
        end=unit.end,
        speaker_mention=hit.mention,
        speaker_id=hit.speaker_id,
        attribution=", ".join(chain),
        text=text,
        quote=quote,
        said_on=guess.start if guess is not None else None,
        said_until=guess.end if guess is not None else None,
        precision=guess.precision if guess is not None else "unknown",
        date_text=date_text,
        kind=hit.kind,
        score=checkworthiness(unit.text, has_date=bool(unit.dates)),
    )


def _told_outlet(ctx: _Context, unit: _Unit, hit: _Hit) -> str:
    """ "Tasch told KSNA …": an outlet told is part of the chain."""
    if hit.lemma != "tell" or ctx.resolver is None:
        return ""
    toks = unit.toks
    j = hit.verb_end
    k = j
    while k < len(toks) and _is_name(toks[k]):
        k += 1
    if k == j:
        return ""
    phrase = _phrase(unit, (j, k))
    match = ctx.resolver.resolve(phrase)
    if match is None:
        return ""
    actor = ctx.resolver.actor(match.actor_id)
    return phrase if actor is not None and actor.kind == "outlet" else ""
