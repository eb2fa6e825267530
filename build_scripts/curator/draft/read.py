"""Read: a report's document -> its lines, each a list of cells with their places.

A PDF is read by pdfplumber (the words of its text layer with their positions), a Word file by
python-docx (its paragraphs and tables in order), a plain-text extraction line by line (cells
split by tabs, or one cell a line as some extractions write them). Whatever the format, what
comes out is the same: lines in reading order, each with its page, its line number and its
cells, each cell with a left and right edge (points on the page for a PDF; the cell's place in
its row for the others), so the next stage finds tables one way for every format.

Reading runs in a child process with limits on memory and time (`read_bounded`): a file can be
built to be expensive (a small PDF whose streams inflate to gigabytes, thousands of pages,
objects nested thousands deep), and the libraries that parse it are not ours to bound. The
child returns JSON; a child that runs out of either is a one-line message, never a traceback.
"""
from __future__ import annotations

import json
import os
import re
import resource
import statistics
import subprocess
import sys
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

# Limits of one read. A real report is a few MB and 10 to 40 pages, read in about a second.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_PAGES = 300
MAX_MEMORY_BYTES = 1024 * 1024 * 1024
MAX_SECONDS = 60
MAX_DOCX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_TEXT_BYTES = 5 * 1024 * 1024

SUFFIXES = {".pdf": "pdf", ".docx": "docx", ".txt": "text"}
# What a page needs to count as having a text layer: a scan has none, or a few stray characters.
MIN_TEXT_CHARACTERS = 20
# A picture covering this share of a page may be a table drawn as a picture.
PICTURE_SHARE = 0.25
# Lines in this top or bottom share of a page that recur on other pages are page furniture.
MARGIN_SHARE = 0.09
# Raised small type is a footnote mark, never part of the number beside it.
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
MARK_SIZE_SHARE = 0.8


class ReadFailed(Exception):
    """The document cannot be read: one line that says why and what to do."""


@dataclass
class Cell:
    text: str
    x0: float
    x1: float


@dataclass
class Line:
    page: int | None  # None for a text or Word file (no pages)
    number: int  # the line on its page (PDF) or in the file (text), the paragraph or row (Word)
    cells: list[Cell]
    box: tuple[float, float, float, float] | None = None  # x0, top, x1, bottom on a PDF page

    @property
    def text(self) -> str:
        return " ".join(c.text for c in self.cells if c.text)

    @property
    def where(self) -> str:
        return f"page {self.page}, line {self.number}" if self.page else f"line {self.number}"


@dataclass
class Document:
    path: str
    kind: str  # pdf, docx or text
    pages: int
    lines: list[Line]
    page_sizes: list[tuple[float, float]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    furniture: list[str] = field(default_factory=list)  # page headers and footers, set aside

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Document:
        data = json.loads(text)
        lines = [Line(line["page"], line["number"], [Cell(**c) for c in line["cells"]],
                      tuple(line["box"]) if line["box"] else None) for line in data.pop("lines")]
        data["page_sizes"] = [tuple(size) for size in data["page_sizes"]]
        return cls(lines=lines, **data)


def kind_of(path: Path) -> str:
    """pdf, docx or text, from the suffix and, for a PDF or Word file, the first bytes."""
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        found = f"a {path.suffix} file" if path.suffix else "a file without a suffix"
        raise ReadFailed(f"{path}: expected a .pdf, .docx or .txt file; found {found}. Save the report as PDF (with "
                         "its text) or Word, or paste its text into a .txt file")
    with path.open("rb") as handle:
        head = handle.read(8)
    if kind == "pdf" and b"%PDF-" not in head[:8]:
        raise ReadFailed(f"{path}: expected a PDF (starting %PDF-); found {_what_bytes(head)}. It is not a PDF, "
                         "whatever its name says")
    if kind == "docx" and not head.startswith(b"PK"):
        raise ReadFailed(f"{path}: expected a Word .docx file (a zip); found {_what_bytes(head)}. An old .doc file "
                         "must be saved as .docx or PDF first")
    return kind


def _what_bytes(head: bytes) -> str:
    if not head:
        return "an empty file"
    if head.startswith(b"PK"):
        return "a zip file"
    if head.startswith(b"%PDF"):
        return "a PDF"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old Word or Excel file"
    if all(32 <= b < 127 or b in b"\t\r\n" for b in head):
        return "text"
    return "binary data of another kind"


def read_bounded(path: Path) -> Document:
    """The document's lines, read in a child process limited to MAX_MEMORY_BYTES and MAX_SECONDS."""
    if not path.is_file():
        raise ReadFailed(f"{path}: expected a report file; found {'a folder' if path.is_dir() else 'no such file'}")
    size = path.stat().st_size
    limit = MAX_TEXT_BYTES if path.suffix.lower() == ".txt" else MAX_FILE_BYTES
    if size > limit:
        raise ReadFailed(f"{path}: expected a report of at most {limit // 1024 // 1024} MB; found {size / 1024 / 1024:.0f} MB")
    kind_of(path)
    try:
        done = subprocess.run([sys.executable, "-m", "build_scripts.curator.draft.read", str(path)],
                              capture_output=True, text=True, timeout=MAX_SECONDS + 10, preexec_fn=_limits,
                              env={**os.environ, "PYTHONHASHSEED": "0"})
    except subprocess.TimeoutExpired:
        raise ReadFailed(f"{path}: stopped after {MAX_SECONDS} s of reading: the file may be damaged or built to be "
                         "expensive to read. Key the report by hand (make new-report)") from None
    if done.returncode == 0:
        return Document.from_json(done.stdout)
    message = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    if message.startswith("ReadFailed: "):
        raise ReadFailed(message.removeprefix("ReadFailed: "))
    raise ReadFailed(f"{path}: the reader stopped without reading it (it may be damaged, or built to be expensive "
                     f"to read; reading is limited to {MAX_MEMORY_BYTES // 1024 // 1024} MB and {MAX_SECONDS} s). Key "
                     "the report by hand (make new-report)")


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MAX_MEMORY_BYTES, MAX_MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (MAX_SECONDS, MAX_SECONDS + 5))


