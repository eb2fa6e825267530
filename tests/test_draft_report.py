"""make draft-report, end to end: the test documents (tests/fixtures/draft) drafted exactly as
their independent transcriptions say, the summary, the review sheet, bad input refused in one
line with nothing written, all or none, and the area and year."""
from __future__ import annotations

import base64
import contextlib
import csv
import io
import json
import re
import time
import zipfile
from pathlib import Path

import pytest
import yaml

from build_scripts.__main__ import main
from build_scripts.build import build_package
from build_scripts.curator.new_report import REGISTER_PLACEHOLDERS
from build_scripts.errors import BuildError
from tests.conftest import FIXTURES, REPO, copy_tiny_project

DRAFT = FIXTURES / "draft"
# The register's columns, as its schema lists them.
REGISTER_COLUMNS = [f["name"] for f in yaml.safe_load((REPO / "metadata" / "schemas" / "reports.yaml").read_text(
    encoding="utf-8"))["fields"]]
ADD_ROW = "  Add this row to curated/reports.csv and replace its TODOs (step 6):"
# document -> the expected CSV of each file it drafts (file name -> expected file)
DOCUMENTS = {
    "reportlab-ruled.pdf": {"kent-2023-24.csv": "reportlab-ruled.expected.csv"},
    "reportlab-unruled.pdf": {"essex-2016-17.csv": "reportlab-unruled.expected.csv"},
    "chromium-html.pdf": {"dyfed-powys-2020-21.csv": "chromium-html.expected.csv"},
    "chromium-regional.pdf": {"cumbria-2024-25.csv": "chromium-regional.cumbria.expected.csv",
                              "lancashire-2024-25.csv": "chromium-regional.lancashire.expected.csv",
                              "merseyside-2024-25.csv": "chromium-regional.merseyside.expected.csv"},
    "word-report.docx": {"teesside-2022-23.csv": "word-report.expected.csv"},
    "cells-per-line.txt": {"surrey-2017-18.csv": "cells-per-line.expected.csv"},
    "tab-separated.txt": {"hampshire-2019-20.csv": "tab-separated.expected.csv"},
}
BY_PLACE_NOTE = "No column heading printed: read as the total from its place in the table, and every row adds up with it."
TAB_NOTE_REASON = (
    "tab-separated.expected.csv keys the yearly-total table's unheaded Total column with an empty note (the README's "
    "'note empty' convention), while the engine, by design, writes the note '" + BY_PLACE_NOTE + "' on those 3 cells")


# ---------------------------------------------------------------------------------------------
# helpers


def draft(root: Path, source: Path | str, *extra: str, into: Path | str | None = None) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `python -m build_scripts --root root draft-report --from source`."""
    argv = ["--root", str(root), "draft-report", "--from", str(source), *extra]
    if into is not None:
        argv += ["--into", str(into)]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def register_rows(out: str) -> list[dict[str, str]]:
    """Each register row the draft printed: the line after 'Add this row to curated/reports.csv'."""
    lines = out.splitlines()
    rows = []
    for index, line in enumerate(lines):
        if line == ADD_ROW:
            assert lines[index + 1].startswith("  ")
            values = next(csv.reader([lines[index + 1][2:]]))
            rows.append(dict(zip(REGISTER_COLUMNS, values, strict=True)))
    return rows


def expected_register(document: dict, area: dict | None = None) -> dict[str, str]:
    """The register row's fields that expected.json gives (None: the placeholder, or empty)."""
    area = area or document

    def placeholder(column: str, value: str | None) -> str:
        return REGISTER_PLACEHOLDERS[column] if value is None else value

    return {"area_id": area["area_id"], "year": document["year"],
            "title_as_printed": placeholder("title_as_printed", document["title_as_printed"]),
            "population_base": placeholder("population_base", area["population_base"]),
            "population_base_published": area["population_base_published"] or "",
            "publisher": placeholder("publisher", document["publisher"])}


def files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


TEXT_COVER = "Surrey\nMAPPA Annual Report 2017/18\n\n"
# A paragraph: the cover of a text file ends before it (about.cover_lines).
NARRATIVE = ("This report sets out the work of the agencies over the year, with the figures the national template "
             "asks every area to publish.\n\n")
