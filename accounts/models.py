from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who logs in; what they may do comes from their memberships."""

    wants_digests = models.BooleanField(
        _("e-mail digests of submitted entries"),
        default=True,
        help_text=_("Reviewers get one e-mail listing what departments submitted."),
    )

    #: The identity provider's stable identifier of this person (single sign-on), so that the
    #: account is found again after their e-mail address changes. Empty for local accounts.
    oidc_subject = models.CharField(
        _("single sign-on identity"),
        max_length=255,
        blank=True,
        default="",
        help_text=_("Set at the first single sign-on login. Clear it to let another identity take over the account."),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                fields=["oidc_subject"], condition=~Q(oidc_subject=""), name="user_unique_oidc_subject"
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username
