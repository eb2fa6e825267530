"""The build of the MAPPA statistics data package and site.

Read build.py first: the five steps in the order they run, inside one transaction. Then:

    steps/     the pipeline, one module per step, each with one entry function:
               load.py (1) -> package.py (2) -> charts.py (3) -> pages/ (4) -> site.py (5);
               pages/ is a package, one module per kind of page
    inputs/    readers of what the steps read: the metadata files and schemas (metadata.py),
               the built package (dataset.py), the frozen releases (releases.py)
    checks/    what a schema cannot say: totals, rules across tables, the quality register,
               the corrections log
    render/    what turns values into bytes: escapers (markup.py), citations, the images'
               ground floor (images.py: font, frame, renderer), cards, glyph outlines, the tile
               map, the spreadsheet and the downloads
    cache/     the one cache key (keys.py), the page memo, MkDocs' conversion cache
    curator/   the curator's commands: draft-report (draft/), new-report, compare-keyings, release,
               preview

On the ground floor: paths, errors, the build lock, the transaction, worker pools and what
keeps outputs byte-identical (reproducible.py). Lower floors never import from higher ones:
a step uses inputs, checks, render and cache, never another step's helpers
(tests/test_lint.py checks the imports).
"""

import os as _os

# openpyxl writes its XML with lxml whenever lxml is installed (python-docx, for make
# draft-report, brings it), and lxml's bytes differ from the standard library's (`<x />` against
# `<x/>`): the spreadsheet download would change with what else happens to be installed. Every
# build writes it the one way, decided before anything imports openpyxl (render/spreadsheet.py
# checks that it was).
_os.environ["OPENPYXL_LXML"] = "False"