TEXT_ELIGIBLE = ("MAPPA-eligible offenders on 31 March 2018\n"
                 "\tCategory 1\tCategory 2\tCategory 3\tTotal\n"
                 "Level 1\t10\t20\t5\t35\n\n")


@pytest.fixture(scope="module")
def drafted(tmp_path_factory):
    """Each test document drafted once (into a folder of its own in a tiny project): document ->
    (exit code, stdout, stderr, the folder drafted into, the project root)."""
    root = copy_tiny_project(tmp_path_factory.mktemp("drafted") / "p").root
    done: dict[str, tuple] = {}

    def get(document: str):
        if document not in done:
            into = root.parent / ("out-" + document)
            done[document] = (*draft(root, DRAFT / document, into=into), into, root)
        return done[document]
    return get


# ---------------------------------------------------------------------------------------------
# 1. every test document drafts exactly as its independent transcription


@pytest.mark.parametrize("document", DOCUMENTS)
def test_each_document_drafts_byte_for_byte_as_expected(drafted, document):
    code, out, err, into, _ = drafted(document)
    assert (code, err) == (0, "")
    assert files_under(into) == sorted(DOCUMENTS[document])
    for name, expected in DOCUMENTS[document].items():
        assert (into / name).read_bytes() == (DRAFT / expected).read_bytes(), name


def test_tab_separated_notes_how_the_unheaded_total_was_read(drafted):
    """The three Total cells of the yearly-total table, whose column prints no heading, carry the
    by-place reading in their note, as a careful keyer records it."""
    code, _, _, into, _ = drafted("tab-separated.txt")
    assert code == 0
    got = list(csv.DictReader((into / "hampshire-2019-20.csv").open(encoding="utf-8", newline="")))
    want = list(csv.DictReader((DRAFT / "tab-separated.expected.csv").open(encoding="utf-8", newline="")))
    assert len(got) == len(want) == 59
    noted = [i for i, row in enumerate(got) if row["note"]]
    assert [(got[i]["table"], got[i]["row"], got[i]["column"], got[i]["category"], got[i]["note"]) for i in noted] == [
        ("MAPPA-eligible offenders in Levels 2 and 3 by category (yearly total)", label, "", "all", BY_PLACE_NOTE)
        for label in ("Level 2", "Level 3", "Total")]
    assert got == want  # the expected transcription records the same reading in its note


@pytest.mark.parametrize("document", [d for d in DOCUMENTS if d != "chromium-regional.pdf"])
def test_each_document_prints_the_register_row_its_json_gives(drafted, document):
    code, out, _, _, _ = drafted(document)
    assert code == 0
    expected = json.loads((DRAFT / document.rsplit(".", 1)[0]).with_suffix(".expected.json").read_text("utf-8"))
    (row,) = register_rows(out)
    assert {k: row[k] for k in expected_register(expected)} == expected_register(expected)
    assert row["report_id"] == f"{expected['area_id']}-{expected['year']}"
    assert row["source_title"] == REGISTER_PLACEHOLDERS["source_title"]


def test_regional_report_prints_a_register_row_for_each_area_with_area_year_and_population_base(drafted):
    """What the engine gets right of the regional rows (the title and publisher: the xfail tests below)."""
    code, out, _, _, _ = drafted("chromium-regional.pdf")
    assert code == 0
    expected = json.loads((DRAFT / "chromium-regional.expected.json").read_text("utf-8"))
    rows = register_rows(out)
    assert [r["area_id"] for r in rows] == [a["area_id"] for a in expected["areas"]]
    for row, area in zip(rows, expected["areas"], strict=True):
        assert (row["year"], row["population_base"], row["population_base_published"]) == (
            expected["year"], area["population_base"], area["population_base_published"])
        assert (row["period_start"], row["period_end"], row["snapshot_date"]) == ("2024-04-01", "2025-03-31",
                                                                                  "2025-03-31")


def test_regional_title_as_printed_is_the_cover_title(drafted):
    _, out, _, _, _ = drafted("chromium-regional.pdf")
    # The line that says "annual report", as for every report: the region's name on the line above
    # is left for the curator to add, if the register should carry it.
    assert [r["title_as_printed"] for r in register_rows(out)] == ["MAPPA Annual Report 2024-25"] * 3


