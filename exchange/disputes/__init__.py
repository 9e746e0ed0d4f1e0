"""Buyer inspections of delivered orders, disputes and the admin's arbitration."""
