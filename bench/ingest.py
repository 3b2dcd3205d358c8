"""Benchmark ingest on one core: the pipeline alone, stage by stage, and the whole API path.

Reproduce: .venv/bin/python bench/ingest.py [--events N] [--api] [--batch 5000] [--gzip]
Reads ../shared/corpora/otrf-security-datasets in place (never copied): the first N lines of
the host zips, in their sorted order.

(a) The pipeline, in this process: split -> decode -> parse -> normalise (``pipeline``), asset
    enrichment (a registry of 1,000 ranges and 1,000 host names, 2 of them matching), indicator
    matching (1,000 live indicators, some of them present), the Arrow table and the Parquet
    write, each timed on its own over batches of ``--batch`` lines; beside it the bare
    ``orjson.loads`` of the same lines (the ceiling).
(b) With ``--api``: a real ``fenghuo serve`` (one uvicorn worker, SQLite in a fresh data dir,
    migrated, one registered source and its token, the same registry and indicators) and this
    process as the client, posting NDJSON batches one request at a time. The embedded bus relay
    and the embedded detection worker run, as in a deployment of the embedded shape; the
    rulebook is empty, so detection costs only its reading of each batch's files. Reported:
    events/s accepted end to end and the per-request latency (median, 95th percentile).
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import ipaddress
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import orjson

from fenghuo.monitoring import archive, assets, indicators_service, pipeline
from fenghuo.monitoring.indicators import IndicatorType, LiveIndicator, Matcher, Tlp
from fenghuo.monitoring.schema import Owner

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
OTRF = CORPORA / "otrf-security-datasets" / "datasets"
RECEIVED = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
FENGHUO = ROOT / ".venv" / "bin" / "fenghuo"
MAX = 64 * 1024 * 1024
BARE, TABLE = "bare orjson parse", "arrow table (part of write)"


def otrf_lines(limit: int) -> list[bytes]:
    """The first ``limit`` non-blank lines of the OTRF host zips (sorted by path)."""
    lines: list[bytes] = []
    for path in sorted(OTRF.rglob("*.zip")):
        with zipfile.ZipFile(path) as bundle:
            for member in bundle.namelist():
                if member.endswith("/"):
                    continue
                lines += [line for line in bundle.read(member).splitlines() if line.strip()]
        if len(lines) >= limit:
            break
    return lines[:limit]


def registry() -> assets.AssetIndex:
    """1,000 ranges and 1,000 host names, two of which match OTRF events."""
    owner = Owner(org_id="o1", org_name="Bench Operator", sector="energy", region="440300")
    networks: list[tuple[assets.IpNetwork, Owner]] = [
        (ipaddress.ip_network(f"10.{i // 256}.{i % 256}.0/24"), owner) for i in range(998)
    ]
    networks += [(ipaddress.ip_network("172.18.38.0/24"), owner)]
    networks += [(ipaddress.ip_network("192.168.0.0/16"), owner)]
    networks.sort(key=lambda entry: entry[0].prefixlen, reverse=True)
    hosts = {f"host{i}": owner for i in range(999)} | {"workstation5": owner}
    return assets.AssetIndex(tuple(networks), hosts)


def registry_csv() -> str:
    """The same registry as an ``fenghuo assets import`` file."""
    rows = ["org,cidr,host,description"]
    rows += [f"Bench Operator,10.{i // 256}.{i % 256}.0/24,," for i in range(998)]
    rows += ["Bench Operator,172.18.38.0/24,,", "Bench Operator,192.168.0.0/16,,"]
    rows += [f"Bench Operator,,host{i}," for i in range(999)] + ["Bench Operator,,workstation5,"]
    return "\n".join(rows) + "\n"


def indicator_rows() -> list[tuple[str, str]]:
    """1,000 live indicators: addresses, ranges, domains, hashes; a few occur in OTRF."""
    rows = [("ipv4", f"198.51.{i // 256}.{i % 256}") for i in range(400)]
    rows += [("cidr", f"100.{64 + i // 256}.{i % 256}.0/24") for i in range(300)]
    rows += [("domain", f"bad{i}.example") for i in range(290)]
    rows += [("sha256", f"{i:064x}") for i in range(8)]
    rows += [("ipv4", "172.18.39.5"), ("cidr", "192.168.1.0/24")]
    return rows


def matcher() -> Matcher:
    """The indicators of ``indicator_rows`` as a live matcher."""
    return Matcher(
        LiveIndicator(
            id=f"i{n}",
            set_id="s1",
            set_name="bench",
            type=IndicatorType(kind),
            value=value if kind != "cidr" else str(ipaddress.ip_network(value)),
            tlp=Tlp.amber,
        )
        for n, (kind, value) in enumerate(indicator_rows())
    )


def batches(lines: list[bytes], size: int) -> Iterator[list[bytes]]:
    """Consecutive batches of ``size`` lines."""
    for start in range(0, len(lines), size):
        yield lines[start : start + size]


class Clock:
    """Seconds spent per stage, accumulated over batches."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Add the duration of the ``with`` block to stage ``name``."""
        started = time.perf_counter()
        yield
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started


