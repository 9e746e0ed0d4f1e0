--[[ After bid writes committed in SQL: make sure the lot's Redis state holds them.

Usually the state is the one that accepted them (same generation) and there is nothing to do. If the
state was lost and rebuilt in between, the committed bids are merged in (a newer revision wins). If
the state is missing, a load that may have read SQL before the commit is cancelled by deleting its
token; the next load reads SQL again and finds the bids.

KEYS[1] lot:{id}           lot state hash
KEYS[2] lot:{id}:bids      bidder -> packed current bid
KEYS[3] lot:{id}:loading   load token
ARGV[1] generation of the state that accepted the bids
ARGV[2..] triples: bidder org id, packed bid, sequence number
Returns 1 (same state), 2 (merged into a rebuilt state) or 0 (no state; pending load cancelled).
]]
local gen = redis.call('HGET', KEYS[1], 'gen')
if not gen then
  redis.call('DEL', KEYS[3])
  return 0
end
if gen == ARGV[1] then return 1 end

local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
for i = 2, #ARGV, 3 do
  local bidder, packed, bid_seq = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  local n_rev, n_amount = string.match(packed, '^(%d+):(%d*):')
  local current = redis.call('HGET', KEYS[2], bidder)
  local c_rev, c_amount = nil, ''
  if current then c_rev, c_amount = string.match(current, '^(%d+):(%d*):') end
  if not current or tonumber(c_rev) < tonumber(n_rev) then
    local was_active = current ~= nil and c_amount ~= ''
    local is_active = n_amount ~= ''
    if is_active and not was_active then redis.call('HINCRBY', KEYS[1], 'count', 1) end
    if was_active and not is_active then redis.call('HINCRBY', KEYS[1], 'count', -1) end
    redis.call('HSET', KEYS[2], bidder, packed)
  end
  if bid_seq > seq then seq = bid_seq end
end
redis.call('HSET', KEYS[1], 'seq', string.format('%d', seq))
return 2
