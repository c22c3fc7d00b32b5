"""A small story of our own for linking tests: a harbour-talks call that is floated, then
called off, reported by two outlets, with another government answering, and one
statement on something else entirely."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from db.repo import Repo

D = dt.date


@dataclass(frozen=True)
class Story:
    hask: int  # Orin Hask, spokesman of the Veldt presidency
    sol: int  # Marta Sol, Carrow's foreign minister
    talks: int  # issue: harbour talks
    quotas: int  # issue: fishing quotas
    floated: int  # Hask, 10 Dec, Tide Courier: a call could be announced soon
    floated_again: int  # the same words, 10 Dec, Harbour Post
    called_off: int  # Hask, 14 Dec, Tide Courier: no call is planned
    answer: int  # Sol, 12 Dec, Harbour Post: Carrow has not been offered any call
    fishing: int  # Hask, 11 Dec: quotas unchanged (unrelated)


def build_story(repo: Repo) -> Story:
    courier = repo.add_source("Tide Courier", "https://courier.example/feed").id
    post = repo.add_source("Harbour Post", "https://post.example/feed").id
    hask = repo.add_actor("Orin Hask", kind="person").id
    sol = repo.add_actor("Marta Sol", kind="person").id
    talks = repo.add_issue("Harbour talks").id
    quotas = repo.add_issue("Fishing quotas").id
    assert None not in (courier, post, hask, sol, talks, quotas)

    def article(source: int | None, title: str, day: int, text: str) -> int:
        published = dt.datetime(2026, 12, day, 9, 0, tzinfo=dt.UTC)
        row = repo.add_article(title=title, text=text, source_id=source, published_at=published)
        assert row.id is not None
        return row.id

    floated_words = (
        "The presidency is ready for dialogue with Carrow and arrangements for a call "
        "between the two leaders could be announced soon"
    )
    a1 = article(courier, "Call floated", 10, f"Orin Hask said {floated_words}.")
    a2 = article(post, "Veldt open to call", 10, f"Spokesman Orin Hask said {floated_words}.")
    a3 = article(courier, "No call planned", 14, "Hask said no call with Carrow is planned.")
    a4 = article(post, "Carrow answers", 12, "Marta Sol said Carrow has not been offered a call.")
    a5 = article(courier, "Quotas", 11, "Hask said fishing quotas in the bay stay unchanged.")

    def statement(article_id: int, speaker: int, text: str, day: int, issue: int) -> int:
        row = repo.add_statement(
            text=text,
            article_id=article_id,
            speaker_id=speaker,
            said_on=D(2026, 12, day),
            date_precision="day",
            issue_id=issue,
        )
        assert row.id is not None
        return row.id

    return Story(
        hask=hask,  # type: ignore[arg-type]
        sol=sol,  # type: ignore[arg-type]
        talks=talks,  # type: ignore[arg-type]
        quotas=quotas,  # type: ignore[arg-type]
        floated=statement(a1, hask, floated_words, 10, talks),  # type: ignore[arg-type]
        floated_again=statement(a2, hask, floated_words, 10, talks),  # type: ignore[arg-type]
        called_off=statement(
            a3,
            hask,  # type: ignore[arg-type]
            "No call between the leaders of Veldt and Carrow is planned",
            14,
            talks,  # type: ignore[arg-type]
        ),
        answer=statement(
            a4,
            sol,  # type: ignore[arg-type]
            "Carrow has not been offered any call between the two leaders",
            12,
            talks,  # type: ignore[arg-type]
        ),
        fishing=statement(
            a5,
            hask,  # type: ignore[arg-type]
            "Fishing quotas in the bay stay unchanged this winter",
            11,
            quotas,  # type: ignore[arg-type]
        ),
    )
