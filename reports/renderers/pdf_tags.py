"""
Two repairs to WeasyPrint's tagged PDF, made on its pydyf objects before the file is written
(``write_pdf(finisher=...)``). Both follow what WeasyPrint itself decided; neither adds content.

- Running headers and page numbers as artifacts. WeasyPrint 70 tags the text of page margin
  boxes as ordinary marked content (``/Span <</MCID n>> BDC``) whose structure elements it
  leaves out of the structure tree (https://github.com/Kozea/WeasyPrint/issues/1836): the text
  is neither real content nor an artifact (PDF/UA-1 7.1). Here it becomes
  ``/Artifact <</Type /Pagination>> BDC`` and leaves the parent tree.
- A Scope on every TH. WeasyPrint 70 writes IDs on TH cells and Headers on TD cells (a row
  header where the HTML says ``scope="row"``, else a column header) but no ``/Scope``
  (https://github.com/Kozea/WeasyPrint/issues/2508). A TH that a TD of its own row names in
  its Headers is a row header (``/Row``); any other TH is a column header (``/Column``).
"""

import pydyf


def _object(pdf: pydyf.PDF, reference):
    """The object a pydyf reference (b"12 0 R") points to; None for anything else."""
    if isinstance(reference, bytes) and reference.endswith(b" R"):
        return pdf.objects[int(reference.split()[0])]
    return None


def _kids(pdf: pydyf.PDF, element) -> list:
    kids = element.get("K", ())
    kids = kids if isinstance(kids, list | tuple) else [kids]
    return [kid for kid in (_object(pdf, k) for k in kids) if isinstance(kid, dict)]


def _in_tree(pdf: pydyf.PDF, element, root) -> bool:
    """Whether ``element`` is reached from the structure tree root by its parents' kids."""
    while True:
        parent = _object(pdf, element.get("P"))
        if parent is None:
            return False
        if parent is root:
            return True
        if element.reference not in (parent.get("K") or ()):
            return False
        element = parent


def _margin_content_as_artifacts(pdf: pydyf.PDF, root) -> None:
    nums = _object(pdf, root["ParentTree"])["Nums"]
    pages = [pdf.objects[number] for number in pdf.pages["Kids"][::3]]  # number, 0, R
    for index in range(0, len(nums), 2):
        page_number, parents = nums[index], nums[index + 1]
        if not isinstance(parents, list) or not isinstance(page_number, int) or page_number >= len(pages):
            continue
        orphans = {
            mcid
            for mcid, reference in enumerate(parents)
            if (element := _object(pdf, reference)) is not None and not _in_tree(pdf, element, root)
        }
        if not orphans:
            continue
        stream = _object(pdf, pages[page_number]["Contents"]).stream
        for at, item in enumerate(stream):
            if (
                isinstance(item, pydyf.Dictionary)
                and item.get("MCID") in orphans
                and at + 1 < len(stream)
                and stream[at + 1] == b"BDC"
            ):
                stream[at - 1] = "/Artifact"
                stream[at] = pydyf.Dictionary({"Type": "/Pagination"})
        for mcid in orphans:
            parents[mcid] = "null"


def _scope_on_header_cells(pdf: pydyf.PDF) -> None:
    for row in pdf.objects:
        if not isinstance(row, pydyf.Dictionary) or row.get("S") != "/TR":
            continue
        cells = _kids(pdf, row)
        named_in_row = {
            str(header)
            for cell in cells
            if cell.get("S") == "/TD" and isinstance(cell.get("A"), dict)
            for header in cell["A"].get("Headers", ())
        }
        for cell in cells:
            if cell.get("S") == "/TH" and isinstance(cell.get("A"), dict):
                cell["A"]["Scope"] = "/Row" if str(cell.get("ID")) in named_in_row else "/Column"


def finish_tags(document, pdf: pydyf.PDF) -> None:
    """The ``finisher`` of ``write_pdf``: artifacts for the page margins, Scope on TH cells."""
    root = _object(pdf, pdf.catalog.get("StructTreeRoot"))
    if root is None:
        return
    _margin_content_as_artifacts(pdf, root)
    _scope_on_header_cells(pdf)
