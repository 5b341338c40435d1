"""The signing secret of the test deployment (a demo makes its own per data directory)."""

SECRET = "yidi-test-signing-secret-0123456789abcdef"
