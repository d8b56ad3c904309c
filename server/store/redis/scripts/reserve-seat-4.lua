#!lua
--@include directory
-- Promise a player a seat until ARGV[5], atomically against the room's capacity, and hold the room
-- at least that long; a player holds one promise at a time, so one made elsewhere and not taken is
-- given back (that room stays held until the token minted for it expires). ARGV: base, now, room
-- id, player id, expires at. Returns the room, or why not: 'unknown', 'ended' or 'full'.

local now = tonumber(ARGV[2])
local roomId, playerId = ARGV[3], ARGV[4]
if not roomPresent(roomId, now) then
  return 'unknown'
end
if redis.call('HGET', roomKey(roomId), 'ended') == '1' then
  return 'ended'
end
local taken, isSeated, held = occupancy(roomId, now)
local promised = false
for i = 1, #held, 2 do
  if held[i] == playerId and tonumber(held[i + 1]) > now then
    promised = true
  end
end
if not isSeated[playerId] and not promised and taken >= tonumber(redis.call('HGET', roomKey(roomId), 'max')) then
  return 'full'
end
local elsewhere = redis.call('HGET', PROMISED, playerId)
if elsewhere and elsewhere ~= roomId then
  redis.call('HDEL', heldKey(elsewhere), playerId)
end
redis.call('HSET', PROMISED, playerId, roomId)
for i = 1, #held, 2 do
  if tonumber(held[i + 1]) <= now then
    redis.call('HDEL', heldKey(roomId), held[i])
  end
end
redis.call('HSET', heldKey(roomId), playerId, ARGV[5])
if tonumber(ARGV[5]) > tonumber(redis.call('HGET', roomKey(roomId), 'until') or 0) then
  redis.call('HSET', roomKey(roomId), 'until', ARGV[5])
  -- Present longer, unless its node reports it (+inf already).
  redis.call('ZADD', nodePresentKey(redis.call('HGET', roomKey(roomId), 'node')), 'GT', ARGV[5], roomId)
end
return roomView(roomId)
