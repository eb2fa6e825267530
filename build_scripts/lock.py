"""Ground floor: one build at a time in a project folder, and nothing left of one that was stopped.

`make site`, `make package`, `make docs` and each pass of `make preview` run inside
`build_lock`. It takes an exclusive flock(2) on `.build.lock` in the project folder and writes
the holder's process id and command there (for the message a second build prints while it
waits). The kernel releases a flock when its process ends, however it ends (SIGKILL included),
so a dead build's lock is broken by the kernel, at once and without a race: no build ever
reads a pid, finds it dead and deletes the file while another does the same.

The processes a build starts (worker pools, MkDocs and its workers) hold a shared flock on
`.build-processes.lock`, and a worker ends when the process that started it ends. A new build
takes that lock exclusively before it starts, so it waits until every process of a stopped
build has ended; only then does it delete what such a build left (sweep): staging folders,
old folders not yet deleted and half-written temporary files. A build that ends normally
empties `.build.lock`; one that finds it not empty knows the last build was stopped.
"""
from __future__ import annotations

import contextlib
import fcntl
import multiprocessing
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

LOCK_NAME = ".build.lock"
PROCESSES_LOCK_NAME = ".build-processes.lock"
# What a stopped build can leave in the project folder: its staging folders (package.stage,
# site.build_docs, site.make_site, release.freeze) and the old folders swap_in renames before
# deleting them.
STAGING_PREFIXES = (".datapackage-", ".docs-", ".site-", ".release-")
# Half-written files: every cache and in-place write goes to a temporary name, then is renamed.
TEMPORARY_MARKERS = (".tmp-", ".tmp")
# The path of the processes lock, for the worker pools started while a build holds it.
_PROCESSES_LOCK_ENV = "MAPPA_BUILD_PROCESSES_LOCK"
_held_processes_fd: list[int] = []


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextlib.contextmanager
def build_lock(root: Path, command: str, say: Callable[[str], None] = _say) -> Iterator[None]:
    """Hold the project's build lock for the `with` block, waiting (and saying so) while another
    build holds it; first remove what a stopped build left."""
    lock_fd = os.open(root / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    processes_fd = None
    try:
        if not _try_lock(lock_fd, fcntl.LOCK_EX):
            say(f"Waiting: another build is running in this project ({_holder(lock_fd)}). This one starts "
                "when it ends.")
            fcntl.flock(lock_fd, fcntl.LOCK_EX)
        processes_fd = os.open(root / PROCESSES_LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        if not _try_lock(processes_fd, fcntl.LOCK_EX):
            say("Waiting for the processes of a stopped build to end.")
            fcntl.flock(processes_fd, fcntl.LOCK_EX)
        stopped = os.fstat(lock_fd).st_size > 0
        # Only the holder of the build lock ever asks for this one exclusively, so the change to
        # shared (not atomic in flock) lets no one in.
        fcntl.flock(processes_fd, fcntl.LOCK_SH)
        sweep(root, stopped)
        os.ftruncate(lock_fd, 0)
        os.pwrite(lock_fd, f"pid {os.getpid()}, {command}, started {time.strftime('%H:%M:%S')}\n".encode(), 0)
        os.environ[_PROCESSES_LOCK_ENV] = str(root / PROCESSES_LOCK_NAME)
        _held_processes_fd.append(processes_fd)
        try:
            yield
        finally:
            _held_processes_fd.remove(processes_fd)
            os.environ.pop(_PROCESSES_LOCK_ENV, None)
            os.ftruncate(lock_fd, 0)  # ended, not stopped: nothing to sweep next time
    finally:
        if processes_fd is not None:
            os.close(processes_fd)
        os.close(lock_fd)


def _try_lock(fd: int, operation: int) -> bool:
    try:
        fcntl.flock(fd, operation | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _holder(lock_fd: int) -> str:
    text = os.pread(lock_fd, 200, 0).decode("utf-8", errors="replace").strip()
    return text or "just starting"


def sweep(root: Path, stopped: bool) -> None:
    """Delete the staging folders of a build that was stopped, and, when the last build was
    stopped (`stopped`), the old folders it had not yet deleted and its half-written temporary
    files. Old folders of a build that ended are left to the process deleting them (swap_in)."""
    for path in root.iterdir():
        if path.name.startswith(STAGING_PREFIXES) and path.is_dir() and not path.is_symlink() and \
                (stopped or "-old-" not in path.name):
            shutil.rmtree(path, ignore_errors=True)
        elif stopped and path.name.startswith(".") and ".tmp-" in path.name and path.is_file():
            path.unlink(missing_ok=True)
    if not stopped:
        return
    for folder in (root / ".cache", root / "docs"):
        if folder.is_dir() and not folder.is_symlink():
            for path in folder.rglob("*"):
                if (path.name.endswith(".tmp") or ".tmp-" in path.name) and path.is_file():
                    path.unlink(missing_ok=True)


def inherited_fds() -> tuple[int, ...]:
    """The descriptors a process the build starts must inherit (subprocess pass_fds), so that it
    holds the processes lock for as long as it runs."""
    return tuple(_held_processes_fd)


def pool_initializer() -> tuple[Callable[..., None], tuple[str | None]]:
    """(initializer, initargs) for a worker pool started now (workers.render_pool)."""
    return join_build, (os.environ.get(_PROCESSES_LOCK_ENV),)


_worker_lock: list[int] = []


def join_build(processes_lock: str | None) -> None:
    """In a new worker: end when the process that started it ends (a SIGKILLed build leaves no
    worker behind), and hold the processes lock while alive (the next build waits for it)."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        def end_with_parent() -> None:
            parent.join()
            os._exit(1)

        threading.Thread(target=end_with_parent, daemon=True).start()
    if processes_lock:
        fd = os.open(processes_lock, os.O_RDWR | os.O_CLOEXEC)
        fcntl.flock(fd, fcntl.LOCK_SH)
        _worker_lock.append(fd)
