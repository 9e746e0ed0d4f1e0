"""Database: declarative base (`base`), engine factory (`engine`), Alembic migrations (`migrate`).

Nothing is imported here, so that a light process (the bid journal's SQLite writer) can use
`exchange.db.wal` without loading the app's engine, models or migrations.
"""
