"""Jinja2 templates shared by the HTML report (``annex check --format html``) and the checking
service's web page: ``report.html`` is the report page; ``_summary.html`` and
``_package.html`` are its partials (macros) that take the objects of
:func:`annexkit.checker.report_html.report_view`; ``report.css`` and ``report.js`` are
included inline, so that a saved report needs nothing else."""
