#!lua
-- Rename a guest that exists. KEYS: the player's hash. ARGV: the new name. Returns the player's
-- fields after the change, or false for an unknown player (nothing is created).

if redis.call('EXISTS', KEYS[1]) == 0 then
  return false
end
redis.call('HSET', KEYS[1], 'name', ARGV[1])
return redis.call('HMGET', KEYS[1], 'name', 'createdAt')
