"""The pipeline, one module per step, in the order build.py runs them: load, package, charts,
pages, site. Each has one entry function; a step reads the one before it only through what
build.py hands it. The pages step is a package (pages/, one module per kind of page), whose
modules import each other; no step imports another (tests/test_lint.py)."""
