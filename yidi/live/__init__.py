"""Live case updates: committed events read from the database once per process and
county, judged per subscriber by the policy, and handed to subscriptions."""
