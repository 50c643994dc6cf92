"""The org view: many sites' quality.json reports, recorded over time in SQLite, one portal."""
