"""Reports draw on other apps' tables; the only thing of their own is the
permission to see the partnership dashboard, held by a model with no table."""

from django.db import models


class Dashboard(models.Model):
    """No rows, no table: it exists so "reports.view_dashboard" can be given to roles."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_dashboard", "Can see the partnership dashboard")]

    def __str__(self) -> str:
        return "Partnership dashboard"
