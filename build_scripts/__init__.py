"""The build of the MAPPA statistics data package and site.

Read build.py first: the five steps in the order they run, inside one transaction. Then:

    steps/     the pipeline, one module per step, each with one entry function:
               load.py (1) -> package.py (2) -> charts.py (3) -> pages.py (4) -> site.py (5)
    inputs/    readers of what the steps read: the metadata files and schemas (metadata.py),
               the built package (dataset.py), the frozen releases (releases.py)
    checks/    what a schema cannot say: totals, rules across tables, the quality register,
               the corrections log
    render/    what turns values into bytes: escapers (markup.py), citations, the images'
               ground floor (images.py: font, frame, renderer), cards, glyph outlines, the tile
               map, the spreadsheet and the downloads
    cache/     the one cache key (keys.py), the page memo, MkDocs' conversion cache
    curator/   the curator's commands: new-report, compare-keyings, release, preview

On the ground floor: paths, errors, the build lock, the transaction, worker pools and what
keeps outputs byte-identical (reproducible.py). Lower floors never import from higher ones:
a step uses inputs, checks, render and cache, never another step's helpers
(tests/test_lint.py checks the imports).
"""

import os

# openpyxl writes with lxml when lxml is installed, and python-docx (make draft-report) brings
# it; the spreadsheet (render/spreadsheet.py) copies openpyxl's own writer's XML, so openpyxl must
# always use that writer. Set here, before anything of the build imports openpyxl.
os.environ["OPENPYXL_LXML"] = "False"
