"""Nothing in the data can break a page. A project in which every free-text field of every
curated and metadata file holds hostile or awkward text (HTML elements and attributes,
Markdown links to `javascript:`, attribute lists, quotes of every kind, colons, `---`, `|`,
backslashes, line-start Markdown, non-ASCII letters and emoji) builds, and the built site
has no live element, attribute or link that came from the data; every page's front matter
is strict YAML; every page has its own <title>.

Which fields are free text is read from the Table Schemas (a string with no enum and no
pattern beyond the anti-formula one, and not an identifier), so a field added later is
covered without changing this test."""
from __future__ import annotations

import csv
import html
import io
import itertools
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, REPO, copy_project

# A whole build of a copy of the project with hostile text.
pytestmark = pytest.mark.slow

# Each payload carries `data-pwned` or `alert(`: either in a live attribute or script is a failure.
PAYLOADS = [
    '<script data-pwned>alert("pwned")</script>',
    '<img src=x onerror="alert(1)" data-pwned>',
    "[click me](javascript:alert('md'))",
    '<a href="javascript:alert(2)" data-pwned>a link</a>',
    '{: #hijack data-pwned onclick="alert(3)" }',
    "<svg/onload=alert(4)><iframe src=javascript:alert(5)></iframe>",
    "\"double\" 'single' \u201ccurly\u201d \u2018curly\u2019 \u00abguillemets\u00bb `tick` ``two``",
    "colon: value --- | pipe | back\\slash \\* **strong** __under__ ~~gone~~ &amp; &lt;b&gt; &#60;i&#62;",
    "\u00dcn\u00efc\u00f6d\u00e9 \u0174ales \u2713 \U0001F642",
]
# Control and invisible characters (a NUL, a right-to-left override) never reach a page: the
# build refuses them at load (tests/test_load_errors.py, UNSEEN).
# Text that means something at the start of a line in Markdown or YAML.
PREFIXES = ["", "# ", "- ", "1. ", "!!! danger \"x\"\n    ", "---\n", "> ", "| a | b |\n| --- | --- |\n", "    ",
            "title: x\n", "{% raw %}{{ x }}"]
# CSV inputs refuse a line break inside a cell (it is almost always an unclosed quote).
ONE_LINE_PREFIXES = ["", "# ", "- ", "1. ", "> ", "| a | b | ", "    ", "--- ", "{{ x }} "]
ANTI_FORMULA = "[^=+@"

SCHEMA_OF = {
    "curated/reports.csv": "reports",
    "metadata/areas.csv": "areas",
    "metadata/measures.csv": "measures",
}


class Hostile:
    """Hands out hostile strings, each different (names must stay unique) and numbered."""

    def __init__(self):
        self.count = itertools.count(1)

    def __call__(self, one_line: bool = False) -> str:
        n = next(self.count)
        prefixes = ONE_LINE_PREFIXES if one_line else PREFIXES
        prefix = prefixes[n % len(prefixes)]
        return f"{prefix}H{n} " + " ".join(PAYLOADS[(n + i) % len(PAYLOADS)] for i in range(4))


def free_text_fields(schema: dict) -> list[str]:
    names = []
    for spec in schema["fields"]:
        constraints = spec.get("constraints", {})
        pattern = constraints.get("pattern", "")
        if (spec.get("type", "string") == "string" and "enum" not in constraints
                and (not pattern or pattern.startswith(ANTI_FORMULA)) and not spec["name"].endswith("_id")
                and spec["name"] not in ("replaced", "replaced_by")):
            names.append(spec["name"])
    return names


def rewrite_csv(path: Path, fields: list[str], hostile: Hostile, one_line: bool) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = reader.fieldnames, list(reader)
    changed = 0
    for row in rows:
        for name in fields:
            row[name] = hostile(one_line)
            changed += 1
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return changed


def load_schema(root: Path, name: str) -> dict:
    return yaml.safe_load((root / "metadata" / "schemas" / f"{name}.yaml").read_text(encoding="utf-8"))


