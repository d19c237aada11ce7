"""``registry seed-demo`` (filled in below)."""
