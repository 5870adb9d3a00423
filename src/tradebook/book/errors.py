"""Errors of the build itself (bad input is data.errors.InputError)."""


class BuildError(Exception):
    """A step of the build failed; the published book was not touched."""
