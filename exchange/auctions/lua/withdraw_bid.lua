--[[ Withdraw one buyer org's current sealed bid (a new revision without an amount).

KEYS[1] lot:{id}           lot state hash (see place_bid.lua)
KEYS[2] lot:{id}:bids      bidder org id -> "revision:amount_minor:placed_us:rank_seq:nonce"
KEYS[3] lot:{id}:invited   set of org ids invited to a private lot
ARGV[1] bidder org id
ARGV[2] nonce for the withdrawal's receipt (hex)
Returns {"OK", gen, revision, placed_us, rank_seq, seq, count}, or {"MISSING"}, {"NOT_FOUND"}, {"WRONG_MODE"},
{"OWN_LOT"}, {"CLOSED"}, {"NO_BID"}.
]]
local bidder = ARGV[1]
local nonce = ARGV[2]

local lot = redis.call('HMGET', KEYS[1], 'gen', 'mode', 'state', 'closes_us', 'seller', 'private')
local gen, mode, state, closes_us, seller = lot[1], lot[2], lot[3], lot[4], lot[5]
if not gen then return {'MISSING'} end
if lot[6] == '1' and seller ~= bidder and redis.call('SISMEMBER', KEYS[3], bidder) == 0 then return {'NOT_FOUND'} end
if mode ~= 'sealed_bid' then return {'WRONG_MODE'} end
if seller == bidder then return {'OWN_LOT'} end

local now = redis.call('TIME')
local now_us = tonumber(now[1]) * 1000000 + tonumber(now[2])
if state ~= 'open' or now_us >= tonumber(closes_us) then return {'CLOSED'} end

local current = redis.call('HGET', KEYS[2], bidder)
if not current then return {'NO_BID'} end
local c_rev, c_amount = string.match(current, '^(%d+):(%d*):')
if c_amount == '' then return {'NO_BID'} end

local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local count = redis.call('HINCRBY', KEYS[1], 'count', -1)
local revision = tonumber(c_rev) + 1
local placed_us = string.format('%d', now_us)
local rank_seq = string.format('%d', seq)
redis.call('HSET', KEYS[2], bidder, table.concat({ string.format('%d', revision), '', placed_us, rank_seq, nonce }, ':'))
return {'OK', gen, revision, placed_us, rank_seq, seq, count}
