"""Redis: the embedded redis-server launcher, the connection, Lua script loading."""
