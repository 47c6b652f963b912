"""An independent corpus of annex documents made without annexkit's templates.

See ``cases.yaml`` for what the checker must read from each document and ``build.py`` for
how each one is made.
"""
