"""Ground floor for step 5: `mkdocs build --strict`, with each page's Markdown conversion cached.

Four fifths of a full MkDocs build is Python-Markdown converting each page (about 17 of 21 s
at 1,050 area-years), and after one changed report all but two pages convert to what they did
last time. This runs MkDocs' own build, unchanged, with one difference: `Page.render`, the
conversion, is looked up in `.cache/mkdocs/` by everything it depends on, and the pages not
found there are converted on every core before MkDocs reads them in order. What MkDocs then
writes is byte-identical to a stock `mkdocs build` (tests/test_mkdocs_build.py compares).

The key of a page's conversion (`ConversionCache.key`) holds:
- the Markdown as MkDocs hands it to the converter, and the page's path and URL;
- every file of the site, with its URL: links are resolved, and warned about, against them;
- the Markdown extensions and their settings, the link-validation settings, whether MkDocs
  records links to check their anchors (it does not at debug level), and the versions of
  Python (Python-Markdown parses raw HTML with a copy of its html.parser), MkDocs,
  Python-Markdown and Material, so an upgrade converts everything afresh.

A conversion that logged a warning is never cached, so every warning is logged on every build
and strict mode counts it. Messages below warning level are not replayed from the cache.

It uses MkDocs' private names (`Page.render`, `_populate_page`, `_title_from_render`) only with
the exact MkDocs, Python-Markdown, Material and pymdown versions it was written for
(private_interfaces.py); with any other, it runs MkDocs' own build, unchanged.

Run as `python -m build_scripts.cache.mkdocs_build`, in its own process: the conversions are forked
from it, and a process that has drawn charts (vl-convert runs threads) cannot fork safely.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from build_scripts import private_interfaces
from build_scripts.cache import keys

# Fewer uncached pages than this convert in this process: starting workers would cost more.
PARALLEL_FROM = 32
LIBRARIES = ["mkdocs", "Markdown", "mkdocs-material", "pymdown-extensions"]
MODULE = "build_scripts.cache.mkdocs_build"  # its name in keys, also when run as __main__
USE = "mkdocs conversion cache"  # its private names, and the versions they were written for


class _Noticed(logging.Handler):
    """Notes whether anything at warning level or above was logged while it was attached."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.warned = False

    def emit(self, record: logging.LogRecord) -> None:
        self.warned = True


class ConversionCache:
    """Page conversions, one JSON file each, named by the hash of their inputs."""

    def __init__(self, folder: Path, config: Any, files: Any):
        self.folder = folder
        self.used: set[str] = set()
        self.recalled: list[str] = []
        self.stored: set[str] = set()
        self.converted = 0
        listing = sorted((f.src_uri, f.url, f.dest_uri) for f in files)
        settings = {
            "extensions": [e if isinstance(e, str) else repr(type(e)) for e in config["markdown_extensions"]],
            "extension_settings": config["mdx_configs"],
            "validation": repr(config["validation"]),
            "use_directory_urls": config["use_directory_urls"],
            # Page.render records links for the anchor check only above debug level.
            "records_links": logging.getLogger("mkdocs.structure.pages").getEffectiveLevel() > logging.DEBUG,
        }
        self.context = keys.key("page conversion", [platform.python_version(), json.loads(json.dumps(
            settings, sort_keys=True, default=repr)), listing], code=[MODULE], libraries=LIBRARIES)

    def key(self, page: Any, markdown: str) -> str:
        file = page.file
        return keys.digest(self.context, file.src_uri, file.url, file.dest_uri, markdown)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def has(self, key: str) -> bool:
        return self._path(key).exists()

    def recall(self, key: str, page: Any, files: Any) -> bool:
        """Give `page` the cached conversion; False if there is none (or it cannot be read)."""
        from mkdocs.structure.toc import get_toc

        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
            links = entry["links_to_anchors"]
            if links is not None:
                links = {files.get_file_from_path(src_uri): anchors for src_uri, anchors in links.items()}
                if None in links:
                    return False
            page.content = entry["content"]
            page.toc = get_toc(entry["toc"])
            page._title_from_render = entry["title"]
            page.present_anchor_ids = set(entry["anchor_ids"])
            if entry["has_links"]:
                page.links_to_anchors = links
        except (OSError, ValueError, KeyError, TypeError):
            return False
        self.used.add(key)
        self.recalled.append(key)
        return True

    def remember(self, key: str, page: Any) -> None:
        links = getattr(page, "links_to_anchors", None)
        entry = {
            "content": page.content,
            "toc": [_token(item) for item in page.toc],
            "title": page._title_from_render,
            "anchor_ids": sorted(page.present_anchor_ids),
            "has_links": "links_to_anchors" in vars(page),
            "links_to_anchors": None if links is None else {f.src_uri: a for f, a in links.items()},
        }
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
        self.used.add(key)
        self.stored.add(key)

    def prune(self) -> None:
        """Delete the conversions this build did not use, and any file a stopped build left half
        written (run after a successful build)."""
        for path in self.folder.glob("*/.*.tmp"):
            path.unlink(missing_ok=True)
        for path in self.folder.glob("*/*.json"):
            if path.stem not in self.used:
                path.unlink(missing_ok=True)


