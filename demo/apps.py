from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo committee: data files and the load_demo command. Sits above every app."""

    name = "demo"
    verbose_name = "Demo"
