"""Benchmark the detection engine over the OTRF host datasets on one core.

Reproduce: POLARS_MAX_THREADS=1 .venv/bin/python bench/detect.py [--zips N] [--events N]
[--dump FILE]. Reads ../shared/corpora in place (never copied). Prints compile time, events/s
(orjson parse + flatten + match, end to end; by wall clock and by the process's CPU time, which
other jobs on a shared machine disturb less), rule x events/s, peak RSS, the bare orjson parse
rate and the load average. ``--dump`` writes one "event-number rule-id" line per match, so
two versions of the engine can be compared on the same events.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("POLARS_MAX_THREADS", "1")  # one core, as the issue asks; before polars

import resource
import sys
import time
import zipfile
from pathlib import Path

import orjson

from fenghuo.detection import Engine
from fenghuo.detection.events import flatten

CORPORA = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"
RULE_DIRS = ["rules/windows", "rules-emerging-threats", "rules-threat-hunting"]
BATCH = 50_000


def _zip_lines(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as archive:
        return [
            line
            for name in archive.namelist()
            if not name.endswith("/")
            for line in archive.read(name).splitlines()
            if line.strip()
        ]


def _loads(line: bytes) -> dict[str, object] | None:
    """Parse one line; OTRF has a few lines with invalid UTF-8, which are skipped."""
    try:
        event = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    return event if isinstance(event, dict) else None


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--zips", type=int, default=0, help="only the first N zips (0 = all)")
    parser.add_argument("--events", type=int, default=0, help="stop after N lines (0 = all)")
    parser.add_argument("--dump", type=Path, help="write 'event rule_id' per match, to compare")
    args = parser.parse_args()
    started = time.perf_counter()
    engine = Engine.from_paths([CORPORA / "sigmahq" / d for d in RULE_DIRS])
    compile_s = time.perf_counter() - started
    zips = sorted((CORPORA / "otrf-security-datasets" / "datasets").rglob("*.zip"))
    if args.zips:
        zips = zips[: args.zips]
    events = matches = raw_bytes = bad = 0
    parse_s = detect_s = parse_cpu = detect_cpu = 0.0
    pending: list[bytes] = []
    seen = 0
    dump = args.dump.open("w") if args.dump else None
    for n, path in enumerate(zips, start=1):
        lines_of_zip = _zip_lines(path)
        if args.events:
            lines_of_zip = lines_of_zip[: args.events - seen]
            seen += len(lines_of_zip)
            if seen >= args.events:
                zips = zips[:n]
        pending += lines_of_zip
        # Batches span zips so small datasets do not each pay the per-batch cost.
        while len(pending) >= BATCH or (n == len(zips) and pending):
            lines, pending = pending[:BATCH], pending[BATCH:]
            raw_bytes += sum(map(len, lines))
            t0, c0 = time.perf_counter(), time.process_time()
            for line in lines:
                _loads(line)
            t1, c1 = time.perf_counter(), time.process_time()
            parsed = [_loads(line) for line in lines]
            batch = [flatten(e) for e in parsed if e is not None]
            bad += len(lines) - len(batch)
            found = engine.match_batch(batch)
            detect_s += time.perf_counter() - t1
            detect_cpu += time.process_time() - c1
            parse_s += t1 - t0
            parse_cpu += c1 - c0
            matches += len(found)
            if dump is not None:
                dump.writelines(f"{events + m.event} {engine.rules[m.rule].id}\n" for m in found)
            events += len(batch)
        if n == len(zips):
            break
    if dump is not None:
        dump.close()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rules = len(engine.rules)
    print(f"rules compiled       {rules} ({len(engine.issues)} not compiled) in {compile_s:.1f} s")
    print(f"events               {events} from {len(zips)} zips ({raw_bytes / 1e6:.0f} MB)")
    print(f"matches              {matches} ({bad} lines not valid JSON, skipped)")
    print(f"engine               {events / detect_s:,.0f} events/s ({detect_s:.1f} s)")
    print(f"engine, CPU time     {events / detect_cpu:,.0f} events/s ({detect_cpu:.1f} s)")
    print(f"rule x events        {rules * events / detect_s:,.0f} /s")
    print(f"bare orjson parse    {events / parse_s:,.0f} events/s ({parse_s:.1f} s)")
    print(f"bare parse, CPU time {events / parse_cpu:,.0f} events/s ({parse_cpu:.1f} s)")
    print(f"load average         {' '.join(f'{x:.1f}' for x in os.getloadavg())} (at the end)")
    print(f"peak RSS             {rss_mb:,.0f} MB")
    print(f"command              POLARS_MAX_THREADS=1 {sys.executable} {' '.join(sys.argv)}")


if __name__ == "__main__":
    main()
