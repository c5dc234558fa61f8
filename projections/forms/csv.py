"""Write a form's first table as CSV: UTF-8 with a BOM (so Excel opens it right), CRLF lines, the
header row then the data rows — no heading lines and no 合计 row, so it reads back as it is. Text
that a spreadsheet would take for a formula carries a leading apostrophe (projections/forms/safety.py)."""

from __future__ import annotations

import csv as stdlib_csv
import io

from projections.forms.safety import guard_csv
from projections.forms.sheet import Sheet, shown


def csv_bytes(sheet: Sheet) -> bytes:
    out = io.StringIO(newline="")
    writer = stdlib_csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.label for c in sheet.columns])
    writer.writerows([[guard_csv(shown(v)) if isinstance(v, str) else shown(v) for v in row] for row in sheet.rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
