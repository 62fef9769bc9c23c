"""TRANSITION: ``config/urls.py`` includes ``api.page_urls``; the pages' URLs are ``api.pages.urls``."""

from api.pages.urls import app_name, urlpatterns

__all__ = ["app_name", "urlpatterns"]
