#!lua
--@include directory
-- Live nodes, each with how many rooms are recorded for it (rooms made since its last heartbeat
-- count against its limit). Dead nodes and their rooms are removed. ARGV: base, now.

purgeDeadNodes(ARGV[2])
local nodes = {}
for _, nodeId in ipairs(redis.call('ZRANGEBYSCORE', NODE_EXPIRY, '(' .. ARGV[2], '+inf')) do
  nodes[#nodes + 1] = { redis.call('HGET', NODES, nodeId), redis.call('SCARD', nodeRoomsKey(nodeId)) }
end
return nodes
