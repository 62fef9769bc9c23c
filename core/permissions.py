"""Who counts as an administrator of the portal: the one definition every app asks.

An administrator is an active superuser.  ``is_staff`` alone only opens the Django admin
(with whatever model permissions were granted there); it gives no rights in the portal's
own pages or the API.  An API key's principal (``api.authentication.KeyUser``) is never one.
"""


def is_administrator(user):
    return bool(user.is_authenticated and user.is_active and user.is_superuser)
