"""A variation corpus: the same class data through many institution-made layouts and notations.

Built with python-docx and openpyxl directly (never annexkit's ``forms/`` or ``generator/``),
so that what the checker reads is what institutions really send: their own Word tables and
Excel sheets, LibreOffice PDF exports and a few scans. ``build.py`` writes the corpus,
``layouts.py`` and ``notations.py`` are the registries a newly reported real-world form or
notation is added to, ``faults.py`` the injected faults and the findings each must give.
"""
