"""The web office (`zs serve`): Starlette pages and JSON over the same Ledger and Queries as the CLI."""
