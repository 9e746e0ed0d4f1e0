"""Fees: versioned fee schedules per category, the split of an order's amount (rules.py), settlement
statements and order confirmations (documents), seller payouts and finance exports."""