def test_regional_publisher_is_the_printed_boards_for_every_area(drafted):
    _, out, _, _, _ = drafted("chromium-regional.pdf")
    assert [r["publisher"] for r in register_rows(out)] == ["North West MAPPA Strategic Management Boards"] * 3


def test_a_publisher_named_as_boards_is_kept_whole(tmp_path, tiny_project):
    source = tmp_path / "boards.txt"
    source.write_text(TEXT_COVER + NARRATIVE + TEXT_ELIGIBLE + "Published by the Surrey and Sussex MAPPA Strategic "
                      "Management Boards\n", encoding="utf-8")
    code, out, _ = draft(tiny_project.root, source, into=tmp_path / "out")
    assert code == 0
    assert register_rows(out)[0]["publisher"] == "Surrey and Sussex MAPPA Strategic Management Boards"


# ---------------------------------------------------------------------------------------------
# 2. the summary


def test_summary_lists_the_template_table_not_found_and_the_local_table(drafted):
    _, out, _, _, _ = drafted("reportlab-unruled.pdf")
    lines = out.splitlines()
    start = lines.index("  Tables of the template not found (left out, never zeroed; check the report does not print "
                        "them):")
    assert lines[start + 1:start + 5] == [
        "    sro_breach_notification: People made subject to notification after breaching a Sexual Risk Order",
        "  Tables not drafted, not in the template (a new measure? see 'A new measure' in curated/README.md):",
        "    'MAPPA meetings held' (page 3, line 26)",
        "  Review sheet (each drafted table beside the printed one): keying/essex-2016-17.review.html"]
    assert "  58 printed cells: 58 drafted, 0 left TODO." in lines
    assert "    'Level 2 and 3 offenders returned to custody' (page 3, 4): 24 cells" in lines
    assert "Left TODO" not in out


def test_summary_gives_a_period_mismatch_entry_in_valid_yaml(drafted):
    _, out, _, _, _ = drafted("chromium-html.pdf")
    lines = out.splitlines()
    start = lines.index("  The cover names 2021-22, the tables 2020-21: add this entry to "
                        "metadata/quality-register.yaml (step 8) and complete its TODO:")
    block = lines[start + 1:]
    assert all(line.startswith("    ") for line in block)
    (entry,) = yaml.safe_load("\n".join(line[4:] for line in block))
    assert entry["quality_id"] == "dyfed-powys-2020-21-period"
    assert entry["report_id"] == "dyfed-powys-2020-21"
    assert entry["kind"] == "period_mismatch"
    assert entry["printed"] == "The cover says 'Annual Report 2021-22'."
    assert entry["found"] == ("The tables' dates are for 2020-21; the cover names 2021-22. TODO: say which the "
                              "report's text supports.")
    assert entry["check"] == {"present": {"reports": {"title_as_printed": "Annual Report 2021-22",
                                                      "year": "2020-21"}}}


def test_no_period_mismatch_when_the_cover_and_tables_agree(drafted):
    _, out, _, _, _ = drafted("reportlab-ruled.pdf")
    assert "period_mismatch" not in out and "The cover names" not in out


# ---------------------------------------------------------------------------------------------
# 3. the review sheet


@pytest.mark.parametrize("document, report_id, pages", [
    ("reportlab-ruled.pdf", "kent-2023-24", [3] * 7 + [4]),
    # the returns to custody table runs over pages 3 and 4: a picture of each
    ("reportlab-unruled.pdf", "essex-2016-17", [3] * 5 + [3, 4] + [4]),
])
def test_review_sheet_of_a_pdf_has_a_picture_of_each_table_page(drafted, document, report_id, pages):
    code, _, _, _, root = drafted(document)
    assert code == 0
    html = (root / "keying" / f"{report_id}.review.html").read_text("utf-8")
    pictures = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="The table as printed on page '
                          r'(\d+) of the report">', html)
    assert [int(page) for _, page in pictures] == pages
    assert html.count('<img src="data:image/png;base64,') == len(pages)
    for picture, _ in pictures:
        assert base64.b64decode(picture).startswith(b"\x89PNG\r\n\x1a\n")
    assert "<pre>" not in html


