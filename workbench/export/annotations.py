"""W3C Web Annotations (JSON-LD): each statement's evidence, anchored on its article.

The file is one ``AnnotationCollection`` whose ``first`` page (an ``AnnotationPage``)
embeds every annotation in ``items``: the shape the W3C Web Annotation Protocol serves and
annotation servers and viewers (Annotot, Elucidate, Mirador, Recogito's importers) read.
Each item is a complete annotation on its own, with the ``target`` in exactly the form
Hypothesis stores and anchors (``source`` = the article URL, ``selector`` = a
``TextQuoteSelector`` and a ``TextPositionSelector``), so a script that posts items to
Hypothesis's API or any annotation server passes them on as they are.

One annotation per statement that has evidence (a quoted span of its article) and an
http(s) article URL to anchor it on; statements without are counted as ``skipped``.
The selectors say only what the desk knows: ``prefix``/``suffix`` when stored, the position
selector only when both offsets are known. Offsets count characters of the article text as
the desk extracted it; tools anchor on the quote first and use the position as a hint.

``motivation`` is ``assessing``; the bodies are ``TextualBody``s: the verification status
(``purpose: assessing``), the statement as the desk recorded it (``describing``), the
desk's notes and the collection's note (``commenting``) and the tags (``tagging``).
``creator`` is the editor who recorded the statement; ``created``/``modified`` its times.
The collection carries the provenance: ``creator`` (who exported), ``generated`` (when),
``generator`` (this software) and ``label`` (which collection).

Ids are stable URNs (UUID 5 of the statement id and article URL), so exporting the same
statement again names the same annotation and a server that already has it can update it.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import Engine

from workbench.export import GENERATOR
from workbench.export.rows import (
    StatementRow,
    date_label,
    open_scope,
    snapshot,
    statements,
    web_url,
)

if TYPE_CHECKING:
    from workbench.export import ExportOptions

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
_NAMESPACE = uuid.UUID("6f1e0c1a-2b7d-5c43-9a0e-6e6577736465")  # fixed: ids stay stable

VERDICTS = {
    "unverified": "Unverified",
    "verified": "Verified",
    "disputed": "Disputed",
    "false": "False",
    "misleading": "Misleading",
    "retracted": "Retracted",
    "superseded": "Superseded",
}


def _time(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).replace(microsecond=0).isoformat()


def _id(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, name)}"


def _body(value: str, purpose: str) -> dict[str, Any]:
    return {"type": "TextualBody", "purpose": purpose, "value": value, "format": "text/plain"}


def annotation(row: StatementRow, options: ExportOptions) -> dict[str, Any] | None:
    """The annotation for one statement, or None without evidence or an http(s) article
    URL to anchor it on (a ``javascript:`` address is no target)."""
    source = web_url(row.article_url)
    if not row.evidence_exact or source is None:
        return None
    quote: dict[str, Any] = {"type": "TextQuoteSelector", "exact": row.evidence_exact}
    if row.evidence_prefix:
        quote["prefix"] = row.evidence_prefix
    if row.evidence_suffix:
        quote["suffix"] = row.evidence_suffix
    selectors: list[dict[str, Any]] = [quote]
    if row.evidence_start is not None and row.evidence_end is not None:
        selectors.append(
            {"type": "TextPositionSelector", "start": row.evidence_start, "end": row.evidence_end}
        )
    verdict = VERDICTS.get(row.verification, row.verification)
    status = verdict if row.review == "accepted" else f"{verdict} ({row.review})"
    when = date_label(row.said_on, row.said_until, row.precision)
    said = f"“{row.text}”" if row.quote else row.text
    bodies = [_body(status, "assessing"), _body(f"{row.who}, {when}: {said}", "describing")]
    if row.notes.strip():
        bodies.append(_body(row.notes, "commenting"))
    if row.note.strip():
        bodies.append(_body(row.note, "commenting"))
    bodies.extend(_body(tag, "tagging") for tag in row.tags)
    item: dict[str, Any] = {
        "id": _id(f"statement-{row.id}:{source}"),
        "type": "Annotation",
        "motivation": "assessing",
    }
    if (created := _time(row.created_at)) is not None:
        item["created"] = created
    if (modified := _time(row.updated_at)) is not None:
        item["modified"] = modified
    item["creator"] = {"type": "Person", "name": row.editor or options.editor}
    item["body"] = bodies
    item["target"] = {"source": source, "selector": selectors}
    return item


def write_annotations(engine: Engine, out: IO[str], options: ExportOptions) -> dict[str, int]:
    exported_at = options.exported_at().isoformat()
    n = skipped = 0
    with snapshot(engine) as conn:
        scope = open_scope(conn, options.collection)
        where = f"collection “{scope.collection}”" if scope.collection else "whole desk"
        key = f"export:{exported_at}:{options.editor}:{scope.collection or ''}"
        head = {
            "@context": CONTEXT,
            "id": _id(key),
            "type": "AnnotationCollection",
            "label": f"{GENERATOR}: {where}",
            "creator": {"type": "Person", "name": options.editor},
            "generated": exported_at,
            "generator": {"type": "Software", "name": GENERATOR},
        }
        out.write("{\n")
        for name, value in head.items():
            out.write(f"  {json.dumps(name)}: {json.dumps(value, ensure_ascii=False)},\n")
        page = {"id": _id(key + ":page-1"), "type": "AnnotationPage", "startIndex": 0}
        out.write('  "first": {\n')
        for name, value in page.items():
            out.write(f"    {json.dumps(name)}: {json.dumps(value, ensure_ascii=False)},\n")
        out.write('    "items": [')
        for row in statements(conn, scope):
            item = annotation(row, options)
            if item is None:
                skipped += 1
                continue
            n += 1
            out.write(
                ("\n      " if n == 1 else ",\n      ") + json.dumps(item, ensure_ascii=False)
            )
        out.write("\n    ]\n  },\n" if n else "]\n  },\n")
        out.write(f'  "total": {n}\n}}\n')
    return {"annotations": n, "skipped": skipped}
