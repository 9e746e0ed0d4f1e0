"""RFQ negotiation: quotes, counter-offers, samples, messages, and buyers' "wanted" requests."""
