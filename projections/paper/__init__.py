"""The paper-ledger import (纸质台账补录): a workbook template, its parser and the recording of its
rows as backfills through the Ledger (docs/domain.md rule 11; docs/history.md)."""
