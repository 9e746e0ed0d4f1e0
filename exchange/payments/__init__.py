"""Payment providers: an interface, and the built-in `simulated` one (a signed webhook-style callback)."""
