"""In-app notifications for an organisation, listed and counted, pushed live over SSE."""
