--[[ Write a lot's state, read from SQL, into Redis; only for the loader holding the load token.

The load token (SET NX) is taken before SQL is read. A bid write that commits in SQL while a load is
under way deletes the token (confirm_bids.lua), so a load that may have read SQL too early is refused
here and the loader reads again.

KEYS[1] lot:{id}            lot state hash
KEYS[2] lot:{id}:bids       bidder -> packed current bid
KEYS[3] lot:{id}:idem       idempotency answers
KEYS[4] lot:{id}:deposits   set of org ids holding a deposit
KEYS[5] lot:{id}:invited    set of invited org ids
KEYS[6] lot:{id}:loading    the load token
ARGV[1] load token
ARGV[2] n: number of lot state fields, then n field/value pairs
then m: number of bids, then m bidder/packed pairs
then k: number of idempotency answers, then k field/value pairs
then d: number of deposit holders, then d org ids
then i: number of invited orgs, then i org ids
Returns 1 when written, 0 when the token was lost (read SQL again), 2 when the state already exists.
]]
if redis.call('GET', KEYS[6]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[6])
if redis.call('EXISTS', KEYS[1]) == 1 then return 2 end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5])

local position = 2
local CHUNK = 500

local function write_pairs(key)
  local n = tonumber(ARGV[position])
  local first = position + 1
  local last = position + 2 * n
  local i = first
  while i <= last do
    local stop = math.min(i + 2 * CHUNK - 1, last)
    redis.call('HSET', key, unpack(ARGV, i, stop))
    i = stop + 1
  end
  position = last + 1
end

local function write_members(key)
  local n = tonumber(ARGV[position])
  local first = position + 1
  local last = position + n
  local i = first
  while i <= last do
    local stop = math.min(i + CHUNK - 1, last)
    redis.call('SADD', key, unpack(ARGV, i, stop))
    i = stop + 1
  end
  position = last + 1
end

write_pairs(KEYS[1])
write_pairs(KEYS[2])
write_pairs(KEYS[3])
write_members(KEYS[4])
write_members(KEYS[5])
return 1
