"""The notice's four forms (附件1–4): filled from the ledger, written as xlsx or CSV, consolidated
across units for the office, and read back from a unit's Excel."""