def make_hostile_project(root: Path) -> int:
    """Rewrite every free-text field of the project at root. Returns how many were rewritten."""
    hostile = Hostile()
    changed = 0
    for rel, schema in SCHEMA_OF.items():
        changed += rewrite_csv(root / rel, free_text_fields(load_schema(root, schema)), hostile, one_line=True)
    report_fields = free_text_fields(load_schema(root, "curated-report"))
    for path in sorted((root / "curated" / "reports").glob("*.csv")):
        changed += rewrite_csv(path, report_fields, hostile, one_line=True)

    glossary_path = root / "metadata" / "glossary.yaml"
    glossary = yaml.safe_load(glossary_path.read_text(encoding="utf-8"))
    for term in glossary:
        for name in free_text_fields(load_schema(root, "glossary")):
            if name == "printed_as":
                term[name] = [hostile(), hostile()]
            elif name != "abbreviation" or term.get(name):
                term[name] = hostile()
            changed += 1
    glossary_path.write_text(yaml.safe_dump(glossary, allow_unicode=True), encoding="utf-8")

    quality_fields = free_text_fields(load_schema(root, "quality"))
    entry = {"quality_id": "hostile-entry", "report_id": "staffordshire-2023-24", "measure_id": "shpo",
             "kind": "other", "check": {"present": {"observations": {"measure_id": "shpo"}}}}
    entry.update({name: hostile() for name in quality_fields})
    changed += len(quality_fields)
    (root / "metadata" / "quality-register.yaml").write_text(yaml.safe_dump([entry], allow_unicode=True),
                                                              encoding="utf-8")

    package_path = root / "metadata" / "package.yaml"
    package = yaml.safe_load(package_path.read_text(encoding="utf-8"))
    package.update(title=hostile(), description=hostile(), publisher=hostile(), keywords=[hostile(), hostile()])
    for key in ("contributors", "sources", "licenses"):
        for item in package[key]:
            item["title"] = hostile()
    changed += 9
    package_path.write_text(yaml.safe_dump(package, allow_unicode=True), encoding="utf-8")

    for path in sorted((root / "metadata" / "schemas").glob("*.yaml")):
        schema = yaml.safe_load(path.read_text(encoding="utf-8"))
        schema["title"], schema["description"] = hostile(), hostile()
        for spec in schema["fields"]:
            spec["title"], spec["description"] = hostile(), hostile()
            changed += 2
        path.write_text(yaml.safe_dump(schema, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return changed


class LiveMarkup(HTMLParser):
    """Collects whatever would be live in a browser: elements, attributes, script bodies, text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.titles: list[str] = []  # the page's <title>s (an SVG's <title> names a shape, not the page)
        self.text: list[str] = []
        self._in: str | None = None
        self._svg = 0

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name == "data-pwned" or name.startswith("on"):
                self.problems.append(f"<{tag}> has a live attribute {name}")
            if name in ("href", "src", "action", "formaction", "xlink:href") and value.startswith(
                    ("javascript:", "vbscript:", "data:text")):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name == "id" and value == "hijack":
                self.problems.append(f"<{tag}> got an id from the data")
        if tag in ("iframe", "object", "embed", "frame"):
            self.problems.append(f"a live <{tag}> element")
        self._svg += tag == "svg"
        self._in = tag if tag in ("script", "title", "style") else None
        if tag == "title" and self._svg:
            self._in = "svg-title"
        if tag == "script" and dict(attrs).get("type") == "application/ld+json":
            self._in = "json-ld"

    def handle_endtag(self, tag):
        self._svg -= tag == "svg"
        self._in = None

    def handle_data(self, data):
        if self._in == "json-ld":
            json.loads(data)  # data reach JSON-LD as JSON strings, which a browser never runs
        elif self._in in ("script", "style") and ("alert(" in data or "pwned" in data):
            self.problems.append(f"a live <{self._in}> holds text from the data: {data[:80]!r}")
        elif self._in == "title":
            self.titles.append(data.strip())
        else:
            self.text.append(data)


def parse_html(text: str) -> LiveMarkup:
    parser = LiveMarkup()
    parser.feed(text)
    parser.close()
    return parser


class UniqueKeyLoader(yaml.SafeLoader):
    """A strict YAML loader: safe types only, and a key given twice is an error."""

    def construct_mapping(self, node, deep=False):
        keys = [self.construct_object(k, deep=deep) for k, _ in node.value]
        if len(keys) != len(set(keys)):
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key in {keys}", node.start_mark)
        return super().construct_mapping(node, deep=deep)


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    from build_scripts.build import build_docs, build_package, build_site

    root = tmp_path_factory.mktemp("hostile") / "project"
    paths = copy_project(root, inputs=["metadata", "templates", "theme", "mkdocs.yml", "CHANGELOG.md"])
    import shutil

    shutil.copytree(FIXTURES / "tiny", root, dirs_exist_ok=True)
    shutil.copyfile(REPO / "metadata" / "glossary.yaml", root / "metadata" / "glossary.yaml")  # every term
    changed = make_hostile_project(root)
    assert changed > 100
    build_package(paths)
    build_docs(paths)
    build_site(paths)  # mkdocs build --strict: no warning either
    return paths


def test_no_live_markup_from_the_data_on_any_page(hostile_build):
    pages = sorted(hostile_build.site.rglob("*.html"))
    assert len(pages) > 30
    problems = []
    shown_as_text = 0
    for page in pages:
        parsed = parse_html(page.read_text(encoding="utf-8"))
        problems += [f"{page.relative_to(hostile_build.site)}: {p}" for p in parsed.problems]
        text = "".join(parsed.text)
        shown_as_text += text.count("<script data-pwned>")
    assert problems == []
    # The hostile text is shown, as text, not dropped.
    assert shown_as_text > 50


def test_the_hostile_text_reads_back_exactly(hostile_build):
    """Escaping changes nothing a reader sees: the area name as shown is the name as written
    (white space aside), brackets, quotes, backslashes and emoji included."""
    with (hostile_build.root / "metadata" / "areas.csv").open(encoding="utf-8") as handle:
        name = next(r["name"] for r in csv.DictReader(handle) if r["area_id"] == "staffordshire")
    page = (hostile_build.site / "areas" / "staffordshire" / "index.html").read_text(encoding="utf-8")
    h1 = re.search(r"<h1[^>]*>(.*?)<a class=\"headerlink\"|<h1[^>]*>(.*?)</h1>", page, re.S)
    shown = html.unescape(re.sub(r"<[^>]+>", "", h1.group(1) or h1.group(2)))
    assert " ".join(shown.split()) == " ".join(name.split())


def test_every_page_has_strict_yaml_front_matter_and_its_own_title(hostile_build):
    titles = {}
    for md in sorted(hostile_build.docs.rglob("*.md")):
        text = md.read_text(encoding="utf-8")
        assert text.startswith("---\n"), md
        meta = yaml.load(text[4:text.index("\n---\n", 4)], Loader=UniqueKeyLoader)  # noqa: S506 - a safe loader
        assert isinstance(meta["title"], str) and meta["title"], md
        description = html.unescape(meta["description"])
        assert 20 <= len(description) <= 160, (md, description)
        assert description.endswith((".", "!", "?", "\u2026", '"', "'", ")", "\u201d", "\u2019")), (md, description)
        html_file = hostile_build.site / md.relative_to(hostile_build.docs).with_suffix(".html")
        if md.name == "index.md":
            html_file = html_file.with_name("index.html")
        parsed = parse_html(html_file.read_text(encoding="utf-8"))
        assert len(parsed.titles) == 1, html_file
        titles[md] = parsed.titles[0]
        assert not parsed.titles[0].startswith("Index - "), html_file
        # Front matter that MkDocs could not read would be printed at the top of the page.
        assert "description: " + description[:20] not in "".join(parsed.text), html_file
    assert len(set(titles.values())) == len(titles), "two pages share a <title>"


def test_charts_hold_no_live_markup(hostile_build):
    svgs = sorted(hostile_build.site.rglob("*.svg"))
    assert svgs
    for svg in svgs:
        root = ET.fromstring(svg.read_text(encoding="utf-8"))  # well-formed XML
        for element in root.iter():
            assert not element.tag.endswith(("script", "foreignObject")), svg
            assert not [a for a in element.attrib if a.lower().startswith("on") or a == "data-pwned"], svg


def test_search_index_holds_no_live_markup(hostile_build):
    index = json.loads((hostile_build.site / "search" / "search_index.json").read_text(encoding="utf-8"))
    problems = []
    for doc in index["docs"]:
        for key in ("title", "text"):
            problems += [f"{doc['location']}: {p}" for p in parse_html(doc.get(key, "")).problems]
    assert problems == []
