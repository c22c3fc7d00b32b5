"""Exports at scale: every format writing a desk of 100k statements to a file.

Run: ``python bench/export.py [--statements 100000] [--formats md,csv,...] [--fresh]
[--no-collection] [--desk PATH]``.

The desk is bench/scale.py's synthetic desk (10 articles and 0.2 links per 10 statements,
Zipf-distributed speakers, sources and words, evidence offsets that point into the
articles), built by scale.py in a child process, or copied from the desk scale.py already
keeps in ``bench/.cache/`` with the same sizes. It is then prepared once: every statement
accepted (so the whole-desk export carries all of them: the publishing formats leave
machine suggestions out) and one collection holding every statement, in reverse id order
(so the collection path, which reads members by id chunk, is measured at full size too).
The prepared desk is kept as ``bench/.cache/export-<N>s.db``; ``--fresh`` rebuilds it.

Each export runs in its own child process: seconds of wall time for the export alone
(imports and opening the desk are done first) and the peak RSS the export added over what
the process held when it began (peak RSS after, ``VmHWM``, − RSS before, so the interpreter,
SQLAlchemy and the format's modules, imported by a one-character preview first, are not
counted). The baseline, measured in the same run the same way, is the
floor any exporter stands on: one raw ``SELECT * FROM statement`` with ``json.dumps`` of
each row written to a file. A format that streams shows a flat RSS delta (a few MB of
batches and buffers) however big the desk; one that built the file in memory would show
the file's size or more.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".cache"
#: Bump when the preparation changes, so an old prepared desk is not measured.
PREPARED_VERSION = 1
COLLECTION = "bench: every statement"
ALL_FORMATS = ("md", "csv", "json", "jsonl", "claimreview", "timelinejs", "annotations", "html")


def _scale() -> Any:
    """bench/scale.py as a module (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_scale", HERE / "scale.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_scale"] = module
    spec.loader.exec_module(module)
    return module


def _rss_mb() -> float:
    """Current resident set size of this process, in MB."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    """Peak resident set size of this process image, in MB. ``VmHWM``, not ``ru_maxrss``:
    Linux carries ``ru_maxrss`` over from the parent across fork and exec, so a child of a
    big parent would report the parent's size."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # pragma: no cover


# --------------------------------------------------------------------------- the desk


def prepare(statements: int, fresh: bool, path: Path | None = None) -> Path:
    scale = _scale()
    sizes = scale.Sizes(
        articles=max(1, statements // 10),
        statements=statements,
        links=statements // 5,
        events=max(1, statements // 100),
    )
    path = path or CACHE / f"export-{statements}s.db"
    meta = path.with_name(path.name + ".json")
    key = {"sizes": sizes.key(), "prepared": PREPARED_VERSION}
    if not fresh and path.exists() and meta.exists() and json.loads(meta.read_text()) == key:
        print(f"desk: {path} (prepared earlier; --fresh to rebuild)")
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    target = scale.Desk("sqlite", str(path))
    target.remove()
    source = scale.default_desk("sqlite", scale._stem(sizes))
    built = source.built_with()
    if built is not None and built.get("sizes") == sizes.key():
        print(f"desk: copying {Path(source.location).name}, built by bench/scale.py", flush=True)
        with sqlite3.connect(source.location) as src, sqlite3.connect(path) as dst:
            src.backup(dst)
        src.close()
        dst.close()
    else:
        print("desk: building with bench/scale.py (about a minute per 100k statements)…")
        scale._build_child(target, sizes)
    from db.engine import open_desk

    engine = open_desk(str(path))  # migrate now, not inside the first measurement
    engine.dispose()
    began = time.perf_counter()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE statement SET review = 'accepted' WHERE review != 'accepted'")
        now = "2026-11-01 06:00:00.000000"
        conn.execute(
            "INSERT INTO collection (name, description, created_at, updated_at, version) "
            "VALUES (?, 'every statement, newest first', ?, ?, 1)",
            (COLLECTION, now, now),
        )
        (collection_id,) = conn.execute("SELECT max(id) FROM collection").fetchone()
        conn.execute(
            "INSERT INTO collection_item (collection_id, rank, kind, item_id, note, "
            "created_at, updated_at, version) "
            "SELECT ?, row_number() OVER (ORDER BY id DESC), 'statement', id, "
            "CASE WHEN id % 10 = 0 THEN 'checked | by the desk' ELSE '' END, ?, ?, 1 "
            "FROM statement WHERE deleted_at IS NULL",
            (collection_id, now, now),
        )
        conn.execute("ANALYZE")
    conn.close()
    meta.write_text(json.dumps(key))
    print(f"desk: prepared in {time.perf_counter() - began:.1f} s → {path}")
    return path


# --------------------------------------------------------------------------- one export


def child(fmt: str, desk: Path, out: Path, collection: str | None) -> dict[str, Any]:
    """Runs in the child process: one export, timed, with its RSS delta."""
    if fmt == "baseline":
        before = _rss_mb()
        began = time.perf_counter()
        n = 0
        conn = sqlite3.connect(desk)
        conn.row_factory = sqlite3.Row
        with open(out, "w", encoding="utf-8") as handle:
            for row in conn.execute("SELECT * FROM statement"):
                handle.write(json.dumps(dict(row), ensure_ascii=False) + "\n")
                n += 1
        conn.close()
        counts = {"statements": n}
    else:
        from db.engine import open_desk
        from workbench.export import ExportOptions, export_to_path, preview

        engine = open_desk(str(desk))
        options = ExportOptions(
            editor="bench",
            collection=collection,
            organisation="Bench Fact Desk",
            organisation_url="https://factdesk.example/checks",
        )
        # Warm up as an open desk is: the format's modules imported, a connection pooled.
        preview(engine, fmt, options, limit=1)
        before = _rss_mb()
        began = time.perf_counter()
        counts = export_to_path(engine, fmt, out, options)
        engine.dispose()
    seconds = time.perf_counter() - began
    files = sorted(out.parent.glob(f"{out.stem}*"))
    return {
        "seconds": seconds,
        "rss_delta": max(0.0, _peak_mb() - before),
        "bytes": sum(f.stat().st_size for f in files),
        "counts": counts,
    }


def measure(fmt: str, desk: Path, workdir: Path, collection: str | None) -> dict[str, Any]:
    out = workdir / f"{fmt}{'-collection' if collection else ''}.out"
    command = [sys.executable, str(Path(__file__).resolve()), "--child", fmt, "--db", str(desk)]
    command += ["--out", str(out)]
    if collection:
        command += ["--collection", collection]
    proc = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"error: exporting {fmt} failed:\n{proc.stderr}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    for path in workdir.glob(f"{out.stem}*"):
        path.unlink()
    return result


# --------------------------------------------------------------------------- main


def _row(name: str, r: dict[str, Any], base: dict[str, Any]) -> str:
    items = ", ".join(f"{n:,} {k}" for k, n in r["counts"].items() if n)
    ratio = r["seconds"] / base["seconds"] if base["seconds"] else float("nan")
    return (
        f"{name:<24} {r['seconds']:>8.2f} {ratio:>8.1f}× {r['rss_delta']:>10.1f} "
        f"{r['bytes'] / 2**20:>9.1f}   {items}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=100_000)
    parser.add_argument("--formats", default=",".join(ALL_FORMATS))
    parser.add_argument("--fresh", action="store_true", help="prepare the desk again")
    parser.add_argument("--no-collection", action="store_true", help="skip collection runs")
    parser.add_argument(
        "--desk", type=Path, default=None, help="prepared desk file (default: bench/.cache/)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--collection", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.db, args.out, args.collection)))
        return 0

    formats = [f for f in args.formats.split(",") if f]
    unknown = set(formats) - set(ALL_FORMATS)
    if unknown:
        print(f"error: unknown format {sorted(unknown)[0]!r}", file=sys.stderr)
        return 2
    desk = prepare(args.statements, args.fresh, args.desk)
    print(f"file: {desk.stat().st_size / 2**20:,.0f} MB; {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}\n")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="export-bench-", dir=desk.parent) as tmp:
        workdir = Path(tmp)
        base = measure("baseline", desk, workdir, None)
        header = (
            f"{'export':<24} {'seconds':>8} {'vs base':>9} {'RSS Δ MB':>10} {'file MB':>9}   items"
        )
        print(header)
        print("-" * len(header))
        print(_row("baseline: SELECT+dumps", base, base), flush=True)
        runs = [(fmt, None) for fmt in formats]
        if not args.no_collection:
            runs += [(fmt, COLLECTION) for fmt in ("md", "csv", "html") if fmt in formats]
        for fmt, collection in runs:
            result = measure(fmt, desk, workdir, collection)
            name = f"{fmt} (collection)" if collection else f"{fmt} (whole desk)"
            print(_row(name, result, base), flush=True)
    print(
        "\nseconds: wall time of the export alone, each in a fresh process; RSS Δ: peak "
        "resident memory the export added. baseline: raw SELECT * FROM statement, "
        "json.dumps per row, same run, same desk."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
