"""How well the statement extractor reads the gold passages, next to a naive baseline.

Run: ``python bench/extract_eval.py [--gold tests/gold/statements.toml] [--misses]``.

The gold file (``tests/gold/statements.toml``) holds invented passages with the statements
an editor would expect. Both extractors run on every passage with an ``ActorResolver``
built from the gold actors; predictions are paired with gold statements passage by passage
(same speaker first, in reading order, then whatever is left, in reading order), and four
figures are reported as precision / recall:

* **speaker** — a predicted statement with a speaker counts when it is paired with a gold
  statement by that same actor; precision over predictions that name a speaker, recall over
  gold statements that have one.
* **date** — an exact start/end match, among paired statements; precision over paired
  predictions that carry a date, recall over paired gold statements.
* **quote** — the quote flag, among paired statements; precision over predicted quotes,
  recall over gold quotes.
* **detection** — a statement at all, whoever the speaker: paired predictions over all
  predictions, paired gold statements over all gold statements.

The baseline is what a first attempt would do: in a sentence with "said" or "says", take
the first capitalised name before the verb, look it up exactly among names and aliases,
date it to the article and call it a quote when the sentence opens with a quotation mark.

The **demo desk** (``workbench/demo/desk.toml``) is a second, independent yardstick: its
statements were curated by hand for the demo, by its own conventions, not by the gold
file's. ``evaluate_demo`` runs the extractor on each demo article (the resolver built from
the desk's actors, the article's publication date, as ingest does), pairs each accepted
curated statement with the suggestion whose evidence overlaps it most (the suggestion's
statement text first, its whole evidence span second; one suggestion per curated
statement), and reports:

* **speaker** — precision over paired suggestions that name a speaker, recall over curated
  statements that have one (an unpaired curated statement counts as missed);
* **date** — an exact start/end match: precision over paired suggestions with a date,
  recall over all curated statements;
* **quote** — the quote flag: precision over paired suggested quotes, recall over curated
  quotes;
* **detection** — curated statements with a suggestion over all curated statements
  (recall); paired suggestions over all suggestions (precision: how much of what the
  machine proposes the desk's editors also kept — the desk curated only part of each
  article, so this is a lower bound, not an error rate).

``agreement`` counts curated statements whose suggestion has the same speaker (anonymous
matching anonymous) and the same dates. ``tests/test_extract.py`` imports ``evaluate`` and
``evaluate_demo`` from here and keeps the figures from falling.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from workbench.extract.actors import ActorEntry, ActorResolver, fold  # noqa: E402
from workbench.extract.sentences import split_sentences  # noqa: E402
from workbench.extract.statements import Candidate, extract_statements  # noqa: E402

GOLD = ROOT / "tests" / "gold" / "statements.toml"
DEMO = ROOT / "workbench" / "demo" / "desk.toml"

Extractor = Callable[[str, date, ActorResolver], Sequence[Candidate]]


@dataclass(frozen=True)
class GoldStatement:
    """One expected statement; ``speaker`` is an actor's canonical name or "" (anonymous)."""

    speaker: str  # canonical actor name, or "" for anonymous/unknown
    said_on: date | None
    said_until: date | None
    quote: bool
    kind: str
    about: str


@dataclass(frozen=True)
class GoldCase:
    id: str
    text: str
    published: date
    expect: tuple[GoldStatement, ...]
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Gold:
    actors: tuple[ActorEntry, ...]
    cases: tuple[GoldCase, ...]


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        return date.fromisoformat(value.strip())
    return None


def load_gold(path: Path = GOLD) -> Gold:
    """The gold file as typed records; actor ids are their 1-based place in the file."""
    data = tomllib.loads(path.read_text("utf-8"))
    ids = {a["name"]: index + 1 for index, a in enumerate(data["actors"])}
    actors = tuple(
        ActorEntry(
            id=index + 1,
            name=a["name"],
            kind=a["kind"],
            aliases=tuple(a.get("aliases", ())),
            parent_id=ids.get(a.get("parent", "")),
        )
        for index, a in enumerate(data["actors"])
    )
    cases = tuple(
        GoldCase(
            id=c["id"],
            text=c["text"],
            published=_day(c["published"]) or date(2000, 1, 1),
            expect=tuple(
                GoldStatement(
                    speaker=e.get("speaker", ""),
                    said_on=_day(e.get("said_on")),
                    said_until=_day(e.get("said_until")),
                    quote=bool(e.get("quote", False)),
                    kind=e.get("kind", "speech"),
                    about=e.get("about", ""),
                )
                for e in c.get("expect", [])
            ),
            tags=tuple(c.get("tags", ())),
        )
        for c in data["cases"]
    )
    return Gold(actors, cases)


