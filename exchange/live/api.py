"""The live event streams (Server-Sent Events), for pages (session cookie) and API clients (bearer token).

`GET /events/me`: the caller's organisation's events; `GET /events/lots/{lot_id}`: a lot's public events
(404 like the lot itself to those who cannot see it). Each event has an id; reconnect with
`Last-Event-ID: <id>` to get the events missed meanwhile (the last few hundred per channel, a day at most).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.channels import ChannelsPlugin
from litestar.params import HeaderParameter
from litestar.response import ServerSentEvent
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.guards import current_principal, requires_signed_in
from exchange.live.channels import lot_channel, org_channel
from exchange.live.streams import event_stream
from exchange.lots.api import optional_principal
from exchange.lots.visibility import get_visible_lot
from exchange.params import Id

__all__ = ["LiveEventsController"]

LastEventId = Annotated[
    str | None,
    HeaderParameter(
        name="Last-Event-ID", required=False, description="The id of the last event received: resume after it"
    ),
]


class LiveEventsController(Controller):
    path = "/events"
    tags = ["live events"]

    @get("/me", guards=[requires_signed_in], summary="Follow your organisation's live events")
    async def my_events(
        self, request: Request[Any, Any, Any], channels: ChannelsPlugin, last_event_id: LastEventId = None
    ) -> ServerSentEvent:
        """Notifications and order events of the caller's organisation, as Server-Sent Events."""
        org_id = current_principal(request).org_id
        names = [org_channel(org_id)] if org_id else []
        return event_stream(channels, names, redis=request.app.state.live_redis, last_event_id=last_event_id)

    @get("/lots/{lot_id:int}", summary="Follow a lot's live events")
    async def lot_events(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        channels: ChannelsPlugin,
        lot_id: Id,
        last_event_id: LastEventId = None,
    ) -> ServerSentEvent:
        """A lot's live events (bid count, status, close): only public facts; 404 if you cannot see the lot.

        `bids {count, version}`: keep the count of the highest version seen; ignore an older or equal one."""
        await get_visible_lot(db_session, optional_principal(request), lot_id)
        await db_session.close()  # do not hold a database connection for the stream's lifetime
        redis = request.app.state.live_redis
        return event_stream(channels, [lot_channel(lot_id)], redis=redis, last_event_id=last_event_id)
