"""The HTMX front: page controllers, Jinja templates, static assets."""
