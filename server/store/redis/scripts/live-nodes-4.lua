#!lua
--@include directory
-- Live nodes, each with how many of its rooms are present here (rooms made since its last
-- heartbeat count against its limit): its present rooms are those whose node-present score is
-- past now. Dead nodes and their rooms are removed. ARGV: base, now.

purgeDeadNodes(ARGV[2])
local nodes = {}
for _, nodeId in ipairs(redis.call('ZRANGEBYSCORE', NODE_EXPIRY, '(' .. ARGV[2], '+inf')) do
  local present = redis.call('ZCOUNT', nodePresentKey(nodeId), '(' .. ARGV[2], '+inf')
  nodes[#nodes + 1] = { redis.call('HGET', NODES, nodeId), present }
end
return nodes
