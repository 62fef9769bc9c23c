import pytest

from tests.factories import UserFactory


@pytest.fixture
def organiser():
    return UserFactory(email="organiser@example.org")
