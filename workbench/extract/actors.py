"""Who is meant by a mention: "Putin", "Russian President Vladimir Putin", "the Élysée".

Articles name the same actor a dozen ways, and an editor accepting a suggested statement
must not have to fix its speaker every time. The resolver therefore works like a careful
desk editor: it first looks for the mention among the names and aliases it knows (accents,
case, leading "the" and possessives ignored), then peels off what is not the name — titles,
roles, nationality adjectives, "spokesman for …" — and looks again, and only then tries
fuzzy matching (rapidfuzz), guarded so that two different people who merely share a first
name are never merged. A wrong speaker is worse than none: when in doubt it answers None.

``how`` in a match says which step found it: ``exact`` (the canonical name), ``alias`` (an
alias, or a person's surname when only one known person has it), ``institution`` (an alias
of a government or organisation, or "X's presidency", or an unnamed spokesman for X),
``title`` (after peeling titles and roles, or the one holder of a title under a country:
"Ostmarin's chancellor"), ``qualified`` (an alias the mention gives without its qualifiers:
"the Foreign Office" for the "Federal Foreign Office"), ``parent`` (an institution the desk
does not list, of a country it does: "Savoren's foreign ministry" speaks for Savoren, and
the extractor keeps the words in the attribution chain) and ``fuzzy``.

Pure and cheap to build: one dictionary of normalised keys; rapidfuzz is imported only when
a fuzzy look-up is needed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from db.models import normalise_name

__all__ = ["ActorEntry", "ActorMatch", "ActorResolver", "fold"]


def _words(text: str) -> frozenset[str]:
    """A vocabulary written as running words (easier to read and extend than a list)."""
    return frozenset(text.split())


@dataclass(frozen=True)
class ActorEntry:
    """One actor as the resolver sees it: the database's Actor row plus its aliases."""

    id: int
    name: str
    kind: str  # person | government | organisation | outlet
    aliases: tuple[str, ...] = ()
    parent_id: int | None = None


@dataclass(frozen=True)
class ActorMatch:
    """A resolved mention: which actor, how sure (0-100) and which step found it."""

    actor_id: int
    name: str
    score: float  # 0..100
    how: str  # "exact" | "alias" | "title" | "fuzzy" | "institution"


@lru_cache(maxsize=4096)
def fold(value: str) -> str:
    """The comparison form of a name: ``normalise_name`` (the form the alias table stores)
    plus accent folding and punctuation as spaces, so "the Élysée" and "the elysee", or
    "Jean-Marie" and "Jean Marie", compare equal."""
    text = normalise_name(value).replace("’", "'")
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    text = text.replace("'", "")
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


# --- vocabulary ---------------------------------------------------------------------------------

