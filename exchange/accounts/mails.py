"""The e-mails accounts send (through the outbox), in the recipient's chosen language."""

from __future__ import annotations

from exchange.i18n.locales import using
from exchange.i18n.messages import Msg

__all__ = ["registration_attempt_mail"]

_SUBJECT = Msg("Someone tried to register with your e-mail address")
_BODY = Msg(
    "Someone, maybe you, tried to create a new Surplus Exchange account with {email}.\n\n"
    "This address already has an account, so no new account was made and nothing was changed.\n"
    "If it was you: sign in with your existing password instead.\n"
    "If it was not you: you can ignore this e-mail. If you think someone knows your password, "
    "sign in and change it; that signs out every other session and token.\n"
)


def registration_attempt_mail(email: str, locale: str | None = None) -> dict[str, str]:
    """To the owner of an address someone tried to register again (the registrant is not told)."""
    with using(locale):
        return {"subject": _SUBJECT.render(), "body": Msg(_BODY.msgid, email=email).render()}
