"""
The committee's documents stay inert whatever the departments, reviewers and the plan import
wrote: the payloads of ``payloads.py``, placed in every text field, are built once into each
format (HTML, Word, PDF) of every kind of report (the follow-up of commitments, the plan
proposal, the annual analysis), and each file is read for anything that would run, load or
open something.
"""

import base64
import dataclasses
import io
import re
import subprocess
import zipfile

import lxml.html
import pikepdf
import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase
from lxml import etree

from commitments.models import Committee, ReportingPeriod
from reports.assembly import report_document
from reports.document import RichText, Table
from reports.models import ReportKind
from reports.renderers import render

from .conftest import MARKER
from .seed import ANNUAL, FOLLOW_UP, seed_hostile

#: The documents built: the follow-up of commitments (entries, outcomes, the plan's texts, the
#: introduction), the plan proposal (goal areas, goals, indicators, targets) and the annual
#: analysis (goal follow-ups, section texts): every kind of report.
PLAN_PROPOSAL = (FOLLOW_UP[0], ReportKind.PLAN_PROPOSAL)
DOCUMENTS = [FOLLOW_UP, PLAN_PROPOSAL, ANNUAL]

pytestmark = pytest.mark.django_db  # the module's fixture seeds once, in a transaction rolled back at its end
#: Tags that no text a user writes may bring into a document.
FORBIDDEN_TAGS = {
    "script", "iframe", "object", "embed", "applet", "frame", "frameset", "base", "form", "input", "button",
    "textarea", "select", "option", "template", "noscript", "xmp", "listing", "marquee", "isindex", "audio",
    "video", "source", "details", "math", "foreignobject", "animate", "set", "use", "image",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "data", "background", "poster", "xlink:href"}
CHART = "data:image/svg+xml;base64,"
SAFE_SCHEMES = re.compile(r"^(https?:|mailto:|#|/)", re.IGNORECASE)
#: The fields of a Word file's own: the contents list and its page numbers.
DOCX_FIELDS = re.compile(r'^\s*(TOC \\o "1-3" \\h \\z \\u|PAGEREF _Toc\w+ \\h|PAGE|NUMPAGES)\s*$')


