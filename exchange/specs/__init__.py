"""Categories, their spec schemas and compliance rules (kept as data in catalog.toml), and units."""
