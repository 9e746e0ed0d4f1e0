--[[ Record a lot's final state after SQL has settled it (awarded, unsold, sold elsewhere, withdrawn...).

No bid or purchase is accepted afterwards. A missing state stays missing: the next load reads SQL.

KEYS[1] lot:{id}   lot state hash
ARGV[1] final state: "closed" (sealed bids opened), "sold" (bought or sold elsewhere) or "gone"
ARGV[2] outcome for the record (awarded, unsold, sold, ...)
Returns 1 when the state was updated, 0 when it was not loaded.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'outcome', ARGV[2], 'confirmed', '1')
return 1
