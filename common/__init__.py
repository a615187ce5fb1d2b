"""
Generic helpers that every app may use and that know nothing of committees or plans:
tabular files (``tabular``), uploads staged between preview and confirmation
(``uploads``) and users' rich text (``richtext``).

A plain package, not a Django app: it has no models, templates or catalogue of its own
(its strings are in the project's ``locale/``). It imports no app of the project.
"""
