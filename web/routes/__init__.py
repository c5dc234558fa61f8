"""The routes of the web office, one module per area."""
