from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class AsnUserAdmin(UserAdmin):
    """Django's user admin, with the identity a single sign-on login tied the account to."""

    fieldsets = (*UserAdmin.fieldsets, (_("Single sign-on"), {"fields": ("oidc_subject",)}))
