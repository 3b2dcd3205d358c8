"""The server-rendered console (for signed-in users) and the public portal (no login)."""

from __future__ import annotations

from fastapi import FastAPI

from fenghuo.platform import Platform


def mount(app: FastAPI, platform: Platform) -> None:
    """Add the console, the public portal and their static files to ``app``."""
