#!lua
-- Rename a guest that exists. KEYS: the player's hash. ARGV: the new name, the nonce of its entry
-- in the names index (players.ts). Returns the player's fields after the change and the name and
-- nonce it replaced (false for a player of an earlier build, which had none), or false for an
-- unknown player (nothing is created).

if redis.call('EXISTS', KEYS[1]) == 0 then
  return false
end
local old = redis.call('HMGET', KEYS[1], 'name', 'nameNonce')
redis.call('HSET', KEYS[1], 'name', ARGV[1], 'nameNonce', ARGV[2])
local now = redis.call('HMGET', KEYS[1], 'name', 'createdAt')
return { now[1], now[2], old[1], old[2] }