def test_review_sheet_of_a_text_file_shows_its_lines(drafted):
    code, _, _, _, root = drafted("tab-separated.txt")
    assert code == 0
    html = (root / "keying" / "hampshire-2019-20.review.html").read_text("utf-8")
    assert "<img" not in html
    assert html.count("<pre>") == 8
    assert "<pre>RSOs cautioned or convicted for breach of notification requirements 52\n</pre>" in html
    assert "Level 1 2206 1138 - 3344\n" in html


def test_review_sheet_escapes_the_document_text(tmp_path, tiny_project):
    source = tmp_path / "hostile.txt"
    source.write_text(TEXT_COVER + TEXT_ELIGIBLE
                      + "Restrictive orders for Category 1 offenders <script>alert(1)</script>\n"
                        "SHPO <b>interim</b>\t12\n", encoding="utf-8")
    code, _, err = draft(tiny_project.root, source, into=tmp_path / "out")
    assert (code, err) == (0, "")
    drafted_csv = (tmp_path / "out" / "surrey-2017-18.csv").read_text("utf-8").splitlines()
    assert drafted_csv[-1] == ("Restrictive orders for Category 1 offenders <script>alert(1)</script>,"
                               "SHPO <b>interim</b>,,12,shpo,all,all,")
    html = (tiny_project.root / "keying" / "surrey-2017-18.review.html").read_text("utf-8")
    assert "<script>" not in html and "<b>" not in html
    assert "<h2>Restrictive orders for Category 1 offenders &lt;script&gt;alert(1)&lt;/script&gt;</h2>" in html
    assert "<td>SHPO &lt;b&gt;interim&lt;/b&gt;</td>" in html


# ---------------------------------------------------------------------------------------------
# 4. bad input: one line, exit 1, nothing written


def assert_refused(root: Path, tmp_path: Path, source: Path, capfd, message: str | None = None) -> str:
    out_folder = tmp_path / "out"
    started = time.monotonic()
    code, out, err = draft(root, source, into=out_folder)
    captured = capfd.readouterr()  # anything a child process wrote straight to the descriptors
    assert time.monotonic() - started < 60
    assert code == 1
    assert out == "" and captured.out == ""
    assert "Traceback" not in err + captured.err
    assert len(err.splitlines()) == 1 and err.endswith("\n"), err
    assert err.startswith(f"Draft stopped: {source}:"), err
    if message is not None:
        assert err == f"Draft stopped: {source}{message}\n"
    assert files_under(out_folder) == []
    assert not (root / "keying").exists()
    assert list(tmp_path.rglob("*.draft")) == []
    return err


SIMPLE_BAD = {
    "broken.pdf": ": the PDF is damaged and cannot be read (PSEOF). Save it again from its source, or key the report "
                  "by hand",
    "encrypted.pdf": ": the PDF is protected by a password. Save a copy without the password (or key the report by "
                     "hand)",
    "not-a-pdf.pdf": ": expected a PDF (starting %PDF-); found text. It is not a PDF, whatever its name says",
    "not-a-report.pdf": ": this does not look like a MAPPA area annual report: none of the template's tables was found "
                        "(people eligible for MAPPA, orders, returns to custody, the rate per 100,000). Nothing was "
                        "written",
    "scanned-page.pdf": ": none of the template's tables could be read: page 3 has a picture covering 52% of the page: "
                        "if it shows a table, key that table by hand (a picture has no text to read). Key the report "
                        "by hand (make new-report). Nothing was written",
}


@pytest.mark.parametrize("document", list(SIMPLE_BAD))
def test_bad_test_documents_are_refused_in_one_line(tmp_path, tiny_project, capfd, document):
    assert_refused(tiny_project.root, tmp_path, DRAFT / document, capfd, SIMPLE_BAD[document])


def test_a_missing_file_and_a_folder_are_refused(tmp_path, tiny_project, capfd):
    assert_refused(tiny_project.root, tmp_path, tmp_path / "missing.pdf", capfd,
                   ": expected a report file; found no such file")
    folder = tmp_path / "report.pdf"
    folder.mkdir()
    assert_refused(tiny_project.root, tmp_path, folder, capfd, ": expected a report file; found a folder")


