"""A page that moves keeps its old URL through a redirect, so published-urls.txt stays valid."""
from build_scripts.package import build_package
from build_scripts.site import build_docs, build_site


def test_redirect_keeps_an_old_url(tiny_project):
    config = tiny_project.root / "mkdocs.yml"
    config.write_text(config.read_text().replace(
        "redirect_maps: {}", "redirect_maps:\n        old-areas-list.md: areas/index.md"), encoding="utf-8")
    build_package(tiny_project)
    build_docs(tiny_project)
    build_site(tiny_project)
    old = tiny_project.site / "old-areas-list" / "index.html"
    assert old.exists()
    text = old.read_text()
    assert 'http-equiv="refresh"' in text and "../areas/" in text
