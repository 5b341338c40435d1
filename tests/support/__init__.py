"""What the tests are built from, so a new test reuses these instead of copying them.

- `clock`: the demo's fixed now, a clock tests move, instants as the API writes them.
- `driver`: `Api`, the in-process GraphQL client that logs demo users in on demand.
- `database`, `deployment`: the demo template database, its copies, and an app on one.
- `demo`: the demo data's codes, tree and users, written from DESIGN.md ("Demo data").
- `lookups`, `intake`, `mutations`, `policy`: ids by code, registering a case or a
  resident's request, one mutation per action, a county's policy.
- `lifecycle`: drive a case through its lifecycle and read what PostgreSQL stored.
- `oracles`: expected answers (lifecycle, default policy), written from DESIGN.md.
- `sql`, `tree`: the stored truth read straight from SQL, and trees walked by parent_id.

Expectations are written from the design, never imported from the application: a test that
copied the application's tables would agree with every slip in them.
"""