def resolver_for(gold: Gold) -> ActorResolver:
    """The resolver both extractors get: built from the gold actors, as the app builds one
    from the desk's actors and aliases.
    """
    return ActorResolver(gold.actors)


# --- the baseline -------------------------------------------------------------------------------

_NAME = re.compile(r"[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*")


def baseline_extract(text: str, published: date, resolver: ActorResolver) -> list[Candidate]:
    """First capitalised name before "said"/"says", exact look-up, the article's date."""
    keys: dict[str, int] = {}
    for actor in resolver.entries():
        for name in (actor.name, *actor.aliases):
            keys.setdefault(fold(name), actor.id)
    out: list[Candidate] = []
    for start, end in split_sentences(text):
        sentence = text[start:end]
        verb = re.search(r"\b(?:said|says)\b", sentence)
        if verb is None:
            continue
        first = _NAME.search(sentence, 0, verb.start())
        mention = first.group() if first else ""
        speaker = keys.get(fold(mention)) if mention else None
        out.append(
            Candidate(
                start=start,
                end=end,
                speaker_mention=mention,
                speaker_id=speaker,
                attribution="",
                text=sentence,
                quote=sentence.lstrip()[:1] in '“"',
                said_on=published,
                said_until=None,
                precision="day",
                date_text="",
                kind="speech",
                score=0.0,
            )
        )
    return out


def ours(text: str, published: date, resolver: ActorResolver) -> list[Candidate]:
    return extract_statements(text, published=published, resolver=resolver)


