"""Relance — relance de factures impayées pour les PME françaises."""

__version__ = "0.1.0"
