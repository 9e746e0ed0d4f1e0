--[[ Claim the close of a sealed-bid lot: stop bidding and name one closer, even with many processes racing.

After "CLAIMED" the caller awards the lot in SQL and then calls finish_close.lua. A claim older than
ARGV[2] whose close never finished (its process died) can be claimed again; SQL's conditional status
change still lets only one award happen.

KEYS[1] lot:{id}   lot state hash (gen, mode, state, closes_us, claim, claim_us)
ARGV[1] closer token (random, one per attempt)
ARGV[2] age in microseconds after which an unfinished claim counts as abandoned
Returns {"CLAIMED", gen}, {"NOT_DUE", closes_us}, {"BUSY"}, {"DONE", state}, {"MISSING"}, {"WRONG_MODE"}.
]]
local token = ARGV[1]
local stale_us = tonumber(ARGV[2])

local lot = redis.call('HMGET', KEYS[1], 'gen', 'mode', 'state', 'closes_us', 'claim_us')
local gen, mode, state = lot[1], lot[2], lot[3]
if not gen then return {'MISSING'} end
if mode ~= 'sealed_bid' then return {'WRONG_MODE'} end

local now = redis.call('TIME')
local now_us = tonumber(now[1]) * 1000000 + tonumber(now[2])
if state == 'open' then
  if now_us < tonumber(lot[4]) then return {'NOT_DUE', lot[4]} end
elseif state == 'closing' then
  if now_us - tonumber(lot[5]) <= stale_us then return {'BUSY'} end
else
  return {'DONE', state}
end
redis.call('HSET', KEYS[1], 'state', 'closing', 'claim', token, 'claim_us', string.format('%d', now_us))
return {'CLAIMED', gen}
