-- Several calls of one operation in one script (RedisScripts batches the calls made together):
-- each runs as if it were its own script, one after the other, so each keeps its own all-or-none
-- answer. ARGV: the first call's first argument (read by includes when they load, e.g. the
-- directory's key base, the same for every call), then per call its argument count and arguments.
-- Returns each call's reply in order; a call that fails gives its error and the others still run.

local function batch(operation)
  local replies, i = {}, 2
  while i <= #ARGV do
    local count = tonumber(ARGV[i])
    local args = {}
    for j = 1, count do
      args[j] = ARGV[i + j]
    end
    local ok, reply = pcall(operation, args)
    if ok then
      replies[#replies + 1] = reply
    elseif type(reply) == 'table' and reply.err then
      replies[#replies + 1] = reply
    else
      replies[#replies + 1] = redis.error_reply(tostring(reply))
    end
    i = i + count + 1
  end
  return replies
end
