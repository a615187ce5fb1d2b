"""
Extract the 2024 goal contributions from the committee's årsanalys 2024 (the seed) into
``uppfoljning-2024-helar.json``: per kommunfullmäktigemål, the follow-up text as HTML, the
year's assessment and the mandate period's, each with its sentence as the document words it
and its motivation. Run once by hand:

    python demo/data/asn-2024/extract.py ../shared/seeds/arsanalys-2024.txt

Judgement calls are in NOTES.md beside this file.
"""

import html
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).parent
#: The key-figure tables of nyckeltal/tabeller.csv by their caption's number ("Tabell 1." → T1).
TABLE_CODES = {"1": "T1"}
FOLLOW_UP = "Uppföljning av bidrag till kommunfullmäktigemålet"
YEAR = "Bedömning av bidrag till kommunfullmäktigemålet för året"
MANDATE = "Bedömning av förväntad förflyttning för mandatperioden"
YEAR_LABELS = {"Uppnåtts": "uppnatts", "Delvis uppnåtts": "delvis", "Ej uppnåtts": "ej"}
#: Which department writes each goal's follow-up: demo configuration, not in the document.
DEPARTMENTS = ["IFO", "IFO", "AMA", "AMA", "EBB", "AMA", "STAB", "STAB", "BTS", "BTS", "IFO", "STAB", "STAB", "STAB"]


def mandate_code(sentence: str) -> str:
    if "delvis leda" in sentence:
        return "delvis"
    if "leda till önskad förflyttning" in sentence:
        return "forflyttning"
    return "uppnas"


def paragraphs(lines: list[str]) -> list[str]:
    """Blank-line separated paragraphs; a paragraph cut by a page break (next starts in lower case) is joined."""
    out: list[str] = []
    for block in "\n".join(lines).split("\n\n"):
        text = " ".join(block.split())
        if not text:
            continue
        if out and text[0].islower() and not out[-1].endswith((".", ":", "|")):
            out[-1] = f"{out[-1]} {text}"
        else:
            out.append(text)
    return out


def to_html(lines: list[str]) -> str:
    parts = []
    blocks = paragraphs(lines)
    for i, block in enumerate(blocks):
        following = blocks[i + 1] if i + 1 < len(blocks) else ""
        caption = re.match(r"Tabell (\d+)\.", block)
        if block.startswith("|"):
            continue  # a table of key figures: data of its own (nyckeltal/)
        elif caption and following.startswith("|"):
            # Its caption is the table's own: the text marks where the table stands.
            parts.append(f"<p>{{tabell:{TABLE_CODES[caption[1]]}}}</p>")
        elif len(block) < 60 and not block.endswith((".", ":")):
            parts.append(f"<h3>{inline(block)}</h3>")  # a subheading of the follow-up
        else:
            parts.append(f"<p>{inline(block)}</p>")
    return "".join(parts)


def inline(text: str) -> str:
    """Escaped text, with the seed's *emphasis* (names of programmes and reports) in italics."""
    return re.sub(r"\*([^*]+)\*", r"<i>\1</i>", html.escape(text))


def main(seed: str) -> None:
    lines = Path(seed).read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Målområde - ") and i > 100)
    end = next(i for i, line in enumerate(lines) if line.strip() == "Redovisning av budgetuppdrag" and i > start)
    goals, current = [], None
    for line in lines[start:end]:
        if line.startswith("Kommunfullmäktigemål - "):
            current = {"text": line.removeprefix("Kommunfullmäktigemål - ").strip(), "part": None,
                       "follow_up": [], "year": [], "mandate": []}  # fmt: skip
            goals.append(current)
        elif line.startswith("Målområde - ") or current is None:
            continue
        elif line.strip() in (FOLLOW_UP, YEAR, MANDATE):
            current["part"] = {FOLLOW_UP: "follow_up", YEAR: "year", MANDATE: "mandate"}[line.strip()]
        elif current["part"]:
            current[current["part"]].append(line)
    contributions = []
    for number, (goal, department) in enumerate(zip(goals, DEPARTMENTS, strict=True), start=1):
        year = paragraphs(goal["year"])
        mandate = paragraphs(goal["mandate"])
        contributions.append({
            "goal": f"KF{number:02}",
            "department": department,
            "comment": to_html(goal["follow_up"]),
            "assessment": YEAR_LABELS[year[0]],
            "assessment_sentence": year[1],
            "assessment_motivation": " ".join(year[2:]),
            "mandate_assessment": mandate_code(mandate[0]),
            "mandate_sentence": mandate[0],
            "mandate_motivation": " ".join(mandate[1:]),
        })  # fmt: skip
    out = {"period": "2024-helar", "contributions": contributions}
    (HERE / "uppfoljning-2024-helar.json").write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n")
    sys.stdout.write(f"{len(contributions)} contributions written\n")


if __name__ == "__main__":
    main(sys.argv[1])
