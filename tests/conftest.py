"""Shared pytest configuration: fixtures live in tests/fixtures/."""

pytest_plugins = [
    "tests.fixtures.app",
    "tests.fixtures.media",
    "tests.fixtures.pipeline",
]
