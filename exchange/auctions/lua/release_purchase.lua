--[[ Give back an unconfirmed purchase claim (its order could not be written), reopening the lot.

KEYS[1] lot:{id}        lot state hash
KEYS[2] lot:{id}:idem   idempotency answers; the buyer's key for this claim is dropped
ARGV[1] buyer org id that holds the claim
ARGV[2] claim time in microseconds (the claim being released, so a newer claim is never touched)
ARGV[3] idempotency key used for the claim, "" for none
Returns 1 when released, 0 otherwise.
]]
local lot = redis.call('HMGET', KEYS[1], 'state', 'buyer', 'claim_us', 'confirmed')
if lot[1] ~= 'sold' or lot[2] ~= ARGV[1] or lot[3] ~= ARGV[2] or lot[4] ~= '0' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'open')
redis.call('HDEL', KEYS[1], 'buyer', 'claim_us', 'confirmed')
if ARGV[3] ~= '' then redis.call('HDEL', KEYS[2], ARGV[1] .. ':' .. ARGV[3]) end
return 1