#: Words that come before a name as a title or role; peeled off the front of a mention.
TITLE_WORDS = _words(
    """
    president presidents vice chancellor prime minister ministers premier foreign
    defence defense interior finance economy economic trade justice health energy home
    state deputy first secretary general secretary-general undersecretary under
    ambassador envoy special spokesman spokeswoman spokesperson press head chief leader
    opposition party senior former acting outgoing incoming interim new mr mrs ms dr
    prof gen general lt col colonel major captain admiral commander marshal sen senator
    rep representative gov governor mayor king queen prince princess sheikh emir pope
    cardinal archbishop bishop chairman chairwoman chair ceo director commissioner high
    representative minister-president lawmaker mp member members official officials
    adviser advisor aide presidential ministerial military army navy air force top the a
    an his her their its our
    """
)
#: Nationality adjectives that are not derived from a known country's name ("Russian",
#: "French"); adjectives ending like -ian/-ean/-ese/-ish are recognised by shape as well.
NATIONALITIES = _words(
    """
    american british english french german italian spanish portuguese dutch belgian
    swiss austrian polish czech slovak hungarian romanian bulgarian greek turkish
    russian ukrainian belarusian moldovan georgian armenian azerbaijani kazakh chinese
    japanese korean indian pakistani iranian iraqi syrian israeli palestinian lebanese
    saudi emirati qatari egyptian libyan tunisian algerian moroccan nigerian kenyan
    ethiopian south african canadian mexican brazilian argentine argentinian chilean
    peruvian colombian venezuelan cuban australian swedish norwegian danish finnish
    icelandic irish scottish welsh estonian latvian lithuanian serbian croatian bosnian
    slovenian albanian macedonian montenegrin kosovar european western eastern northern
    southern
    """
)
#: Roles that speak *for* someone: an unnamed one makes that someone the speaker.
MOUTHPIECE_WORDS = _words(
    """
    spokesman spokeswoman spokesperson spokespeople spokesmen spokeswomen office press
    service statement communique
    """
)
#: Roles and groups that speak only for themselves, and anonymously: never resolved to the
#: institution or person they are attached to ("an adviser to Marovic" is not Marovic).
ANONYMOUS_WORDS = _words(
    """
    adviser advisers advisor advisors aide aides official officials source sources
    diplomat diplomats lawmaker lawmakers analyst analysts expert experts observer
    observers critic critics resident residents witness witnesses insider insiders
    person people member members staffer staffers negotiator negotiators envoy envoys
    blogger bloggers commander commanders officer officers soldier soldiers colleague
    colleagues ally allies supporter supporters party parties friend friends employee
    employees worker workers staff
    """
)
#: Collective nouns after an organisation's name that still mean the organisation
#: ("Northern Union foreign ministers said in a joint statement").
COLLECTIVE_WORDS = _words(
    """
    ministers leaders members states governments council summit delegation delegates
    """
)
#: Officials of a named institution speak for it ("a Corvin Palace official said"), as the
#: desk attributes them; "Kestrian officials" (no institution named) stay anonymous.
OFFICIAL_WORDS = _words("official officials")
#: Nouns that name an institution when they follow "X's": "Valdria's presidency".
INSTITUTION_WORDS = _words(
    """
    presidency government cabinet ministry office council parliament army military
    foreign defence defense interior ministry chancellery palace embassy mission agency
    """
)

#: Words an alias may carry that a mention often leaves out: "the Foreign Office" for the
#: "Federal Foreign Office" (country names and adjectives are left out as well).
QUALIFIER_WORDS = _words("federal national state royal grand central imperial")

_ARTICLES = frozenset({"the", "a", "an", "his", "her", "their", "its", "our"})
_OF_WORDS = frozenset({"for", "from", "by", "of", "at", "in"})
_PREPOSITIONS = frozenset({"of", "for", "to", "from", "by", "with", "at", "in", "on"})
#: Titles one person holds in a country ("chancellor", "foreign minister"), as opposed to
#: words that only qualify one ("senior", "deputy" alone).
_HELD_TITLES = _words(
    """
    president chancellor minister premier secretary ambassador envoy spokesman spokeswoman
    spokesperson king queen prince princess emir governor mayor commissioner chairman
    chairwoman chair ceo director
    """
)
_POSSESSIVE = re.compile(r"(?:['’]s|s['’])$", re.IGNORECASE)
_ADJECTIVE_SHAPE = re.compile(r"[a-z]{3,}(?:ian|ean|ese|ish)$")


def _is_nationality(word: str) -> bool:
    return word in NATIONALITIES or bool(_ADJECTIVE_SHAPE.fullmatch(word))


def _clean_mention(mention: str) -> str:
    """Edges trimmed of quotes and punctuation, a trailing possessive dropped."""
    text = " ".join(str(mention).split())
    text = text.strip(" \t\"'“”‘’«»()[]{},.;:!?-–—")
    text = _POSSESSIVE.sub("", text)
    return text.strip(" ,.;:")


# --- the resolver -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Key:
    """One actor a normalised name or alias points to, and whether it is the name."""

    actor_id: int
    how: str  # exact | alias | institution