# --- scoring ------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Hits over predictions and over expectations; an empty denominator counts as 1.0
    (nothing claimed, nothing wrong).
    """

    hit: int = 0
    predicted: int = 0
    expected: int = 0

    @property
    def precision(self) -> float:
        return self.hit / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.hit / self.expected if self.expected else 1.0


@dataclass
class Report:
    """The four figures for one extractor, plus kind agreement and what went wrong."""

    speaker: Tally = field(default_factory=Tally)
    date: Tally = field(default_factory=Tally)
    quote: Tally = field(default_factory=Tally)
    detection: Tally = field(default_factory=Tally)
    kind_right: int = 0
    paired: int = 0
    misses: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _pair(
    gold: Sequence[GoldStatement], predicted: Sequence[Candidate], names: dict[int, str]
) -> list[tuple[GoldStatement, Candidate, bool]]:
    """Gold and predicted statements of one passage: same speaker first, in order; then the
    rest in order. The flag says whether the pair agrees on the speaker."""
    pairs: list[tuple[GoldStatement, Candidate, bool]] = []
    free_gold = list(range(len(gold)))
    free_pred = list(range(len(predicted)))
    for gi in list(free_gold):
        want = gold[gi].speaker
        for pi in free_pred:
            got = names.get(predicted[pi].speaker_id or -1, "")
            if got == want:
                pairs.append((gold[gi], predicted[pi], True))
                free_gold.remove(gi)
                free_pred.remove(pi)
                break
    for gi, pi in zip(list(free_gold), list(free_pred), strict=False):
        pairs.append((gold[gi], predicted[pi], False))
    return pairs


def evaluate(extractor: Extractor = ours, gold: Gold | None = None) -> Report:
    """Run ``extractor`` over every gold passage and tally the four figures."""
    gold = gold or load_gold()
    resolver = resolver_for(gold)
    names = {a.id: a.name for a in gold.actors}
    report = Report()
    started = time.perf_counter()
    for case in gold.cases:
        predicted = list(extractor(case.text, case.published, resolver))
        pairs = _pair(case.expect, predicted, names)
        report.detection.predicted += len(predicted)
        report.detection.expected += len(case.expect)
        report.detection.hit += len(pairs)
        report.speaker.predicted += sum(1 for p in predicted if p.speaker_id is not None)
        report.speaker.expected += sum(1 for g in case.expect if g.speaker)
        report.quote.predicted += sum(1 for _, p, _ in pairs if p.quote)
        report.quote.expected += sum(1 for g, _, _ in pairs if g.quote)
        report.date.predicted += sum(1 for _, p, _ in pairs if p.said_on is not None)
        report.date.expected += len(pairs)
        problems: list[str] = []
        for g, p, same in pairs:
            report.paired += 1
            if same and g.speaker:
                report.speaker.hit += 1
            elif not same:
                got = names.get(p.speaker_id or -1, "") or f"None ({p.speaker_mention!r})"
                problems.append(f"speaker {got} ≠ {g.speaker or '(anonymous)'}")
            if p.said_on is not None and (p.said_on, p.said_until) == (g.said_on, g.said_until):
                report.date.hit += 1
            else:
                problems.append(f"date {p.said_on}..{p.said_until} ≠ {g.said_on}..{g.said_until}")
            if p.quote and g.quote:
                report.quote.hit += 1
            elif p.quote != g.quote:
                problems.append(f"quote {p.quote} ≠ {g.quote}")
            if p.kind == g.kind:
                report.kind_right += 1
            else:
                problems.append(f"kind {p.kind} ≠ {g.kind}")
        if len(predicted) > len(pairs):
            extra = (
                predicted[len(pairs) :]
                if not pairs
                else [p for p in predicted if all(p is not q for _, q, _ in pairs)]
            )
            problems += [
                f"extra: {names.get(p.speaker_id or -1, p.speaker_mention)!r}" for p in extra
            ]
        if len(case.expect) > len(pairs):
            problems.append(f"missed {len(case.expect) - len(pairs)} statement(s)")
        if problems:
            report.misses.append(f"{case.id}: " + "; ".join(problems))
    report.seconds = time.perf_counter() - started
    return report


# --- the demo desk ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoStatement:
    """One curated statement of the demo desk, its evidence as a span of its article."""

    key: str
    article: str
    start: int
    end: int
    speaker: str  # canonical actor name, or "" (anonymous)
    said_on: date | None
    said_until: date | None
    quote: bool


@dataclass(frozen=True)
class DemoArticle:
    key: str
    text: str
    published: date


@dataclass(frozen=True)
class DemoDesk:
    actors: tuple[ActorEntry, ...]
    articles: tuple[DemoArticle, ...]
    statements: tuple[DemoStatement, ...]


def load_demo_desk(path: Path = DEMO) -> DemoDesk:
    """The demo desk's actors, articles and accepted statements, read from its TOML file as
    ``workbench demo`` loads them (the name is one of an actor's aliases there as well;
    statements an editor left suggested or dismissed are not a yardstick)."""
    data = tomllib.loads(path.read_text("utf-8"))
    ids = {a["key"]: index + 1 for index, a in enumerate(data["actors"])}
    names = {a["key"]: a["name"] for a in data["actors"]}
    actors = tuple(
        ActorEntry(
            id=ids[a["key"]],
            name=a["name"],
            kind=a.get("kind", "person"),
            aliases=tuple(a.get("aliases", ())),
            parent_id=ids.get(a.get("parent") or ""),
        )
        for a in data["actors"]
    )
    articles = tuple(
        DemoArticle(
            a["key"], a["text"], datetime.fromisoformat(a["published"]).astimezone(UTC).date()
        )
        for a in data["articles"]
    )
    texts = {a.key: a.text for a in articles}
    statements = []
    for st in data["statements"]:
        if st.get("review", "accepted") != "accepted":
            continue
        start = texts[st["article"]].find(st["evidence"])
        if start < 0:
            raise ValueError(f"demo statement {st['key']}: evidence not in its article")
        statements.append(
            DemoStatement(
                key=st["key"],
                article=st["article"],
                start=start,
                end=start + len(st["evidence"]),
                speaker=names.get(st.get("speaker") or "", ""),
                said_on=_day(st.get("said_on")),
                said_until=_day(st.get("said_until")),
                quote=bool(st.get("quote")),
            )
        )
    return DemoDesk(actors, articles, tuple(statements))


@dataclass
class DemoReport(Report):
    """``Report`` for the demo desk, plus how many curated statements agree in full."""

    agreement: int = 0
    speaker_agreement: int = 0
    curated: int = 0


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _text_span(text: str, candidate: Candidate) -> tuple[int, int]:
    """Where a suggestion's statement text stands in its article (its first words, for a
    quote joined from pieces), or its whole evidence span when it cannot be found."""
    for probe in (candidate.text, candidate.text[:40]):
        if not probe:
            continue
        at = text.find(probe, candidate.start, candidate.end)
        if at >= 0:
            return at, at + len(candidate.text)
    return candidate.start, candidate.end


def _pair_by_evidence(
    text: str, curated: Sequence[DemoStatement], predicted: Sequence[Candidate]
) -> list[tuple[DemoStatement, Candidate]]:
    """Each curated statement with the suggestion overlapping its evidence most: overlap
    with the suggestion's statement text first, with its evidence span second; greedily,
    best overlap first, one suggestion per curated statement."""
    scored = []
    for ci, st in enumerate(curated):
        span = (st.start, st.end)
        for pi, cand in enumerate(predicted):
            unit = _overlap(span, (cand.start, cand.end))
            if unit:
                scored.append((_overlap(span, _text_span(text, cand)), unit, -pi, ci, pi))
    scored.sort(reverse=True)
    used_c: set[int] = set()
    used_p: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for _, _, _, ci, pi in scored:
        if ci in used_c or pi in used_p:
            continue
        used_c.add(ci)
        used_p.add(pi)
        pairs.append((ci, pi))
    return [(curated[ci], predicted[pi]) for ci, pi in sorted(pairs)]


def evaluate_demo(extractor: Extractor = ours, desk: DemoDesk | None = None) -> DemoReport:
    """Run ``extractor`` over every demo article and score it against the curated
    statements (see the module docstring)."""
    desk = desk or load_demo_desk()
    resolver = ActorResolver(desk.actors)
    names = {a.id: a.name for a in desk.actors}
    report = DemoReport()
    started = time.perf_counter()
    for article in desk.articles:
        curated = sorted(
            (s for s in desk.statements if s.article == article.key), key=lambda s: s.start
        )
        predicted = list(extractor(article.text, article.published, resolver))
        pairs = _pair_by_evidence(article.text, curated, predicted)
        report.curated += len(curated)
        report.detection.predicted += len(predicted)
        report.detection.expected += len(curated)
        report.detection.hit += len(pairs)
        report.speaker.expected += sum(1 for s in curated if s.speaker)
        report.date.expected += len(curated)
        report.quote.expected += sum(1 for s in curated if s.quote)
        paired = {s.key for s, _ in pairs}
        for st, cand in pairs:
            report.paired += 1
            got = names.get(cand.speaker_id or -1, "")
            problems: list[str] = []
            if cand.speaker_id is not None:
                report.speaker.predicted += 1
            same_speaker = got == st.speaker
            if same_speaker:
                report.speaker_agreement += 1
                report.speaker.hit += 1 if st.speaker else 0
            else:
                shown = got or f"None ({cand.speaker_mention!r})"
                problems.append(f"speaker {shown} ≠ {st.speaker or '(anonymous)'}")
            if cand.said_on is not None:
                report.date.predicted += 1
            same_date = (cand.said_on, cand.said_until) == (st.said_on, st.said_until)
            if same_date and cand.said_on is not None:
                report.date.hit += 1
            else:
                problems.append(
                    f"date {cand.said_on}..{cand.said_until or ''} ≠ "
                    f"{st.said_on}..{st.said_until or ''}"
                )
            if cand.quote:
                report.quote.predicted += 1
            if cand.quote and st.quote:
                report.quote.hit += 1
            elif cand.quote != st.quote:
                problems.append(f"quote {cand.quote} ≠ {st.quote}")
            if same_speaker and same_date:
                report.agreement += 1
            if problems:
                report.misses.append(f"{st.key}: " + "; ".join(problems))
        for st in curated:
            if st.key not in paired:
                report.misses.append(f"{st.key}: no suggestion overlaps its evidence")
    report.seconds = time.perf_counter() - started
    return report


def table(rows: dict[str, Report]) -> str:
    """The figures side by side, as a small plain-text table."""
    heads = list(rows)
    lines = [f"{'':<22}" + "".join(f"{h:>22}" for h in heads)]
    for label in ("speaker", "date", "quote", "detection"):
        for which in ("precision", "recall"):
            cells = "".join(f"{getattr(getattr(rows[h], label), which):>22.3f}" for h in heads)
            lines.append(f"{label + ' ' + which:<22}{cells}")
    lines.append(
        f"{'kind agreement':<22}"
        + "".join(
            f"{'n/a':>22}"  # the desk records no kind to compare with
            if isinstance(r, DemoReport)
            else f"{r.kind_right / max(r.paired, 1):>22.3f}"
            for r in rows.values()
        )
    )
    lines.append(f"{'seconds':<22}" + "".join(f"{r.seconds:>22.3f}" for r in rows.values()))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--demo", type=Path, default=DEMO, help="the demo desk's TOML file")
    parser.add_argument("--misses", action="store_true", help="list every disagreement")
    args = parser.parse_args(argv)
    gold = load_gold(args.gold)
    statements = sum(len(c.expect) for c in gold.cases)
    print(f"gold: {len(gold.cases)} passages, {statements} statements, {len(gold.actors)} actors")
    held = Gold(gold.actors, tuple(c for c in gold.cases if "holdout" in c.tags))
    reports = {
        "extractor": evaluate(ours, gold),
        "baseline": evaluate(baseline_extract, gold),
        f"extractor holdout({len(held.cases)})": evaluate(ours, held),
        f"baseline holdout({len(held.cases)})": evaluate(baseline_extract, held),
    }
    desk = load_demo_desk(args.demo)
    demo = {
        "extractor demo": evaluate_demo(ours, desk),
        "baseline demo": evaluate_demo(baseline_extract, desk),
    }
    reports.update(demo)
    print(table(reports))
    for name, report in demo.items():
        print(
            f"{name}: {report.agreement} of {report.curated} curated statements agree in "
            f"speaker and date ({report.speaker_agreement} in speaker)"
        )
    if args.misses:
        for name, report in reports.items():
            what = "curated statements" if isinstance(report, DemoReport) else "passages"
            print(f"\n{name}: {len(report.misses)} {what} with a disagreement")
            for line in report.misses:
                print("  " + line)


if __name__ == "__main__":
    main()
