"""Text shaped by HarfBuzz and drawn as glyph outlines (build_scripts/render/outline.py): the glyphs
HarfBuzz chooses (Lato's ligatures), where it puts them (Lato's kerning), outlined as HarfBuzz itself
draws them; and PNGs drawn from them are the pictures resvg draws from the text itself: the same
glyphs in the same places, to within a quarter of a pixel's coverage at an edge here and there."""
from __future__ import annotations

import re
import struct
import zlib

import pytest
import uharfbuzz
from fontTools.pens.recordingPen import RecordingPen
from fontTools.pens.transformPen import TransformPen
from fontTools.svgLib.path import parse_path
from fontTools.ttLib import TTFont

from build_scripts.render.images import FONT_FAMILY, FONT_FILES, converter, outline_text
from build_scripts.render.outline import Face, Glyph, Shaped


def pixels(png: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and rows (RGBA bytes) of an 8-bit RGBA PNG, as vl-convert writes them."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, data, width, height = 8, b"", 0, 0
    while pos < len(png):
        (length,), kind = struct.unpack(">I", png[pos:pos + 4]), png[pos + 4:pos + 8]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", png[pos + 8:pos + 18])
            assert (depth, colour) == (8, 6)
        elif kind == b"IDAT":
            data += png[pos + 8:pos + 8 + length]
        pos += 12 + length
    raw, stride, rows, previous = zlib.decompress(data), width * 4, [], bytearray(width * 4)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - 4] if i >= 4 else 0
            b = previous[i]
            c = previous[i - 4] if i >= 4 else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, rows


def differences(first: bytes, second: bytes) -> list[int]:
    """The largest channel difference of each pixel that differs."""
    w1, h1, rows1 = pixels(first)
    w2, h2, rows2 = pixels(second)
    assert (w1, h1) == (w2, h2)
    found = []
    for row1, row2 in zip(rows1, rows2, strict=True):
        if row1 != row2:
            for x in range(0, len(row1), 4):
                d = max(abs(row1[x + k] - row2[x + k]) for k in range(4))
                if d:
                    found.append(d)
    return found


def svg(body: str, width: int = 330, height: int = 150) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"><rect width="100%" height="100%" fill="white"/>{body}</svg>')


SAMPLE = svg(
    f'<text x="8" y="23" font-family="{FONT_FAMILY}" font-size="15" font-weight="bold" fill="#1b1b1b">'
    'Notification Orders: AVA, To, Wa, fly &amp; fit</text>'
    f'<g transform="translate(120,40)"><text text-anchor="end" transform="translate(-6,14.5)" font-family="Lato" '
    'font-size="12px" fill="#1b1b1b" opacity="1"><tspan>Leicester,</tspan><tspan x="0" dy="14">Rutland '
    '(2023\u201324)</tspan></text>'
    '<text aria-label="x" role="graphics-symbol" aria-roledescription="text mark" text-anchor="start" '
    'transform="translate(42.93,14.5)" font-family="Lato" font-size="12px" fill="#1b1b1b">1,750 not applicable'
    '</text></g>'
    '<text x="165" y="110" text-anchor="middle" font-family="Lato" font-size="11" fill="#595959">'
    'Ynys M\u00f4n \u2018caf\u00e9\u2019 \u00bd \u2026 it&#39;s</text>'
    '<text x="8" y="140" font-family="Lato" font-size="30" font-weight="bold" fill="#1f4e79">9,999</text>')


def test_outlined_text_draws_the_same_picture():
    outlined = outline_text(SAMPLE)
    # Six lines, each a group of its glyphs' outlines: no text is left for resvg to lay out.
    assert "<text" not in outlined and outlined.count(" scale(") == 6
    vlc = converter()
    for scale in (1, 2):
        found = differences(vlc.svg_to_png(SAMPLE, scale=scale), vlc.svg_to_png(outlined, scale=scale))
        # A glyph edge lands a hair's breadth apart (float rounding) on a few pixels at most.
        assert len(found) <= 40 and max(found, default=0) <= 64, (scale, len(found), max(found, default=0))


