"""Organisations, users, sign-in, tokens and the guards every other capability reuses."""
