"""The demo ledger: a realistic year of the commission's work, played through the Ledger.

`demo.build(store)` returns the Ledger over a freshly built demo store; `zs demo` (cli/demo.py) prints
its tables. Nothing here re-states a rule: every step goes through the Ledger, which refuses what the
rules refuse.
"""

from demo.build import ADOPTED, ENROLLED, SHOWN_ON, build

__all__ = ["ADOPTED", "ENROLLED", "SHOWN_ON", "build"]
