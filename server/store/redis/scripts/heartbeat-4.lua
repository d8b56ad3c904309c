#!lua
--@include directory
-- A node's heartbeat: (re)register it until ARGV[5] and replace what is known of its rooms.
-- ARGV: base, now, node id, status JSON, expires at, the node's public URL, then per room report:
-- room id, ended (1/0), the number of seated players and their ids. A room of this node missing
-- from the reports is gone once its hold has passed (no seat token minted for it can still make it
-- on the node). Returns 1, or { 'taken', url } with nothing written when a live node at another URL
-- holds the id (two processes given one node id must not overwrite each other's rooms and URL).

local now = tonumber(ARGV[2])
local nodeId = ARGV[3]
purgeDeadNodes(ARGV[2])
local holder = redis.call('HGET', NODES, nodeId)
if holder and nodeAlive(nodeId, now) then
  local heldBy = cjson.decode(holder).url
  if heldBy ~= ARGV[6] then
    return { 'taken', heldBy }
  end
end
redis.call('HSET', NODES, nodeId, ARGV[4])
redis.call('ZADD', NODE_EXPIRY, ARGV[5], nodeId)

local reports, i = {}, 7
while i <= #ARGV do
  local count = tonumber(ARGV[i + 2])
  local players = {}
  for j = 1, count do
    players[j] = ARGV[i + 2 + j]
  end
  reports[ARGV[i]] = { ended = ARGV[i + 1] == '1', players = players }
  i = i + 3 + count
end

for _, roomId in ipairs(redis.call('SMEMBERS', nodeRoomsKey(nodeId))) do
  local room = roomKey(roomId)
  local report = reports[roomId]
  if report then
    -- A promise is kept once its player is seated; the rest wait for their token to expire.
    local seated = {}
    for _, playerId in ipairs(report.players) do
      seated[playerId] = true
    end
    local held = redis.call('HGETALL', heldKey(roomId))
    for j = 1, #held, 2 do
      local playerId = held[j]
      if tonumber(held[j + 1]) <= now or seated[playerId] then
        redis.call('HDEL', heldKey(roomId), playerId)
        if redis.call('HGET', PROMISED, playerId) == roomId then
          redis.call('HDEL', PROMISED, playerId)
        end
      end
    end
    redis.call('HSET', room, 'reported', '1', 'seated', cmsgpack.pack(report.players))
    redis.call('ZADD', nodePresentKey(nodeId), '+inf', roomId)
    if report.ended then
      redis.call('HSET', room, 'ended', '1')
      redis.call('SREM', publicKey(redis.call('HGET', room, 'mode')), roomId)
    end
  elseif tonumber(redis.call('HGET', room, 'until') or 0) > now then
    -- Gone from the node (or not made there yet), but a seat token for it may still be used: that
    -- player's connection makes it again on the node, so it stays findable and counted.
    redis.call('HSET', room, 'reported', '0', 'seated', cmsgpack.pack({}))
    redis.call('ZADD', nodePresentKey(nodeId), redis.call('HGET', room, 'until'), roomId)
  else
    removeRoom(roomId)
  end
end
return 1
