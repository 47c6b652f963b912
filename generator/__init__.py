"""Filling the annex forms from canonical records, and converting them to PDF."""
