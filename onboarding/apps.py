from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    """
    A committee set up from a file (``manage.py load_committee``): no models. It may import
    commitments, indicators and reports; nothing imports it except demo.
    """

    name = "onboarding"
    verbose_name = "Onboarding"
