"""Ground floor: the process pool that charts and cards render in, and a cold build validates in."""
from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from build_scripts.lock import pool_initializer


def render_pool(workers: int) -> ProcessPoolExecutor:
    """Workers started by a fork server, not forked from this process: once this process has
    rendered anything itself (vl-convert runs threads), a plain fork can copy a held lock and the
    child hangs. `make preview` and the tests render in-process and then in parallel. Each worker
    ends with this process and holds the build's processes lock (lock.join_build)."""
    initializer, initargs = pool_initializer()
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver"),
                               initializer=initializer, initargs=initargs)