@pytest.mark.parametrize("suffix", [".doc", ".xlsx"])
def test_other_formats_are_refused(tmp_path, tiny_project, capfd, suffix):
    source = tmp_path / f"report{suffix}"
    source.write_bytes(b"PK\x03\x04 anything")
    assert_refused(tiny_project.root, tmp_path, source, capfd,
                   f": expected a .pdf, .docx or .txt file; found a {suffix} file. Save the report as PDF (with its "
                   "text) or Word, or paste its text into a .txt file")


def test_an_empty_text_file_is_called_empty(tmp_path, tiny_project, capfd):
    source = tmp_path / "empty.txt"
    source.write_bytes(b"")
    err = assert_refused(tiny_project.root, tmp_path, source, capfd,
                         ": expected a report's text; found an empty file. Nothing was written")
    assert "scan" not in err and "page" not in err


def test_text_that_is_not_utf8_is_refused_naming_the_line(tmp_path, tiny_project, capfd):
    source = tmp_path / "latin1.txt"
    source.write_bytes("Surrey\nMAPPA Annual Report 2017/18\nPopulation of Surrey: 1 million\n".encode("utf-8")
                       + "Caf\u00e9 conference\n".encode("latin-1"))
    assert_refused(tiny_project.root, tmp_path, source, capfd,
                   ":4: expected text in UTF-8; found a byte that is not (save the text as UTF-8)")


def test_a_docx_that_is_not_a_zip_is_refused(tmp_path, tiny_project, capfd):
    source = tmp_path / "report.docx"
    source.write_text("MAPPA Annual Report, typed in a text editor\n", encoding="utf-8")
    assert_refused(tiny_project.root, tmp_path, source, capfd,
                   ": expected a Word .docx file (a zip); found text. An old .doc file must be saved as .docx or PDF "
                   "first")


def test_a_docx_zip_bomb_is_refused(tmp_path, tiny_project, capfd):
    source = tmp_path / "bomb.docx"
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            zeros = bytes(1024 * 1024)
            for _ in range(101):
                member.write(zeros)
    assert source.stat().st_size < 1024 * 1024
    assert_refused(tiny_project.root, tmp_path, source, capfd,
                   ": expected a Word file that unpacks to at most 100 MB; found 101 MB")


def test_a_pdf_of_more_than_300_pages_is_refused(tmp_path, tiny_project, capfd):
    from reportlab.pdfgen import canvas

    source = tmp_path / "long.pdf"
    pdf = canvas.Canvas(str(source))
    for page in range(301):
        pdf.drawString(72, 720, f"MAPPA-eligible offenders on 31 March 2018, page {page + 1}")
        pdf.showPage()
    pdf.save()
    assert_refused(tiny_project.root, tmp_path, source, capfd,
                   ": expected a report of at most 300 pages; found 301 pages")