class ActorResolver:
    """Mentions to actors, for the extractor and for speaker autocomplete.

    Build it from the desk's actors and their aliases (see ``ActorEntry``); ``threshold``
    is the least rapidfuzz score (0-100) a fuzzy match needs.
    """

    def __init__(self, actors: Sequence[ActorEntry], *, threshold: float = 88.0) -> None:
        self.threshold = float(threshold)
        self._actors: dict[int, ActorEntry] = {}
        self._keys: dict[str, list[_Key]] = {}
        self._adjectives: dict[str, int] = {}
        for actor in actors:
            if not isinstance(actor, ActorEntry) or not str(actor.name).strip():
                continue
            self._actors[actor.id] = actor
            person = actor.kind == "person"
            self._add(actor.name, actor.id, "exact")
            for alias in actor.aliases:
                self._add(alias, actor.id, "alias" if person else "institution")
        self._add_surnames()
        self._add_adjectives()
        self._names = sorted(self._keys)
        self._reduced = self._reduced_keys()

    # -- building ---------------------------------------------------------------------------------

    def _add(self, text: str, actor_id: int, how: str) -> None:
        key = fold(_clean_mention(text))
        words = key.split()
        if words and words[0] == "the" and len(words) > 1:
            key = " ".join(words[1:])
        if not key:
            return
        bucket = self._keys.setdefault(key, [])
        if all(k.actor_id != actor_id for k in bucket):
            bucket.append(_Key(actor_id, how))
        elif how == "exact":
            bucket[:] = [_Key(actor_id, how) if k.actor_id == actor_id else k for k in bucket]

    def _add_surnames(self) -> None:
        """A person is known by their surname alone when no other person shares it."""
        owners: dict[str, set[int]] = {}
        for actor in self._actors.values():
            if actor.kind != "person":
                continue
            words = fold(actor.name).split()
            if len(words) >= 2 and len(words[-1]) >= 3:
                owners.setdefault(words[-1], set()).add(actor.id)
        for surname, ids in owners.items():
            if len(ids) == 1 and surname not in self._keys:
                self._keys[surname] = [_Key(next(iter(ids)), "alias")]

    def _add_adjectives(self) -> None:
        """Country adjectives by shape ("Valdria" → "valdrian"), for "Valdrian presidency"."""
        for actor in self._actors.values():
            if actor.kind != "government" or actor.parent_id is not None:
                continue
            # "Savorene government" names the adjective outright, whatever its shape.
            for alias in actor.aliases:
                words = fold(alias).split()
                if len(words) == 2 and words[1] == "government":
                    self._adjectives.setdefault(words[0], actor.id)
            base = fold(actor.name)
            if " " in base:
                continue
            for form in (base + "n", base + "an", base + "ian", base.rstrip("aeiouy") + "ian"):
                self._adjectives.setdefault(form, actor.id)

    def _country_of(self, word: str) -> int | None:
        """The country (a government without a parent) a word names, as its name, one of its
        one-word aliases ("Marstadt") or its adjective ("Pellaran")."""
        if word in self._adjectives:
            return self._adjectives[word]
        found = self._lookup(word)
        if found is None:
            return None
        actor = self._actors[found.actor_id]
        return actor.id if actor.kind == "government" and actor.parent_id is None else None

    def _ancestors(self, actor_id: int) -> set[int]:
        """The actor and every parent above it (a cycle in the desk's data stops the walk)."""
        seen: set[int] = set()
        current: int | None = actor_id
        while current is not None and current not in seen and current in self._actors:
            seen.add(current)
            current = self._actors[current].parent_id
        return seen

    def _reduced_keys(self) -> dict[str, set[int]]:
        """Every name and alias of an institution without its qualifiers (see
        ``QUALIFIER_WORDS``) and country words: "federal foreign office" and "ostmarin foreign
        office" both give "foreign office". Only keys of two words or more are kept, so a
        bare "office" or "spokesman" never stands for anyone."""
        reduced: dict[str, set[int]] = {}
        for key, bucket in self._keys.items():
            words = key.split()
            rest = [w for w in words if not self._droppable(w)]
            if len(rest) < 2 or len(rest) == len(words):
                continue
            for entry in bucket:
                reduced.setdefault(" ".join(rest), set()).add(entry.actor_id)
        return reduced

    def _droppable(self, word: str) -> bool:
        return word in QUALIFIER_WORDS or self._country_of(word) is not None

    # -- looking up -------------------------------------------------------------------------------

    def entries(self) -> list[ActorEntry]:
        """Every actor the resolver was built from, in the order given."""
        return list(self._actors.values())

    def actor(self, actor_id: int) -> ActorEntry | None:
        """The entry for an id the resolver returned (its kind and parent, for callers)."""
        return self._actors.get(actor_id)

    def _lookup(self, key: str) -> _Key | None:
        """The actor a normalised key names; None when two actors share it as an alias (the
        desk must decide, not the resolver) unless exactly one has it as its name.
        """
        bucket = self._keys.get(key)
        if not bucket:
            return None
        if len(bucket) == 1:
            return bucket[0]
        exact = [k for k in bucket if k.how == "exact"]
        return exact[0] if len(exact) == 1 else None  # an alias two actors share: ambiguous

    def _match(self, key: _Key, how: str | None = None, score: float = 100.0) -> ActorMatch:
        actor = self._actors[key.actor_id]
        return ActorMatch(actor.id, actor.name, score, how or key.how)

    def resolve(self, mention: str) -> ActorMatch | None:
        """The actor a mention names, or None. Never raises."""
        try:
            return self._resolve(mention)
        except Exception:  # a suggestion without a speaker beats a failed import
            return None

    def _resolve(self, mention: str) -> ActorMatch | None:
        """The steps in order of trust: exact key, mouthpiece/possessive routes, refusal of
        anonymous roles, peeling titles, fuzzy.
        """
        if not isinstance(mention, str):
            return None
        cleaned = _clean_mention(mention)
        key = fold(cleaned)
        words = key.split()
        while words and words[0] in ("the", "a", "an"):
            words = words[1:]
        if not words or len(words) > 14:
            return None
        key = " ".join(words)
        found = self._lookup(key)
        if found is not None:
            return self._match(found)
        # "X's office" / "X's spokesman" / "Y spokesman for X": the mouthpiece speaks for X.
        via = self._through_possessive(cleaned) or self._through_role(words)
        if via is not None:
            return via
        if any(w in ANONYMOUS_WORDS for w in words) and not self._name_after_role(words):
            return None
        peeled = self._peel(words)
        if peeled is not None:
            return peeled
        owned = self._owned(words[:1], words[1:]) if len(words) >= 2 else None
        if owned is not None:
            return owned
        qualified = self._qualified(words)
        if qualified is not None:
            return qualified
        return self._fuzzy(words)

    def _owned(self, owner: list[str], rest: list[str]) -> ActorMatch | None:
        """A country's title holder or institution: "Ostmarin's chancellor" (the one person
        under Ostmarin whose aliases give them that title), "Pellaran energy ministry" (the
        one institution under Pellara whose names hold those words), else, for an institution
        the desk does not list, the country itself ("Savoren's foreign ministry": how
        ``parent``, and the extractor keeps the words in the chain). None when ``owner`` is
        no known country or organisation, or the rest is no title or institution."""
        rest = [w for w in rest if w not in _ARTICLES]
        if not rest or len(owner) != 1:
            return None
        country = self._country_of(owner[0])
        if country is None:
            found = self._lookup(owner[0])
            if found is None or self._actors[found.actor_id].kind in ("person", "outlet"):
                return None
            country = found.actor_id
        if all(w in TITLE_WORDS for w in rest) and any(w in _HELD_TITLES for w in rest):
            return self._holder(country, rest)
        if any(w in INSTITUTION_WORDS for w in rest) and all(
            w in INSTITUTION_WORDS or w in TITLE_WORDS or w in ("of", "affairs", "and")
            for w in rest
        ):
            below = self._institution_under(country, rest)
            if below is not None:
                return below
            actor = self._actors[country]
            return ActorMatch(actor.id, actor.name, 85.0, "parent")
        return None

    def _holder(self, owner_id: int, titles: list[str]) -> ActorMatch | None:
        """The one person under ``owner_id`` introduced by these titles in one of their
        names or aliases ("Chancellor Worandt" for "chancellor"); None if none or several,
        or for a former holder."""
        if any(w in ("former", "ex") or w in ANONYMOUS_WORDS for w in titles):
            return None
        wanted = set(titles)
        found: set[int] = set()
        for actor in self._actors.values():
            if actor.kind != "person" or owner_id not in self._ancestors(actor.id):
                continue
            for name in (actor.name, *actor.aliases):
                words = fold(name).split()
                lead = 0
                while lead < len(words) and words[lead] in TITLE_WORDS:
                    lead += 1
                if lead < len(words) and wanted <= set(words[:lead]):
                    found.add(actor.id)
                    break
        if len(found) != 1:
            return None
        actor = self._actors[found.pop()]
        return ActorMatch(actor.id, actor.name, 90.0, "title")

    def _institution_under(self, owner_id: int, words: list[str]) -> ActorMatch | None:
        """The one institution under ``owner_id`` whose names hold every word given
        ("foreign office" → "Federal Foreign Office (Ostmarin)")."""
        wanted = {w for w in words if w not in ("of", "and")}
        found: set[int] = set()
        for actor in self._actors.values():
            if actor.kind == "person" or actor.id == owner_id:
                continue
            if owner_id not in self._ancestors(actor.id):
                continue
            if any(wanted <= set(fold(name).split()) for name in (actor.name, *actor.aliases)):
                found.add(actor.id)
        if len(found) != 1:
            return None
        actor = self._actors[found.pop()]
        return ActorMatch(actor.id, actor.name, 90.0, "institution")

    def _qualified(self, words: list[str]) -> ActorMatch | None:
        """An alias given without its qualifiers: "the Foreign Office" for the one actor
        called "Federal Foreign Office" or "Ostmarin Foreign Office", "a presidential
        spokesman" for the one called "Pellaran presidential spokesman". Country words the
        mention does give must name the actor's own country."""
        rest = [w for w in words if not self._droppable(w)]
        countries = {self._country_of(w) for w in words if self._country_of(w) is not None}
        if len(rest) < 2:
            return None
        ids = {i for i in self._reduced.get(" ".join(rest), ()) if countries <= self._ancestors(i)}
        if len(ids) != 1:
            return None
        actor = self._actors[ids.pop()]
        return ActorMatch(actor.id, actor.name, 88.0, "qualified")

    def _through_possessive(self, cleaned: str) -> ActorMatch | None:
        """ "Kestria's foreign ministry" → "foreign ministry of Kestria"; "Dreyer's office" or
        "Dreyer's spokesman" → Dreyer; "Brandt's party" → nobody (a party is not Brandt)."""
        m = re.match(r"(?P<owner>.+?)['’]s\s+(?P<rest>.+)$", cleaned)
        if not m:
            return None
        owner, rest = m.group("owner"), fold(m.group("rest")).split()
        if not rest:
            return None
        if all(w in INSTITUTION_WORDS or w in ("of", "affairs") for w in rest):
            reordered = self._lookup(f"{' '.join(rest)} of {fold(owner).removeprefix('the ')}")
            if reordered is not None:
                return self._match(reordered, "institution")
        owner_words = fold(owner).split()
        if owner_words and owner_words[0] == "the":
            owner_words = owner_words[1:]
        if len(owner_words) == 1:
            owned = self._owned(owner_words, rest)
            if owned is not None:
                return owned
        if all(w in MOUTHPIECE_WORDS for w in rest):
            target = self._resolve(owner)
            if target is not None:
                return ActorMatch(target.actor_id, target.name, min(target.score, 95.0), "title")
        if any(w in TITLE_WORDS for w in rest):
            # "Kestria's president Anton Dreyer": a name after the owner's role.
            after = self._name_after_role(rest)
            target = self._resolve(" ".join(after)) if after else None
            if target is not None:
                return ActorMatch(target.actor_id, target.name, min(target.score, 95.0), "title")
        return None

    def _through_role(self, words: list[str]) -> ActorMatch | None:
        """ "spokesman for the Stenhold", "Stenhold spokesman", "Northern Union foreign
        ministers": an unnamed mouthpiece or collective of an institution is the institution."""
        for index, word in enumerate(words):
            mouthpiece = word in MOUTHPIECE_WORDS
            official = word in OFFICIAL_WORDS
            if not mouthpiece and not official and word not in COLLECTIVE_WORDS:
                continue
            after = words[index + 1 :]
            if (mouthpiece or official) and after[:1] and after[0] in _OF_WORDS:
                if official and after[0] == "in":
                    return None  # "officials in Halden": a place, not an institution
                target = self._resolve(" ".join(after[1:]))
                if target is None or (official and not self._speaks_for(target)):
                    return None
                return ActorMatch(target.actor_id, target.name, 90.0, "institution")
            if after:
                return None  # "spokesman Pavel Lenk": the name decides (see _peel)
            owner = self._owner_before_role(words[:index])
            if owner is None:
                return None
            if not mouthpiece and self._is_person(owner):
                return None  # "Dreyer ministers", "a Dreyer official" mean nothing
            if official and not self._speaks_for(owner):
                return None  # "an Ostmarin official": a country's officials are anonymous
            return ActorMatch(owner.actor_id, owner.name, 90.0, "institution")
        return None

    def _is_person(self, match: ActorMatch) -> bool:
        return self._actors[match.actor_id].kind == "person"

    def _speaks_for(self, match: ActorMatch) -> bool:
        """Whether an official of this actor speaks for it: an institution's officials do
        ("a Corvin Palace official"), a country's do not — "an Ostmarin official" is as
        anonymous as "a Kestrian official" — nor does anyone speak as a person's official."""
        actor = self._actors[match.actor_id]
        if actor.kind == "person":
            return False
        return not (actor.kind == "government" and actor.parent_id is None)

    def _owner_before_role(self, words: list[str]) -> ActorMatch | None:
        """The institution or person named before a role word: "Stenhold" in "Stenhold press
        office", "Valdrian Foreign Office" in "Valdrian Foreign Office spokeswoman"."""
        while words and words[0] in ("the", "a", "an"):
            words = words[1:]
        for first in range(len(words)):
            if first and words[first - 1] not in TITLE_WORDS:
                break  # only "senior", "top", … may be skipped before the name
            for cut in range(len(words), first, -1):
                head, tail = words[first:cut], words[cut:]
                if tail and not all(w in TITLE_WORDS for w in tail):
                    continue
                found = self._lookup(" ".join(head))
                if found is not None:
                    return self._match(found)
        return None

    def _name_after_role(self, words: list[str]) -> list[str]:
        """The words after the last title or role word, if any ("spokeswoman Hanne Vik").

        Nothing when a preposition comes after the first role word: in "ambassador to the
        Northern Union" the name is whom the role serves, not who holds it.
        """
        first = last = -1
        for index, word in enumerate(words):
            if word in _ARTICLES:
                continue
            if word in TITLE_WORDS or word in ANONYMOUS_WORDS or word in MOUTHPIECE_WORDS:
                first = index if first < 0 else first
                last = index
        if last < 0 or any(w in _PREPOSITIONS for w in words[first:]):
            return []
        return words[last + 1 :]

    def _peel(self, words: list[str]) -> ActorMatch | None:
        """Drop leading titles, roles, nationality adjectives and institution names until the
        rest is a known name: "Russian President Vladimir Putin" → "vladimir putin".

        A full person name (two words or more) is trusted whatever came before it; a single
        word (a surname) only when everything peeled was a title or an adjective, so "Elena
        Varga" never becomes Varga-the-other-person and "Anton Sorell" never becomes Sorell.
        """
        for cut in range(1, len(words)):
            rest, dropped = words[cut:], words[:cut]
            found = self._lookup(" ".join(rest))
            if found is None:
                continue
            titles_only = all(self._is_qualifier(w) for w in dropped)
            if self._actors[found.actor_id].kind == "person" and len(rest) >= 2:
                return self._match(found, "title", 95.0)
            return self._match(found, "title", 95.0) if titles_only else None
        return None

    def _is_qualifier(self, word: str) -> bool:
        """A word that may stand before a name without being part of it: a title, a
        nationality, or an institution's one-word name ("Stenhold spokesman Pavel Lenk"),
        possessive included ("Pellara's Office of the President": folding has already turned
        "Pellara's" into "pellaras", so the "s" is tried off as well)."""
        if word in TITLE_WORDS or _is_nationality(word) or word in self._adjectives:
            return True
        for form in (word, word[:-1]) if len(word) > 3 and word.endswith("s") else (word,):
            found = self._lookup(form)
            if found is not None and self._actors[found.actor_id].kind != "person":
                return True
        return False

    def _fuzzy(self, words: list[str]) -> ActorMatch | None:
        """A close spelling of a known name ("Elena Sorel"), never a shared first name alone.

        Tried on the whole mention and on its name-like tail after titles; every word of the
        candidate must be close to the mention's word in the same position, so "Elena Varga"
        cannot reach "Elena Marovic" however the scores add up.
        """
        from rapidfuzz import fuzz, process

        tails = [words]
        for cut in range(1, len(words)):
            if all(w in TITLE_WORDS or _is_nationality(w) for w in words[:cut]):
                tails.append(words[cut:])
        best: ActorMatch | None = None
        for tail in tails:
            query = " ".join(tail)
            if len(query) < 4:
                continue
            for key, score, _ in process.extract(
                query, self._names, scorer=fuzz.ratio, score_cutoff=self.threshold, limit=5
            ):
                target = self._lookup(key)
                if target is None or not _words_agree(tail, key.split(), fuzz.ratio):
                    continue
                if best is None or score > best.score:
                    best = self._match(target, "fuzzy", float(score))
        return best

    # -- autocomplete -----------------------------------------------------------------------------

    def suggest(self, typed: str, limit: int = 8) -> list[ActorMatch]:
        """Actors an editor may mean while typing a speaker: prefix matches on any name or
        alias word first (typing "mar" offers Marovic), then fuzzy ones (typos), best first,
        one row per actor. Never raises."""
        try:
            return self._suggest(typed, limit)
        except Exception:
            return []

    def _suggest(self, typed: str, limit: int) -> list[ActorMatch]:
        query = fold(typed) if isinstance(typed, str) else ""
        if not query or limit <= 0:
            return []
        best: dict[int, ActorMatch] = {}

        def offer(actor_id: int, score: float, how: str) -> None:
            current = best.get(actor_id)
            if current is None or score > current.score:
                name = self._actors[actor_id].name
                best[actor_id] = ActorMatch(actor_id, name, round(score, 1), how)

        for key, bucket in self._keys.items():
            for entry in bucket:
                if key == query:
                    offer(entry.actor_id, 100.0, entry.how)
                elif key.startswith(query):
                    offer(entry.actor_id, 97.0 - min(len(key) - len(query), 20) * 0.1, entry.how)
                elif any(word.startswith(query) for word in key.split()[1:]):
                    offer(entry.actor_id, 92.0 - min(len(key) - len(query), 20) * 0.1, entry.how)
        if len(best) < limit and len(query) >= 3:
            from rapidfuzz import fuzz, process

            for key, score, _ in process.extract(
                query, self._names, scorer=fuzz.WRatio, score_cutoff=70.0, limit=limit * 3
            ):
                for entry in self._keys[key]:
                    offer(entry.actor_id, min(float(score), 89.0), "fuzzy")
        ranked = sorted(best.values(), key=lambda m: (-m.score, m.name.casefold()))
        return ranked[:limit]


def _words_agree(query: list[str], key: list[str], ratio: Callable[[str, str], float]) -> bool:
    """Same number of words, and each pair of words close on its own (≥ 75, or a one-letter
    initial against a name that starts with it)."""
    if len(query) != len(key):
        return False
    for a, b in zip(query, key, strict=True):
        if a == b:
            continue
        if len(a) == 1 and b.startswith(a):
            continue
        if ratio(a, b) < 75:
            return False
    return True
