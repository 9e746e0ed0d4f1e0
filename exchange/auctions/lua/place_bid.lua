--[[ Place or revise one buyer org's sealed bid on a lot.

The deadline is checked against the Redis server clock, so a late scheduler cannot let a late bid in.

KEYS[1] lot:{id}           lot state (hash: gen, mode, state, closes_us, seller, private, min, currency, deposit, seq, count)
KEYS[2] lot:{id}:bids      bidder org id -> "revision:amount_minor:placed_us:rank_seq:nonce" (amount "" = withdrawn)
KEYS[3] lot:{id}:idem      "<org>:<idempotency key>" -> the first answer, packed like a bid, then ":bid"
KEYS[4] lot:{id}:deposits  set of org ids holding a bid deposit
KEYS[5] lot:{id}:invited   set of org ids invited to a private lot
ARGV[1] bidder org id
ARGV[2] amount in minor units (positive integer string)
ARGV[3] currency code of the amount
ARGV[4] receipt nonce (hex)
ARGV[5] idempotency key, "" for none
Returns {"OK", gen, revision, placed_us, rank_seq, seq, count}, {"REPLAY", gen, packed first answer},
or a refusal: {"MISSING"} (state not loaded), {"NOT_FOUND"}, {"WRONG_MODE"}, {"OWN_LOT"}, {"CLOSED"},
{"CURRENCY", lot currency}, {"TOO_LOW", minimum, currency}, {"NO_DEPOSIT"}.
]]
local bidder = ARGV[1]
local amount = ARGV[2]
local currency = ARGV[3]
local nonce = ARGV[4]
local idem_key = ARGV[5]

local lot = redis.call('HMGET', KEYS[1], 'gen', 'mode', 'state', 'closes_us', 'seller', 'private', 'min', 'currency',
  'deposit')
local gen, mode, state, closes_us, seller = lot[1], lot[2], lot[3], lot[4], lot[5]
if not gen then return {'MISSING'} end
if lot[6] == '1' and seller ~= bidder and redis.call('SISMEMBER', KEYS[5], bidder) == 0 then return {'NOT_FOUND'} end
if mode ~= 'sealed_bid' then return {'WRONG_MODE'} end
if seller == bidder then return {'OWN_LOT'} end
if idem_key ~= '' then
  local first = redis.call('HGET', KEYS[3], bidder .. ':' .. idem_key)
  if first then return {'REPLAY', gen, first} end
end

local now = redis.call('TIME')
local now_us = tonumber(now[1]) * 1000000 + tonumber(now[2])
if state ~= 'open' or now_us >= tonumber(closes_us) then return {'CLOSED'} end
if currency ~= lot[8] then return {'CURRENCY', lot[8]} end
if lot[7] and lot[7] ~= '' and tonumber(amount) < tonumber(lot[7]) then return {'TOO_LOW', lot[7], lot[8]} end
if lot[9] == '1' and redis.call('SISMEMBER', KEYS[4], bidder) == 0 then return {'NO_DEPOSIT'} end

local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local revision = 1
local rank_seq = string.format('%d', seq)
local count
local current = redis.call('HGET', KEYS[2], bidder)
if current then
  local c_rev, c_amount, _, c_rank = string.match(current, '^(%d+):(%d*):(%d+):(%d+):')
  revision = tonumber(c_rev) + 1
  -- Re-stating the same amount keeps its place in a tie: the current amount was placed back then.
  if c_amount == amount then rank_seq = c_rank end
  if c_amount == '' then count = redis.call('HINCRBY', KEYS[1], 'count', 1) end
else
  count = redis.call('HINCRBY', KEYS[1], 'count', 1)
end
count = count or tonumber(redis.call('HGET', KEYS[1], 'count'))

local placed_us = string.format('%d', now_us)
local packed = table.concat({ string.format('%d', revision), amount, placed_us, rank_seq, nonce }, ':')
redis.call('HSET', KEYS[2], bidder, packed)
if idem_key ~= '' then redis.call('HSET', KEYS[3], bidder .. ':' .. idem_key, packed .. ':bid') end
return {'OK', gen, revision, placed_us, rank_seq, seq, count}