def read_document(path: Path) -> Document:
    """The document's lines, read in this process (the child of read_bounded)."""
    kind = kind_of(path)
    if kind == "pdf":
        return _read_pdf(path)
    if kind == "docx":
        return _read_docx(path)
    return _read_text(path)


# ---------------------------------------------------------------------------------------------
# PDF


def _read_pdf(path: Path) -> Document:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        pdf = pdfplumber.open(path)
        pages = pdf.pages
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise ReadFailed(f"{path}: the PDF is protected by a password. Save a copy without the password (or key "
                         "the report by hand)") from None
    except (PdfminerException, PDFSyntaxError, ValueError, KeyError, TypeError, AttributeError) as error:
        cause = error.args[0] if isinstance(error, PdfminerException) and error.args else error
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise ReadFailed(f"{path}: the PDF is protected by a password. Save a copy without the password (or "
                             "key the report by hand)") from None
        raise ReadFailed(f"{path}: the PDF is damaged and cannot be read ({type(cause).__name__}). Save it again "
                         "from its source, or key the report by hand") from None
    if len(pages) > MAX_PAGES:
        raise ReadFailed(f"{path}: expected a report of at most {MAX_PAGES} pages; found {len(pages)} pages")
    lines: list[Line] = []
    sizes: list[tuple[float, float]] = []
    warnings: list[str] = []
    try:
        for number, page in enumerate(pages, start=1):
            sizes.append((float(page.width), float(page.height)))
            words = page.extract_words(x_tolerance=1.5, y_tolerance=2, extra_attrs=["size"])
            characters = sum(len(w["text"]) for w in words)
            picture = sum(_area(image, page) for image in page.images) / max(page.width * page.height, 1)
            if characters < MIN_TEXT_CHARACTERS:
                if page.images or picture:
                    warnings.append(f"page {number} has no text layer (a scan or a picture): if it shows a table, "
                                    "key that table by hand")
                elif characters == 0:
                    warnings.append(f"page {number} has no text")
            elif picture >= PICTURE_SHARE:
                warnings.append(f"page {number} has a picture covering {picture:.0%} of the page: if it shows a "
                                "table, key that table by hand (a picture has no text to read)")
            lines.extend(_page_lines(number, words))
    except Exception as error:  # pdfminer raises many kinds on a damaged page
        raise ReadFailed(f"{path}: the PDF is damaged and cannot be read ({type(error).__name__}). Save it again "
                         "from its source, or key the report by hand") from None
    finally:
        pdf.close()
    kept, furniture = _without_furniture(lines, sizes)
    return Document(str(path), "pdf", len(sizes), kept, sizes, warnings, furniture)


def _area(image: dict, page) -> float:
    x0, x1 = max(image["x0"], 0), min(image["x1"], page.width)
    top, bottom = max(image["top"], 0), min(image["bottom"], page.height)
    return max(x1 - x0, 0) * max(bottom - top, 0)


