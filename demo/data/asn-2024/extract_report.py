"""
Extract the årsanalys 2024's own sections (everything but the goal chapters) from the seed
into ``rapport-arsanalys-2024.json``: the report template (the sections in order, with their
level, source and writing department) and each text section's text as HTML. Run once by hand:

    python demo/data/asn-2024/extract_report.py ../shared/seeds/arsanalys-2024.txt

The finance tables are not texts: they come from the finance import, the key-figure table
from the key figures. Judgement calls are in NOTES.md beside this file.
"""

import csv
import json
import re
import sys
from pathlib import Path

from extract import HERE, to_html

GOALS = "Uppföljning och bedömning av bidragen till kommunfullmäktigemålen"

#: (level, heading as in the document, source, department or table).
#: Sources: t = a department's text, h = heading only, g = the goals, f = a finance table;
#: gp / ga = the plan's priorities / budget assignments, which follow: p / b = one of them
#: ("code department [goal area]"), a = the heading of a goal area over budget assignments
#: (made from the plan, not kept).
OUTLINE = [
    (1, "Sammanfattning", "t", "STAB"),
    (1, "Utveckling av verksamheten", "t", "STAB"),
    (2, "Konjunktur och arbetsmarknad", "t", "AMA"),
    (2, "Människor på flykt", "t", "BTS"),
    (2, "Nya lagar och förordningar", "h", ""),
    (3, "Ny socialtjänstlag 2025", "t", "IFO"),
    (3, "Ny lagstiftning och stärkta rättigheter för barn och vuxna i skyddat boende", "t", "IFO"),
    (3, "Brottsförebyggande ansvar för kommunerna från och med 1 juli", "t", "STAB"),
    (3, "Barn och unga", "t", "IFO"),
    (1, "Uppföljning av arbetet med prioriteringar", "t", "STAB"),
    (2, "", "gp", ""),  # the plan's priorities, each with its department's follow-up
    (2, "Hållbara boendelösningar", "p", "P1 BTS"),
    (2, "Skadligt bruk och beroende", "p", "P2 IFO"),
    (2, "Handläggningstider för barnavårdsutredningar", "p", "P3 IFO"),
    (2, "Digitalisering", "p", "P4 STAB"),
    (2, "Åtterrapporing av uppdrag i nämndsbudget 2024", "p", "P5 STAB"),
    (1, GOALS, "g", ""),
    (1, "Redovisning av budgetuppdrag", "h", ""),
    (2, "", "ga", ""),  # the plan's budget assignments, grouped by målområde
    (2, "Målområde - En attraktiv stad för arbete och hållbar tillväxt", "a", ""),
    (3, "Kommunstyrelsen ges i uppdrag att, tillsammans med berörda nämnder, ta fram ett samlat", "b", "B1 AMA MO2"),
    (3, "Arbetsmarknads- och socialnämnden och funktionsstödsnämnden ges i uppdrag att ta fram", "b", "B2 AMA MO2"),
    (2, "Målområde - En mer jämlik stad", "a", ""),
    (3, "Kommunstyrelsen ges, tillsammans med arbetsmarknads- och socialnämnden, miljönämnden,", "b", "B3 IFO MO4"),
    (1, "Ekonomisk utveckling under året", "t", "STAB"),
    (2, "Budgetavvikelse per verksamhetsområde", "f", "areas"),
    (2, "Budgetavvikelse", "h", ""),
    (3, "Driftbudget", "f", "operating_budget"),
    (3, "Orsaker till årets resultat", "f", "causes"),
    (3, "Förändringar jämfört med delårsrapport", "f", "changes"),
    (3, "Investeringsram", "f", "investments"),
    (2, "Analys av avvikelse i förhållande till nämndens driftbudget", "t", "STAB"),
    (3, "Viktiga förändringar avseende nämndens ramar och fördelningen mellan verksamhetsområden", "t", "STAB"),
    (4, "", "f", "budget_changes"),  # the table of decisions, after the text, without a heading
    (3, "Övergripande kommentar till budgetavvikelse", "t", "STAB"),
    (3, "Verksamhetsområde Arbetsmarknad och ekonomiskt bistånd", "t", "AMA"),
    (3, "Verksamhetsområde Individ och familj", "t", "IFO"),
    (3, "Verksamhetsområde Boende, tillsyn och service", "t", "BTS"),
    (3, "Verksamhetsområde Stab och förvaltningsövergripande kostnader", "t", "STAB"),
    (2, "Analys av avvikelse i förhållande till nämndens investeringsram", "t", "STAB"),
    (1, "Förväntad utveckling kommande år", "h", ""),
    (2, "Externa påverkansfaktorer", "t", "STAB"),
    (2, "Utmaningar i verksamheten", "t", "STAB"),
    (2, "Nämndens ekonomiska utveckling", "t", "STAB"),
    (1, "Resultaträkning", "f", "income_statement"),
    (1, "Riktade statsbidrag och övriga bidrag", "h", ""),
    (2, "Riktade statsbidrag", "f", "grants_targeted"),
    (2, "Övriga bidrag", "f", "grants_other"),
    (1, "Sammanfattande redogörelse för uppföljning av privata utförare", "t", "STAB"),
    (1, "Särskild fråga från kommunstyrelsen", "h", ""),
    (2, "Hur har tilldelade medel för Strategiska jobbsatsningar använts under året?", "t", "AMA"),
    (2, "Hur har tilldelade medel för Ung i sommar använts under året?", "t", "AMA"),
    (2, "Hur har tilldelade medel för Ökad trygghet och stärkt delaktighet i socialt utsatta", "t", "STAB"),
    (1, "Bilagor", "t", "STAB"),
]
#: The document's typo in a heading, corrected in print (the contents of the seed also differ).
CORRECTED = {"Åtterrapporing av uppdrag i nämndsbudget 2024": "Återrapportering av uppdrag i nämndsbudget 2024"}
#: Figures of the summary that are counted from the assessments, not typed.
FACTS = [
    ("bidra till 14 av kommunfullmäktiges", "bidra till {mål_bidrag} av kommunfullmäktiges"),
    ("uppnått för tio mål under året och delvis uppnått för fyra mål",
     "uppnått för {uppnått} mål under året och delvis uppnått för {delvis_uppnått} mål"),
]  # fmt: skip
#: Two charts of the document were lost with its images and the demo has no figures for them:
#: the sentences that point at them go, so that the document names no chart it lacks.
LOST_CHARTS = [
    ("<p>Nedanstående diagram visar utvecklingen av antalet vårddygn jämfört med tidigare år i såväl stödboende "
     "som HVB.</p>", ""),
    ("Diagrammet visar kostnadsutvecklingen för boende för hemlösa de senaste åren. En del av kostnadsminskningen "
     "under 2021", "En del av kostnadsminskningen för boende för hemlösa under 2021"),
]  # fmt: skip
#: The contents list the appendices; the body has only their titles.
APPENDICES = [
    "Bilaga 1: Kartläggning av hemlösheten 2024",
    "Bilaga 2: Uppföljning barn och unga i samhällsvård 2024",
    "Bilaga 3: Uppföljning av Handlingsplan för att förebygga misstänkta brott i välfärden",
    "Bilaga 4: Sammanställning Brukarundersökning 2024",
    "Bilaga 5: Årlig uppföljning av SAM 2024",
    "Bilaga 6. Uppföljning av Handlingsplan Fri från våld 2024",
]


