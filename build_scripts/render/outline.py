"""Text as glyph outlines, for drawing PNGs faster: the same picture, a third of the time.

vl-convert's renderer (resvg) reopens the font file for every glyph it lays out, so text is
most of the time of a PNG. Before a chart's download image or a link-preview card is drawn,
each <text> is replaced here by a path of the chart font's own glyph outlines, placed as resvg
places them: shaped with the font's default features (Lato has two: "fi"/"fl" ligatures and
pair kerning), anchored as text-anchor says, scaled to the font size. Only the PNG is drawn
from this; the SVGs readers get keep their text.

Any text this cannot place exactly as resvg would (another font, a character the font lacks,
spacing SVG collapses, right-to-left script, an attribute not listed below) is left as text,
for resvg to draw. tests/test_outline.py compares PNGs drawn both ways.
"""
from __future__ import annotations

import functools
import html
import re
import unicodedata

from fontTools.pens.basePen import BasePen
from fontTools.ttLib import TTFont

# Attributes a <text> may carry here. Those that only describe it (ARIA) are dropped; those
# that paint or place it go to the paths' group.
_KEPT = ("transform", "fill", "opacity", "fill-opacity")
_READ = ("x", "y", "font-family", "font-size", "font-weight", "text-anchor")
_DROPPED = ("aria-label", "aria-roledescription", "role", "class")
_TEXT = re.compile(r"<text\b([^>]*)>(.*?)</text>", re.S)
_TSPAN = re.compile(r"<tspan\b([^>]*)>([^<]*)</tspan>")
_ATTR = re.compile(r'\s+([\w:-]+)="([^"]*)"')
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:e-?\d+)?")
# Bidirectional classes of left-to-right text (letters, digits, punctuation, spaces).
_LTR = frozenset(("L", "EN", "ES", "ET", "CS", "ON", "WS"))
# HarfBuzz's features on by default for horizontal text: those a font may have beyond the two
# this shaper applies make it stand aside (no font outlined).
_DEFAULT_FEATURES = frozenset(("abvm", "blwm", "ccmp", "locl", "mark", "mkmk", "rlig", "calt", "clig", "curs",
                               "dist", "kern", "liga", "rclt", "rvrn", "ltra", "ltrm"))


def _num(value: float) -> str:
    return f"{value:.10g}"


class _RelativePen(BasePen):
    """A glyph's outline as SVG path data: its first point, then relative commands."""

    def __init__(self, glyph_set):
        super().__init__(glyph_set)
        self.first: tuple[float, float] | None = None
        self.parts: list[str] = []
        self.current = (0.0, 0.0)
        self.start = (0.0, 0.0)

    def _step(self, *points) -> str:
        x, y = self.current
        return " ".join(f"{_num(px - x)} {_num(py - y)}" for px, py in points)

    def _moveTo(self, point):
        if self.first is None:
            self.first = point
        else:
            self.parts.append("m" + self._step(point))
        self.current = self.start = point

    def _lineTo(self, point):
        self.parts.append("l" + self._step(point))
        self.current = point

    def _qCurveToOne(self, control, point):
        self.parts.append("q" + self._step(control, point))
        self.current = point

    def _curveToOne(self, control1, control2, point):
        self.parts.append("c" + self._step(control1, control2, point))
        self.current = point

    def _closePath(self):
        self.parts.append("z")
        self.current = self.start

    _endPath = _closePath