def test_lines_are_shaped_with_lato_ligatures_and_kerning():
    face = Face(FONT_FILES["normal"])
    advances = {name: width for name, (width, _) in TTFont(FONT_FILES["normal"])["hmtx"].metrics.items()}
    # "fi" and "fl" are single glyphs (Lato's only ligatures), as in every "Notification" we draw.
    assert [glyph.name for glyph in face.shape("fit fly").glyphs] == ["fi", "t", "space", "fl", "y"]
    assert [glyph.name for glyph in face.shape("Notification").glyphs] == [
        "N", "o", "t", "i", "fi", "c", "a", "t", "i", "o", "n"]
    # Kerned pairs, in font units (2,000 an em): V starts 136 units into A's advance, y 180 into T's.
    assert face.shape("AV") == Shaped((Glyph("A", 0, 0), Glyph("V", 1224, 0)), 2584)
    assert face.shape("Ty") == Shaped((Glyph("T", 0, 0), Glyph("y", 1000, 0)), 2024)
    assert (advances["A"], advances["V"], advances["T"], advances["y"]) == (1360, 1360, 1180, 1024)
    assert face.advance("AV") == 2584 < advances["A"] + advances["V"]


def test_a_line_is_outlined_as_harfbuzz_draws_its_glyphs_where_harfbuzz_places_them():
    """Each glyph's outline (drawn by fontTools) is HarfBuzz's own drawing of it, at HarfBuzz's
    position. At 2,000 px, Lato's units per em, a font unit is a pixel."""
    text = "Notification: AVA, Ty, W\u00f4n 1,750"
    outlined = outline_text(svg(f'<text x="0" y="0" font-family="Lato" font-size="2000">{text}</text>'))
    # One path for the line, as resvg makes of a line of text.
    (data,) = re.findall(r'<path transform="translate\(0,0\) scale\(1,-1\)" d="([^"]+)"/>', outlined)
    drawn = RecordingPen()
    parse_path(data, drawn)
    font = uharfbuzz.Font(uharfbuzz.Face(uharfbuzz.Blob.from_file_path(FONT_FILES["normal"])))
    buffer = uharfbuzz.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    uharfbuzz.shape(font, buffer, {})
    expected, pen = RecordingPen(), 0
    for info, position in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True):
        font.draw_glyph_with_pen(info.codepoint, TransformPen(expected, (1, 0, 0, 1, pen + position.x_offset,
                                                                         position.y_offset)))
        pen += position.x_advance
    assert len(expected.value) > 300 and contours(drawn.value) == contours(expected.value)


def contours(value: list) -> list:
    """Pen commands without lines that draw nothing: a line to where the pen already is, and the
    line back to a contour's start just before it closes (HarfBuzz draws it, SVG path data leaves
    it to the closing "Z"). The shape is the same."""
    kept, start, current = [], None, None
    for command, points in value:
        if command == "moveTo":
            start = points[0]
        elif command == "lineTo" and points[0] == current:
            continue
        elif command == "closePath":
            while kept and kept[-1] == ("lineTo", (start,)):
                kept.pop()
        kept.append((command, points))
        current = points[-1] if points else start
    return kept


@pytest.mark.parametrize("text", [
    '<text x="1" y="20" font-family="DejaVu Sans" font-size="12">another font</text>',
    '<text x="1" y="20" font-family="Lato" font-size="12">an arrow \u2192 Lato lacks</text>',
    '<text x="1" y="20" font-family="Lato" font-size="12">\u0634\u0643\u0631\u0627</text>',
    '<text x="1" y="20" font-family="Lato" font-size="12">two  spaces</text>',
    '<text x="1" y="20" font-family="Lato" font-size="12"> leading space</text>',
    '<text x="1" y="20" font-family="Lato" font-size="12" letter-spacing="2">spaced</text>',
    '<text x="1" y="20" font-family="Lato" font-size="12" font-style="italic">italic</text>',
    '<text x="1" y="20" font-family="Lato">no size</text>',
    '<text x="1 2 3" y="20" font-family="Lato" font-size="12">per-letter x</text>',
    '<text x="1" y="20" font-family="Lato" font-size="12"><tspan>a</tspan><tspan dy="3">b</tspan></text>',
])
def test_text_it_cannot_place_exactly_is_left_to_resvg(text):
    assert outline_text(svg(text)) == svg(text)


def test_every_png_is_its_svg(built):
    """Each chart's download PNG shows what its download SVG shows (drawn with the text as text),
    at 2x; each link-preview card's PNG, what its SVG shows."""
    vlc = converter()
    checked = 0
    for png in sorted(built.site.glob("areas/*/*/*.png"))[:9] + sorted(built.site.glob("compare/*.png"))[:2]:
        source = png.with_suffix(".svg").read_text(encoding="utf-8")
        found = differences(png.read_bytes(), vlc.svg_to_png(source, scale=1 if png.name == "card.png" else 2))
        assert len(found) <= 60 and max(found, default=0) <= 64, (png, len(found), max(found, default=0))
        assert re.search(r"<text\b", source)  # the download itself keeps its text
        checked += 1
    assert checked >= 8
