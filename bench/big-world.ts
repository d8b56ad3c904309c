/**
 * The big-world benchmark room (DESIGN.md, interest management): one room of up to 500 players
 * and 5,000 other entities on a large map, where each player sees what is within VIEW_RADIUS of
 * its avatar. A tenth of the things wander every tick, players move by their inputs. Used by
 * `npm run bench:tick -- --world big` and `npm run bench:game -- --world big`; not a game.
 */
import { defineRoom, type Player, Room, type ViewArea } from '../server/game/room.ts';
import { arenaInputSchema } from '../server/games/arena/arena-room.ts';
import { type ArenaInput, seededRandom } from '../server/games/arena/rules.ts';
import type { Entity } from '../shared/protocol/state-shape.ts';

/**
 * The default world: 5,000 things on a 4,000 x 4,000 map, 500 players, each seeing 250 units
 * around itself (about 1.2% of the map: some 70 entities). Room options `things` scales the world
 * at the same density (the map grows with it), so what a player sees stays the same.
 */
export const BIG_WORLD = { size: 4000, things: 5000, players: 500, viewRadius: 250, speed: 120 } as const;

const state = {
  player: {
    owner: { type: 'string' },
    x: { type: 'number', quantize: 0.1 },
    y: { type: 'number', quantize: 0.1 },
  },
  thing: {
    kind: { type: 'int' },
    x: { type: 'number', quantize: 0.1 },
    y: { type: 'number', quantize: 0.1 },
  },
} as const;
type State = typeof state;
type Avatar = Entity<State['player'], 'player'>;
type Thing = Entity<State['thing'], 'thing'>;

/** 500 players and 5,000 things moving about; what a player sees is up to the subclasses. */
abstract class BigWorldBase extends Room<State, ArenaInput> {
  protected readonly avatars = new Map<string, { entity: Avatar; direction: ArenaInput }>();
  readonly #things: Thing[] = [];
  #random: () => number = Math.random;
  #size: number = BIG_WORLD.size;

  override onCreate(options: Readonly<Record<string, unknown>>): void {
    this.#random = seededRandom(typeof options.seed === 'number' ? options.seed : 7);
    const things =
      typeof options.things === 'number' && options.things > 0 ? options.things : BIG_WORLD.things;
    this.#size = BIG_WORLD.size * Math.sqrt(things / BIG_WORLD.things);
    for (let i = 0; i < things; i++) {
      this.#things.push(
        this.entities.spawn('thing', { kind: i % 8, x: this.#coordinate(), y: this.#coordinate() }),
      );
    }
  }

  override onJoin(player: Player): void {
    const entity = this.entities.spawn('player', {
      owner: player.id,
      x: this.#coordinate(),
      y: this.#coordinate(),
    });
    this.avatars.set(player.id, { entity, direction: { dx: 0, dy: 0 } });
  }

  override onInput(player: Player, direction: ArenaInput): void {
    const avatar = this.avatars.get(player.id);
    if (avatar) avatar.direction = direction;
  }

  override update(dt: number): void {
    const step = BIG_WORLD.speed * dt;
    const size = this.#size;
    const clamp = (v: number) => Math.max(0, Math.min(size, v));
    for (const { entity, direction } of this.avatars.values()) {
      entity.x = clamp(entity.x + direction.dx * step);
      entity.y = clamp(entity.y + direction.dy * step);
    }
    // A tenth of the things drift each tick, a different tenth every tick.
    const things = this.#things;
    for (let i = this.tick % 10; i < things.length; i += 10) {
      const thing = things[i]!;
      thing.x = clamp(thing.x + (this.#random() - 0.5) * step);
      thing.y = clamp(thing.y + (this.#random() - 0.5) * step);
    }
  }

  override onLeave(player: Player): void {
    const avatar = this.avatars.get(player.id);
    if (avatar) this.entities.remove(avatar.entity);
    this.avatars.delete(player.id);
  }

  #coordinate(): number {
    return this.#random() * this.#size;
  }

  /** The circle of the player's avatar. */
  protected inView(player: Player, entity: Entity): boolean {
    const avatar = this.avatars.get(player.id)?.entity;
    if (!avatar || typeof entity.x !== 'number' || typeof entity.y !== 'number') return true;
    const dx = entity.x - avatar.x;
    const dy = entity.y - avatar.y;
    return dx * dx + dy * dy <= BIG_WORLD.viewRadius * BIG_WORLD.viewRadius;
  }
}

/** Each player sees the circle around its avatar, through the framework's interest grid. */
export class BigWorldRoom extends BigWorldBase {
  override viewOf(player: Player): ViewArea | undefined {
    const avatar = this.avatars.get(player.id)?.entity;
    return avatar && { x: avatar.x, y: avatar.y, radius: BIG_WORLD.viewRadius };
  }
}

/**
 * The same world with the view as a plain `canSee` filter and no `viewOf`: the framework must ask
 * about every entity for every player (O(world) per client), the comparison for the grid.
 */
export class BigWorldFilteredRoom extends BigWorldBase {
  override canSee(player: Player, entity: Entity): boolean {
    return this.inView(player, entity);
  }
}

/** The big-world benchmark mode. */
export const bigWorld = defineRoom({
  mode: 'bigworld',
  state,
  input: arenaInputSchema,
  room: BigWorldRoom,
  maxPlayers: BIG_WORLD.players,
});

/** The big world filtered by canSee alone (no grid). */
export const bigWorldFiltered = defineRoom({
  ...bigWorld,
  mode: 'bigworld-filtered',
  room: BigWorldFilteredRoom,
});
