#!lua
--@include directory
--@include create-room
--@include batch
-- create-room-4.lua for several calls at once, each as if run alone, one after the other
-- (includes/batch.lua: ARGV and the reply).

return batch(createRoom)
