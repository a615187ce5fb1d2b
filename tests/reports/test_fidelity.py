"""
Fidelity of the built follow-up report: what the Word and PDF files say, read back from the files.

The demo follow-up (ASN, januari–augusti 2019, approved content) is built once per module with
the ``build_report`` command, as a committee secretary would. The text is read back with
python-docx (paragraphs and table cells, nested tables included, in document order) and with
poppler's ``pdftotext``. The expectations come from the plan (the demo CSV files), the approved
entries in the database and the seed document, never from the renderers' own output.

Text is compared whitespace-collapsed in Word. pdftotext breaks lines, drops a hyphen at a line
end ("arbetsmarknads-" + "och" reads "arbetsmarknadsoch"), turns no-break spaces into spaces
and reads table columns block by block, so in the PDF text is compared without whitespace and
hyphens, page by page, and a piece of text may be cut in two by a page break.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import lxml.etree
import lxml.html
import pikepdf
import pytest
from django.conf import settings
from django.core.management import call_command
from docx import Document as WordDocument
from docx.text.paragraph import Paragraph

from commitments.models import Committee, ProgressEntry, ReportingPeriod, ReviewStatus
from indicators.models import Indicator, Outcome
from reports.assembly import follow_up_document

pytestmark = pytest.mark.django_db

COMMITTEE, PERIOD, KIND = "asn", "2019-jan-aug", "ataganden"
DEMO_PLAN = Path(settings.BASE_DIR) / "demo" / "data" / "asn-2019"
SEED = Path(__file__).resolve().parent.parent / "seeds" / "uppfoljning-ataganden-2019-jan-aug.txt"

#: The commitment indicators as the seed prints them (its L64–L98 and L153): Utfall, and the
#: Samtliga / Kvinnor / Män table's rows (total, count, share), or None where it has none.
SEED_INDICATORS = {
    "Andel unga som avslutas från en arbetsmarknadsinsats mot utbildning": (
        "18%", (("628", "257", "371"), ("116", "52", "64"), ("18 %", "20 %", "17 %")),
    ),
    "Andel unga som avslutas från en arbetsmarknadsinsats mot arbete": (
        "21%", (("628", "257", "371"), ("130", "43", "87"), ("21 %", "17 %", "23 %")),
    ),
    "Andel deltagare i arbetsmarknadsinsatser som avslutas mot utbildning": (
        "6%", (("1 376", "700", "676"), ("86", "66", "20"), ("6 %", "9 %", "3 %")),
    ),
    "Andel deltagare i arbetsmarknadsinsatser som avslutas mot arbete": (
        "22%", (("1 376", "700", "676"), ("307", "136", "171"), ("22 %", "19 %", "25 %")),
    ),
    "Antal barn i hemlöshet till följd av våld i hemmet.": ("", None),
}  # fmt: skip

#: Content of the Word file that could run or fetch something when the file is opened.
DOCX_FORBIDDEN = ("javascript:", "vbscript:", "alert(", "<script", "onerror", "onload", "<iframe", "<object",
                  "altchunk", "oleobject", "w:object")  # fmt: skip
HTML_FORBIDDEN = ("<script", "javascript:", "onerror", "onload", "onclick", "<iframe", "<object", "<svg", "<img",
                  "<style", "alert(")  # fmt: skip
#: PDF action types that run code, start programs or send data.
PDF_FORBIDDEN_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/ResetForm", "/Rendition", "/Movie",
                         "/Sound", "/Hide", "/GoToR", "/GoToE"}  # fmt: skip


# Normalising the text read back


def collapse(text: str) -> str:
    """Runs of whitespace (no-break spaces and line breaks included) as one space."""
    return " ".join(text.split())


def letters(text: str) -> str:
    """``text`` without whitespace and hyphens: what survives pdftotext's line breaking."""
    return re.sub(r"[\s\u00ad\u2010\u2011-]+", "", text)


