"""Escapers for every context where text reaches a page, and the Jinja environment that uses them.

The pages are Markdown files with HTML blocks in them, read by MkDocs. Text from the data
(labels as printed, register notes, glossary definitions, area names) must show as text in
both contexts, so every `{{ value }}` in a template passes through `markdown_text` by
construction (Jinja's `finalize` hook, with autoescaping on): HTML's special characters and
the characters that start Markdown syntax become character references, which Markdown
leaves alone and the browser shows as the characters themselves. The only way round it is
a `Markup` value, which only this module, Jinja macros and `tojson` make.

Other contexts have their own escaper: `url` for link targets, `anchor` for ids,
`front_matter` (a YAML serializer) for page metadata, Jinja's `tojson` for JSON-LD.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import yaml
from markupsafe import Markup, escape

# Characters that start Markdown (or attr_list, tables, emphasis, code, links) anywhere in a line.
_MARKDOWN_ANYWHERE = str.maketrans({c: f"&#{ord(c)};" for c in "\\`*_{}[]|~"})
# Characters that only matter at the start of a line: headings, lists, admonitions, rules.
_LINE_START = re.compile(r"(?:[#+\-=!:]|\d+(?=[.)](?:\s|$)))")
_WHITESPACE = re.compile(r"\s+")
_ANCHOR = re.compile(r"[a-z0-9][a-z0-9_-]*")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def markdown_text(value: Any) -> Markup:
    """Plain text -> text that shows as itself in Markdown and in HTML (element or attribute).

    Runs of white space, line breaks included, become one space: a line break in a label
    could otherwise start a Markdown block (a list, a heading, a table), and four spaces a
    code block. A space at either end is kept, so templates can join values with words."""
    if isinstance(value, Markup):
        return value
    text = _escape_characters(_WHITESPACE.sub(" ", str(value)))
    indent = len(text) - len(text.lstrip(" "))  # one space at most, after the line above
    match = _LINE_START.match(text, indent)
    if match:
        # Digits before "." or ")" would start a numbered list: escape the digit run's end instead.
        start = match.group(0)
        escaped = start[:-1] + f"&#{ord(start[-1])};" if start[0].isdigit() else f"&#{ord(start)};"
        text = text[:indent] + escaped + text[indent + len(start):]
    return Markup(text)


def _escape_characters(text: str) -> str:
    text = str(escape(text))  # & < > " '
    return text.translate(_MARKDOWN_ANYWHERE)


def finalize(value: Any) -> Markup:
    """Every `{{ expression }}` of every template ends here."""
    if value is None:
        raise ValueError("a template printed None: pass an empty string or leave the value out")
    return markdown_text(value)


def url(path: str) -> Markup:
    """A link target made by the build (relative path, optional #fragment), percent-encoded."""
    return Markup(quote(path, safe="/#.-_~"))


def absolute_url(address: str) -> Markup:
    """An absolute web address from the metadata (the site's home page): http(s) only, so a
    `javascript:` or `data:` address can never become a link."""
    if not re.match(r"https?://[^\s/]+", address):
        raise ValueError(f"not an http(s) address: {address!r}")
    return Markup(quote(address, safe=":/#.-_~%"))


def anchor(value: str) -> Markup:
    """An id for an element or a heading. Ids come from identifiers the schemas constrain; one
    that would need escaping is a bug, so it stops the build instead of being mangled."""
    if not _ANCHOR.fullmatch(value):
        raise ValueError(f"not a safe id for an anchor: {value!r}")
    return Markup(value)


def token(value: str) -> Markup:
    """A version number or similar token placed where nothing is escaped (a code block)."""
    if not _TOKEN.fullmatch(str(value)):
        raise ValueError(f"not a plain token: {value!r}")
    return Markup(value)


_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def base64_data(value: str) -> Markup:
    """Base64 data placed inside a data: URL in a <style> element, where character references
    mean nothing: only the base64 alphabet may pass."""
    if not _BASE64.fullmatch(str(value)):
        raise ValueError("not base64 data")
    return Markup(value)


def code_spans(value: str) -> Markup:
    """Plain text in which `backticks` mark identifiers: escaped, with the marked parts in <code>.
    The register and the schemas' descriptions use them for column names and codes."""
    text = markdown_text(value)
    parts = text.split("&#96;")  # backticks, as markdown_text escaped them
    if len(parts) % 2 == 0:  # an unpaired backtick: show the text as it is
        return text
    return Markup("").join(Markup("<code>{}</code>").format(Markup(part)) if index % 2 else Markup(part)
                           for index, part in enumerate(parts))


# The end of a sentence: a word (or a closing quote or bracket), then . ! or ?, maybe a closing quote or bracket, then a space.
SENTENCE_CLOSERS = (".", "!", "?", "\u2026", '"', "'", ")", "\u201d", "\u2019")
SENTENCE_END = re.compile(r"(?<=[\w\"')\u201d\u2019][.!?])[\"')\u201d\u2019]?\s")


def describe(text: str, limit: int = 160) -> str:
    """A meta description: whole sentences up to `limit` characters; failing that, the first
    sentence cut at a word, with an ellipsis."""
    text = _WHITESPACE.sub(" ", text).strip()
    if not text.endswith(SENTENCE_CLOSERS):
        text += "."
    if len(text) <= limit:
        return text
    best = ""
    for match in SENTENCE_END.finditer(text):
        if match.start() > limit:
            break
        if match.start() >= 20:  # "1." or "!!!" at the start is not a sentence worth showing
            best = text[: match.end()].strip()
    if best:
        return best
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:-\u2013")
    return cut + "\u2026"


def front_matter(meta: dict[str, Any]) -> str:
    """YAML front matter, written by the YAML serializer. Material for MkDocs inserts `title` and
    `description` into the page's HTML without escaping them, so they are HTML-escaped first."""
    safe = {key: str(escape(value)) if isinstance(value, str) else value for key, value in meta.items()}
    return "---\n" + yaml.safe_dump(safe, sort_keys=False, allow_unicode=True, width=1000) + "---\n"


def environment(templates: Path, **filters: Any) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=True,
        finalize=finalize,
    )
    env.filters.update(url=url, anchor=anchor, token=token, code_spans=code_spans, base64=base64_data, **filters)
    return env


