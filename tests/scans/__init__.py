"""Scanned annexes: generated forms "printed", signed, stamped and scanned (see :mod:`.build`)."""
