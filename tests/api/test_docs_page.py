"""The API documentation works on a closed network: every asset it loads is served here."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from fenghuo.api.app import create_app
from fenghuo.settings import Settings


def test_docs_page_loads_only_local_assets(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="test-secret-key-not-for-production")
    client = TestClient(create_app(settings))
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    assert assets, "the docs page loads no assets"
    assert all(asset.startswith("/") for asset in assets), assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert "https://" not in page.text.replace("https://fenghuo.invalid", "")
