#!lua
--@include directory
-- Live nodes, each with how many of its rooms are present here (rooms made since its last
-- heartbeat count against its limit). Dead nodes and their rooms are removed. ARGV: base, now.

local now = tonumber(ARGV[2])
purgeDeadNodes(ARGV[2])
local nodes = {}
for _, nodeId in ipairs(redis.call('ZRANGEBYSCORE', NODE_EXPIRY, '(' .. ARGV[2], '+inf')) do
  local recorded = 0
  for _, roomId in ipairs(redis.call('SMEMBERS', nodeRoomsKey(nodeId))) do
    if roomPresent(roomId, now) then
      recorded = recorded + 1
    end
  end
  nodes[#nodes + 1] = { redis.call('HGET', NODES, nodeId), recorded }
end
return nodes
