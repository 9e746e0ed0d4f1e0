"""Live updates: Server-Sent Events fed by Litestar channels on Redis pub/sub (works across workers).

Events carry only a name and a small JSON payload that holds nothing confidential; pages react with
`hx-trigger="sse:<event>"` and fetch the fragment through the normal, access-checked route.
"""

from __future__ import annotations

from exchange.live.channels import make_channels_plugin, publish_event
from exchange.live.streams import event_stream

__all__ = ["event_stream", "make_channels_plugin", "publish_event"]
