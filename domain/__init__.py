"""The write side of the ledger: aggregates, their events, and the application service."""
