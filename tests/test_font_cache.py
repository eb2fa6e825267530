"""Font subsets are kept between builds: the charts step points the images' ground floor at the
cache (render/images.py), where cards and the tile map find them too."""
from build_scripts.render import images
from build_scripts.steps.charts import render_jobs


def test_the_charts_step_keeps_font_subsets_in_the_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(images, "FONT_CACHE", None)
    render_jobs([], tmp_path / "docs", tmp_path / "cache" / "charts")
    assert images.FONT_CACHE == tmp_path / "cache" / "fonts"
    images.font_data.cache_clear()
    data = images.font_data("normal", "MAPPA")
    assert [p.read_text(encoding="ascii") for p in (tmp_path / "cache" / "fonts").iterdir()] == [data]
