"""Which statements belong together: candidates for the link picker, and the links the
desk proposes on its own (the same claim in other outlets; a later word by the same actor
on the same issue that turns the earlier one around).

The repository hands out a small pool per statement (newest full-text hits plus the same
speaker's and the same issue's newest statements, see ``db.repo_links``); everything here
works on that pool, so it costs the same on a desk of a thousand statements or a million.
rapidfuzz is imported when first used: the app's first screen does not pay for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from db.repo_links import LinkCandidate, LinkProposal
from db.search import fold, parse_query

if TYPE_CHECKING:
    from db.repo import Repo

RELATIONS = ("supports", "contradicts", "updates", "duplicates", "responds_to")

#: Token-set similarity (0–100) from which two statements are the same words.
DUPLICATE_AT = 88.0
#: Similarity below which two statements by different actors are not about one thing.
CONTRADICT_AT = 60.0
#: Extra points in the picker for the same speaker and the same issue.
SAME_SPEAKER_BOOST = 15.0
SAME_ISSUE_BOOST = 10.0

_NEGATION = re.compile(
    r"\b(?:no|not|never|none|nothing|neither|nor|cannot|without|no\s+longer|"
    r"den(?:y|ies|ied|ial)|reject(?:s|ed)?|refus(?:e|es|ed)|rul(?:e|es|ed)\s+out|"
    r"called\s+off|false|untrue)\b|n['’]t\b",
    re.IGNORECASE,
)
_MODAL = re.compile(
    r"\b(?:could|may|might|perhaps|possibl[ey]|likely|expected|ready|willing|open\s+to|"
    r"hop(?:e|es|ed)|soon|consider(?:s|ing)?|would|plan(?:s|ned)?\s+to)\b",
    re.IGNORECASE,
)
_STOP = frozenset(
    """a an the and or but if of to in on at by for from with as is are was were be been being
    it its this that these those he she they we you i his her their our your my them him us
    said says say told tells added according citing also would could should will may might
    not no never nor than then there here when where which who whom what while after before
    about into over under again further once more most other some such only own same so too
    very can just do does did doing have has had having all any both each few how why""".split()  # noqa: SIM905
)


@dataclass(frozen=True)
class Stance:
    """How a statement leans: denies or negates something; hedged rather than firm."""

    negative: bool
    hedged: bool


def stance(text: str) -> Stance:
    return Stance(bool(_NEGATION.search(text)), bool(_MODAL.search(text)))


_WORDS = re.compile(r"\w+")


def normalise(text: str) -> str:
    """Folded words only: quotes, dashes and case do not make two claims differ."""
    return " ".join(_WORDS.findall(fold(text)))


def content_words(text: str) -> list[str]:
    """Words that say what a statement is about, longest first (the likeliest to be rare)."""
    words = dict.fromkeys(
        w for w in _WORDS.findall(fold(text)) if len(w) > 2 and w not in _STOP and not w.isdigit()
    )
    return sorted(words, key=len, reverse=True)


def related_query(text: str, limit: int = 8) -> str | None:
    """An FTS5 query matching any of a statement's content words (None if it has none)."""
    words = content_words(text)[:limit]
    if not words:
        return None
    return " OR ".join(f'"{w}"' for w in words)


def typed_query(typed: str) -> str | None:
    """What an editor typed into the picker, read as a search with the last word a prefix
    (they are still typing it). Raises ``QueryError`` for a malformed query."""
    typed = typed.strip()
    if not typed:
        return None
    last = typed.split()[-1]
    if last[-1].isalnum() and last not in ("AND", "OR", "NOT") and typed.count('"') % 2 == 0:
        typed += "*"
    return parse_query(typed).fts


# --------------------------------------------------------------------------- picker


@dataclass(frozen=True)
class RankedCandidate:
    candidate: LinkCandidate
    score: float
    #: The relation already linking it with the subject, if any ("duplicates (suggested)").
    linked: str = ""


def rank(
    subject: LinkCandidate,
    pool: Iterable[LinkCandidate],
    typed: str = "",
    linked: dict[int, tuple[str, str]] | None = None,
) -> list[RankedCandidate]:
    """Best first: token-set similarity of normalised text, blended with how well the
    typed filter matches, plus the same-speaker and same-issue boosts."""
    from rapidfuzz import fuzz

    linked = linked or {}
    base = normalise(subject.text)
    wanted = normalise(typed)
    ranked: list[RankedCandidate] = []
    for candidate in pool:
        if candidate.id == subject.id:
            continue
        other = normalise(candidate.text)
        score = fuzz.token_set_ratio(base, other)
        if wanted:  # the text is normalised already: only who and where are added
            about = " ".join(
                filter(None, (other, normalise(f"{candidate.speaker} {candidate.outlet}")))
            )
            score = 0.4 * score + 0.6 * fuzz.partial_ratio(wanted, about)
        if subject.speaker_id is not None and candidate.speaker_id == subject.speaker_id:
            score += SAME_SPEAKER_BOOST
        if subject.issue_id is not None and candidate.issue_id == subject.issue_id:
            score += SAME_ISSUE_BOOST
        relation, review = linked.get(candidate.id, ("", ""))
        label = f"{relation} ({review})" if relation and review != "accepted" else relation
        ranked.append(RankedCandidate(candidate, round(score, 2), label))
    ranked.sort(key=lambda r: (-r.score, -(r.candidate.id)))
    return ranked


