"""Shared pytest configuration: fixtures live in tests/fixtures/."""

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.redis",
    "tests.fixtures.app",
    "tests.fixtures.live",
    "tests.fixtures.media",
    "tests.fixtures.pipeline",
    "tests.fixtures.processes",
    "tests.fixtures.tools",
]
