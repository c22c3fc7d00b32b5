"""Machine first pass over article text: sentences, speakers, suggested statements.

Pure functions over text — no database session, no UI, no network — so ingest, the reader
and the bench can all call them, and tests need no fixtures:

* ``sentences``: ``split_sentences`` / ``word_spans`` (the reader's j/k and selection units);
* ``actors``: ``ActorResolver`` (mentions → actors, speaker autocomplete);
* ``statements``: ``extract_statements`` → ``Candidate`` suggestions;
* ``checkworthiness``: the 0..1 score the Statements pane sorts by.

The names below are re-exported lazily: importing ``workbench.extract`` costs nothing at
start-up, and rapidfuzz is only loaded when a fuzzy match is actually needed.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# Bound eagerly (the module is light): a submodule and a function share this name, and a
# lazily bound name would be shadowed by the submodule once anything imported it.
from workbench.extract.checkworthiness import checkworthiness

if TYPE_CHECKING:
    from workbench.extract.actors import ActorEntry, ActorMatch, ActorResolver
    from workbench.extract.sentences import split_sentences, word_spans
    from workbench.extract.statements import Candidate, extract_statements

__all__ = [
    "ActorEntry",
    "ActorMatch",
    "ActorResolver",
    "Candidate",
    "checkworthiness",
    "extract_statements",
    "split_sentences",
    "word_spans",
]

_HOME = {
    "ActorEntry": "actors",
    "ActorMatch": "actors",
    "ActorResolver": "actors",
    "Candidate": "statements",
    "extract_statements": "statements",
    "split_sentences": "sentences",
    "word_spans": "sentences",
}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)
