"""What needs the signed-in organisation now, per role, with a few figures: the dashboard's one query."""