# -- BibTeX and RIS (the cite box's downloads) ------------------------------------------------

_BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
                   "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CITATION_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?:/[A-Za-z0-9._~%/-]*)?(?:#[A-Za-z0-9_-]+)?")


class Verbatim(str):
    """A value already safe for a citation file (a checked URL): printed as it is."""


def bibtex_text(value: Any) -> str:
    """Plain text -> the inside of a braced BibTeX field: TeX's special characters escaped, so
    braces always balance and nothing runs as a command; one line."""
    if isinstance(value, Verbatim):
        return value
    text = _CONTROL.sub("", _WHITESPACE.sub(" ", str(value)).strip())
    return "".join(_BIBTEX_SPECIAL.get(c, c) for c in text)


def ris_text(value: Any) -> str:
    """Plain text -> one RIS value: RIS has no escapes, and a line break would end the tag, so
    white space (line breaks included) becomes one space and control characters go."""
    if isinstance(value, Verbatim):
        return value
    return _CONTROL.sub("", _WHITESPACE.sub(" ", str(value)).strip())


def citation_url(address: str) -> Verbatim:
    """A URL for a citation file: the site's own percent-encoded address, checked, never escaped
    (BibTeX's `url` field is verbatim)."""
    if not _CITATION_URL.fullmatch(str(address)):
        raise ValueError(f"not a plain http(s) address: {address!r}")
    return Verbatim(address)


def citation_environment(templates: Path, escape: Any) -> jinja2.Environment:
    """For BibTeX or RIS files: every printed value passes through `escape` (bibtex_text or
    ris_text), except a checked `citation_url`."""

    def finalize(value: Any) -> str:
        if value is None:
            raise ValueError("a template printed None: pass an empty string or leave the value out")
        return escape(value)

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)), undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, autoescape=False, finalize=finalize)
    env.filters.update(citation_url=citation_url)
    return env


def text_environment(templates: Path) -> jinja2.Environment:
    """For plain-text files (the zip's README.txt): nothing reads them as markup, so values are
    written as they are. Never use it for a page."""

    def plain(value: Any) -> Any:
        if value is None:
            raise ValueError("a template printed None: pass an empty string or leave the value out")
        return value

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
        finalize=plain,
    )