def leading(text: str, size: int = 60) -> str:
    """The first words of ``text``, at most about ``size`` characters."""
    text = collapse(text)
    if len(text) <= size:
        return text
    return text[: text.rindex(" ", 0, size + 1)]


def first_paragraph(html: str) -> str:
    """The text of the first paragraph (or list item) of a stored comment."""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for element in root.iter("p", "li"):
        if collapse(element.text_content()):
            return collapse(element.text_content())
    return collapse(root.text_content())


def figure_pattern(figure: str) -> str:
    """A regex for a figure as printed ("1 376", "18 %", "18%") in whitespace-collapsed text."""
    return r"\s?".join(re.escape(part) for part in re.split(r"\s*(?=%)|\s+", figure.strip()))


def figures_after(header: str, rows) -> re.Pattern:
    """
    A regex, for ``letters`` text, of a table header followed by the table's figures in order:
    row labels and other text may stand between them, other digits may not.
    """
    return re.compile(re.escape(header) + "".join(r"\D*?" + re.escape(letters(f)) for row in rows for f in row))


def found_on_page(needle: str, pages: list[str], within: range, *, piece: int = 10) -> int | None:
    """
    The index of the page (of ``pages``, ``letters`` text, looked for ``within`` those indexes)
    where ``needle`` begins: whole on that page, or else cut in two by the page break, each
    piece at least ``piece`` characters. None if neither.
    """
    whole = next((i for i in within if needle in pages[i]), None)
    if whole is not None:
        return whole
    for i in within:
        following = pages[i + 1] if i + 1 < len(pages) else ""
        if needle[:piece] in pages[i]:
            for cut in range(piece, len(needle) - piece + 1):
                if needle[:cut] in pages[i] and needle[cut:] in following:
                    return i
    return None


# Reading the files back


def word_text(container) -> str:
    """Every paragraph and table cell of a Word document or cell (nested tables too), one a line, in order."""
    lines = []

    def read(container):
        for item in container.iter_inner_content():
            if isinstance(item, Paragraph):
                lines.append(item.text)
                continue
            for row in item.rows:
                seen = []
                for cell in row.cells:  # a merged cell is listed once per grid column it spans
                    if cell._tc not in seen:
                        seen.append(cell._tc)
                        read(cell)

    read(container)
    return "\n".join(lines)


def docx_text(source) -> str:
    return word_text(WordDocument(source))


def pdf_pages(path: Path, *, layout: bool = False) -> list[str]:
    """The text of each page of a PDF, by pdftotext (``-layout`` keeps table rows on one line)."""
    command = ["pdftotext", *(["-layout"] if layout else []), str(path), "-"]
    text = subprocess.run(command, check=True, capture_output=True).stdout.decode("utf-8")
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def outcome_column(layout_page: str) -> list[str]:
    """
    The values (``letters`` text) in the Utfall column of a page's indicator tables (``-layout``
    text): a figure that begins under the header's "Utfall" (right-aligned, it may begin a little
    left of it) and ends before the comment column.
    """
    values, column = [], None
    for line in layout_page.splitlines():
        if "Åtagandeindikator" in line and "Utfall" in line and "Kommentar" in line:
            column = (line.index("Utfall") - 3, line.index("Kommentar"))
        elif re.match(r"\s*Åtagande\s+Kommentar", line):  # a commitments table follows on the page
            column = None
        elif column:
            start, end = column
            match = re.match(r"\s*(\d[\d\s,]*?(?:\s?%)?)(?=\s|$)", line[start:])
            if match and start + match.end(1) < end:
                values.append(letters(match.group(1)))
    return values


def pdf_objects(pdf: pikepdf.Pdf):
    """Every dictionary and stream of a PDF, direct ones inside others included."""

    def inside(obj):
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            yield obj
            children = obj.values()
        elif isinstance(obj, pikepdf.Array):
            children = obj
        else:
            return
        for child in children:
            if isinstance(child, pikepdf.Object) and not child.is_indirect:  # indirect ones: in pdf.objects
                yield from inside(child)

    for obj in pdf.objects:
        yield from inside(obj)


