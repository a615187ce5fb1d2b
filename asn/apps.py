from django.contrib.admin.apps import AdminConfig


class AsnAdminConfig(AdminConfig):
    default_site = "asn.admin.AsnAdminSite"
