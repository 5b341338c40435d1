"""PostgreSQL advisory-lock keys, kept in one place so two jobs never share one by accident.

Jobs that run one at a time use single bigint keys; locks on many values of one kind use
the (namespace, int) form, whose key space PostgreSQL keeps apart from the bigint one.
"""

# Applying migrations: several server processes may start at once; one migrates.
MIGRATION = 7_321_001
# The deadline sweep: every process runs the loop, one sweeps at a time.
DEADLINE_SWEEP = 7_321_002

# Namespace of the (namespace, hashtext(key)) locks that serialise retries of one
# idempotency key.
IDEMPOTENCY_KEYS = 7_321
