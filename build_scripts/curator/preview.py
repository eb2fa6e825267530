"""make preview: the curator's loop. Serves the site and, when a file in curated/, metadata/,
templates/ or CHANGELOG.md is saved, updates only what changed, in seconds at full scale.

1. At start: the full pipeline (package, charts, pages) writes docs/, remembering each page
   unit's key (memo.py), and MkDocs builds the site once, in this process.
2. On a save, a fast pass: load and check the inputs as `make site` does (schemas, totals,
   rules across tables, the quality register) and build the package's tables in memory. The
   saved report's own page is drawn, rendered and built by MkDocs alone, and the browser
   reloads. Then the charts whose data changed are drawn and only the page units whose inputs
   changed are rendered, writing only files whose bytes changed; MkDocs renders only those
   pages, and the browser reloads again.
3. Then a slow pass: the data package is written and validated, and the data page with its
   downloads (spreadsheet, zip) is rebuilt; the browser reloads again.

A change to theme/ or mkdocs.yml rebuilds the whole site. `make site` stays the full, strict,
reproducible build: the preview's site/ is a temporary folder, never published.
"""
from __future__ import annotations

import json
import logging
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from build_scripts import private_interfaces
from build_scripts.build import build_docs, build_package, save_package, working_package
from build_scripts.cache.memo import LiveMemo, environment_digest
from build_scripts.errors import BuildError
from build_scripts.inputs.dataset import dataset_from, read_dataset
from build_scripts.lock import build_lock
from build_scripts.paths import Paths
from build_scripts.steps.charts import chart_jobs, render_jobs
from build_scripts.steps.pages import build_pages

log = logging.getLogger("mkdocs.preview")
PAGE_REBUILD = "preview page rebuild"  # MkDocs' private names it uses (private_interfaces.py)
WATCHED = ["curated", "metadata", "templates", "CHANGELOG.md", "theme", "mkdocs.yml"]
SITE_WIDE = {"theme", "mkdocs.yml"}  # a change here rebuilds the whole site


def snapshot(paths: Paths) -> dict[str, tuple[int, int]]:
    """Modification time and size of every watched file."""
    found = {}
    for name in WATCHED:
        top = paths.root / name
        for path in ([top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())):
            stat = path.stat()
            found[str(path.relative_to(paths.root))] = (stat.st_mtime_ns, stat.st_size)
    return found


class SiteBuilder:
    """MkDocs, run in this process so that, after one full build, a page can be rebuilt alone
    with the same configuration, files, navigation and search index."""

    def __init__(self, paths: Paths, site_dir: Path, serve_url: str):
        from mkdocs.config import load_config

        self.paths, self.site_dir, self.serve_url = paths, site_dir, serve_url
        self.config = load_config(config_file=str(paths.root / "mkdocs.yml"), site_dir=str(site_dir), strict=False)
        self.config.plugins.on_startup(command="serve", dirty=False)
        self.config.plugins["preview-capture"] = self._capture = _Capture()

    def full(self) -> None:
        from mkdocs.commands.build import build

        self.config.site_url = self.serve_url
        build(self.config, serve_url=self.serve_url)

    def pages(self, changed: list[str]) -> int:
        """Rebuild the pages and copy the files (paths relative to docs/) that changed (with
        MkDocs' private page functions, for the versions they were written for; otherwise a
        whole build: private_interfaces.py)."""
        if not private_interfaces.usable(PAGE_REBUILD):
            if changed:
                self.full()
            return len([c for c in changed if c.endswith(".md")])
        from mkdocs.commands.build import _build_page, _populate_page
        from mkdocs.structure.files import File
        from mkdocs.structure.pages import Page

        config, files = self.config, self._capture.files
        docs_dir = config.docs_dir
        pages = []
        for rel_path in dict.fromkeys(changed):
            file = files.get_file_from_path(rel_path)
            if not (Path(docs_dir) / rel_path).exists():
                if file is not None:
                    Path(file.abs_dest_path).unlink(missing_ok=True)
                    files.remove(file)
                continue
            if file is None:
                file = File(rel_path, docs_dir, config.site_dir, config.use_directory_urls)
                files.append(file)
                if file.is_documentation_page():
                    Page(None, file, config)
            if file.is_documentation_page():
                pages.append(file.page)
            else:
                file.copy_file(dirty=False)
        search = next((p for p in config.plugins.values() if hasattr(p, "search_index")), None)
        for page in pages:
            _populate_page(page, config, files)
            if search is not None:
                # The page's old entries go; building it adds the new ones.
                url = page.url
                search.search_index.entries = [
                    e for e in search.search_index.entries
                    if not (e["location"] == url or e["location"].startswith(url + "#"))]
        doc_files = files.documentation_pages()
        for page in pages:
            _build_page(page, config, doc_files, self._capture.nav, self._capture.env)
        if search is not None and pages:
            search.on_post_build(config=config)
        return len(pages)


class _Capture:
    """A plugin that keeps what MkDocs made during the full build."""

    def on_files(self, files, config):
        self.files = files
        return files

    def on_nav(self, nav, config, files):
        self.nav = nav
        return nav

    def on_env(self, env, config, files):
        self.env = env
        return env


