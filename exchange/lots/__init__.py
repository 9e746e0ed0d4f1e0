"""Whole-lot listings: drafts, publishing, visibility, the listing window."""
