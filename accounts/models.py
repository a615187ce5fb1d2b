from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who logs in; what they may do comes from their memberships."""

    wants_digests = models.BooleanField(
        _("e-mail digests of submitted entries"),
        default=True,
        help_text=_("Reviewers get one e-mail listing what departments submitted."),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username
