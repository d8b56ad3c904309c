#!lua
--@include tickets
--@include finish-tickets
-- Move searching tickets to one final state, all or none: false (nothing written) when any one is
-- not searching, or when the claim is fenced by a queue lease whose token is no longer the queue's
-- (another lobby took the queue over). The change is published, in the same step, as
-- 'origin\nfinal\nticket...' on the channel, so watchers in every process hear it. KEYS: the seven
-- ticket keys, then the leases hash. ARGV: now, drop at, final JSON, channel, origin, fence queue
-- and token ('' for an unfenced claim), the ticket ids. Returns the tickets as created.

return finishTickets(ARGV)
