"""Turning desk rows into Rich ``Text`` for the panes.

Everything here builds ``Text`` objects from plain strings, never markup: titles, quotes
and names come from outside and a ``[bold]`` or ``[/]`` in them must show as typed. Control
characters are stripped again at display time, in case a row predates cleaning at ingest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from rich.text import Text

from workbench.dates import format_span
from workbench.text import clean_line, strip_controls

if TYPE_CHECKING:
    from db.models import Event
    from db.repo import ArticleDetail, PositionEntry, StatementDetail
    from db.repo_history import LastChange

T = TypeVar("T")

VERIFICATION_STYLE = {
    "unverified": "yellow",
    "verified": "green",
    "disputed": "dark_orange",
    "false": "bold red",
    "misleading": "red",
    "retracted": "magenta",
    "superseded": "dim",
}
REVIEW_MARK = {"suggested": "?", "accepted": " ", "dismissed": "x"}
RELATION_IN = {
    "supports": "supported by",
    "contradicts": "contradicted by",
    "updates": "updated by",
    "duplicates": "duplicated by",
    "responds_to": "answered by",
}


def or_gone(value: T | None, render: Callable[[T], Text], noun: str) -> Text:
    """Render a detail, or say plainly that the row went away (deleted by another editor)."""
    return render(value) if value is not None else Text(f"This {noun} was removed.", "dim")


def fit(value: str, width: int) -> str:
    """``value`` in exactly ``width`` cells: cut with an ellipsis, or padded."""
    value = clean_line(value)
    if len(value) > width:
        return value[: max(width - 1, 0)] + "…"
    return value.ljust(width)


def local(value: dt.datetime) -> dt.datetime:
    """Stored times are UTC; editors read them in the desk server's local time."""
    return value.astimezone()


def when(value: dt.datetime | None) -> str:
    return local(value).strftime("%d %b %Y %H:%M") if value else "undated"


def when_short(value: dt.datetime, today: dt.date | None = None) -> str:
    """A list's time column: hour and minute this year, the year otherwise (12 cells)."""
    value = local(value)
    today = today or dt.date.today()
    return value.strftime("%d %b %H:%M" if value.year == today.year else "%d %b  %Y")


def changed_line(changed: LastChange | None, what: str = "") -> Text:
    """``last changed by maria · 25 Nov 2026 14:02`` (or ``added by``, when nobody has
    changed it since): every item says who touched it last. Names come from the log,
    shown as typed."""
    if changed is None:
        return Text()
    verb = "added" if changed.op == "create" else "last changed"
    out = Text(f"{what}{verb} by ", style="dim")
    out.append(clean_line(changed.editor) or "unknown", style="cyan")
    out.append(f" · {when(changed.at)}", style="dim")
    return out


def article_text(article: ArticleDetail) -> Text:
    out = Text()
    out.append(clean_line(article.title) or "(untitled)", style="bold")
    out.append("\n")
    meta = [m for m in (article.outlet, article.byline, when(article.published_at)) if m]
    out.append(" · ".join(clean_line(m) for m in meta), style="dim")
    if article.url:
        out.append("\n" + clean_line(article.url), style="dim underline")
    out.append_text(_desk_notes(article))
    out.append("\n\n")
    body = Text(strip_controls(article.text))
    for _id, start, end, review in article.spans:
        style = "reverse yellow" if review == "suggested" else "underline bold cyan"
        if review != "dismissed":
            body.stylize(style, start, end)
    for kind, start, end in article.tables:
        body.stylize("on grey15" if kind == "other" else "on dark_green", start, end)
    out.append_text(body)
    return out


TRIAGE_WORDS = {
    "new": "not triaged",
    "relevant": "relevant",
    "not_relevant": "not relevant",
    "needs_check": "needs a check",
}


def _desk_notes(article: ArticleDetail) -> Text:
    """What the desk knows about the article beyond its text: triage, marks, rules that
    touched it, a likely duplicate, tables read from it, a failing source."""
    notes = Text()
    line = [TRIAGE_WORDS.get(article.triage, article.triage)]
    if article.starred:
        line.append("starred")
    if article.assignee:
        line.append(f"assigned to {clean_line(article.assignee)}")
    if article.priority:
        line.append(f"priority {article.priority}")
    notes.append("\n" + " · ".join(line), style="bold")
    if article.tags:
        notes.append("  #" + " #".join(clean_line(t) for t in article.tags), style="cyan")
    if article.rule_hits:
        names = ", ".join(clean_line(r) for r in article.rule_hits)
        notes.append(f"\n⚑ rules: {names}", style="yellow")
    if article.duplicate:
        other_id, title, outlet, kind, score = article.duplicate
        label = "same story as" if kind == "same" else "possibly the same story as"
        notes.append(
            f"\n{'=' if kind == 'same' else '≈'} {label} #{other_id} "
            f"({clean_line(outlet) or 'no outlet'}, {score:.0f}%): {clean_line(title)}",
            style="magenta",
        )
    if article.tables:
        kinds = ", ".join(kind for kind, _start, _end in article.tables)
        notes.append(f"\n▦ tables read: {kinds} (suggestions in Positions and Timeline)", "green")
    if article.source_problem:
        notes.append(f"\n⚠ source: {clean_line(article.source_problem)}", style="red")
    return notes


