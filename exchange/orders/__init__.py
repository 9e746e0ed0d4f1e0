"""Orders: created by an award, a purchase, an accepted quote or proposal; escrow flow follows."""
