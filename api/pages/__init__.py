"""The HTML pages where an organisation's admins manage its API keys and webhooks:
``views``, their ``urls`` (under ``/organisations/<pk>/api/``) and ``forms``."""