def build(fmt: str, directory: Path) -> Path:
    out = directory / f"uppfoljning.{fmt}"
    call_command(
        "build_report", committee=COMMITTEE, period=PERIOD, kind=KIND, format=fmt, output=str(out),
        stdout=io.StringIO(),
    )  # fmt: skip
    return out


# What the demo should print


def plan_chapters() -> list[str]:
    """The committee goals of the demo plan's CSV, in the plan's order (goal area, then goal)."""
    with open(DEMO_PLAN / "malomraden.csv", encoding="utf-8") as f:
        areas = {row["kod"]: int(row["ordning"]) for row in csv.DictReader(f) if row["år"] == "2019"}
    with open(DEMO_PLAN / "mal.csv", encoding="utf-8") as f:
        goals = [row for row in csv.DictReader(f) if row["år"] == "2019" and row["nivå"] == "nämndsmål"]
    return [row["text"] for row in sorted(goals, key=lambda row: (areas[row["målområde"]], int(row["ordning"])))]


def plan_commitment_codes() -> list[str]:
    with open(DEMO_PLAN / "ataganden.csv", encoding="utf-8") as f:
        return [row["kod"] for row in csv.DictReader(f) if row["år"] == "2019"]


@dataclass(frozen=True)
class ExpectedRow:
    code: str
    chapter: int
    text: str
    fragment: str  # the start of the approved comment's first paragraph
    assessment: tuple[str, str] | None  # symbol, label


@dataclass(frozen=True)
class ExpectedIndicator:
    name: str
    chapter: int
    outcome: str  # as the seed prints it, "" for none
    fragment: str
    breakdown: tuple[tuple[str, str, str], ...] | None


@dataclass(frozen=True)
class Built:
    title: str
    chapters: list[str]  # "1 Inledning", "2 …", … "18 …"
    rows: list[ExpectedRow]
    indicators: list[ExpectedIndicator]
    docx: Path
    pdf: Path
    docx_text: str
    docx_headings: list[str]
    pdf_pages: list[str]  # letters() of each page
    pdf_layout_pages: list[str]

    def chapter_pages(self) -> list[int | None]:
        """
        The page where each chapter's numbered heading stands, after the contents page: chapters
        follow one another (none starts a new page), so several may share a page.
        """
        contents = next(i for i, page in enumerate(self.pdf_pages) if "Innehållsförteckning" in page)
        starts, after = [], contents + 1
        for heading in self.chapters:
            start = next((i for i in range(after, len(self.pdf_pages)) if letters(heading) in self.pdf_pages[i]), None)
            starts.append(start)
            after = start if start is not None else after
        return starts

    def pdf_chapter(self, number: int) -> range:
        """The pages of chapter ``number``: from its heading's page to the next chapter's, both included."""
        starts = self.chapter_pages()
        end = starts[number] + 1 if number < len(starts) else len(self.pdf_pages)
        return range(starts[number - 1], end)


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory) -> Built:
    """
    The approved demo follow-up built once for this module as DOCX and PDF, with its
    expectations. It only reads the demo, which django_db_setup committed.
    """
    directory = tmp_path_factory.mktemp("fidelity")
    with django_db_blocker.unblock():
        if not Committee.objects.filter(slug=COMMITTEE).exists():  # a transactional test emptied the database
            from tests.conftest import DEMO_PASSWORD

            call_command("load_demo", password=DEMO_PASSWORD, stdout=io.StringIO())
        period = ReportingPeriod.objects.select_related("plan").get(plan__committee__slug=COMMITTEE, slug=PERIOD)
        goals = plan_chapters()
        chapter_of = {text: number for number, text in enumerate(goals, start=2)}
        rows = [
            ExpectedRow(
                code=entry.commitment.code,
                chapter=chapter_of[entry.commitment.goal.text],
                text=entry.commitment.text,
                fragment=leading(first_paragraph(entry.comment)),
                assessment=(entry.assessment.symbol, entry.assessment.label) if entry.assessment else None,
            )
            for entry in ProgressEntry.objects.filter(period=period, status=ReviewStatus.APPROVED)
            .select_related("commitment__goal", "assessment")
            .order_by("commitment__code")
        ]
        outcomes = (
            Outcome.objects.filter(period=period, status=ReviewStatus.APPROVED)
            .filter(indicator__level=Indicator.Level.COMMITMENT)
            .select_related("indicator__goal")
            .order_by("indicator__code")
        )  # fmt: skip
        indicators = [
            ExpectedIndicator(
                name=outcome.indicator.name,
                chapter=chapter_of[outcome.indicator.goal.text],
                outcome=SEED_INDICATORS[outcome.indicator.name][0],
                fragment=leading(first_paragraph(outcome.comment)),
                breakdown=SEED_INDICATORS[outcome.indicator.name][1],
            )
            for outcome in outcomes
        ]
        title = follow_up_document(period=period).title
        docx, pdf = build("docx", directory), build("pdf", directory)
    word = WordDocument(docx)
    return Built(
        title=title,
        chapters=["1 Inledning", *(f"{number} {text}" for number, text in enumerate(goals, start=2))],
        rows=rows,
        indicators=indicators,
        docx=docx,
        pdf=pdf,
        docx_text=docx_text(docx),
        docx_headings=[p.text for p in word.paragraphs if p.style.name == "Heading 1"],
        pdf_pages=[letters(page) for page in pdf_pages(pdf)],
        pdf_layout_pages=pdf_pages(pdf, layout=True),
    )


