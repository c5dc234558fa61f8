"""The web office (`zs serve`): Starlette pages and JSON over the same Ledger and Views as the CLI."""