def candidates(
    repo: Repo, statement_id: int, typed: str = "", limit: int = 40
) -> list[RankedCandidate]:
    """The link picker's list for one statement. Raises ``QueryError`` for a malformed
    filter, which the picker shows as a message and keeps the previous list."""
    subject = repo.statement_candidates([statement_id]).get(statement_id)
    if subject is None:
        return []
    fts = typed_query(typed) if typed.strip() else related_query(subject.text)
    pool = repo.link_pool(subject, fts)
    return rank(subject, pool, typed, repo.linked(statement_id))[:limit]


# --------------------------------------------------------------------------- suggestions


def _when(c: LinkCandidate) -> tuple[int, int]:
    return (c.said_on.toordinal() if c.said_on else 0, c.id)


def _shared(a: LinkCandidate, b: LinkCandidate) -> int:
    return len(set(content_words(a.text)) & set(content_words(b.text)))


def _same_issue(a: LinkCandidate, b: LinkCandidate) -> bool:
    """Both on one issue: the same issue when both have one, else shared subject words."""
    if a.issue_id is not None and b.issue_id is not None:
        return a.issue_id == b.issue_id
    return _shared(a, b) >= 2


def judge(a: LinkCandidate, b: LinkCandidate, similarity: float) -> LinkProposal | None:
    """The link two statements call for, if any, pointing from the later to the earlier.

    "Same actor" means the same side: a spokeswoman, her ministry and her country speak
    for one government, so the ministry's "no call is planned" updates the chancellor's
    "I will take the call"; another government's denial contradicts it instead. A turn
    must share two subject words with what it turns (the same issue alone is too broad)."""
    later, earlier = (a, b) if _when(a) > _when(b) else (b, a)
    same_side = a.side_id is not None and a.side_id == b.side_id
    unknown = a.side_id is None or b.side_id is None
    first, then = stance(earlier.text), stance(later.text)
    if (
        similarity >= DUPLICATE_AT
        and a.article_id != b.article_id
        and (same_side or unknown)
        and first.negative == then.negative
    ):
        where = f" in {earlier.outlet}" if earlier.outlet else ""
        note = f"the same words, reported earlier{where}"
        return LinkProposal(later.id, earlier.id, "duplicates", note)
    if first.negative == then.negative or not _same_issue(a, b) or _shared(a, b) < 2:
        return None
    turned = "denies" if then.negative else "now affirms"
    if same_side:
        hedge = " what was hedged before" if first.hedged and then.negative else ""
        note = f"same speaker's side, same issue: the later statement {turned}{hedge}"
        return LinkProposal(later.id, earlier.id, "updates", note)
    if not unknown and similarity >= CONTRADICT_AT:
        note = f"another side on the same issue {turned} it"
        return LinkProposal(later.id, earlier.id, "contradicts", note)
    return None


#: Proposals per statement: a quote repeated in a hundred stories must not ask an editor
#: to review thousands of pairs. One duplicates link (to the earliest report) says it all.
PROPOSALS_PER_STATEMENT = 4


def propose(repo: Repo, statement_ids: Sequence[int]) -> list[LinkProposal]:
    """Links the desk proposes for these statements against the rest of the desk: per
    statement, at most one *duplicates* link (to the earliest report of the same words)
    and a few turns (updates / contradicts), the most similar first."""
    from rapidfuzz import fuzz

    subjects = repo.statement_candidates(statement_ids)
    proposals: list[LinkProposal] = []
    done: set[frozenset[int]] = set()
    for subject in subjects.values():
        linked = repo.linked(subject.id)
        if any(relation == "duplicates" for relation, _review in linked.values()):
            continue  # already known as a copy of another report
        base = normalise(subject.text)
        found: list[tuple[float, LinkCandidate, LinkProposal]] = []
        for other in repo.link_pool(subject, related_query(subject.text), window=200):
            pair = frozenset((subject.id, other.id))
            if other.id in linked or pair in done:
                continue
            similarity = fuzz.token_set_ratio(base, normalise(other.text))
            proposal = judge(subject, other, similarity)
            if proposal is not None:
                found.append((similarity, other, proposal))
        # a copy links back to the earliest report; the earliest itself waits for its
        # copies to link to it (else a chain of copies, each to the one before)
        copies = [f for f in found if f[2].relation == "duplicates" and f[2].from_id == subject.id]
        turns = sorted((f for f in found if f[2].relation != "duplicates"), key=lambda f: -f[0])
        chosen = [min(copies, key=lambda f: _when(f[1]))] if copies else []
        chosen += turns[: PROPOSALS_PER_STATEMENT - len(chosen)]
        for _similarity, other, proposal in chosen:
            done.add(frozenset((subject.id, other.id)))
            proposals.append(proposal)
    return proposals


def suggest_links(repo: Repo, statement_ids: Sequence[int] | None = None, recent: int = 500) -> int:
    """Propose and store links for ``statement_ids`` (default: the newest ``recent``
    statements); returns how many new suggestions were stored."""
    ids = list(statement_ids) if statement_ids is not None else repo.recent_statement_ids(recent)
    return repo.store_link_suggestions(propose(repo, ids))


__all__ = [
    "RELATIONS",
    "RankedCandidate",
    "Stance",
    "candidates",
    "content_words",
    "judge",
    "normalise",
    "propose",
    "rank",
    "related_query",
    "stance",
    "suggest_links",
    "typed_query",
]