def test_the_expectations_cover_the_whole_demo_follow_up(built):
    assert len(built.chapters) == 18
    assert [row.code for row in built.rows] == plan_commitment_codes()
    assert len(built.rows) == 34
    assert sorted(i.name for i in built.indicators) == sorted(SEED_INDICATORS)
    assert sum(1 for i in built.indicators if i.breakdown) == 4


@pytest.mark.skipif(not SEED.exists(), reason="the seed documents are not in this checkout")
def test_the_plan_chapters_and_the_expected_figures_are_the_seeds():
    seed = SEED.read_text(encoding="utf-8")
    body = seed[seed.index("\n1 Inledning") :]  # after the table of contents
    headings = [f"{n} {text}" for n, text in re.findall(r"^(\d{1,2}) (\S.*?)\s*$", body, flags=re.MULTILINE)]
    assert headings == ["1 Inledning", *(f"{n} {text}" for n, text in enumerate(plan_chapters(), start=2))]
    lines = seed.splitlines()
    for name, (outcome, breakdown) in SEED_INDICATORS.items():
        at = next(i for i, line in enumerate(lines) if line.startswith(name + "\t"))
        assert lines[at].split("\t")[1] == outcome
        if breakdown:
            header = next(i for i in range(at + 1, len(lines)) if lines[i].startswith("\tSamtliga\tKvinnor\tMän"))
            assert tuple(tuple(lines[header + n].split("\t")[1:4]) for n in (1, 2, 3)) == breakdown


# What the files say


