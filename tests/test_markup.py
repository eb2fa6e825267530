"""The escapers: exact outputs for tiny inputs, one test per context (Markdown and HTML text,
link targets, ids, front matter, meta descriptions), and the template environment using them."""
import jinja2
import pytest
import yaml
from markupsafe import Markup

from build_scripts.render.markup import (
    absolute_url,
    anchor,
    code_spans,
    describe,
    environment,
    front_matter,
    markdown_text,
    token,
    url,
)


@pytest.mark.parametrize("text, escaped", [
    ("Staffordshire", "Staffordshire"),
    ("Leicester, Leicestershire and Rutland", "Leicester, Leicestershire and Rutland"),
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ('"double" \'single\'', "&#34;double&#34; &#39;single&#39;"),
    ("[link](javascript:alert(1))", "&#91;link&#93;(javascript:alert(1))"),
    ("Level 1 {: #id onclick=x }", "Level 1 &#123;: #id onclick=x &#125;"),
    ("a | b \\ c", "a &#124; b &#92; c"),
    ("*bold* _em_ `code` ~x~", "&#42;bold&#42; &#95;em&#95; &#96;code&#96; &#126;x&#126;"),
    ("R&D", "R&amp;D"),
    ("# heading", "&#35; heading"),
    ("- item", "&#45; item"),
    ("+ item", "&#43; item"),
    ("!!! danger", "&#33;!! danger"),
    ("12. item", "1&#50;. item"),
    ("1) item", "&#49;) item"),
    ("1.0.0", "1.0.0"),
    ("2014-15", "2014-15"),
    ("first line\n---\n\nsecond\tline ", "first line --- second line "),
    (" # still a heading", " &#35; still a heading"),
    ("\n    - a list after four spaces", " &#45; a list after four spaces"),
    ("Ünïcödé ✓ 🙂 “curly” «guillemets»", "Ünïcödé ✓ 🙂 “curly” «guillemets»"),
])
def test_markdown_text(text, escaped):
    assert markdown_text(text) == escaped
    assert isinstance(markdown_text(text), Markup)


def test_markup_passes_through_unchanged():
    assert markdown_text(Markup("<b>ours</b>")) == "<b>ours</b>"


def test_code_spans_mark_identifiers_and_escape_the_rest():
    assert code_spans("Published under `custody_breach_order` <b>") == (
        "Published under <code>custody&#95;breach&#95;order</code> &lt;b&gt;")
    assert code_spans("an unpaired ` backtick") == "an unpaired &#96; backtick"
    assert code_spans("`<img src=x onerror=alert(1)>`") == "<code>&lt;img src=x onerror=alert(1)&gt;</code>"


def test_link_targets_ids_and_tokens():
    assert url("../glossary/shpo/index.md#cite") == "../glossary/shpo/index.md#cite"
    assert url('a b"<c>(d)') == "a%20b%22%3Cc%3E%28d%29"
    assert absolute_url("https://example.org/x y/") == "https://example.org/x%20y/"
    for bad in ("javascript:alert(1)", "data:text/html,x", "//example.org/"):
        with pytest.raises(ValueError):
            absolute_url(bad)
    assert anchor("custody_breach_order") == "custody_breach_order"
    with pytest.raises(ValueError):
        anchor("x } onclick=alert(1) {")
    assert token("1.0.0") == "1.0.0"
    with pytest.raises(ValueError):
        token('1"; import os')


def test_front_matter_is_yaml_with_html_escaped_text():
    text = front_matter({"title": '"Offenders" and "individuals": glossary',
                         "description": "a: b --- <script>", "search": {"exclude": True}})
    assert text.startswith("---\n") and text.endswith("\n---\n")
    assert yaml.safe_load(text[4:-4]) == {
        "title": "&#34;Offenders&#34; and &#34;individuals&#34;: glossary",
        "description": "a: b --- &lt;script&gt;", "search": {"exclude": True}}


@pytest.mark.parametrize("text, description", [
    ("Short and whole.", "Short and whole."),
    ("A title with no full stop", "A title with no full stop."),
    ("One sentence here. " * 3 + "A " + "very " * 40 + "long sentence.",
     "One sentence here. One sentence here. One sentence here."),
    ('Older reports say "offenders." Newer reports say "individuals" or "people", and this sentence goes on '
     "for quite a while longer, past the limit of a meta description.",
     'Older reports say "offenders."'),
    ("word " * 60, ("word " * 31).strip() + "\u2026"),
])
def test_descriptions_end_at_a_sentence_or_a_word(text, description):
    assert describe(text) == description
    assert len(describe(text)) <= 160


def test_environment_escapes_every_expression(tmp_path):
    (tmp_path / "page.md.j2").write_text(
        "{% macro bold(x) %}<b>{{ x }}</b>{% endmacro %}"
        "{{ name }} {{ [name, 'b']|join(', ') }} {{ bold(name) }} [{{ name }}]({{ target|url }})", encoding="utf-8")
    env = environment(tmp_path)
    out = env.get_template("page.md.j2").render(name="<i>[x]</i>", target="a b")
    assert out == ("&lt;i&gt;&#91;x&#93;&lt;/i&gt; &lt;i&gt;&#91;x&#93;&lt;/i&gt;, b "
                   "<b>&lt;i&gt;&#91;x&#93;&lt;/i&gt;</b> [&lt;i&gt;&#91;x&#93;&lt;/i&gt;](a%20b)")
    (tmp_path / "none.md.j2").write_text("{{ nothing }}", encoding="utf-8")
    with pytest.raises(ValueError):
        env.get_template("none.md.j2").render(nothing=None)
    with pytest.raises(jinja2.UndefinedError):
        env.get_template("none.md.j2").render()


def test_templates_never_bypass_the_escaper():
    """`|safe`, `|e`/`|escape` (HTML-only) and `Markup(` in a template would let text skip the
    Markdown escaping; `autoescape false` would turn it off."""
    from conftest import REPO

    offenders = []
    for template in (REPO / "templates").glob("*.j2"):
        text = template.read_text(encoding="utf-8")
        for needle in ("|safe", "| safe", "|e ", "|e}", "|escape", "| e ", "autoescape false", "Markup("):
            if needle in text:
                offenders.append(f"{template.name}: {needle}")
    assert offenders == []
