--[[ Record a lot's final state after SQL has settled it (awarded, unsold, sold elsewhere, withdrawn...).

No bid or purchase is accepted afterwards. The lot's keys then expire: a later use rebuilds the
(closed) state from SQL, so Redis keeps only lots that are still for sale. A missing state stays
missing: the next load reads SQL.

KEYS[1] lot:{id}            lot state hash
KEYS[2..5] lot:{id}:bids, :idem, :deposits, :invited
ARGV[1] final state: "closed" (sealed bids opened), "sold" (bought or sold elsewhere) or "gone"
ARGV[2] outcome for the record (awarded, unsold, sold, ...)
ARGV[3] how long the closed state is kept, in milliseconds
Returns 1 when the state was updated, 0 when it was not loaded.
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'outcome', ARGV[2], 'confirmed', '1')
for i = 1, #KEYS do
  redis.call('PEXPIRE', KEYS[i], ARGV[3])
end
return 1
