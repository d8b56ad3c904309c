export { arena, ArenaRoom, arenaInputSchema, arenaState } from './arena-room.ts';
export * from './rules.ts';
