--[[ Let a buyer org bid on a lot that requires a deposit (after the deposit is committed in SQL).

KEYS[1] lot:{id}            lot state hash
KEYS[2] lot:{id}:deposits   set of org ids holding a deposit
ARGV[1] org id
Returns 1 when added, 0 when the state is not loaded (the next load reads the deposit from SQL).
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('SADD', KEYS[2], ARGV[1])
return 1