class Face:
    """One font file: its characters, advances, ligatures, kerning and outlines."""

    def __init__(self, path: str):
        font = TTFont(path)
        self.units_per_em = font["head"].unitsPerEm
        self.cmap = font.getBestCmap()
        self.glyph_set = font.getGlyphSet()
        self.advances = {name: metrics[0] for name, metrics in font["hmtx"].metrics.items()}
        self.ligatures: dict[str, list[tuple[list[str], str]]] = {}
        self.kerning: list[tuple[frozenset[str], dict[str, dict[str, int]]]] = []
        self.supported = self._read_layout(font)
        self.shape = functools.lru_cache(maxsize=4096)(self._shape)
        self.outline = functools.lru_cache(maxsize=1024)(self._outline)

    @staticmethod
    def _default_lookups(font: TTFont, tag: str) -> dict[str, list]:
        """The lookups of each feature of the default language of latin (or DFLT) script."""
        if tag not in font:
            return {}
        table = font[tag].table
        scripts = {record.ScriptTag: record.Script for record in table.ScriptList.ScriptRecord}
        script = scripts.get("latn") or scripts.get("DFLT")
        if script is None or script.DefaultLangSys is None:
            return {}
        features: dict[str, list] = {}
        for index in script.DefaultLangSys.FeatureIndex:
            record = table.FeatureList.FeatureRecord[index]
            features.setdefault(record.FeatureTag, []).extend(
                table.LookupList.Lookup[i] for i in record.Feature.LookupListIndex)
        return features

    def _read_layout(self, font: TTFont) -> bool:
        substitutions = self._default_lookups(font, "GSUB")
        positions = self._default_lookups(font, "GPOS")
        if "GDEF" in font or "kern" in font or set(substitutions) & _DEFAULT_FEATURES - {"liga"} or (
                set(positions) & _DEFAULT_FEATURES - {"kern"}):
            return False
        for lookup in substitutions.get("liga", []):
            if lookup.LookupType != 4 or lookup.LookupFlag or len(substitutions["liga"]) > 1:
                return False
            for subtable in lookup.SubTable:
                for first, ligatures in subtable.ligatures.items():
                    self.ligatures.setdefault(first, []).extend((lig.Component, lig.LigGlyph) for lig in ligatures)
        for lookup in positions.get("kern", []):
            if lookup.LookupType != 2 or lookup.LookupFlag or len(positions["kern"]) > 1:
                return False
            for subtable in lookup.SubTable:
                if subtable.Format != 1 or subtable.ValueFormat1 != 4 or subtable.ValueFormat2 != 0:
                    return False
                pairs = {first: {record.SecondGlyph: record.Value1.XAdvance for record in pair_set.PairValueRecord}
                         for first, pair_set in zip(subtable.Coverage.glyphs, subtable.PairSet, strict=True)}
                self.kerning.append((frozenset(pairs), pairs))
        return True

    def can_shape(self, text: str) -> bool:
        return self.supported and all(
            ord(ch) in self.cmap and unicodedata.bidirectional(ch) in _LTR and unicodedata.category(ch)[0] not in "MC"
            and ch not in "\u2044\u00ad" for ch in text)

    def _shape(self, text: str) -> tuple[tuple[tuple[str, int], ...], int]:
        """The glyphs of a line of text and the pen position of each, in font units; and the
        line's advance. Ligatures first, then kerning, as HarfBuzz (and resvg) apply them."""
        glyphs = [self.cmap[ord(ch)] for ch in text]
        i = 0
        while i < len(glyphs):
            for components, ligature in self.ligatures.get(glyphs[i], ()):
                if glyphs[i + 1:i + 1 + len(components)] == components:
                    glyphs[i:i + 1 + len(components)] = [ligature]
                    break
            i += 1
        advances = [self.advances[g] for g in glyphs]
        for i in range(len(glyphs) - 1):
            for coverage, pairs in self.kerning:
                if glyphs[i] in coverage and glyphs[i + 1] in pairs[glyphs[i]]:
                    advances[i] += pairs[glyphs[i]][glyphs[i + 1]]
                    break
        placed, x = [], 0
        for glyph, advance in zip(glyphs, advances, strict=True):
            placed.append((glyph, x))
            x += advance
        return tuple(placed), x

    def _outline(self, glyph: str) -> tuple[tuple[float, float], str] | None:
        pen = _RelativePen(self.glyph_set)
        self.glyph_set[glyph].draw(pen)
        return None if pen.first is None else (pen.first, "".join(pen.parts))

    def path_data(self, text: str) -> tuple[str, int]:
        """Path data of a line of text in font units (y up), and its advance."""
        placed, advance = self.shape(text)
        parts = []
        for glyph, x in placed:
            outline = self.outline(glyph)
            if outline is not None:
                (fx, fy), rest = outline
                parts.append(f"M{_num(x + fx)} {_num(fy)}{rest}")
        return "".join(parts), advance


class Outliner:
    """Replaces the <text> of an SVG in one font family by glyph outlines."""

    def __init__(self, family: str, files: dict[str, str]):
        self.family = family
        self.faces = {weight: Face(path) for weight, path in files.items()}

    def __call__(self, svg: str) -> str:
        return _TEXT.sub(self._replace, svg)

    def _replace(self, match: re.Match) -> str:
        return self._paths(match.group(1), match.group(2)) or match.group(0)

    def _paths(self, attributes: str, body: str) -> str | None:
        attrs = dict(_ATTR.findall(attributes))
        if (_ATTR.sub("", attributes).strip() or any(k not in _KEPT + _READ + _DROPPED for k in attrs)
                or attrs.get("font-family") != self.family or "font-size" not in attrs):
            return None
        weight = {"bold": "bold", "700": "bold", "normal": "normal", "400": "normal"}.get(
            attrs.get("font-weight", "normal"))
        face = self.faces.get(weight)
        size = attrs["font-size"].removesuffix("px")
        anchor = attrs.get("text-anchor", "start")
        if face is None or anchor not in ("start", "middle", "end") or not _NUMBER.fullmatch(size):
            return None
        scale = float(size) / face.units_per_em
        spans = [("", body)] if "<" not in body else _TSPAN.findall(body)
        if not spans or "<" in body and _TSPAN.sub("", body):
            return None
        if not all(_NUMBER.fullmatch(attrs.get(name, "0")) for name in ("x", "y")):
            return None
        x, y = float(attrs.get("x", 0)), float(attrs.get("y", 0))
        paths = []
        for i, (span_attributes, content) in enumerate(spans):
            span = dict(_ATTR.findall(span_attributes))
            # Each line a chunk of its own (Vega's tspans after the first have x), anchored alone.
            if _ATTR.sub("", span_attributes).strip() or set(span) - {"x", "dy"} or not all(
                    _NUMBER.fullmatch(v) for v in span.values()) or (i and "x" not in span):
                return None
            if "x" in span:
                x = float(span["x"])
            y += float(span.get("dy", 0))
            text = html.unescape(content)
            # SVG collapses runs of spaces and trims each text's ends: leave such text to resvg.
            if not text or text != text.strip() or "  " in text or not face.can_shape(text):
                return None
            data, advance = face.path_data(text)
            width = advance * scale
            left = x - (width if anchor == "end" else width / 2 if anchor == "middle" else 0)
            if data:
                paths.append(f'<path transform="translate({_num(left)},{_num(y)}) scale({_num(scale)},'
                             f'{_num(-scale)})" d="{data}"/>')
        kept = "".join(f' {k}="{attrs[k]}"' for k in _KEPT if k in attrs)
        return f"<g{kept}>{''.join(paths)}</g>"
