--[[ Claim a fixed-price lot for one buyer org: of any number of concurrent calls exactly one gets "OK".

The claim is confirmed (confirm_purchase.lua) once the order is committed in SQL, or released
(release_purchase.lua) if that fails. A claim left unconfirmed for longer than ARGV[3] (its process
died) is reported as "UNCONFIRMED" so that the caller can check SQL and release it.

KEYS[1] lot:{id}           lot state hash (gen, mode, state, seller, private, price, buyer, claim_us, confirmed)
KEYS[2] lot:{id}:idem      "<org>:<idempotency key>" -> "purchase"
KEYS[3] lot:{id}:invited   set of org ids invited to a private lot
ARGV[1] buyer org id
ARGV[2] idempotency key, "" for none
ARGV[3] age in microseconds after which an unconfirmed claim counts as abandoned
Returns {"OK", gen, price, claim_us}, {"REPLAY", gen}, {"SOLD"}, {"UNCONFIRMED", gen, claim_us}, {"MISSING"},
{"NOT_FOUND"}, {"WRONG_MODE"}, {"OWN_LOT"}.
]]
local buyer = ARGV[1]
local idem_key = ARGV[2]
local stale_us = tonumber(ARGV[3])

local lot = redis.call('HMGET', KEYS[1], 'gen', 'mode', 'state', 'seller', 'private', 'price', 'claim_us', 'confirmed')
local gen, mode, state, seller = lot[1], lot[2], lot[3], lot[4]
if not gen then return {'MISSING'} end
if lot[5] == '1' and seller ~= buyer and redis.call('SISMEMBER', KEYS[3], buyer) == 0 then return {'NOT_FOUND'} end
if mode ~= 'fixed_price' then return {'WRONG_MODE'} end
if seller == buyer then return {'OWN_LOT'} end
if idem_key ~= '' and redis.call('HEXISTS', KEYS[2], buyer .. ':' .. idem_key) == 1 then return {'REPLAY', gen} end

local now = redis.call('TIME')
local now_us = tonumber(now[1]) * 1000000 + tonumber(now[2])
if state == 'open' then
  local claim_us = string.format('%d', now_us)
  redis.call('HSET', KEYS[1], 'state', 'sold', 'buyer', buyer, 'claim_us', claim_us, 'confirmed', '0')
  if idem_key ~= '' then redis.call('HSET', KEYS[2], buyer .. ':' .. idem_key, 'purchase') end
  return {'OK', gen, lot[6], claim_us}
end
if state == 'sold' and lot[8] == '0' and now_us - tonumber(lot[7]) > stale_us then
  return {'UNCONFIRMED', gen, lot[7]}
end
return {'SOLD'}
