"""Demo data: a directory of real organisations, demo users, an event and a delegation."""

from core.demo.loader import DEMO_PASSWORD, demo_load

__all__ = ["DEMO_PASSWORD", "demo_load"]
