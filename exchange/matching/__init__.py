"""The brokers' desk: procurement requests, matching with explanations and near misses, optimal bundles,
and proposals whose broker cost, margin and commission the client never sees."""
