import type { JSONSchemaType } from 'ajv';
import type { Entity } from '../../../shared/protocol/state-shape.ts';
import { defineRoom, type Player, Room } from '../../game/room.ts';
import { type ArenaInput, MATCH_SECONDS, move, ORB_COUNT, seededRandom, touches, WORLD } from './rules.ts';

/** What clients see. Positions travel as tenths of a unit; everything else only when it changes. */
export const arenaState = {
  player: {
    owner: { type: 'string' },
    name: { type: 'string' },
    x: { type: 'number', quantize: 0.1 },
    y: { type: 'number', quantize: 0.1 },
    score: { type: 'int' },
    hue: { type: 'int' },
  },
  orb: {
    x: { type: 'number', quantize: 0.1 },
    y: { type: 'number', quantize: 0.1 },
  },
  match: {
    /** The tick at which the match ends; clients derive the countdown from it. */
    endTick: { type: 'int' },
  },
} as const;

type ArenaState = typeof arenaState;
type PlayerEntity = Entity<ArenaState['player'], 'player'>;
type OrbEntity = Entity<ArenaState['orb'], 'orb'>;

/** Inputs are a direction; anything else (positions, scores) is never accepted from a client. */
export const arenaInputSchema: JSONSchemaType<ArenaInput> = {
  type: 'object',
  properties: {
    dx: { type: 'number', minimum: -1, maximum: 1 },
    dy: { type: 'number', minimum: -1, maximum: 1 },
  },
  required: ['dx', 'dy'],
  additionalProperties: false,
};

/** What the room keeps per player: the entity it controls and its latest direction. */
interface Avatar {
  readonly entity: PlayerEntity;
  direction: ArenaInput;
}

/**
 * Arena: move around, collect orbs, highest score when the timer runs out wins.
 * Room options: `matchSeconds` (default 120), `seed` (orb layout).
 */
export class ArenaRoom extends Room<ArenaState, ArenaInput> {
  readonly #avatars = new Map<string, Avatar>();
  /** Orbs never leave the world: a collected orb respawns elsewhere, so clients see a move, not a remove. */
  readonly #orbs: OrbEntity[] = [];
  #random: () => number = Math.random;
  #endTick = 0;

  override onCreate(options: Readonly<Record<string, unknown>>): void {
    const seconds =
      typeof options.matchSeconds === 'number' && options.matchSeconds > 0
        ? options.matchSeconds
        : MATCH_SECONDS;
    this.#random = seededRandom(typeof options.seed === 'number' ? options.seed : Date.now());
    this.#endTick = Math.ceil(seconds * this.tickRate);
    this.entities.spawn('match', { endTick: this.#endTick });
    for (let i = 0; i < ORB_COUNT; i++) this.#orbs.push(this.entities.spawn('orb', this.#randomSpot()));
  }

  override onJoin(player: Player): void {
    const entity = this.entities.spawn('player', {
      owner: player.id,
      name: player.name,
      ...this.#randomSpot(),
      score: 0,
      hue: Math.floor(this.#random() * 360),
    });
    this.#avatars.set(player.id, { entity, direction: { dx: 0, dy: 0 } });
  }

  override onInput(player: Player, input: ArenaInput): void {
    const avatar = this.#avatars.get(player.id);
    if (avatar) avatar.direction = input;
  }

  override update(dt: number): void {
    for (const { entity, direction } of this.#avatars.values()) {
      const next = move(entity, direction, dt);
      entity.x = next.x;
      entity.y = next.y;
      for (const orb of this.#orbs) {
        if (!touches(entity, orb)) continue;
        entity.score += 1;
        const spot = this.#randomSpot();
        orb.x = spot.x;
        orb.y = spot.y;
      }
    }
    if (this.tick >= this.#endTick) this.#finish();
  }

  override onDrop(player: Player): void {
    // Stop a disconnected player where they are; they keep their seat and score for the grace period.
    const avatar = this.#avatars.get(player.id);
    if (avatar) avatar.direction = { dx: 0, dy: 0 };
  }

  override onLeave(player: Player): void {
    const avatar = this.#avatars.get(player.id);
    if (avatar) this.entities.remove(avatar.entity);
    this.#avatars.delete(player.id);
  }

  #finish(): void {
    const results = [...this.entities.ofType('player')]
      .sort((a, b) => b.score - a.score)
      .map((p) => ({ playerId: p.owner, name: p.name, score: p.score }));
    this.endMatch(results);
  }

  #randomSpot(): { x: number; y: number } {
    const margin = 40;
    return {
      x: margin + this.#random() * (WORLD.width - 2 * margin),
      y: margin + this.#random() * (WORLD.height - 2 * margin),
    };
  }
}

/** The arena game mode: 16 players, 20 ticks per second. */
export const arena = defineRoom({
  mode: 'arena',
  state: arenaState,
  input: arenaInputSchema,
  room: ArenaRoom,
  tickRate: 20,
  maxPlayers: 16,
  // A full room starts at once; two players or more start after a short wait.
  matchmaking: { minPlayers: 2, fillWaitMs: 5000 },
});
