"""The read side: rows shaped for people and scripts, fed from the ledger's events."""