class TestTheWordFile:
    def test_has_the_goal_chapters_as_numbered_headings_in_the_plans_order(self, built):
        numbered = [h for h in built.docx_headings if re.match(r"\d+ ", h)]
        assert numbered == built.chapters

    def test_has_every_commitment_with_its_assessment_and_approved_comment(self, built):
        text = collapse(built.docx_text)
        missing = []
        for row in built.rows:
            assessment = ""
            if row.assessment:
                symbol, label = row.assessment
                assessment = rf"{re.escape(symbol)} \(?{re.escape(label)}\)? "
            if not re.search(re.escape(collapse(row.text)) + " " + assessment + re.escape(row.fragment), text):
                missing.append(row.code)
        assert missing == []
        for symbol in ("●", "◆"):  # each mark once per commitment, and once in the legend
            assert built.docx_text.count(symbol) == 1 + sum(
                1 for r in built.rows if r.assessment and r.assessment[0] == symbol
            )

    def test_has_each_commitment_indicator_with_its_outcome_and_comment(self, built):
        text = collapse(built.docx_text)
        for indicator in built.indicators:
            outcome = figure_pattern(indicator.outcome) + " " if indicator.outcome else ""
            pattern = re.escape(collapse(indicator.name)) + " " + outcome + re.escape(indicator.fragment)
            assert re.search(pattern, text), indicator.name

    def test_has_the_seeds_women_and_men_figures_under_each_indicator(self, built):
        text = letters(built.docx_text)
        for indicator in (i for i in built.indicators if i.breakdown):
            start = text.index(letters(indicator.name))
            table = text.index("SamtligaKvinnorMän", start)  # the first such table after the indicator's row
            match = figures_after("SamtligaKvinnorMän", indicator.breakdown).match(text, table)
            assert match, indicator.name


class TestThePdf:
    def test_has_the_goal_chapters_as_numbered_headings_in_the_plans_order(self, built):
        starts = built.chapter_pages()
        assert None not in starts, [h for h, s in zip(built.chapters, starts, strict=True) if s is None]
        assert starts == sorted(starts)
        assert starts[0] > 1  # after the title page and the contents

    def test_has_every_commitment_beside_its_approved_comment_in_its_chapter(self, built):
        wrong = []
        for row in built.rows:
            chapter = built.pdf_chapter(row.chapter)
            text_page = found_on_page(letters(row.text), built.pdf_pages, chapter)
            comment_page = found_on_page(letters(row.fragment), built.pdf_pages, chapter)
            if text_page is None or comment_page != text_page:
                wrong.append((row.code, text_page, comment_page, chapter))
        assert wrong == []
        text = "".join(built.pdf_pages)
        for symbol in ("●", "◆"):  # each mark once per commitment, and once in the legend
            assert text.count(symbol) == 1 + sum(1 for r in built.rows if r.assessment and r.assessment[0] == symbol)

    def test_has_each_commitment_indicator_with_its_comment_in_its_chapter(self, built):
        for indicator in built.indicators:
            chapter = built.pdf_chapter(indicator.chapter)
            assert found_on_page(letters(indicator.name), built.pdf_pages, chapter) is not None, indicator.name
            assert found_on_page(letters(indicator.fragment), built.pdf_pages, chapter) is not None, indicator.name

    def test_prints_the_outcomes_in_the_outcome_column(self, built):
        printed = [value for page in built.pdf_layout_pages for value in outcome_column(page)]
        expected = sorted((i for i in built.indicators if i.outcome), key=lambda i: i.chapter)
        assert printed == [letters(i.outcome) for i in expected]

    def test_has_the_seeds_women_and_men_figures_in_the_indicators_chapter(self, built):
        for indicator in (i for i in built.indicators if i.breakdown):
            chapter = "".join(built.pdf_pages[p] for p in built.pdf_chapter(indicator.chapter))
            assert figures_after("SamtligaKvinnorMän", indicator.breakdown).search(chapter), indicator.name


# PDF/UA