class Preview:
    def __init__(self, paths: Paths, site_dir: Path, serve_url: str):
        self.paths = paths
        started = time.perf_counter()
        build_package(paths)
        seen: dict = {}
        environment = environment_digest(paths.templates)
        build_docs(paths, seen=seen, environment=environment)
        self.memo = LiveMemo(paths.docs, environment, seen)
        self.jobs = None
        self.mkdocs = SiteBuilder(paths, site_dir, serve_url)
        self.mkdocs.full()
        self.seen = snapshot(paths)
        log.info(f"Preview ready in {time.perf_counter() - started:.1f} s")

    def update(self, publish=lambda: None) -> None:
        """One save: the fast pass, `publish()` (the browser reloads), then the slow pass."""
        now = snapshot(self.paths)
        changed = sorted(k for k in set(now) | set(self.seen) if now.get(k) != self.seen.get(k))
        self.seen = now
        if not changed:
            return
        log.info("Changed: " + ", ".join(changed[:5]) + (" ..." if len(changed) > 5 else ""))
        started = time.perf_counter()
        if any(c.split("/")[0] in SITE_WIDE for c in changed):
            self.mkdocs = SiteBuilder(self.paths, Path(self.mkdocs.site_dir), self.mkdocs.serve_url)
            self.mkdocs.full()
            log.info(f"Whole site rebuilt in {time.perf_counter() - started:.1f} s")
        stages: dict[str, float] = {}

        def lap(name: str) -> None:
            stages[name] = time.perf_counter() - started - sum(stages.values())

        try:
            curated, files, state = working_package(self.paths)
            lap("check")
        except BuildError as error:
            log.error(f"Not updated: {len(error.problems)} problem(s) in the inputs; the pages show the last good "
                      "version.\n" + "\n".join(f"  {p}" for p in error.problems))
            return
        descriptor = json.loads(files["datapackage.json"])
        contents = {r["name"]: files[r["path"]] for r in descriptor["resources"]}
        data = dataset_from(descriptor, contents, self.paths.datapackage)
        lap("tables")
        # Templates (and the build code) are part of every unit's key: a saved template
        # re-renders every page that uses it.
        self.memo.environment = environment_digest(self.paths.templates)
        jobs = chart_jobs(data)
        cache = self.paths.cache / "charts"
        saved = {Path(c).stem for c in changed if c.startswith("curated/reports/") and Path(c).stem in data.reports}
        if saved:
            # First the saved reports' own pages (the ones the curator is looking at) with their
            # charts, then a reload; then every other changed page.
            self.memo.begin()
            own = {f"report:{report_id}" for report_id in saved}
            render_jobs([job for chart_id, job in jobs.items() if chart_id.rsplit(":", 1)[0] in own],
                        self.paths.docs, cache, place_file=self.memo.place_file)
            build_pages(data, jobs, self.paths.docs, self.paths, self.memo, data_page_too=False, only_reports=saved)
            first = self.mkdocs.pages(self.memo.changed)
            publish()
            lap("first")
            log.info(f"{first} saved page(s) served in {time.perf_counter() - started:.1f} s")
        self.memo.begin()
        render_jobs(list(jobs.values()), self.paths.docs, cache, place_file=self.memo.place_file)
        lap("charts")
        build_pages(data, jobs, self.paths.docs, self.paths, self.memo, data_page_too=False)
        lap("pages")
        pages = self.mkdocs.pages(self.memo.changed)
        lap("mkdocs")
        log.info(f"{pages} page(s) updated in {time.perf_counter() - started:.1f} s ("
                 + ", ".join(f"{k} {v:.2f} s" for k, v in stages.items()) + ")")
        publish()
        # The slow pass: the validated package, the data page and the downloads.
        started = time.perf_counter()
        try:
            save_package(self.paths, curated, files, state)
        except BuildError as error:
            log.error("The data package is not valid:\n" + "\n".join(f"  {p}" for p in error.problems))
            return
        self.memo.begin()
        build_pages(read_dataset(self.paths.datapackage), jobs, self.paths.docs, self.paths, self.memo)
        pages = self.mkdocs.pages(self.memo.changed)
        log.info(f"Data package and data page updated ({pages} page(s)) in {time.perf_counter() - started:.1f} s")
        publish()


def serve(paths: Paths = Paths(), host: str = "127.0.0.1", port: int = 8000) -> None:
    """Entry point: build, serve, and update on every save until interrupted."""
    from mkdocs.config import load_config
    from mkdocs.livereload import LiveReloadServer, _timestamp

    paths.docs.mkdir(exist_ok=True)  # MkDocs checks that docs_dir exists; the first build fills it
    mount_path = urlsplit(load_config(config_file=str(paths.root / "mkdocs.yml")).site_url or "/").path
    serve_url = f"http://{host}:{port}{mount_path}"
    with tempfile.TemporaryDirectory(prefix="mappa-preview-") as site_dir:
        # Each pass holds the build lock, as `make site` does: one waits for the other.
        with build_lock(paths.root, "make preview", say=log.warning):
            preview = Preview(paths, Path(site_dir), serve_url)
        server: LiveReloadServer

        def publish() -> None:
            # Let browsers see (and reload to) what is built so far, before the slow pass ends
            # (through the server's private state: otherwise they reload when the pass ends).
            if not private_interfaces.usable(PAGE_REBUILD):
                return
            with server._epoch_cond:
                server._wanted_epoch = server._visible_epoch = _timestamp()
                server._epoch_cond.notify_all()

        lock = threading.Lock()

        def builder() -> None:
            with lock, build_lock(paths.root, "make preview", say=log.warning):
                preview.update(publish)

        server = LiveReloadServer(builder=builder, host=host, port=port, root=site_dir, mount_path=mount_path)
        for name in WATCHED:
            if (paths.root / name).exists():
                server.watch(str(paths.root / name))
        try:
            server.serve()
        except KeyboardInterrupt:
            log.info("Shutting down...")
        finally:
            server.shutdown()

