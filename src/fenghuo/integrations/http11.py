"""A lean HTTP/1.1 keep-alive transport for ``httpx.AsyncClient`` (webhook delivery).

Why: profiled on the 2-core machine, httpx's default transport (httpcore over anyio) spent
4-9 ms of CPU per small POST, most of it in the connection pool's bookkeeping
(``_assign_requests_to_connections`` scans every connection for every queued request) and in
anyio's stream layer; 10,000 webhooks took well over a minute. This transport keeps httpx's
client API (requests, responses, errors) and speaks HTTP/1.1 directly on asyncio streams:
one idle-connection list per origin, ``Content-Length`` or chunked bodies, ``Connection:
close`` honoured, a stale kept-alive connection retried once on a fresh one. TLS uses the
default verified context. It is plugged in with ``httpx.AsyncClient(transport=...)``,
httpx's documented extension point.
"""

from __future__ import annotations

import asyncio
import ssl
from collections import defaultdict

import httpx

MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 1024 * 1024
Origin = tuple[str, str, int]
Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class _StaleConnection(Exception):
    """A kept-alive connection was closed by the server before answering."""


class KeepAliveTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 over asyncio streams with per-origin keep-alive connections."""

    def __init__(self, *, max_idle_per_origin: int = 200) -> None:
        self._idle: dict[Origin, list[Connection]] = defaultdict(list)
        self._max_idle = max_idle_per_origin
        self._ssl: ssl.SSLContext | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` and read the whole response (bodies are small: webhook answers)."""
        url = request.url
        port = url.port or (443 if url.scheme == "https" else 80)
        origin: Origin = (url.scheme, url.host, port)
        body = await request.aread()
        head = self._head(request, len(body))
        timeout = request.extensions.get("timeout", {}).get("read") or 30.0
        try:
            async with asyncio.timeout(timeout):
                return await self._exchange(origin, head + body)
        except TimeoutError:
            raise httpx.ReadTimeout("no answer in time", request=request) from None
        except (OSError, asyncio.IncompleteReadError, _StaleConnection) as error:
            raise httpx.ConnectError(f"{type(error).__name__}: {error}", request=request) from None
        except ValueError as error:
            raise httpx.RemoteProtocolError(str(error), request=request) from None

    async def _exchange(self, origin: Origin, data: bytes) -> httpx.Response:
        reused = bool(self._idle[origin])
        connection = self._idle[origin].pop() if reused else await self._connect(origin)
        try:
            response, keep = await self._round_trip(connection, data)
        except (_StaleConnection, ConnectionResetError, BrokenPipeError):
            connection[1].close()
            if not reused:
                raise
            connection = await self._connect(origin)  # the server dropped an idle connection
            response, keep = await self._round_trip(connection, data)
        except BaseException:
            connection[1].close()
            raise
        if keep and len(self._idle[origin]) < self._max_idle:
            self._idle[origin].append(connection)
        else:
            connection[1].close()
        return response

    async def _connect(self, origin: Origin) -> Connection:
        scheme, host, port = origin
        context = None
        if scheme == "https":
            self._ssl = self._ssl or ssl.create_default_context()
            context = self._ssl
        return await asyncio.open_connection(host, port, ssl=context, limit=MAX_HEADER_BYTES)

    @staticmethod
    def _head(request: httpx.Request, length: int) -> bytes:
        target = request.url.raw_path.decode("ascii")
        lines = [f"{request.method} {target} HTTP/1.1"]
        skip = {b"content-length", b"transfer-encoding", b"connection"}
        for name, value in request.headers.raw:
            if name.lower() not in skip:
                lines.append(f"{name.decode('latin-1')}: {value.decode('latin-1')}")
        lines.append(f"Content-Length: {length}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def _round_trip(self, connection: Connection, data: bytes) -> tuple[httpx.Response, bool]:
        reader, writer = connection
        writer.write(data)
        await writer.drain()
        try:
            raw = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as error:
            if not error.partial:
                raise _StaleConnection("closed before answering") from None
            raise
        except asyncio.LimitOverrunError:
            raise ValueError("response headers too large") from None
        status_line, *header_lines = raw[:-4].decode("latin-1").split("\r\n")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise ValueError(f"not an HTTP/1.x answer: {status_line[:80]!r}")
        headers = [tuple(line.split(":", 1)) for line in header_lines if ":" in line]
        found = {name.strip().lower(): value.strip() for name, value in headers}
        keep = parts[0] == "HTTP/1.1" and found.get("connection", "").lower() != "close"
        body = await self._body(reader, found)
        if body is None:
            keep = False
            body = await reader.read(MAX_BODY_BYTES)
        response = httpx.Response(
            int(parts[1]), headers=[(n.strip(), v.strip()) for n, v in headers], content=body
        )
        return response, keep

    @staticmethod
    async def _body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes | None:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            chunks: list[bytes] = []
            total = 0
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
                if size == 0:
                    while (await reader.readuntil(b"\r\n")) != b"\r\n":
                        pass  # trailers
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY_BYTES:
                    raise ValueError("response body too large")
                chunks.append(await reader.readexactly(size))
                await reader.readexactly(2)
        if "content-length" in headers:
            length = int(headers["content-length"])
            if length > MAX_BODY_BYTES:
                raise ValueError("response body too large")
            return await reader.readexactly(length)
        return None  # delimited by closing the connection

    async def aclose(self) -> None:
        """Close every idle connection."""
        for connections in self._idle.values():
            for _reader, writer in connections:
                writer.close()
        self._idle.clear()