def bench_pipeline(lines: list[bytes], size: int) -> None:
    """Stage by stage, in this process; prints events/s per stage and in all."""
    index, live = registry(), matcher()
    clock = Clock()
    accepted = 0
    with tempfile.TemporaryDirectory(prefix="fenghuo-bench-") as folder:
        root = Path(folder)
        for n, batch in enumerate(batches(lines, size)):
            body = b"\n".join(batch)
            with clock.stage(BARE):
                for line in batch:
                    orjson.loads(line)
            with clock.stage("split+parse+normalise"):
                result = pipeline.run(
                    pipeline.split_lines(body),
                    source="bench",
                    declared="auto",
                    received_at=RECEIVED,
                )
            accepted += result.accepted
            with clock.stage("enrich (assets)"):
                index.enrich_batch(result.batch)
            with clock.stage("indicators"):
                indicators_service.annotate_batch(live, result.batch)
            with clock.stage(TABLE):
                archive.batch_table(result.batch)
            with clock.stage("table+parquet write"):
                archive.write_columns(root, f"b{n}", result.batch)
            shutil.rmtree(root)
            root.mkdir()
    total = sum(seconds for name, seconds in clock.seconds.items() if name not in (BARE, TABLE))
    print(f"pipeline, {accepted:,} events accepted of {len(lines):,}, batches of {size:,}")
    for name, seconds in clock.seconds.items():
        print(f"  {name:24} {accepted / seconds:>10,.0f} events/s ({seconds:.2f} s)")
    print(
        f"  {'ingest (all but bare/arrow)':24} {accepted / total:>10,.0f} events/s ({total:.2f} s)"
    )


