#!lua
--@include directory
--@include create-room
-- Record a room unless its id or join code is held by a present room, or its creator already holds
-- as many live rooms as its caps allow (rooms.ts CreatorLimits). Every check comes before the first
-- write, so nothing is written on a refusal. ARGV: base, now, room id, node id, mode, public (1/0),
-- code ('' for none), max players, created at, record JSON, held until, creator player id and
-- address ('' for a room the matchmaker made), cap per player and per address ('' for none).
-- Returns 1, or why not: 'taken', 'player-limit', 'address-limit' or 'node-full' (the node is alive
-- and holds its maxRooms, as it reported or as present here since).

return createRoom(ARGV)
