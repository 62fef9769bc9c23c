"""Health of the parts the portal needs: the database and the Celery broker.

Each check answers ``True`` or ``False``; why a part is down goes to the log (``portal.health``),
never to the public answer of ``/healthz``.
"""

import logging

from celery import current_app
from django.db import connection

logger = logging.getLogger(__name__)


def database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any driver error means "down"; the log says why
        logger.exception("Health check: the database (%s) is unavailable", connection.vendor)
        return False
    return True


def broker_ok():
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # kombu raises many kinds; all mean "unreachable"
        transport = current_app.conf.broker_url.split(":", 1)[0]
        logger.exception("Health check: the broker (%s) is unavailable", transport)
        return False
    return True
