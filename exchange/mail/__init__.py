"""E-mail: an outbox table written in the caller's transaction, and a scheduled sender that delivers it
over SMTP (`SMTP_URL`). A mail is queued only if the change it tells about commits; it is sent at least
once (a worker that dies between the SMTP answer and marking the row may send it again)."""
