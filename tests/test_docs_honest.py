"""The docs say only what is so: every command they give exists and runs (as make reads it),
every file they name is in the project, every number they state about the code is the code's,
and the README's measurements are the ones benchmarks/results/ holds."""
from __future__ import annotations

import inspect
import json
import re
import shlex
import subprocess
import sys

import pytest
from conftest import REPO

from build_scripts import errors, reproducible
from build_scripts.inputs import metadata
from build_scripts.steps import load

# What a maintainer or curator reads for instructions.
DOCS = ["README.md", "curated/README.md", "mkdocs.yml", "Makefile", "CHANGELOG.md", ".github/workflows/ci.yml",
        ".github/workflows/release.yml"]
# Names in the docs that are not files of the repository, and why.
NOT_IN_THE_REPOSITORY = {
    ".cache/": "the build's cache, made by make site",
    ".cache/cards/": "the build's cache, made by make site",
    ".cache/mkdocs/": "the build's cache, made by make site",
    ".cache/pages": "the build's cache, made by make site",
    ".cache/validated": "the build's cache, made by make site",
    ".venv/": "the virtualenv, made by make",
    "site/": "the built site, made by make site",
    "areas/tile-map.png": "an image the build draws in docs/, not committed",
    "areas/tile-map.svg": "an image the build draws in docs/, not committed",
    "README.txt": "the file inside the download zip (build_scripts/render/downloads.py)",
    "actions/cache": "a GitHub action, pinned in .github/workflows/ci.yml",
    "keying/norfolk-2024-25.csv": "the guide's example of a second keying (keying/ is ignored by git)",
    "curated/reports/norfolk-2024-25.csv": "the guide's example of a new report",
}
BACKTICKED = re.compile(r"`([^`\s]+)`")
PATH_LIKE = re.compile(r"^(?:\.?[\w.-]+/)+[\w.-]*$|^[\w.-]+\.(?:py|csv|yaml|yml|json|txt|md|cff|j2|in|toml)$")
# Paths written without backticks, in comments of the configuration files.
BARE_PATH = re.compile(r"\b((?:tests|build_scripts|benchmarks|metadata|templates|theme|curated)/[\w./-]+\.\w+)")


def repository_names() -> set[str]:
    listed = subprocess.run(["git", "-C", str(REPO), "ls-files", "--cached", "--others", "--exclude-standard"],
                            capture_output=True, text=True, check=True).stdout.split()
    names = set(listed)
    for name in listed:
        parts = name.split("/")[:-1]
        names.update("/".join(parts[:i + 1]) + "/" for i in range(len(parts)))
    return names


def named_paths(text: str, file: str) -> set[str]:
    found = {token.rstrip(".,:;") for token in BACKTICKED.findall(text)}
    found = {t for t in found if PATH_LIKE.match(t) and not t.startswith(("http", "/"))}
    if file in ("mkdocs.yml", "Makefile") or file.startswith(".github/"):
        found |= set(BARE_PATH.findall(text))
    return found


def test_every_file_the_docs_name_is_in_the_project():
    """A name may be short (`load.py`, `schemas/`) where the text says where it is: it must then
    be the end of a path in the repository."""
    names = repository_names()
    missing = []
    for file in DOCS:
        for path in named_paths((REPO / file).read_text(encoding="utf-8"), file):
            if path in NOT_IN_THE_REPOSITORY:
                continue
            if not any(name == path or name.endswith("/" + path) for name in names):
                missing.append(f"{file}: `{path}`")
    assert not missing, "named in the docs but not in the project:\n" + "\n".join(missing)


def test_the_exceptions_are_still_named():
    """An exception no document names any more is deleted, not left to excuse a future slip."""
    text = "".join((REPO / file).read_text(encoding="utf-8") for file in DOCS)
    assert not [name for name in NOT_IN_THE_REPOSITORY if name not in text]


def test_the_path_finder_finds_a_missing_file():
    assert named_paths("see `tests/test_nothing.py` and `x`", "README.md") == {"tests/test_nothing.py"}
    assert named_paths("# Must equal (tests/test_nothing.py checks)", "mkdocs.yml") == {"tests/test_nothing.py"}


def make_targets() -> set[str]:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][\w-]*):", makefile, re.M))


def documented_make_commands() -> list[tuple[str, str]]:
    """Every `make …` in backticks or a code block of the docs, as typed."""
    commands = []
    for file in DOCS + ["templates/data.md.j2"]:
        text = (REPO / file).read_text(encoding="utf-8")
        blocks = re.findall(r"```(?:sh|console)?\n(.*?)```", text, re.S)
        lines = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
        for command in BACKTICKED.findall(text) + re.findall(r"`(make [^`]+)`", text) + lines:
            command = command.split("&&")[0].strip().rstrip("\\")
            if command.startswith("make ") and "…" not in command and "<" not in command:
                commands.append((file, command))
    return sorted(set(commands))


