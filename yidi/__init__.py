"""yidi: the GraphQL backend for one-stop grassroots case handling."""

# The one place the version is written: pyproject.toml reads it, `yidi --version` prints it.
__version__ = "0.1.0"
