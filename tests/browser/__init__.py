"""Browser tests: a package, so its conftest does not shadow the `conftest` of tests/."""