def _is_heading(line: str, heading: str) -> bool:
    """The line is the heading: the whole line, or its start for the long headings cut short above."""
    return line == heading or (len(heading) > 55 and line.startswith(heading))


def main(seed: str) -> None:
    lines = Path(seed).read_text(encoding="utf-8").splitlines()
    body = next(i for i, line in enumerate(lines) if line.strip() == "Sammanfattning" and i > 60)
    # Where each section's heading is in the body, in order (headings cut by a line break match by start).
    starts, at = [], body
    for _level, heading, _source, _extra in OUTLINE:
        if heading == "Bilagor":  # only the contents list them
            at = len(lines)
        elif not heading:  # a table in the section before: it takes no lines of text
            pass
        else:
            at = next(i for i in range(at, len(lines)) if _is_heading(lines[i].strip(), heading))
        starts.append(at)
    starts.append(len(lines))
    sections, items, contributions = [], [], []
    for n, (level, heading, source, extra) in enumerate(OUTLINE):
        full = lines[starts[n]].strip() if starts[n] < len(lines) else heading
        printed = CORRECTED.get(full, full).removeprefix("Målområde - ")
        if source == "a":  # the plan's goal areas head its budget assignments in the document
            continue
        item = {"level": level, "heading": printed, "numbered": False}
        if source == "g":
            item.update(source="goals", heading=GOALS)
        elif source in ("gp", "ga"):
            item.update(source="goals", heading="", parameter="priority" if source == "gp" else "assignment")
        elif source == "f":
            item.update(source="finance", parameter=extra, heading="" if not heading else printed)
        elif source == "h":
            item.update(source="heading")
        else:
            end = next((start for start in starts[n + 1 :] if start > starts[n]), len(lines))
            text_lines = lines[starts[n] + 1 : end]
            # Tables of figures come from the finance import; a table's caption goes with it.
            text_lines = [line for line in text_lines if not line.startswith("|") and not re.match(r"Tabell \d", line)]
            text = to_html(text_lines)
            for typed, counted in FACTS + LOST_CHARTS:
                text = text.replace(typed, counted)
            if heading == "Bilagor":
                text = "<ul>" + "".join(f"<li><p>{title}</p></li>" for title in APPENDICES) + "</ul>"
            if source in ("p", "b"):  # a row of the plan, followed up by its department
                code, department, *area = extra.split()
                items.append((code, area[0] if area else "", "prioritering" if source == "p" else "budgetuppdrag",
                              printed, department))  # fmt: skip
                contributions.append({"goal": code, "department": department, "comment": text})
                continue
            if text:
                item.update(source="narrative", department=extra, text=text)
            else:  # a heading over its subsections in this document
                item.update(source="heading")
        sections.append(item)
    out = {"period": "2024-helar", "kind": "arsanalys", "sections": sections}
    path = HERE / "rapport-arsanalys-2024.json"
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    out = {"period": "2024-helar", "contributions": contributions}
    path = HERE / "uppfoljning-2024-helar-uppdrag.json"
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    sys.stdout.write(f"{len(sections)} sections, {sum('text' in s for s in sections)} texts written\n")
    # The plan's rows for them (mal.csv), checked against the plan file.
    plan_rows = {row["kod"]: row for row in csv.DictReader((HERE / "mal.csv").open(encoding="utf-8"))}
    for code, area, level, text, department in items:
        row = plan_rows.get(code)
        if not row or (row["målområde"], row["nivå"], row["text"], row["ansvariga"]) != (
            area,
            level,
            text,
            department,
        ):
            sys.stdout.write(f"mal.csv should have: 2024,{code},{area},{level},{text},,nej,ja,{department},?\n")


if __name__ == "__main__":
    main(sys.argv[1])
