"""A start-up check that the field-encryption keys are usable Fernet keys."""

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from referrals.fields import field_cipher


@register()
def field_keys_check(app_configs, **kwargs):
    try:
        field_cipher()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="referrals.E001")]
    return []