def test_the_pdf_is_tagged_swedish_titled_and_bookmarked_by_chapter(built):
    pdf = pikepdf.open(built.pdf)
    root = pdf.Root
    assert "/StructTreeRoot" in root
    assert bool(root.MarkInfo.Marked) is True
    assert str(root.Lang).startswith("sv")
    assert str(pdf.docinfo.Title) == built.title
    meta = pdf.open_metadata()
    assert meta["dc:title"] == built.title
    assert meta["{http://www.aiim.org/pdfua/ns/id/}part"] == "1"
    assert bool(root.ViewerPreferences.DisplayDocTitle) is True  # viewers show the title, not the file name

    def tags(node):
        if isinstance(node, pikepdf.Dictionary):
            if "/S" in node:
                yield str(node.S)
            if "/K" in node:
                yield from tags(node.K)
        elif isinstance(node, pikepdf.Array):
            for child in node:
                yield from tags(child)

    assert list(tags(root.StructTreeRoot)).count("/H2") == len(built.chapters) + 1  # and the contents' heading

    def page_of(item) -> int:
        destination = item.destination
        if isinstance(destination, pikepdf.String | pikepdf.Name):
            destination = pikepdf.NameTree(root.Names.Dests)[str(destination)]
        return pdf.pages.index(pikepdf.Page(destination[0]))

    bookmarks = []
    with pdf.open_outline() as outline:
        pending = list(outline.root)
        while pending:
            item = pending.pop(0)
            bookmarks.append((item.title, page_of(item)))
            pending[:0] = list(item.children)
    chapters = [(title, page) for title, page in bookmarks if re.match(r"\d+ ", title)]
    assert [title for title, _ in chapters] == built.chapters
    assert [page for _, page in chapters] == built.chapter_pages()  # each leads to its chapter's first page


# Hostile comments


def hostile(label: str) -> str:
    """A comment with script, event handlers, embeds and styles around three harmless paragraphs."""
    return (
        f"<p>Före angreppet {label}.</p>"
        "<script>alert(1)</script>"
        f'<p>Länkar {label}: <a href="javascript:alert(2)">x</a> och <a href="https://malmo.se/">Malmö stad</a>.</p>'
        "<p><img src=x onerror=alert(3)></p>"
        '<iframe src="https://example.org/"></iframe>'
        '<object data="x.swf"></object>'
        "<svg onload=alert(4)><circle r=1></circle></svg>"
        "<style>body { display: none }</style>"
        f'<p onclick="alert(5)">Efter angreppet {label}.</p>'
    )


def harmless(label: str) -> list[str]:
    return [f"Före angreppet {label}.", f"Länkar {label}: x och Malmö stad.", f"Efter angreppet {label}."]


@pytest.fixture
def hostile_period(demo, editor, reviewer):
    """
    The demo period with three hostile comments, all approved: A05's saved through the
    services (reopened, written, submitted, approved); A02's and outcome AI1's written into
    the database directly, as an import or an older version could have left them.
    """
    from commitments.services import progress_entry_save
    from commitments.workflow import reviewable_transition

    period = ReportingPeriod.objects.get(plan__committee=demo, slug=PERIOD)
    entry = ProgressEntry.objects.get(period=period, commitment__code="A05")
    entry = reviewable_transition(obj=entry, action="reopen", user=reviewer, reason="Komplettera")
    entry = progress_entry_save(
        entry=entry, user=editor, comment=hostile("ALFA"), assessment=entry.assessment, expected_version=entry.version
    )
    assert "<script" not in entry.comment  # the service cleans what it saves
    entry = reviewable_transition(obj=entry, action="submit", user=editor)
    reviewable_transition(obj=entry, action="approve", user=reviewer)
    assert ProgressEntry.objects.filter(period=period, commitment__code="A02", status=ReviewStatus.APPROVED).update(
        comment=hostile("BETA")
    )
    assert Outcome.objects.filter(period=period, indicator__code="AI1", status=ReviewStatus.APPROVED).update(
        comment=hostile("GAMMA")
    )
    return period


def html_problems(html: str) -> list[str]:
    """What in an HTML page could run or fetch something."""
    return [bad for bad in HTML_FORBIDDEN if bad in html.lower()]