def squeeze(text: str) -> str:
    """``text`` without any whitespace: how a payload is found however a format broke its lines."""
    return "".join(text.split())


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, hostile_payloads, hit_recorder):
    """
    Seed the payloads and build each document in each format once; everything is rolled back
    afterwards. Yields the seeding and the files by (period, kind) and format.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        committee = Committee.objects.filter(slug="asn").first()
        if committee is None:  # a transactional test before this one emptied the database
            call_command("load_demo", password="demo-pass-123", stdout=io.StringIO())
            committee = Committee.objects.get(slug="asn")
        with TestCase.captureOnCommitCallbacks(execute=False):  # no notifications are sent
            seeded = seed_hostile(committee, hostile_payloads)
        files = {}
        for slug, kind in DOCUMENTS:
            period = ReportingPeriod.objects.get(plan__committee=committee, slug=slug)
            document = report_document(period=period, kind=kind, draft=True)
            files[slug, kind] = {fmt: render(document, fmt) for fmt in ("html", "docx", "pdf")}
            files[slug, kind]["plain"] = list(plain_strings(document))
        transaction.set_rollback(True)
    return seeded, files


def plain_strings(value):
    """The plain texts of a document model (headings, table cells, names): every string but rich text."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, RichText):
        return
    elif isinstance(value, Table):
        yield from (value.caption, *value.header)
        for row in value.rows:
            yield from (cell for i, cell in enumerate(row) if not (value.rich and value.rich[i]))
    elif dataclasses.is_dataclass(value):
        for item in dataclasses.fields(value):
            if item.name != "department":  # a row's department is printed only where the layout has its column
                yield from plain_strings(getattr(value, item.name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from plain_strings(item)


def printed_payloads(seeded, files) -> list:
    """The payloads written in plain-text fields that the document model prints: each must show as written."""
    strings = [squeeze(s) for s in files["plain"]]
    found = {p.payload for p in seeded.plain() if any(squeeze(p.payload.text) in s for s in strings)}
    assert len(found) >= 10  # the plan's texts, names, outcomes' reasons, goal follow-ups' sentences …
    return sorted(found, key=lambda p: p.marker)


def test_there_are_over_a_hundred_payloads_in_every_text_field(built, hostile_payloads):
    seeded, _files = built
    assert {kind for _slug, kind in DOCUMENTS} == set(ReportKind.values)  # every kind of report is built
    assert len({p.text for p in hostile_payloads}) >= 100
    assert seeded.markers() == {p.marker for p in hostile_payloads}
    by_field = {}
    for placement in seeded.placements:
        by_field.setdefault(placement.field, set()).add(placement.payload.marker)
    assert len(by_field) >= 25, sorted(by_field)
    singletons = {"committee name", "report occasion", "report introduction"}  # one of each in a committee
    assert {f: len(m) for f, m in by_field.items() if len(m) < 3 and f not in singletons} == {}


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d[1])
def test_the_html_document_runs_and_loads_nothing_from_the_texts(built, document):
    seeded, files = built
    html = files[document]["html"]
    html = html.decode() if isinstance(html, bytes) else html
    tree = lxml.html.document_fromstring(html)
    problems = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower().rpartition("}")[2]
        if tag in FORBIDDEN_TAGS:
            problems.append(f"<{tag}> {etree.tostring(element)[:120]!r}")
        if tag in ("meta", "link", "title") and (element.getparent().tag != "head" or "http-equiv" in element.attrib):
            problems.append(f"<{tag}> {etree.tostring(element)[:120]!r}")
        if tag == "style" and (element.getparent().tag != "head" or MARKER.search(element.text or "")):
            problems.append(f"<style> from a text: {(element.text or '')[:120]!r}")
        for name, value in element.attrib.items():
            name = name.lower()
            if name.startswith("on"):
                problems.append(f"<{tag} {name}={value!r}>")
            if name == "style" and re.search(r"url\s*\(|expression\s*\(|behavior|binding", value, re.I):
                problems.append(f"<{tag} style={value!r}>")
            if tag == "img" and name == "src" and value.startswith(CHART):  # the document's own charts
                svg = base64.b64decode(value.removeprefix(CHART)).decode()
                if re.search(r"<script|<foreignObject|\son\w+=|javascript:|xss\d{3}", svg, re.I):
                    problems.append(f"a chart that runs something: {svg[:200]!r}")
            elif name in URL_ATTRIBUTES and not SAFE_SCHEMES.match(value.strip()):
                problems.append(f"<{tag} {name}={value!r}>")
            if MARKER.search(value) and name != "title":  # a title is text, whatever it holds
                problems.append(f"<{tag} {name}={value!r}> carries a payload")
    assert problems == []
    text = squeeze(tree.text_content())
    missing = [p.marker for p in printed_payloads(seeded, files[document]) if squeeze(p.text) not in text]
    assert missing == [], "Plain texts not printed as written"


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d[1])
def test_the_word_document_has_no_fields_links_or_parts_from_the_texts(built, document):
    seeded, files = built
    problems, texts = [], []
    with zipfile.ZipFile(io.BytesIO(files[document]["docx"])) as docx:
        for name in docx.namelist():
            data = docx.read(name)
            if name.endswith(".rels"):
                for rel in etree.fromstring(data):
                    target, mode, kind = rel.get("Target"), rel.get("TargetMode"), rel.get("Type").rpartition("/")[2]
                    if mode == "External" and (kind != "hyperlink" or not re.match(r"https?:|mailto:", target)):
                        problems.append(f"{name}: external {kind} → {target}")
                    if MARKER.search(target):
                        problems.append(f"{name}: {kind} → {target}")
            elif name.endswith(".xml"):
                root = etree.fromstring(data)
                namespaces = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
                if root.xpath("//w:altChunk", namespaces=namespaces):
                    problems.append(f"{name}: altChunk")
                instructions = root.xpath("//w:instrText/text() | //w:fldSimple/@w:instr", namespaces=namespaces)
                problems += [f"{name}: field {i!r}" for i in instructions if not DOCX_FIELDS.match(i)]
                for paragraph in root.xpath("//w:p", namespaces=namespaces):
                    texts.append("".join(paragraph.xpath(".//w:t/text()", namespaces=namespaces)))
        content_types = docx.read("[Content_Types].xml").decode()
    assert problems == []
    assert not re.search(r"html|xhtml|mhtml|rtf|oleObject|vbaProject|macroEnabled", content_types, re.I)
    text = squeeze("\n".join(texts))
    missing = [p.marker for p in printed_payloads(seeded, files[document]) if squeeze(p.text) not in text]
    assert missing == [], "Plain texts not printed as written"


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d[1])
def test_the_pdf_has_no_actions_scripts_or_links_from_the_texts(built, document, hit_recorder, tmp_path):
    seeded, files = built
    problems = []
    with pikepdf.open(io.BytesIO(files[document]["pdf"])) as pdf:
        root = pdf.Root
        for key in ("/OpenAction", "/AA"):
            if key in root:
                problems.append(f"catalog {key}")
        if "/Names" in root and "/JavaScript" in root.Names:
            problems.append("catalog /Names /JavaScript")
        for obj in pdf.objects:
            if not isinstance(obj, pikepdf.Dictionary):
                continue
            if "/JS" in obj or obj.get("/S") in (
                pikepdf.Name.JavaScript,
                pikepdf.Name.Launch,
                pikepdf.Name.ImportData,
            ):
                problems.append(f"action {obj.get('/S')}")
            if "/AA" in obj:
                problems.append("additional actions (/AA)")
            if obj.get("/Type") == pikepdf.Name.EmbeddedFile or "/EmbeddedFiles" in obj:
                problems.append("embedded file")
            if obj.get("/S") == pikepdf.Name.URI:
                uri = str(obj.URI)
                if not re.match(r"https?:|mailto:", uri) or MARKER.search(uri):
                    problems.append(f"link to {uri}")
            if obj.get("/Subtype") == pikepdf.Name.Link and "/A" not in obj and "/Dest" not in obj:
                problems.append("link without a destination")
    assert problems == []
    path = tmp_path / "document.pdf"
    path.write_bytes(files[document]["pdf"])
    text = squeeze(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout)
    missing = [p.marker for p in printed_payloads(seeded, files[document]) if p.marker not in text]
    assert missing == [], "Plain texts not printed as text"


def test_building_the_documents_fetched_nothing_a_text_names(built, hit_recorder):
    """WeasyPrint fetches what the HTML names: nothing that a text wrote may get that far."""
    assert hit_recorder.markers() == set()
