"""Bid engine: sealed bids and fixed-price purchases on Redis, with SQL as the system of record.

`counts.bid_counts(runtime, lot_ids)` gives the public bid count per lot for listings. Nothing is
imported here, so that the journal's SQLite writer process (`sqlite_journal`) stays light.
"""
