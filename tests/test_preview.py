"""make preview: after a save, the changed pages are served updated, and docs/ is exactly what
make site would write."""
from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import REPO, copy_project
from test_incremental import build_docs_cold, edit_csv, tree

from build_scripts.curator.preview import Preview

# Whole builds, and make preview run as a process.
pytestmark = pytest.mark.slow

PAGE = "areas/norfolk/2018-19/index.html"


@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    root = tmp_path_factory.mktemp("preview")
    paths = copy_project(root / "project")
    site = root / "site"
    site.mkdir()
    return Preview(paths, site, "http://127.0.0.1:8000/mappa-statistics/")


def test_a_saved_figure_is_served_updated_and_equals_a_full_build(preview):
    paths, site = preview.paths, Path(preview.mkdocs.site_dir)
    assert "4,321" not in (site / PAGE).read_text(encoding="utf-8")
    edit_csv(paths.root / "curated/reports/norfolk-2018-19.csv", {"measure_id": "notification_order"}, "value", "4321")
    area_page = site / "areas/norfolk/index.html"
    assert "4,321" not in area_page.read_text(encoding="utf-8")
    published = []
    preview.update(lambda: published.append([(site / p).read_text(encoding="utf-8") for p in (PAGE, area_page)]))
    # The saved report's page is built alone first and the browser reloads at once; then the
    # other changed pages (the area's page among them), then the slow pass (package, data page),
    # each followed by a reload.
    assert len(published) == 3
    assert "4,321" in published[0][0] and "4,321" not in published[0][1]
    assert "4,321" in published[1][1]
    observations = (site / "data/latest/observations.csv").read_text(encoding="utf-8")
    assert ",notification_order,all,all,4321," in observations  # the slow pass published the package
    # Only the area's pages were rendered again; every other unit came from the memo.
    assert not any(u.startswith("report:") and "norfolk" not in u for u in preview.memo.keys
                   if u not in preview.memo.recalled and u != "data")
    docs = tree(paths.docs)
    assert docs == build_docs_cold(paths)


def test_a_saved_template_re_renders_the_pages_that_use_it(preview):
    paths, site = preview.paths, Path(preview.mkdocs.site_dir)
    template = paths.templates / "report.md.j2"
    text = template.read_text(encoding="utf-8")
    assert "{% block body %}" in text
    template.write_text(text.replace("{% block body %}", "{% block body %}\nA sentence added to the template.\n", 1),
                        encoding="utf-8")
    preview.update()
    assert "A sentence added to the template." in (site / PAGE).read_text(encoding="utf-8")
    assert tree(paths.docs) == build_docs_cold(paths)


def test_a_bad_save_leaves_the_last_good_pages(preview, caplog):
    paths, site = preview.paths, Path(preview.mkdocs.site_dir)
    before_docs, before_page = tree(paths.docs), (site / PAGE).read_bytes()
    edit_csv(paths.root / "curated/reports/norfolk-2018-19.csv", {"measure_id": "notification_order"}, "value", "lots")
    published = []
    with caplog.at_level(logging.ERROR, logger="mkdocs.preview"):
        preview.update(lambda: published.append(True))
    assert published == []
    assert "curated/reports/norfolk-2018-19.csv:" in caplog.text and "'lots'" in caplog.text
    assert tree(paths.docs) == before_docs and (site / PAGE).read_bytes() == before_page


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_preview_serves_a_save_within_seconds(tmp_path):
    """The command end to end: start it, save a figure, fetch the page until it shows it."""
    paths = copy_project(tmp_path / "project")
    port = free_port()
    url = f"http://127.0.0.1:{port}/mappa-statistics/areas/norfolk/2018-19/"
    process = subprocess.Popen([sys.executable, "-m", "build_scripts", "--root", str(paths.root), "preview",
                                "--port", str(port)], cwd=REPO, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                page = urllib.request.urlopen(url, timeout=5).read().decode()
                break
            except OSError:
                assert process.poll() is None, process.stderr.read()
                assert time.monotonic() < deadline, "the preview did not start"
                time.sleep(0.2)
        assert "7,654" not in page
        edit_csv(paths.root / "curated/reports/norfolk-2018-19.csv", {"measure_id": "notification_order"},
                 "value", "7654")
        saved = time.monotonic()
        while "7,654" not in urllib.request.urlopen(url, timeout=30).read().decode():
            assert time.monotonic() - saved < 60, "the saved figure was not served"
            time.sleep(0.1)
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_with_other_mkdocs_versions_a_save_rebuilds_the_whole_site_and_serves_the_same(tmp_path, monkeypatch):
    """The stock path (private_interfaces.py): without MkDocs' private page functions, a save
    rebuilds the whole site with MkDocs' own build, and the browser reloads when it ends."""
    monkeypatch.setenv("MAPPA_STOCK_PATHS", "1")
    paths = copy_project(tmp_path / "project")
    site = tmp_path / "site"
    site.mkdir()
    stock = Preview(paths, site, "http://127.0.0.1:8000/mappa-statistics/")
    edit_csv(paths.root / "curated/reports/norfolk-2018-19.csv", {"measure_id": "notification_order"}, "value", "4321")
    stock.update()
    assert "4,321" in (site / PAGE).read_text(encoding="utf-8")
    assert "4,321" in (site / "areas/norfolk/index.html").read_text(encoding="utf-8")
    assert tree(paths.docs) == build_docs_cold(paths)
