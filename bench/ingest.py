"""Ingest speed: a folder of 2,000 feed entries and 500 HTML pages, stored in a fresh desk.

Run: ``python bench/ingest.py [--entries 2000] [--pages 500]``. Two baselines, measured in
the same run on the same files: feedparser's own parse time of the feed files (the classic
Python feed parser, storing nothing), and the HTML extractor's time on the pages
(trafilatura's main-text extraction, called as the pipeline calls it). The figures that
matter are the ratios: the whole pipeline (parse, clean, rules, dedupe, store with its
Change rows, read tables, flag near-duplicates) per article, against parsing alone — for
the feeds alone, and for one folder holding the feeds and the pages together, against
feedparser on the feed files plus the extractor on the pages.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from pathlib import Path

SYLLABLES = "ka lo mi ren sa tu vel dor an is ob ter pra nu gel fa ri mon"
VOCABULARY = [
    a + b + c for a in SYLLABLES.split() for b in SYLLABLES.split() for c in ("", "n", "s")
]


def sentence(rng: random.Random, n: int = 14) -> str:
    """Invented words from a vocabulary of ~1,000, so stories rarely look alike by chance."""
    return " ".join(rng.choice(VOCABULARY) for _ in range(n)).capitalize() + "."


def write_feeds(folder: Path, entries: int, per_feed: int, rng: random.Random) -> list[Path]:
    paths = []
    retold: list[tuple[str, str]] = []
    for f in range(max(1, entries // per_feed)):
        items = []
        for e in range(per_feed):
            n = f * per_feed + e
            if n % 50 == 49 and f > 0:  # one story in fifty is retold by another outlet
                title, body = retold[-per_feed]
            else:
                title = sentence(rng, 8)
                body = "".join(f"<p>{sentence(rng)} {sentence(rng)}</p>" for _ in range(4))
                retold.append((title, body))
            items.append(
                f"<item><title>{title}</title>"
                f"<link>https://outlet{f}.example/story/{n}?utm_source=rss</link>"
                f"<guid>outlet{f}-{n}</guid>"
                f"<pubDate>Mon, {1 + n % 28:02d} Sep 2026 {n % 24:02d}:00:00 GMT</pubDate>"
                f"<description><![CDATA[{body}]]></description></item>"
            )
        path = folder / f"feed{f:03d}.xml"
        path.write_text(
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Outlet {f}</title><link>https://outlet{f}.example/</link>"
            + "".join(items)
            + "</channel></rss>",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def write_pages(folder: Path, pages: int, rng: random.Random) -> None:
    for n in range(pages):
        paragraphs = "".join(
            f"<p>{sentence(rng)} {sentence(rng)} {sentence(rng)}</p>" for _ in range(6)
        )
        (folder / f"page{n:04d}.html").write_text(
            f"<!doctype html><html><head><title>{sentence(rng, 7)}</title>"
            f'<meta name="author" content="Reporter {n % 17}">'
            f'<meta property="article:published_time" content="2026-09-{1 + n % 28:02d}T08:00:00Z">'
            "</head><body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
            f"<article><h1>{sentence(rng, 7)}</h1>{paragraphs}</article>"
            "<footer>© Example Media. All rights reserved.</footer></body></html>",
            encoding="utf-8",
        )


def extract_pages(pages: list[Path]) -> tuple[float, int]:
    """(seconds, pages with text): trafilatura on each page, with the pipeline's own
    arguments (``parse._extract``), from its decoded markup; nothing else of the pipeline."""
    from workbench.ingest.parse import _extract

    markups = [p.read_text(encoding="utf-8") for p in pages]
    start = time.perf_counter()
    found = sum(1 for markup in markups if _extract(markup, None) is not None)
    return time.perf_counter() - start, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--pages", type=int, default=500)
    args = parser.parse_args()
    rng = random.Random(7)

    import feedparser

    from db.engine import open_desk
    from db.repo import Repo
    from workbench.config import Config
    from workbench.ingest.pipeline import ingest_targets

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        feeds_dir, pages_dir = root / "in" / "feeds", root / "in" / "pages"
        both_dir = root / "both"  # one folder holding the same feeds and pages
        for folder in (feeds_dir, pages_dir, both_dir):
            folder.mkdir(parents=True)
        feed_files = write_feeds(feeds_dir, args.entries, 100, rng)
        write_pages(pages_dir, args.pages, rng)
        page_files = sorted(pages_dir.glob("*.html"))
        for path in [*feed_files, *page_files]:
            shutil.copyfile(path, both_dir / path.name)

        start = time.perf_counter()
        parsed = sum(len(feedparser.parse(p.read_bytes()).entries) for p in feed_files)
        baseline = time.perf_counter() - start
        extract_time, extracted = extract_pages(page_files)

        config = Config(editor="bench")
        repo = Repo(open_desk(str(root / "desk.db")), "bench")
        start = time.perf_counter()
        feeds_report = ingest_targets(repo, config, [str(feeds_dir)])
        feeds_time = time.perf_counter() - start
        start = time.perf_counter()
        pages_report = ingest_targets(repo, config, [str(pages_dir)])
        pages_time = time.perf_counter() - start
        start = time.perf_counter()
        again = ingest_targets(repo, config, [str(root / "in")])
        again_time = time.perf_counter() - start
        with repo.engine.connect() as conn:
            flagged = conn.exec_driver_sql(
                "SELECT count(*) FROM article WHERE duplicate_of IS NOT NULL"
            ).scalar()
        repo.engine.dispose()

        # The figure: one folder of feeds and pages, into a desk of its own.
        both_repo = Repo(open_desk(str(root / "both.db")), "bench")
        start = time.perf_counter()
        both_report = ingest_targets(both_repo, config, [str(both_dir)])
        both_time = time.perf_counter() - start
        both_repo.engine.dispose()

    for report in (feeds_report, pages_report, both_report):
        assert not report.failed, report.failed
    print(
        f"ingest: {args.entries} feed entries in {len(feed_files)} files, {args.pages} HTML pages"
    )
    print(f"{'':52} {'seconds':>8} {'items/s':>9}")
    rows = [
        ("feedparser parse only, feed files (baseline)", baseline, parsed),
        ("trafilatura extraction only, pages (baseline)", extract_time, extracted),
        ("baselines together, feeds + pages", baseline + extract_time, parsed + extracted),
        ("workbench ingest, feed entries", feeds_time, feeds_report.added),
        ("workbench ingest, HTML pages", pages_time, pages_report.added),
        ("workbench ingest again (all present)", again_time, again.present),
        ("workbench ingest, one folder of feeds + pages", both_time, both_report.added),
    ]
    for label, seconds, items in rows:
        print(f"{label:52} {seconds:8.2f} {items / seconds:9.0f}")
    ratio = (feeds_report.added / feeds_time) / (parsed / baseline)
    print(f"feed entries ingested per second / feedparser entries parsed per second: {ratio:.2f}")
    both_ratio = (both_report.added / both_time) / (
        (parsed + extracted) / (baseline + extract_time)
    )
    print(
        "feeds + pages folder, articles ingested per second / "
        f"(feedparser + trafilatura) items parsed per second: {both_ratio:.2f}"
    )
    print(f"near-duplicates flagged: {flagged} (one story in fifty was planted as a retelling)")


if __name__ == "__main__":
    main()