def _page_lines(page: int, words: list[dict]) -> list[Line]:
    """Words -> lines (by vertical overlap) -> cells (by the gaps between words)."""
    rows: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(w["top"], 1), w["x0"])):
        middle = (word["top"] + word["bottom"]) / 2
        for row in reversed(rows[-3:]):
            top = min(w["top"] for w in row)
            bottom = max(w["bottom"] for w in row)
            if top <= middle <= bottom:
                row.append(word)
                break
        else:
            rows.append([word])
    lines = []
    rows.sort(key=lambda row: min(w["top"] for w in row))
    for number, row in enumerate(rows, start=1):
        size = statistics.median(w["size"] for w in row)
        row.sort(key=lambda w: w["x0"])
        cells: list[Cell] = []
        previous = None
        for word in row:
            text = word["text"]
            if word["size"] < MARK_SIZE_SHARE * size and previous is not None:
                text = text.translate(SUPERSCRIPT)  # a raised mark: never read as more digits
            gap = word["x0"] - previous["x1"] if previous else None
            # A figure set close to its label or to another figure (a tight table) is still a cell
            # of its own: a gap wider than a word space before a figure starts one.
            figure_starts = gap is not None and gap > size * 0.6 and _figure_like(text)
            if cells and gap is not None and gap <= max(size * 0.9, 4.0) and not figure_starts:
                joiner = "" if gap < size * 0.12 and not text[:1].isalnum() else " "
                cells[-1] = Cell(cells[-1].text + joiner + text, cells[-1].x0, word["x1"])
            else:
                cells.append(Cell(text, word["x0"], word["x1"]))
            previous = word
        box = (min(w["x0"] for w in row), min(w["top"] for w in row), max(w["x1"] for w in row),
               max(w["bottom"] for w in row))
        lines.append(Line(page, number, cells, tuple(round(v, 2) for v in box)))
    return lines


_FIGURE = re.compile(r"[0-9][0-9,]*(\.[0-9]+)?[*†‡⁰¹²³⁴⁵⁶⁷⁸⁹]*|[-‐‑‒–—―−]")


def _figure_like(text: str) -> bool:
    return bool(_FIGURE.fullmatch(text))


def _without_furniture(lines: list[Line], sizes: list[tuple[float, float]]) -> tuple[list[Line], list[str]]:
    """(the lines without page numbers and the headers and footers that recur in the margins of
    several pages, the texts of those headers and footers)."""
    def margin(line: Line) -> bool:
        height = sizes[line.page - 1][1]
        return line.box[1] < height * MARGIN_SHARE or line.box[3] > height * (1 - MARGIN_SHARE)

    def shape(line: Line) -> tuple[str, int, bool]:
        # The same words (any page number aside) at the same place: a figure that happens to stand
        # near the foot of a page is not a page number.
        centre = (line.box[0] + line.box[2]) / 2
        top = line.box[1] < sizes[line.page - 1][1] * MARGIN_SHARE
        return re.sub(r"\d+", "#", line.text.lower()).strip(), round(centre / 24), top

    pages_with: dict[str, set[int]] = {}
    for line in lines:
        if margin(line):
            pages_with.setdefault(shape(line), set()).add(line.page)
    kept, furniture = [], []
    for line in lines:
        if margin(line) and len(pages_with[shape(line)]) >= 2:
            if line.text not in furniture:
                furniture.append(line.text)
            continue
        kept.append(line)
    return kept, furniture


# ---------------------------------------------------------------------------------------------
# Word


def _read_docx(path: Path) -> Document:
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > MAX_DOCX_UNPACKED_BYTES:
                raise ReadFailed(f"{path}: expected a Word file that unpacks to at most "
                                 f"{MAX_DOCX_UNPACKED_BYTES // 1024 // 1024} MB; found {unpacked // 1024 // 1024} MB")
    except zipfile.BadZipFile:
        raise ReadFailed(f"{path}: the Word file is damaged and cannot be read. Save it again from its source") from None
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except Exception as error:  # python-docx raises many kinds on a damaged file
        raise ReadFailed(f"{path}: the Word file is damaged and cannot be read ({type(error).__name__}). Save it "
                         "again from its source") from None
    lines: list[Line] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            for text in block.text.split("\n"):
                lines.append(Line(None, len(lines) + 1, [_indexed(0, text)]))
        elif isinstance(block, Table):
            for row in block.rows:
                seen: list = []
                cells = []
                for index, cell in enumerate(row.cells):
                    # A merged cell comes back once for every column it spans: keep it once. (The
                    # elements are kept in `seen`, so each keeps its one Python object.)
                    if any(cell._tc is element for element in seen):
                        continue
                    seen.append(cell._tc)
                    cells.append(_indexed(index, " ".join(cell.text.split())))
                lines.append(Line(None, len(lines) + 1, cells))
    return Document(str(path), "docx", 0, lines)


