"""``docgates serve --engine zensical``: a real server on 127.0.0.1 shows the docgates header,
and a page edited while it runs is rebuilt with its new state."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import base_env
from docgates.engines import ENGINES
from test_serve import _free_port, _wait_for

from .test_engines import make_project

pytestmark = pytest.mark.skipif(
    not ENGINES["zensical"].installed(), reason="engine not installed: zensical (pip install -r requirements.lock)"
)


def test_serve_rebuilds_with_the_header_when_a_page_changes(tmp_path):
    root = tmp_path / "project"
    make_project(root, plugins=["search", "docgates/freshness"], clean=True)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "docgates", "serve", "--engine", "zensical", "-a", f"127.0.0.1:{port}"],
        cwd=root, env=base_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/stale/"
        _wait_for(url, lambda body: "docgates-stale" in body, server, "the stale banner")
        page = root / "docs" / "stale.md"
        page.write_text(page.read_text(encoding="utf-8").replace("2024-01-10", "2026-11-20"), encoding="utf-8")
        body = _wait_for(url, lambda body: "2026-11-20" in body, server, "the rebuilt page")
        assert "docgates-stale" not in body
        assert 'class="docgates-freshness' in body
    finally:
        server.terminate()
        try:
            _, stderr = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            _, stderr = server.communicate()
    assert "Traceback" not in stderr