def _token(item: Any) -> dict[str, Any]:
    return {"name": item.title, "id": item.id, "level": item.level, "children": [_token(c) for c in item.children]}


def _source_markdown(page: Any) -> str:
    """The Markdown MkDocs will convert, read as `Page.read_source` reads it (used only to guess
    which pages are uncached; the key is always taken from what MkDocs itself hands over)."""
    from mkdocs.utils import meta

    return meta.get_data(page.file.content_string)[0]


class CachedConversions:
    """A MkDocs plugin, added by `build`: before MkDocs reads the pages, it converts the
    uncached ones on every core; while MkDocs reads them, `Page.render` comes from the cache."""

    def __init__(self, cache_folder: Path, workers: int):
        self.cache_folder, self.workers = cache_folder, workers
        self.cache: ConversionCache | None = None
        self.stock: str | None = None  # why MkDocs' own build ran instead, if it did
        self.in_parallel: set[str] = set()  # the keys the workers stored

    def summary(self) -> str:
        cache = self.cache
        if self.stock:
            return f"MkDocs: a stock build, every page converted ({self.stock})"
        if cache is None:
            return "MkDocs: stopped before reading the pages"
        from_workers = sum(1 for key in cache.recalled if key in self.in_parallel)
        return (f"MkDocs: {len(cache.recalled) + cache.converted} pages, {cache.converted + from_workers} converted "
                f"({from_workers} in parallel), {len(cache.recalled) - from_workers} from the cache")

    def on_nav(self, nav, config, files):
        from mkdocs.structure.pages import Page

        self.cache = ConversionCache(self.cache_folder, config, files)
        pages = []
        for file in files.documentation_pages():
            page = file.page if file.page is not None else Page(None, file, config)
            if not self.cache.has(self.cache.key(page, _source_markdown(page))):
                pages.append(file.src_uri)
        if len(pages) >= PARALLEL_FROM and self.workers > 1:
            global _FORKED  # what the forked workers read: they inherit this process's state
            _FORKED = (config, files)
            context = get_context("fork")
            try:
                with ProcessPoolExecutor(max_workers=self.workers, mp_context=context) as pool:
                    chunks = [pages[i::self.workers] for i in range(self.workers)]
                    self.in_parallel = set().union(*pool.map(_convert_in_worker, chunks))
            except BrokenProcessPool:
                pass  # a worker died: MkDocs' own pass converts what it did not store
            finally:
                _FORKED = None
        return nav


_FORKED: tuple[Any, Any] | None = None
_ACTIVE: CachedConversions | None = None


