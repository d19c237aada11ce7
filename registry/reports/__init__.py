"""Read-only reports: query -> plain snapshots -> rules engine -> results."""
