/**
 * The game modes a lobby offers, and how each one's rooms and matches are made. Built once at
 * start-up from the room definitions the game nodes run, so both sides agree on names and sizes.
 */
import { ValidationError } from './errors.ts';
import type { MatchRules } from './matchmaking/matcher.ts';

/** One mode as the lobby sees it. */
export interface ModeSettings {
  readonly mode: string;
  /** Largest room of the mode (the room definition's maxPlayers). */
  readonly maxPlayers: number;
  /** Options every room of the mode is created with (e.g. arena's `matchSeconds`). */
  readonly roomOptions: Readonly<Record<string, unknown>>;
  readonly matchmaking: MatchRules;
}

/** The modes by name. */
export type LobbyModes = ReadonlyMap<string, ModeSettings>;

/** The mode named by a request, or a 400 naming `field` and the modes this lobby offers. */
export function modeOf(modes: LobbyModes, name: string, field: string): ModeSettings {
  const mode = modes.get(name);
  if (mode) return mode;
  throw new ValidationError([
    { field, message: `is not a game mode here (${[...modes.keys()].join(', ')})` },
  ]);
}

/** What the lobby takes from a room definition (server/game/room.ts RoomDefinition). */
export interface ModeDefinition {
  readonly mode: string;
  readonly maxPlayers: number;
  readonly matchmaking?: { readonly minPlayers?: number; readonly fillWaitMs?: number };
}

/** Lobby-wide matchmaking settings that apply to every mode. */
export interface ModeDefaults {
  readonly skill: MatchRules['skill'];
  /** Overrides each mode's own fill wait when set. */
  readonly fillWaitMs: number | undefined;
  readonly roomOptions: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** The lobby's modes, from the room definitions its game nodes run. */
export function modesFrom(definitions: readonly ModeDefinition[], defaults: ModeDefaults): LobbyModes {
  const modes = new Map<string, ModeSettings>();
  for (const { mode, maxPlayers, matchmaking } of definitions) {
    modes.set(mode, {
      mode,
      maxPlayers,
      roomOptions: defaults.roomOptions[mode] ?? {},
      matchmaking: {
        minPlayers: Math.min(maxPlayers, matchmaking?.minPlayers ?? 2),
        maxPlayers,
        fillWaitMs: defaults.fillWaitMs ?? matchmaking?.fillWaitMs ?? 10_000,
        skill: defaults.skill,
      },
    });
  }
  return modes;
}
