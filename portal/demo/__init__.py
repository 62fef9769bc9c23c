"""Demo data: a directory of real organisations, demo users, an event and a delegation."""

from portal.demo.loader import DEMO_PASSWORD, demo_load

__all__ = ["DEMO_PASSWORD", "demo_load"]
