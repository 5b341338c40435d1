"""PostgreSQL advisory-lock keys: each names one job that only one process may run at a time.

Kept in one place so two jobs can never pick the same key by accident.
"""

# Applying migrations: several server processes may start at once; one migrates.
MIGRATION = 7_321_001
# The deadline sweep: every process runs the loop, one sweeps at a time.
DEADLINE_SWEEP = 7_321_002