def evidence_in_context(prefix: str, exact: str, suffix: str) -> tuple[str, str, str]:
    """The quoted evidence and its context, joined as the article has them, on one line.

    The three parts are consecutive slices of the article, so nothing is put between
    them: "on Monday, with" stays so, never "on Monday , with". Whitespace (a newline, a
    run of spaces) becomes one space, across the joins too; whitespace at the edges of
    the quote goes to the context, so the underline covers only the quoted words.
    """
    prefix, exact, suffix = (strip_controls(part) for part in (prefix, exact, suffix))
    words = exact.strip()
    if words:
        at = exact.index(words)
        prefix, suffix = prefix + exact[:at], exact[at + len(words) :] + suffix
    else:
        prefix = prefix + exact
    prefix = " ".join(prefix.split()) + (" " if prefix[-1:].isspace() and prefix.strip() else "")
    suffix = (" " if suffix[:1].isspace() and suffix.strip() else "") + " ".join(suffix.split())
    if not words and (not prefix or prefix.endswith(" ")):
        suffix = suffix.lstrip(" ")  # no quoted words between: one space, not two
    return prefix, " ".join(words.split()), suffix


def statement_text(detail: StatementDetail, changed: LastChange | None = None) -> Text:
    st = detail.statement
    out = Text()
    out.append(f"#{st.id} ", style="dim")
    out.append(clean_line(detail.speaker) or "unnamed source", style="bold")
    if st.attribution:
        out.append(f" — via {clean_line(st.attribution)}", style="italic")
    out.append("\n")
    out.append("quote: " if st.quote else "paraphrase: ", style="dim")
    out.append(clean_line(st.text))
    out.append("\n")
    out.append(format_span(st.said_on, st.said_until, st.date_precision), style="bold")
    out.append("  ")
    out.append(st.verification, style=VERIFICATION_STYLE.get(st.verification, ""))
    if st.review != "accepted":
        out.append(f"  [{st.review}]", style="reverse")
    if detail.issue:
        out.append(f"  issue: {clean_line(detail.issue)}", style="dim")
    if st.tags:
        out.append("  #" + " #".join(clean_line(t) for t in st.tags), style="cyan")
    out.append("\n")
    if changed is not None:
        out.append_text(changed_line(changed))
        out.append("\n")
    if detail.outlet or detail.article_title:
        out.append(f"{clean_line(detail.outlet)}: {clean_line(detail.article_title)}\n", "dim")
    if st.evidence_exact:
        out.append("Evidence: ", style="dim")
        prefix, exact, suffix = evidence_in_context(
            st.evidence_prefix, st.evidence_exact, st.evidence_suffix
        )
        # The stored prefix is the article's text from its start when the evidence is
        # near it; otherwise it begins wherever 32 characters back fell, mid-word.
        from_start = st.evidence_start is not None and st.evidence_start <= len(st.evidence_prefix)
        if not from_start:
            if " " in prefix and not strip_controls(st.evidence_prefix)[:1].isspace():
                prefix = prefix.split(" ", 1)[1]  # start the context on a word boundary
            prefix = "…" + prefix
        out.append(prefix, style="dim")
        out.append(exact, style="underline bold cyan")
        out.append(suffix + "…", style="dim")
        out.append("\n")
    if st.notes:
        out.append(f"Notes: {strip_controls(st.notes)}\n", style="italic")
    out.append("\nLinks\n", style="bold")
    if not detail.links:
        out.append("  none yet\n", style="dim")
    for link in detail.links:
        label = link.relation if link.direction == "out" else RELATION_IN[link.relation]
        arrow = "→" if link.direction == "out" else "←"
        out.append(f"  {arrow} {label.replace('_', ' ')} ", style="bold")
        out.append(f"#{link.other_id} ")
        out.append(clean_line(link.other_speaker) or "unnamed", style="bold")
        date = format_span(link.other_said_on) if link.other_said_on else "undated"
        out.append(f" ({date}, {clean_line(link.other_outlet) or 'no outlet'})", style="dim")
        if link.review != "accepted":
            out.append(f" [{link.review}]", style="reverse")
        out.append(f"\n      {clean_line(link.other_text)}\n")
        if link.note:
            out.append(f"      note: {clean_line(link.note)}\n", style="italic dim")
    return out


def history_text(
    issue: str, actor: str, entries: list[PositionEntry], changed: LastChange | None = None
) -> Text:
    """A cell's positions over time; ``changed`` is who last touched the current one."""
    out = Text()
    out.append(clean_line(actor), style="bold")
    out.append(" on ")
    out.append(clean_line(issue), style="bold")
    out.append("\n")
    if changed is not None and entries:
        out.append_text(changed_line(changed, "position "))
        out.append("\n")
    if not entries:
        out.append("No position recorded.\n", style="dim")
    for n, entry in enumerate(entries):
        pos = entry.position
        marker = "now " if n == 0 else "was "
        out.append(marker, style="bold green" if n == 0 else "dim")
        out.append(format_span(pos.as_of) if pos.as_of else "undated", style="bold")
        out.append(f"  {clean_line(pos.summary)}")
        if pos.review != "accepted":
            out.append(f"  [{pos.review}]", style="reverse")
        out.append("\n")
        for statement_id, text in entry.statements:
            out.append(f"      #{statement_id} {clean_line(text)}\n", style="dim")
    return out


def event_text(
    event: Event,
    actors: list[str],
    statements: list[tuple[int, str]],
    changed: LastChange | None = None,
) -> Text:
    out = Text()
    out.append(format_span(event.date, event.date_end, event.precision), style="bold")
    out.append("  ")
    out.append(clean_line(event.title), style="bold")
    if event.review != "accepted":
        out.append(f"  [{event.review}]", style="reverse")
    out.append("\n")
    if changed is not None:
        out.append_text(changed_line(changed))
        out.append("\n")
    if actors:
        out.append("Actors: " + ", ".join(clean_line(a) for a in actors) + "\n", style="dim")
    if event.description:
        out.append(strip_controls(event.description) + "\n")
    if statements:
        out.append("\nStatements\n", style="bold")
        for statement_id, text in statements:
            out.append(f"  #{statement_id} {clean_line(text)}\n")
    return out
