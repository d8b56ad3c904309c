#!lua
--@include tickets
--@include finish-tickets
--@include batch
-- finish-tickets-8.lua for several calls at once, each as if run alone, one after the other
-- (includes/batch.lua: ARGV and the reply).

return batch(finishTickets)
