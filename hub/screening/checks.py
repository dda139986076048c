"""System checks (`manage.py check`, and before every command): screening settings
that would otherwise fail only when a deadline or the retention run is first computed."""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register()
def screening_settings_check(app_configs, **kwargs) -> list[checks.CheckMessage]:
    from hub.screening.deadlines import bank_holidays_check
    from hub.screening.retention import retention_rule

    errors = []
    for check_id, probe in (("screening.E001", bank_holidays_check), ("screening.E002", retention_rule)):
        try:
            probe()
        except ImproperlyConfigured as error:
            errors.append(checks.Error(str(error), id=check_id))
    return errors
