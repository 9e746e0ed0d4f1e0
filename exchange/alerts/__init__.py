"""Saved searches with alerts, "lots like the ones you buy" suggestions, and sellers' pricing and slow-sale advice."""
