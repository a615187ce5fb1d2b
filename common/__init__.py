"""
Generic helpers that every app may use and that know nothing of committees or plans:
tabular files (``tabular``), uploads staged between preview and confirmation
(``uploads``) and users' rich text (``richtext``).

Also the monitoring: health checks (``health``), metrics (``metrics``), request ids and log
format (``logs``) and error reports (``sentry``). It is an app only so that its AppConfig
connects the monitoring's Celery signals; it has no models, templates or catalogue of its
own (its strings are in the project's ``locale/``). It imports no app of the project.
"""
