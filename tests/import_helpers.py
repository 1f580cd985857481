"""Spreadsheets as councils and NHS bodies keep them, built with openpyxl."""

import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook


def workbook(path: Path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> Path:
    """A workbook with a sheet per entry (rows as lists), some cells merged."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in (merges or {}).get(name, []):
            sheet.merge_cells(cells)
    book.save(path)
    return path


def save_formula_values(path: Path, values: dict[str, object]) -> Path:
    """Write the values Excel would have saved beside formulas (openpyxl saves none):
    {"E5": 20} puts <v>20</v> in cell E5 of the first sheet."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    name = "xl/worksheets/sheet1.xml"
    xml = parts[name].decode()
    for cell, value in values.items():
        xml = re.sub(rf'(<c r="{cell}"[^>]*>)(<f>[^<]*</f>)<v\s*/?>(</v>)?',
                     rf"\1\2<v>{value}</v>", xml)
    parts[name] = xml.encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part, data in parts.items():
            target.writestr(part, data)
    path.write_bytes(out.getvalue())
    return path


#: The county council's corporate register: a title, a merged group row over the
#: inherent / residual / target scores, council labels, one-cell scores, UK dates,
#: bullets in cells, and a key below the table.
COUNCIL = [
    ["Corporate Risk Register 2024/25"],
    ["Reported to Governance and Audit Committee, 12 March 2024"],
    [],
    [None, None, None, None, "Inherent risk", None, None, "Residual risk", None, None,
     "Target", None, None, None, None, None, None],
    ["Risk Ref", "Risk Title", "Cause", "Consequence", "Likelihood", "Impact", "Score",
     "Likelihood", "Impact", "Score", "L x I", "Risk Owner", "Existing Controls",
     "Further Actions", "Action Owner", "Due Date", "Last Review"],
    ["CRR-001", "Failure of the payroll system", "Ageing software", "Staff not paid",
     5, 5, 25, "Likely", "Major", "4x5=20", "2x5=10", "Director of Finance",
     "• Daily backups\n• Disaster recovery contract, tested annually",
     "1. Procure replacement system\n2. Test failover", "Head of ICT", "31/03/2025",
     "07.07.24"],
    ["CRR-004", "Cyber attack disables council services", "Phishing, ransomware",
     "Services unavailable, data loss", 5, 5, 25, 3, 5, "3 x 5 = 15", "2 x 4 = 8",
     "Head of ICT", "- Firewall\n- Staff training, refreshed yearly", "", None, None,
     "Sept 24"],
    [],
    ["Key: Low 1-6, Medium 8-15, High 16-25"],
    ["Likelihood: 1 Very Unlikely to 5 Very Likely"],
]
COUNCIL_MERGES = ["E4:G4", "H4:J4", "K4:M4"]

#: An NHS trust's register: NHS matrix labels, impact before likelihood, RAG words.
NHS = [
    ["Risk ID", "Risk Description", "Lead", "Consequence", "Likelihood", "Current Score",
     "Target Score (I x L)", "Mitigating Actions", "Next Review"],
    ["NHS-12", "Delayed discharge from wards", "Chief Nurse", "Major", "Likely", "Red 16",
     "3x2=6", "Discharge lounge\nWeekly escalation call", "2024-06-30"],
    ["NHS-13", "Estate backlog maintenance", "Director of Estates", "Moderate", "Possible",
     "Amber 9", "2 x 2 = 4", "", "30/09/2024"],
]
