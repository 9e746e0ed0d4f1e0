--[[ Mark a purchase claim as committed in SQL (the order exists), so it is never released.

KEYS[1] lot:{id}   lot state hash
ARGV[1] buyer org id that holds the claim
Returns 1 when the claim was confirmed, 0 when the state is missing or held by someone else.
]]
if redis.call('HGET', KEYS[1], 'buyer') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'confirmed', '1')
return 1