def docx_problems(source) -> list[str]:
    """What in a Word file could run or fetch something: markup, scripts, embeds, odd link targets."""
    with zipfile.ZipFile(source) as archive:
        parts = {name: archive.read(name).decode("utf-8", "replace") for name in archive.namelist()}
    problems = [f"{name}: {bad}" for name, xml in parts.items() for bad in DOCX_FORBIDDEN if bad in xml.lower()]
    for name, xml in parts.items():
        if name.endswith(".rels"):
            for rel in lxml.etree.fromstring(xml.encode()).iter("{*}Relationship"):
                if rel.get("TargetMode") == "External" and not re.match(r"(https?|mailto):", rel.get("Target")):
                    problems.append(f"{name}: {rel.get('Target')}")
    return problems


def pdf_problems(pdf: pikepdf.Pdf) -> list[str]:
    """What in a PDF could run something: script or launch actions, odd link targets, script in streams."""
    problems = ["/OpenAction"] if "/OpenAction" in pdf.Root else []
    for obj in pdf_objects(pdf):
        if "/S" in obj and str(obj.S) in PDF_FORBIDDEN_ACTIONS:
            problems.append(str(obj.S))
        problems += [key for key in ("/JS", "/JavaScript", "/AA", "/Launch", "/EmbeddedFiles") if key in obj]
        if "/URI" in obj and not re.match(r"(https?|mailto):", str(obj.URI)):
            problems.append(str(obj.URI))
        if isinstance(obj, pikepdf.Stream):
            data = obj.read_bytes().lower()  # decompressed
            problems += [bad.decode() for bad in (b"javascript", b"alert(", b"<script") if bad in data]
    return problems


def pdf_uris(pdf: pikepdf.Pdf) -> list[str]:
    return [str(obj.URI) for obj in pdf_objects(pdf) if "/URI" in obj]


def test_the_checks_for_hostile_content_find_it(tmp_path):
    """The checks below see what they look for, so that their silence means something."""
    from docx.opc.constants import RELATIONSHIP_TYPE

    assert len(html_problems(hostile("X"))) >= 8

    word = WordDocument()
    word.add_paragraph("Text")
    word.part.relate_to("javascript:alert(1)", RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    word.save(tmp_path / "bad.docx")
    assert docx_problems(tmp_path / "bad.docx") == [
        "word/_rels/document.xml.rels: javascript:", "word/_rels/document.xml.rels: alert(",
        "word/_rels/document.xml.rels: javascript:alert(1)",
    ]  # fmt: skip

    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("alert(1)"))
    pdf.pages[0].Annots = pdf.make_indirect(
        [pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 10, 10],
                            A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("javascript:alert(2)")))]
    )  # fmt: skip
    pdf.pages[0].Contents = pdf.make_stream(b"% <script>alert(3)</script>")
    assert sorted(set(pdf_problems(pdf))) == sorted(
        {"/OpenAction", "/JavaScript", "/JS", "javascript:alert(2)", "alert(", "<script"}
    )


class TestHostileComments:
    labels = ("ALFA", "BETA", "GAMMA")

    def test_the_html_keeps_the_text_and_nothing_that_runs(self, hostile_period, tmp_path):
        html = build("html", tmp_path).read_text(encoding="utf-8")
        head, body = html.split("</head>")
        assert html.lower().count("<style") == 1  # the house stylesheet, and no other
        assert "<style>" in head
        assert html_problems(body) == []
        text = collapse(lxml.html.document_fromstring(html).text_content())
        assert [t for label in self.labels for t in harmless(label) if t not in text] == []
        assert 'href="https://malmo.se/"' in html  # a safe link stays a link

    def test_the_word_file_keeps_the_text_and_nothing_that_runs(self, hostile_period, tmp_path):
        docx = build("docx", tmp_path)
        assert docx_problems(docx) == []
        text = collapse(docx_text(docx))
        assert [t for label in self.labels for t in harmless(label) if t not in text] == []

    def test_the_pdf_keeps_the_text_and_has_no_actions_that_run(self, hostile_period, tmp_path):
        path = build("pdf", tmp_path)
        pdf = pikepdf.open(path)
        assert pdf_problems(pdf) == []
        assert "https://malmo.se/" in pdf_uris(pdf)  # a safe link stays a link
        text = letters("".join(pdf_pages(path)))
        assert "alert(" not in text
        assert "javascript" not in text.lower()
        assert [t for label in self.labels for t in harmless(label) if letters(t) not in text] == []


