export { ArenaRoom, arena, arenaInputSchema, arenaState } from './arena-room.ts';
export * from './rules.ts';
