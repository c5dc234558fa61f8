"""Tamper evidence: every stored event a leaf of an RFC 6962 Merkle tree (docs/integrity.md)."""
