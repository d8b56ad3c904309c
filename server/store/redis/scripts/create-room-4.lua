#!lua
--@include directory
-- Record a room unless its id or join code is held by a live room (a dead node's room holding
-- either is removed). ARGV: base, now, room id, node id, mode, public (1/0), code ('' for none),
-- max players, created at, record JSON. Returns 1, or 0 when refused. Every check comes before the
-- first write of the room, so a new refusal (a per-player cap) is one more check here.

local now = tonumber(ARGV[2])
local roomId, nodeId, mode, code = ARGV[3], ARGV[4], ARGV[5], ARGV[7]
purgeDeadNodes(ARGV[2])
if redis.call('EXISTS', roomKey(roomId)) == 1 then
  if roomLive(roomId, now) then
    return 0
  end
  removeRoom(roomId)
end
local holder = code ~= '' and redis.call('HGET', CODES, code)
if holder then
  if roomLive(holder, now) then
    return 0
  end
  removeRoom(holder)
end

redis.call(
  'HSET', roomKey(roomId),
  'record', ARGV[10], 'node', nodeId, 'mode', mode, 'public', ARGV[6], 'max', ARGV[8],
  'created', ARGV[9], 'ended', '0', 'reported', '0'
)
if code ~= '' then
  redis.call('HSET', roomKey(roomId), 'code', code)
  redis.call('HSET', CODES, code, roomId)
end
redis.call('SADD', nodeRoomsKey(nodeId), roomId)
if ARGV[6] == '1' then
  redis.call('SADD', publicKey(mode), roomId)
end
return 1
