#!lua
--@include directory
-- Promise players a seat each until ARGV[4], all or none, atomically against the room's capacity,
-- and hold the room at least that long; a player holds one promise at a time, so one made
-- elsewhere and not taken is given back (that room stays held until the token minted for it
-- expires). ARGV: base, now, room id, expires at, the player ids. Returns the room, or why not:
-- 'unknown', 'ended' or 'full'.

local now = tonumber(ARGV[2])
local roomId, expiresAt = ARGV[3], ARGV[4]
if not roomPresent(roomId, now) then
  return 'unknown'
end
if redis.call('HGET', roomKey(roomId), 'ended') == '1' then
  return 'ended'
end
local taken, isSeated, held = occupancy(roomId, now)
local promised = {}
for i = 1, #held, 2 do
  if tonumber(held[i + 1]) > now then
    promised[held[i]] = true
  end
end
local players, seen, newcomers = {}, {}, 0
for i = 5, #ARGV do
  local playerId = ARGV[i]
  if not seen[playerId] then
    seen[playerId] = true
    players[#players + 1] = playerId
    if not isSeated[playerId] and not promised[playerId] then
      newcomers = newcomers + 1
    end
  end
end
if newcomers > 0 and taken + newcomers > tonumber(redis.call('HGET', roomKey(roomId), 'max')) then
  return 'full'
end
for i = 1, #held, 2 do
  if tonumber(held[i + 1]) <= now then
    redis.call('HDEL', heldKey(roomId), held[i])
  end
end
for _, playerId in ipairs(players) do
  local elsewhere = redis.call('HGET', PROMISED, playerId)
  if elsewhere and elsewhere ~= roomId then
    redis.call('HDEL', heldKey(elsewhere), playerId)
  end
  redis.call('HSET', PROMISED, playerId, roomId)
  redis.call('HSET', heldKey(roomId), playerId, expiresAt)
end
if tonumber(expiresAt) > tonumber(redis.call('HGET', roomKey(roomId), 'until') or 0) then
  redis.call('HSET', roomKey(roomId), 'until', expiresAt)
  -- Present longer, unless its node reports it (+inf already).
  redis.call('ZADD', nodePresentKey(redis.call('HGET', roomKey(roomId), 'node')), 'GT', expiresAt, roomId)
end
return roomView(roomId)
