from django.apps import AppConfig


class CommonConfig(AppConfig):
    """The shared helpers as an app, so that every process connects the monitoring's Celery signals."""

    name = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from . import logs, metrics

        metrics.connect()
        logs.connect()
