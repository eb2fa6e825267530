"""Ground floor: the build's few uses of libraries' private interfaces, each kept for speed.

Each use is named here with the exact versions it was written and tested against. `usable(use)`
says whether the installed versions are those; when they are not (an upgrade, or the stack's
move to ProperDocs or Zensical), the caller takes the library's public, stock path instead:
slower, the same bytes (each use's tests compare the two paths). `MAPPA_STOCK_PATHS=1` in the
environment takes the stock paths always, to compare or to rule a fast path out.

- "mkdocs conversion cache" (cache/mkdocs_build.py): replaces `Page.render` while MkDocs builds,
  sets `Page._title_from_render`, and calls `mkdocs.commands.build._populate_page` in forked
  workers. Stock path: MkDocs' own `build()`, unpatched.
- "preview page rebuild" (curator/preview.py): rebuilds one page with `_populate_page` and
  `_build_page`, and tells browsers to reload early through LiveReloadServer's `_epoch_cond`,
  `_wanted_epoch` and `_visible_epoch`. Stock path: a whole MkDocs build after each save, and
  the reload when it ends.
- "spreadsheet rows" (render/spreadsheet.py): writes each distinct cell with
  `openpyxl.cell._writer.write_cell` and copies its XML. Stock path: every cell through
  openpyxl's public Worksheet and ExcelWriter.
- "requests on demand" (theme/assets/javascripts/search-on-demand.js, in the reader's browser):
  holds back the request Material's bundle makes for the search index until the reader goes to
  the search, and drops its request for the site map, made for a language selector we do not
  have. It knows the bundle by its file name (a hash of its content), so the check is made in
  the browser: with any other bundle it does nothing. Stock path: Material loads both at once.
"""
from __future__ import annotations

import os
from importlib import metadata

WRITTEN_FOR: dict[str, dict[str, str]] = {
    "mkdocs conversion cache": {"mkdocs": "1.6.1", "Markdown": "3.11.3", "mkdocs-material": "9.8.1",
                                "pymdown-extensions": "13.1"},
    "preview page rebuild": {"mkdocs": "1.6.1"},
    "spreadsheet rows": {"openpyxl": "3.1.5"},
    "requests on demand": {"mkdocs-material": "9.8.1"},
}
STOCK_ONLY = "MAPPA_STOCK_PATHS"


def installed(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def why_not(use: str) -> str | None:
    """Why the fast path of `use` is not taken, in words, or None when it is."""
    if os.environ.get(STOCK_ONLY) == "1":
        return f"{STOCK_ONLY}=1"
    wrong = [f"{name} {installed(name) or 'not installed'} (written for {wanted})"
             for name, wanted in WRITTEN_FOR[use].items() if installed(name) != wanted]
    return ", ".join(wrong) or None


def usable(use: str) -> bool:
    return why_not(use) is None