def test_every_make_command_in_the_docs_is_a_target():
    targets = make_targets()
    commands = documented_make_commands()
    assert ("README.md", "make site") in commands and ("README.md", "make test") in commands
    unknown = [f"{file}: {command}" for file, command in commands
               if command.split()[1] not in targets]
    assert not unknown, "\n".join(unknown)


@pytest.mark.parametrize("command", sorted({c for _, c in documented_make_commands()}))
def test_every_make_command_in_the_docs_runs_as_make_reads_it(command):
    """`make -n` expands the command as make would run it (variables, quoting) without running
    it. What the commands then do is tested where they are used: the whole build and its tests
    (test_curator_workflow.py runs the curator's commands on a copy of the project)."""
    words = shlex.split(command)[1:]
    result = subprocess.run(["make", "--no-print-directory", "-n", *words], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "No rule to make target" not in result.stderr


# Numbers the README states about the code, each beside the value it states.
def stated_numbers() -> list[tuple[str, object, object]]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    zip_level = inspect.signature(reproducible.deterministic_zip).parameters["level"].default
    levels = {int(n) for n in re.findall(r"deflate level (\d)", readme)}
    return [
        ("the deflate level of every zip", levels, {zip_level}),
        ("the largest input file", re.search(r"is over (\d+) MiB", readme).group(1),
         str(metadata.MAX_INPUT_BYTES // (1024 * 1024))),
        ("YAML's deepest nesting", re.search(r"nesting over (\d+) deep", readme).group(1), str(metadata.MAX_YAML_DEPTH)),
        ("a message's longest excerpt", re.search(r"at most a (\d+)-character escaped excerpt", readme).group(1),
         str(errors.EXCERPT_LIMIT)),
        ("files checked on every core from", re.search(r"with\s+(\d+) or more files not yet checked", readme).group(1),
         str(load.PARALLEL_VALIDATION_FROM)),
    ]


@pytest.mark.parametrize("claim, stated, actual", stated_numbers(), ids=[c[0] for c in stated_numbers()])
def test_a_number_the_readme_states_is_the_codes(claim, stated, actual):
    assert stated == actual, claim


def test_the_readme_says_the_r_example_is_not_run():
    """tests/test_clients.py runs the Python and DuckDB examples; there is no R where the tests run."""
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    assert "The R example is **not run**" in readme
    assert "runs all but the R one (not run" in readme
    # Were R run one day, the README would have to change with it.
    assert "Rscript" not in (REPO / "tests" / "test_clients.py").read_text(encoding="utf-8")


def test_the_benchmark_table_is_made_from_the_saved_measurements():
    """The README's table of measurements is exactly what benchmarks/table.py makes of
    benchmarks/results/ (regenerate it with `python benchmarks/table.py --write`)."""
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "table.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_benchmark_table_shows_a_measurement_as_saved(tmp_path):
    sys.path.insert(0, str(REPO / "benchmarks"))
    import table

    record = {"measured": {"date": "2026-01-02", "commit": "0123456789abcdef", "uncommitted_changes": False,
                           "cores": 2, "memory_gib": 24, "python": "3.11.9"},
              "area_years": 1050, "pages": 1126, "cold_build_s": 115.84, "cold_vs_bare_mkdocs": 5.49,
              "rebuild_one_s": 12.41, "rebuild_vs_bare_mkdocs": 0.588, "rebuild_stages_s": {"mkdocs_s": 7.6},
              "bare_mkdocs_s": 21.1, "preview_one_s": 0.648, "repo_bytes_one_report": 2890, "peak_rss_mb": 835.6,
              "first_visit_gzip_bytes": 125766, "first_search_gzip_bytes": 61629}
    (tmp_path / "area-years-1050.json").write_text(json.dumps(record), encoding="utf-8")
    assert table.table(tmp_path) == (
        table.BEGIN
        + "Measured by `make bench AREA_YEARS=…` (`1050`) on 2 cores, 24 GiB, Python 3.11.9, at commit 0123456 "
          "(2026-01-02):\n\n"
        + table.HEADER
        + "| 1,050 | 1,126 | 115.8 s (5.5× stock MkDocs) | 12.4 s (0.59×) | 7.6 s | 21.1 s | 0.65 s | 2,890 bytes "
          "| 836 MB | 125,766 bytes | 61,629 bytes |\n"
        + table.END)