def test_no_chapter_heading_stands_alone_at_the_foot_of_its_page(built):
    """A heading is kept with what follows it: something more than the page number comes after it on its page."""
    alone = []
    for heading, page in zip(built.chapters, built.chapter_pages(), strict=True):
        text = built.pdf_pages[page]
        if re.fullmatch(r"\d*", text[text.index(letters(heading)) + len(letters(heading)) :]):
            alone.append(heading)
    assert alone == []


def test_each_indicators_outcome_is_on_the_page_of_its_name(built):
    apart = []
    for indicator in (i for i in built.indicators if i.outcome):
        chapter = built.pdf_chapter(indicator.chapter)
        name_page = found_on_page(letters(indicator.name), built.pdf_pages, chapter)
        if letters(indicator.outcome) not in outcome_column(built.pdf_layout_pages[name_page]):
            apart.append(indicator.name)
    assert apart == []


def word_comment_cell(html: str):
    """The comment cell of a one-row commitment table in Word, for a comment as the selector passes it on."""
    from common.richtext import sanitize_rich_text
    from reports.document import CommitmentRow, CommitmentTable, Document, RichText, Section
    from reports.renderers.docx import render_docx

    row = CommitmentRow(code="A01", text="Åtagandet", department="STAB", assessment=None,
                        comment=RichText(sanitize_rich_text(html)))  # fmt: skip
    document = Document(kind=KIND, title="Prov", organisation="Malmö stad", committee="ASN", period="2019",
                        sections=[Section(heading="Målet", number="2", blocks=[CommitmentTable((row,))])])  # fmt: skip
    word = WordDocument(io.BytesIO(render_docx(document)))
    return word.tables[-1].rows[1].cells[1]


@pytest.mark.parametrize(
    ("html", "shown"),
    [
        pytest.param(
            "<ul><li><p>Punkt från redigeraren</p></li></ul>", "Punkt från redigeraren", id="editor-list-item"
        ),
        pytest.param("<p>Rad ett<br>rad två</p>", "Rad ett rad två", id="line-break"),
        pytest.param("Text utan stycke", "Text utan stycke", id="text-outside-paragraphs"),
        pytest.param("<table><tr><td>Cell utan stycke</td></tr></table>", "Cell utan stycke", id="table-cell"),
    ],
)
def test_the_word_file_keeps_all_the_text_of_a_comment(html, shown):
    assert shown in collapse(word_text(word_comment_cell(html)))


def test_a_table_in_a_comment_stays_a_table_in_the_word_file():
    cell = word_comment_cell(
        "<table><tbody><tr><th><p>Grupp</p></th><th><p>Antal</p></th></tr>"
        "<tr><td><p>Kvinnor</p></td><td><p>52</p></td></tr></tbody></table>"
    )
    assert [[c.text for c in row.cells] for table in cell.tables for row in table.rows] == [
        ["Grupp", "Antal"], ["Kvinnor", "52"],
    ]  # fmt: skip


def test_a_link_in_a_comment_stays_a_link_in_the_word_file():
    cell = word_comment_cell('<p>Se <a href="https://malmo.se/">Malmö stad</a>.</p>')
    assert "Se Malmö stad." in collapse(word_text(cell))
    assert "https://malmo.se/" in [rel.target_ref for rel in cell.part.rels.values() if rel.is_external]