def _convert_in_worker(src_uris: list[str]) -> set[str]:
    """In a forked worker: convert these pages as MkDocs would, storing each in the cache.
    Returns the keys stored. A page that fails is left to MkDocs' own pass, which reports it."""
    from mkdocs.commands.build import _populate_page

    # The parent logs each page's warnings when it reads the page in order; say nothing here.
    for name in ("mkdocs", ""):
        logger = logging.getLogger(name)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
    logging.getLogger().addHandler(logging.NullHandler())
    config, files = _FORKED
    for src_uri in src_uris:
        try:
            _populate_page(files.get_file_from_path(src_uri).page, config, files)
        except Exception:  # noqa: BLE001 - reported, in order, when MkDocs reads the page
            continue
    return set(_ACTIVE.cache.stored)


def _render(page, config, files) -> None:
    """Page.render, from the cache when the same conversion was made before."""
    active = _ACTIVE
    key = active.cache.key(page, page.markdown)
    if active.cache.recall(key, page, files):
        return None
    active.cache.converted += 1
    noticed = _Noticed()
    loggers = [logging.getLogger("mkdocs"), logging.getLogger()]
    for logger in loggers:
        logger.addHandler(noticed)
    try:
        _ORIGINAL_RENDER(page, config, files)
    finally:
        for logger in loggers:
            logger.removeHandler(noticed)
    if not noticed.warned:
        active.cache.remember(key, page)
    return None


_ORIGINAL_RENDER = None


def build(config_file: Path, docs_dir: Path, site_dir: Path, plugin: CachedConversions) -> None:
    """Entry point: what `mkdocs build --strict --config-file F --site-dir S` does, with docs_dir
    set to `docs_dir` and the conversions cached and parallel (`plugin`). Raises MkDocs' Abort
    on a warning (strict) or an error."""
    global _ACTIVE, _ORIGINAL_RENDER
    from mkdocs import utils
    from mkdocs.commands import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.structure.pages import Page

    mkdocs_build.log.addFilter(utils.DuplicateFilter())  # as `mkdocs build` does
    config = load_config(config_file=str(config_file), docs_dir=str(docs_dir), site_dir=str(site_dir), strict=True)
    if not private_interfaces.usable(USE):
        # Not the versions the cache was written for: MkDocs' own build, every page converted.
        plugin.stock = private_interfaces.why_not(USE)
        mkdocs_build.build(config)
        return
    config.plugins["build-scripts-cached-conversions"] = plugin
    config.plugins.on_startup(command="build", dirty=False)
    _ORIGINAL_RENDER, _ACTIVE = Page.render, plugin
    Page.render = _render
    try:
        mkdocs_build.build(config)
    finally:
        Page.render, _ACTIVE = _ORIGINAL_RENDER, None
        config.plugins.on_shutdown()
    if plugin.cache is not None:
        plugin.cache.prune()


def main(argv: list[str] | None = None) -> int:
    from mkdocs.exceptions import Abort

    parser = argparse.ArgumentParser(prog="python -m build_scripts.cache.mkdocs_build", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config-file", required=True, type=Path)
    parser.add_argument("--docs-dir", required=True, type=Path)
    parser.add_argument("--site-dir", required=True, type=Path)
    parser.add_argument("--cache", required=True, type=Path, help="folder of cached conversions")
    parser.add_argument("--workers", type=int)
    args = parser.parse_args(argv)
    # As `mkdocs build --strict`: MkDocs' messages on stderr, from warnings up (--quiet hides
    # the warnings that stop a strict build; the curator needs to see them).
    logger = logging.getLogger("mkdocs")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    stream = logging.StreamHandler()
    stream.setLevel(logging.WARNING)
    stream.setFormatter(logging.Formatter("%(levelname)-8s-  %(message)s"))
    logger.addHandler(stream)
    # Other libraries' warnings (Python-Markdown's), shown as Python would show them unhandled:
    # the handler that notes warnings during a conversion would otherwise silence them.
    fallback = logging.StreamHandler()
    fallback.setLevel(logging.WARNING)
    logging.getLogger().addHandler(fallback)
    plugin = CachedConversions(args.cache, args.workers or os.cpu_count() or 1)
    try:
        build(args.config_file, args.docs_dir, args.site_dir, plugin)
    except Abort as error:
        print(f"mkdocs build --strict: {error}", file=sys.stderr)
        return 1
    finally:
        print(plugin.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
