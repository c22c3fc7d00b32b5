"""schema.org ClaimReview JSON-LD: the desk's verdicts as fact-check search engines read them.

One JSON array, one ``ClaimReview`` per statement with a verdict, streamed item by item.
The fields are those Google's ClaimReview structured-data guidelines require or recommend
(``claimReviewed``, ``reviewRating`` with ``alternateName``, ``url``, ``author``,
``datePublished``, ``itemReviewed`` as a ``Claim`` with its ``author``, ``datePublished``
and ``appearance``).

Verdicts and the rating scale (worst 1, best 5):

====================  ===========  ================
verification          ratingValue  alternateName
====================  ===========  ================
false                 1            False
misleading            2            Misleading
disputed              3            Disputed
verified              5            True
====================  ===========  ================

``unverified`` has no verdict. ``retracted`` (the claim was withdrawn) and ``superseded``
(a later statement replaced it) say what happened to a claim, not whether it is true, so
they are left out rather than published as a rating nobody gave.

``author`` is the organisation from the config's ``[export]`` table (``organisation``,
``organisation_url``). Without one the export is still made, with the exporting editor as
the author (a ``Person``), and the CLI says so on stderr: a fact-check partner can use the
file internally, and the message says what to set before publishing. ``url`` is the
fact-check's own address: ``organisation_url#statement-ID`` when configured, else the
article that carried the claim (http(s) addresses only, here and in ``appearance``).

``claimReviewed`` is kept short: at most :data:`CLAIM_LIMIT` characters, cut at a word
boundary with an ellipsis, as search results show a line, not a paragraph.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import Engine

from workbench.export import GENERATOR
from workbench.export.rows import StatementRow, open_scope, snapshot, statements, web_url

if TYPE_CHECKING:
    from workbench.export import ExportOptions

WORST, BEST = 1, 5
#: verification → (ratingValue, alternateName)
RATINGS: dict[str, tuple[int, str]] = {
    "false": (1, "False"),
    "misleading": (2, "Misleading"),
    "disputed": (3, "Disputed"),
    # The desk's word, not "True": "verified" may confirm who said it rather than that it
    # is so, and a ClaimReview must not claim more than the desk checked.
    "verified": (5, "Verified"),
}
#: Google asks for a claimReviewed under 75 characters; the full text is in reviewBody.
CLAIM_LIMIT = 75
#: actor kinds that are organisations in schema.org's sense
ORGANISATION_KINDS = frozenset({"government", "organisation", "outlet"})


def shorten(text: str, limit: int = CLAIM_LIMIT) -> str:
    """``text`` on one line, at most ``limit`` characters: cut at the last word boundary
    that fits, with an ellipsis. A single word longer than the limit is cut inside it."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    room = text[: limit - 1]
    cut = room.rfind(" ")
    if cut > limit // 2:
        room = room[:cut]
    return room.rstrip(" ,;:.-–—") + "…"


def _known_date(row: StatementRow) -> str:
    """The claim's date to the precision the desk knows it (ISO 8601: ``2026``,
    ``2026-11`` or ``2026-11-04``)."""
    day = row.said_on or dt.date.min
    if row.precision == "year":
        return f"{day.year:04d}"
    if row.precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def _author(options: ExportOptions) -> dict[str, Any]:
    if options.organisation:
        author: dict[str, Any] = {"@type": "Organization", "name": options.organisation}
        if options.organisation_url:
            author["url"] = options.organisation_url
        return author
    return {"@type": "Person", "name": options.editor}


def _review_url(row: StatementRow, options: ExportOptions) -> str | None:
    """The fact-check's own address, on the organisation's site; never the outlet's
    article (that is the claim's appearance, not the review)."""
    if options.organisation_url:
        return f"{options.organisation_url.split('#', 1)[0]}#statement-{row.id}"
    return None


def claim_review(
    row: StatementRow, options: ExportOptions, author: dict[str, Any], published: str
) -> dict[str, Any] | None:
    """The ClaimReview for one statement, or None when it has no verdict an editor gave:
    a machine suggestion (accepted by nobody) is never published with a rating."""
    rating = RATINGS.get(row.verification)
    if rating is None or row.review != "accepted":
        return None
    value, words = rating
    claim: dict[str, Any] = {"@type": "Claim"}
    if row.speaker or row.attribution:
        claim["author"] = {
            "@type": "Organization" if row.speaker_kind in ORGANISATION_KINDS else "Person",
            "name": row.who,
        }
    if row.said_on is not None:
        claim["datePublished"] = _known_date(row)
    if (article := web_url(row.article_url)) is not None:
        appearance: dict[str, Any] = {"@type": "CreativeWork", "url": article}
        if row.article_title:
            appearance["headline"] = row.article_title
        if row.outlet:
            appearance["publisher"] = {"@type": "Organization", "name": row.outlet}
        claim["appearance"] = [appearance]
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "claimReviewed": shorten(row.text),
        "itemReviewed": claim,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": value,
            "bestRating": BEST,
            "worstRating": WORST,
            "alternateName": words,
        },
        "author": author,
        "datePublished": published,
    }
    url = _review_url(row, options)
    if url:
        review["url"] = url
    body = f"Claim: “{' '.join(row.text.split())}”."
    if row.evidence_exact:
        body += f" Evidence quoted in the article: “{' '.join(row.evidence_exact.split())}”"
    review["reviewBody"] = body
    if row.note:
        review["description"] = row.note
    review["identifier"] = f"statement-{row.id}"
    return review


def write_claimreview(engine: Engine, out: IO[str], options: ExportOptions) -> dict[str, int]:
    """One JSON array of ClaimReview objects. The first item carries no header (a
    ClaimReview array is what consumers expect), so provenance is in each item:
    ``author``, ``datePublished`` (the export's date), ``sdDatePublished`` (its time) and
    ``sdPublisher`` (who exported it from which collection, with which software)."""
    author = _author(options)
    exported_at = options.exported_at()
    published = exported_at.date().isoformat()
    n = 0
    with snapshot(engine) as conn:
        scope = open_scope(conn, options.collection)
        publisher: dict[str, Any] = {
            "@type": "Organization",
            "name": GENERATOR,
            "description": _provenance(options.editor, exported_at.isoformat(), scope.collection),
        }
        out.write("[")
        for row in statements(conn, scope):
            review = claim_review(row, options, author, published)
            if review is None:
                continue
            review["sdPublisher"] = publisher
            review["sdDatePublished"] = exported_at.isoformat()
            n += 1
            out.write(("\n  " if n == 1 else ",\n  ") + json.dumps(review, ensure_ascii=False))
        out.write("\n]\n" if n else "]\n")
    return {"claimreviews": n}


def _provenance(editor: str, when: str, collection: str | None) -> str:
    where = f"collection “{collection}”" if collection else "the whole desk"
    return f"Exported {when} by {editor} from {where}."
