"""The public contract in code: the annex schemas, the value formats, labels, bilingual text.

The bottom layer: it imports nothing else of annexkit (see tests/test_layers.py).
"""