def minimal_pdf(page_entries: bytes, content: bytes = b"") -> bytes:
    """A one-page PDF written by hand, with its cross-reference table."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R " + page_entries + b" >>",
               b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


DEEP = 100_000
NESTED = b"[" * DEEP + b"]" * DEEP


@pytest.mark.parametrize("pdf", [
    pytest.param(minimal_pdf(b"/MediaBox [0 0 612 792] /Contents " + NESTED), id="contents-array"),
    pytest.param(minimal_pdf(b"/Contents 4 0 R /MediaBox " + NESTED), id="mediabox-array"),
    pytest.param(minimal_pdf(b"/MediaBox [0 0 612 792] /Contents 4 0 R", b"BT 72 720 Td " + NESTED + b" TJ ET"),
                 id="content-stream-array"),
    pytest.param(minimal_pdf(b"/MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font " + b"<< /A " * DEEP
                             + b">>" * DEEP + b" >>", b"BT 72 720 Td (Hello) Tj ET"), id="resources-dictionary"),
])
def test_a_pdf_nested_thousands_deep_stops_in_one_line(tmp_path, tiny_project, capfd, pdf):
    source = tmp_path / "nested.pdf"
    source.write_bytes(pdf)
    assert_refused(tiny_project.root, tmp_path, source, capfd)


# ---------------------------------------------------------------------------------------------
# 5. never overwrites; all or none


def test_a_regional_draft_with_one_file_in_the_way_writes_none(tmp_path, tiny_project):
    root = tiny_project.root
    folder = root / "drafts"
    folder.mkdir()
    (folder / "lancashire-2024-25.csv").write_text("mine\n", encoding="utf-8")
    code, out, err = draft(root, DRAFT / "chromium-regional.pdf", into=folder)
    assert (code, out) == (1, "")
    assert err == ("Draft stopped: drafts/lancashire-2024-25.csv: a file is there already, and a draft never "
                   "overwrites one. Nothing was written. Draft into keying/ to compare it with that file "
                   "(INTO=keying), or move the file away first\n")
    assert files_under(folder) == ["lancashire-2024-25.csv"]
    assert (folder / "lancashire-2024-25.csv").read_text("utf-8") == "mine\n"
    assert not (root / "keying").exists()


def test_a_draft_into_curated_reports_never_overwrites_the_report(tmp_path, tiny_project):
    root = tiny_project.root
    existing = tiny_project.report_files / "staffordshire-2023-24.csv"
    before = existing.read_bytes()
    code, out, err = draft(root, DRAFT / "reportlab-ruled.pdf", "--area", "staffordshire")
    assert (code, out) == (1, "")
    assert err == ("Draft stopped: curated/reports/staffordshire-2023-24.csv: a file is there already, and a draft "
                   "never overwrites one. Nothing was written. Draft into keying/ to compare it with that file "
                   "(INTO=keying), or move the file away first\n")
    assert existing.read_bytes() == before
    assert files_under(tiny_project.report_files) == ["staffordshire-2023-24.csv"]
    assert not (root / "keying").exists()


def test_into_keying_writes_beside_the_review_sheet(tiny_project):
    code, out, err = draft(tiny_project.root, DRAFT / "cells-per-line.txt", into="keying")
    assert (code, err) == (0, "")
    assert out.startswith("Drafted keying/surrey-2017-18.csv: surrey (named on its cover), 2017-18 (from the table "
                          "'MAPPA-eligible offenders on 31 March 2018').\n")
    assert files_under(tiny_project.root / "keying") == ["surrey-2017-18.csv", "surrey-2017-18.review.html"]
    assert (tiny_project.root / "keying" / "surrey-2017-18.csv").read_bytes() == \
        (DRAFT / "cells-per-line.expected.csv").read_bytes()


# ---------------------------------------------------------------------------------------------
# 6. the area and the year


def test_area_and_year_given_override_what_the_document_says(tmp_path, tiny_project):
    code, out, err = draft(tiny_project.root, DRAFT / "cells-per-line.txt", "--area", "sussex", into=tmp_path / "out")
    assert (code, err) == (0, "")
    assert files_under(tmp_path / "out") == ["sussex-2017-18.csv"]
    assert out.startswith(f"Drafted {tmp_path / 'out' / 'sussex-2017-18.csv'}: sussex (given as AREA), 2017-18 "
                          "(from the table 'MAPPA-eligible offenders on 31 March 2018').\n")
    assert register_rows(out)[0]["area_id"] == "sussex"


TWO_YEARS = (TEXT_COVER + TEXT_ELIGIBLE
             + "RSOs cautioned or convicted for breach of notification requirements, 1 April 2018 to 31 March 2019\t52\n")


def test_tables_stating_two_years_ask_for_the_year(tmp_path, tiny_project):
    source = tmp_path / "two-years.txt"
    source.write_text(TWO_YEARS, encoding="utf-8")
    code, out, err = draft(tiny_project.root, source, into=tmp_path / "out")
    assert (code, out) == (1, "")
    assert err == (f"Draft stopped: {source}: cannot tell the year: its tables state more than one year: 2017-18 from "
                   "the table 'MAPPA-eligible offenders on 31 March 2018'; 2018-19 from the table 'RSOs cautioned or "
                   "convicted for breach of notification requirements, 1 April 2018 to 31 March 2019'. Give it as "
                   "YEAR=<year>, the financial year the tables cover (curated/README.md, step 1). Nothing was "
                   "written.\n")
    assert files_under(tmp_path / "out") == []

    code, out, err = draft(tiny_project.root, source, "--year", "2017-18", into=tmp_path / "out")
    assert (code, err) == (0, "")
    assert out.startswith(f"Drafted {tmp_path / 'out' / 'surrey-2017-18.csv'}: surrey (named on its cover), 2017-18 "
                          "(given as YEAR).\n")
    row = register_rows(out)[0]
    assert (row["year"], row["period_start"], row["period_end"], row["snapshot_date"]) == (
        "2017-18", "2017-04-01", "2018-03-31", "2018-03-31")


def test_a_year_given_makes_a_consistent_register_row(tmp_path, tiny_project):
    code, out, _ = draft(tiny_project.root, DRAFT / "tab-separated.txt", "--year", "2018-19", into=tmp_path / "out")
    assert code == 0
    row = register_rows(out)[0]
    assert (row["year"], row["period_start"], row["period_end"], row["snapshot_date"]) == (
        "2018-19", "2018-04-01", "2019-03-31", "2019-03-31")


def test_two_areas_named_equally_and_none_on_the_cover_ask_for_the_area(tmp_path, tiny_project):
    source = tmp_path / "two-areas.txt"
    source.write_text("MAPPA Annual Report 2017/18\n\nThis year we worked with our partners in Surrey and in Kent on "
                      "a joint review of how the agencies share what they know.\n\n" + TEXT_ELIGIBLE,
                      encoding="utf-8")
    code, out, err = draft(tiny_project.root, source, into=tmp_path / "out")
    assert (code, out) == (1, "")
    assert err == (f"Draft stopped: {source}: cannot tell the area: it names more than one area and none of them on "
                   "its cover: surrey (once), kent (once). Give it as AREA=<area_id> (metadata/areas.csv). "
                   "Nothing was written.\n")
    assert "AREA=" in err
    assert files_under(tmp_path / "out") == []
    code, out, err = draft(tiny_project.root, source, "--area", "kent", into=tmp_path / "out")
    assert (code, err) == (0, "")
    assert files_under(tmp_path / "out") == ["kent-2017-18.csv"]


def test_an_unknown_area_or_a_bad_year_is_refused(tmp_path, tiny_project):
    code, out, err = draft(tiny_project.root, DRAFT / "cells-per-line.txt", "--area", "wessex", into=tmp_path / "out")
    assert (code, out) == (1, "")
    assert err == ("Draft stopped: 1 problem(s). Nothing was written.\n"
                   "  AREA: expected an area_id of metadata/areas.csv; found 'wessex'\n")
    code, out, err = draft(tiny_project.root, DRAFT / "cells-per-line.txt", "--year", "2017-19", into=tmp_path / "out")
    assert (code, out) == (1, "")
    assert err == ("Draft stopped: 1 problem(s). Nothing was written.\n"
                   "  YEAR: expected a financial year such as 2024-25; found '2017-19'\n")
    assert files_under(tmp_path / "out") == []


def test_a_neighbour_named_in_passing_does_not_win(drafted):
    from build_scripts.curator.draft.read import read_bounded

    text = " ".join(line.text for line in read_bounded(DRAFT / "chromium-html.pdf").lines)
    assert "South Wales" in text
    code, out, _, into, _ = drafted("chromium-html.pdf")
    assert code == 0
    assert files_under(into) == ["dyfed-powys-2020-21.csv"]
    assert out.startswith(f"Drafted {into / 'dyfed-powys-2020-21.csv'}: dyfed-powys (named on its cover), 2020-21")


def test_the_area_under_its_other_name(drafted):
    code, out, _, into, _ = drafted("word-report.docx")
    assert code == 0
    assert out.startswith(f"Drafted {into / 'teesside-2022-23.csv'}: teesside (named on its cover), 2022-23")


# ---------------------------------------------------------------------------------------------
# 8. the build refuses a draft with TODO


def test_the_build_refuses_a_draft_with_todo_naming_file_line_and_column(tiny_project):
    source = tiny_project.root.parent / "twice.txt"
    source.write_text(TEXT_COVER + TEXT_ELIGIBLE
                      + "Total number of Registered Sexual Offenders per 100,000 population\t121\t125\n\n"
                        "The rate has been calculated using the mid-2017 estimated resident population, published by "
                        "the Office for National Statistics on 28 June 2018, excluding those aged less than ten years "
                        "of age.\n", encoding="utf-8")
    code, out, err = draft(tiny_project.root, source)
    assert (code, err) == (0, "")
    path = tiny_project.report_files / "surrey-2017-18.csv"
    assert path.read_text("utf-8").splitlines()[-1] == (
        '"Total number of Registered Sexual Offenders per 100,000 population","Total number of Registered Sexual '
        'Offenders per 100,000 population",,TODO,rso_per_100k,all,all,"TODO: 2 figures (\'121\', \'125\') beside one '
        'title at line 8; which is the figure?"')
    assert "  5 printed cells: 4 drafted, 1 left TODO." in out.splitlines()
    (row,) = register_rows(out)
    assert row["population_base"] == ("mid-2017 estimated resident population, excluding those aged less than ten "
                                      "years of age")
    assert row["population_base_published"] == "2018-06-28"
    row |= {"publisher": "Surrey MAPPA Strategic Management Board", "source_title": "Surrey report 2017/18"}
    register = tiny_project.register
    with register.open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(row.values())
    with pytest.raises(BuildError) as caught:
        build_package(tiny_project)
    made = "that make new-report or make draft-report wrote (replace it)"
    assert [str(p) for p in caught.value.problems] == [
        "curated/reports/surrey-2017-18.csv:6: column 'value': expected the value as printed: a whole or decimal "
        f"number (thousands separators allowed), or - for a printed dash; found the placeholder 'TODO' {made}",
        "curated/reports/surrey-2017-18.csv:6: column 'note': expected how we read an unclear cell; found the "
        "placeholder \"TODO: 2 figures ('121', '125') beside one title at line 8; …\" " + made]


def test_a_pdf_table_set_tight_against_its_labels_still_drafts_each_figure(tmp_path, tiny_project):
    """A PDF whose figures stand closer to their row label than a table's usual gap (about two
    thirds of the type size) but wider than a word space: each figure is still a cell of its own;
    a number inside a sentence (a word space before it) is not."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    source = tmp_path / "tight.pdf"
    page = canvas.Canvas(str(source), pagesize=A4, invariant=1)
    page.setFont("Helvetica", 10)
    width = page.stringWidth
    y = 780
    for text in ("Surrey", "MAPPA Annual Report 2017/18", "In 2017/18 the board met 12 times across the county."):
        page.drawString(72, y, text)
        y -= 16
    page.drawString(72, y, "MAPPA-eligible offenders on 31 March 2018")
    y -= 16
    # Figures right-aligned in columns 60 pt apart; the first column's right edge is set so that
    # "1,094" starts 7 pt (0.7 of the type size) after "Level 1" ends.
    first_right = 72 + width("Level 1", "Helvetica", 10) + 7 + width("1,094", "Helvetica", 10)
    rights = [first_right + 60 * i for i in range(4)]
    for right, heading in zip(rights, ["Category 1", "Category 2", "Category 3", "Total"], strict=True):
        page.drawCentredString(right - 12, y, heading)
    for label, figures in (("Level 1", ["1,094", "462", "–", "1,556"]), ("Total", ["1,099", "464", "7", "1,570"])):
        y -= 16
        page.drawString(72, y, label)
        for right, figure in zip(rights, figures, strict=True):
            page.drawRightString(right, y, figure)
    page.save()
    code, out, err = draft(tiny_project.root, source, into=tmp_path / "out")
    assert (code, err) == (0, "")
    rows = list(csv.DictReader((tmp_path / "out" / "surrey-2017-18.csv").open(encoding="utf-8")))
    assert [(r["row"], r["value"], r["category"]) for r in rows] == [
        ("Level 1", "1,094", "1"), ("Level 1", "462", "2"), ("Level 1", "-", "3"), ("Level 1", "1,556", "all"),
        ("Total", "1,099", "1"), ("Total", "464", "2"), ("Total", "7", "3"), ("Total", "1,570", "all")]