# ---------------------------------------------------------------------------------------------
# Text


def _read_text(path: Path) -> Document:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ReadFailed(f"{path}:{line}: expected text in UTF-8; found a byte that is not (save the text as "
                         "UTF-8)") from None
    if "\x00" in text:
        raise ReadFailed(f"{path}: expected text; found binary data (a NUL byte)")
    source = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines: list[Line] = []
    block: list[tuple[int, str]] = []
    for number, raw_line in enumerate(source + [""], start=1):
        if raw_line.strip(" "):  # a tab alone is an empty cell (a table's corner), not a blank line
            block.append((number, raw_line))
            continue
        lines.extend(_text_block(block))
        block = []
    return Document(str(path), "text", 0, lines)


def _text_block(block: list[tuple[int, str]]) -> list[Line]:
    """A block of lines between blank lines. Where it is one cell a line (each cell starts with a
    tab, a cell's further lines do not), it is one row; otherwise each line is a row, its cells
    split by tabs."""
    if not block:
        return []
    starts = [text for _, text in block if text.startswith("\t")]
    one_cell_a_line = (len(starts) >= 2 and all("\t" not in text[1:] for text in starts)
                       and block[0][1].startswith("\t"))
    if one_cell_a_line:
        cells: list[str] = []
        for _, text in block:
            if text.startswith("\t"):
                cells.append(text.strip())
            else:
                cells[-1] = f"{cells[-1]} {text.strip()}".strip()
        return [Line(None, block[0][0], [_indexed(i, c) for i, c in enumerate(cells)])]
    if len(starts) == 1 and block[0][1].startswith("\t") and len(block) == 1:
        return [Line(None, block[0][0], [_indexed(0, block[0][1].strip())])]
    rows = []
    for number, text in block:
        parts = [part.strip() for part in text.split("\t")]
        while len(parts) > 1 and not parts[-1]:
            parts.pop()
        rows.append(Line(None, number, [_indexed(i, p) for i, p in enumerate(parts)]))
    return rows


def _indexed(index: int, text: str) -> Cell:
    """A cell of a format without positions: its place in the row stands for its position."""
    return Cell(text, index * 100.0, index * 100.0 + 90.0)


def render_bounded(path: Path, regions: list[tuple[int, tuple[float, float, float, float]]]) -> list[bytes]:
    """PNG pictures of regions (page, (x0, top, x1, bottom) in points) of a PDF, drawn by pdfium in
    a child process with the limits of read_bounded; [] when it cannot draw them."""
    try:
        done = subprocess.run([sys.executable, "-m", "build_scripts.curator.draft.read", "--render", str(path)],
                              input=json.dumps(regions), capture_output=True, text=True, timeout=MAX_SECONDS + 10,
                              preexec_fn=_limits)
    except subprocess.TimeoutExpired:
        return []
    if done.returncode != 0:
        return []
    import base64

    return [base64.b64decode(picture) for picture in json.loads(done.stdout)]


def _render(path: Path, regions: list) -> list[str]:
    import base64
    import io

    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    pictures = []
    scale = 1.5
    for page_number, (x0, top, x1, bottom) in regions:
        page = pdf[page_number - 1]
        width, height = page.get_size()
        crop = (max(x0, 0), max(height - bottom, 0), max(width - x1, 0), max(top, 0))  # left, bottom, right, top
        image = page.render(scale=scale, crop=crop).to_pil()
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
        pictures.append(base64.b64encode(buffer.getvalue()).decode("ascii"))
    pdf.close()
    return pictures


if __name__ == "__main__":  # the child process of read_bounded and render_bounded
    if sys.argv[1] == "--render":
        sys.stdout.write(json.dumps(_render(Path(sys.argv[2]), json.loads(sys.stdin.read()))))
        sys.exit(0)
    try:
        sys.stdout.write(read_document(Path(sys.argv[1])).to_json())
    except ReadFailed as failure:
        sys.stderr.write(f"ReadFailed: {failure}\n")
        sys.exit(3)