def _run(*args: str, env: dict[str, str], stdin: str | None = None) -> str:
    done = subprocess.run(
        [str(FENGHUO), *args], env=env, input=stdin, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"fenghuo {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


ORGS = """organisations:
  - {name_zh: 国家网信办, name_en: National Coordinator, kind: national_coordinator}
  - {name_zh: 能源局, name_en: Energy Department, kind: sector_department,
     parent: National Coordinator, sector_code: energy}
  - {name_zh: 测试运营者, name_en: Bench Operator, kind: network_operator,
     parent: Energy Department, sector_code: energy, region_code: "440300"}
"""


def prepare(data_dir: Path) -> tuple[dict[str, str], str]:
    """A fresh, migrated data dir with the registry, indicators and a source; its token."""
    # 5,000 OTRF lines reach 17 MB: the bench allows 64 MiB bodies (the default is 16 MiB).
    env = {**os.environ, "FENGHUO_DATA_DIR": str(data_dir), "FENGHUO_INGEST_MAX_BYTES": str(MAX)}
    _run("db", "upgrade", env=env)
    (data_dir / "orgs.yaml").write_text(ORGS)
    _run("orgs", "import", str(data_dir / "orgs.yaml"), env=env)
    (data_dir / "assets.csv").write_text(registry_csv())
    _run("assets", "import", str(data_dir / "assets.csv"), env=env)
    csv = "type,value\n" + "".join(f"{kind},{value}\n" for kind, value in indicator_rows())
    (data_dir / "iocs.csv").write_text(csv)
    _run("indicators", "import", str(data_dir / "iocs.csv"), "--set", "bench", env=env)
    token = _run("sources", "create", "bench", "--org", "Bench Operator", env=env).split()[-1]
    return env, token


def _wait_ready(port: int, server: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise SystemExit("the server exited before it was ready")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def bench_api(lines: list[bytes], size: int, *, compress: bool, profile: str | None) -> None:
    """The whole API path on one uvicorn worker, this process posting one batch at a time."""
    bodies = [b"\n".join(batch) + b"\n" for batch in batches(lines, size)]
    if compress:
        bodies = [gzip.compress(body, 1) for body in bodies]
    with tempfile.TemporaryDirectory(prefix="fenghuo-bench-api-") as folder:
        env, token = prepare(Path(folder))
        port = _free_port()
        command = [str(FENGHUO), "serve", "--port", str(port)]
        if profile:  # py-spy samples the server (its flame graph goes to ``profile``)
            command = [str(ROOT / ".venv" / "bin" / "py-spy"), "record", "-o", profile]
            command += ["--format", "raw" if profile.endswith(".txt") else "flamegraph", "--"]
            command += [str(FENGHUO), "serve", "--port", str(port)]
        server = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_ready(port, server)
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}
            if compress:
                headers["Content-Encoding"] = "gzip"
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            latencies: list[float] = []
            accepted = 0
            started = time.perf_counter()
            for body in bodies:
                t0 = time.perf_counter()
                connection.request("POST", "/api/v1/events", body=body, headers=headers)
                response = connection.getresponse()
                answer = orjson.loads(response.read())
                if response.status != 200:
                    raise SystemExit(f"HTTP {response.status}: {answer}")
                latencies.append(time.perf_counter() - t0)
                accepted += answer["accepted"]
            elapsed = time.perf_counter() - started
        finally:
            server.send_signal(signal.SIGINT)  # py-spy writes its profile on SIGINT
            server.wait(timeout=30)
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, round(0.95 * len(latencies)))]
    print(f"API, one uvicorn worker, {len(bodies)} requests of {size:,} lines, gzip={compress}")
    print(f"  accepted end to end      {accepted / elapsed:>10,.0f} events/s ({elapsed:.2f} s)")
    print(
        f"  latency per request      median {statistics.median(latencies) * 1000:,.0f} ms, "
        f"p95 {p95 * 1000:,.0f} ms"
    )


def main() -> None:
    """Run the benchmark and print its figures and the command that reproduces them."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=50_000, help="OTRF lines to ingest")
    parser.add_argument("--batch", type=int, default=5_000, help="lines per batch/request")
    parser.add_argument("--api", action="store_true", help="also the API on one uvicorn worker")
    parser.add_argument("--api-only", action="store_true", help="only the API")
    parser.add_argument("--gzip", action="store_true", help="gzip the request bodies")
    parser.add_argument("--profile", help="record the server with py-spy into this SVG")
    args = parser.parse_args()
    lines = otrf_lines(args.events)
    print(
        f"corpus                     {len(lines):,} OTRF lines, {sum(map(len, lines)) / 1e6:.0f} MB"
    )
    if not args.api_only:
        bench_pipeline(lines, args.batch)
    if args.api or args.api_only:
        bench_api(lines, args.batch, compress=args.gzip, profile=args.profile)
    print(f"command                    {sys.executable} {' '.join(sys.argv)}")


if __name__ == "__main__":
    main()
