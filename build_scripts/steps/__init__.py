"""The pipeline, one module per step, in the order build.py runs them: load, package, charts,
pages, site. Each has one entry function; a step reads the one before it only through what
build.py hands it."""
