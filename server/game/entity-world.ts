import type { Entity, EntityFields, StateShape } from '../../shared/protocol/state-shape.ts';
import type { EntityWorld } from './room.ts';

/**
 * The live entities of one room. Ids are never reused within a room, so a client's baseline can
 * never confuse a new entity with an old one of the same id.
 */
export class RoomEntities<S extends StateShape> implements EntityWorld<S> {
  readonly #shape: S;
  readonly #entities = new Map<number, Entity>();
  #nextId = 1;

  constructor(shape: S) {
    this.#shape = shape;
  }

  get size(): number {
    return this.#entities.size;
  }

  spawn<T extends keyof S & string>(type: T, fields: EntityFields<S[T]>): Entity<S[T], T> {
    if (!Object.hasOwn(this.#shape, type)) throw new TypeError(`unknown entity type "${type}"`);
    const entity = { ...fields, id: this.#nextId++, type } as Entity<S[T], T>;
    this.#entities.set(entity.id, entity);
    return entity;
  }

  remove(entity: { readonly id: number }): void {
    this.#entities.delete(entity.id);
  }

  get(id: number): Entity | undefined {
    return this.#entities.get(id);
  }

  *ofType<T extends keyof S & string>(type: T): IterableIterator<Entity<S[T], T>> {
    for (const entity of this.#entities.values()) {
      if (entity.type === type) yield entity as Entity<S[T], T>;
    }
  }

  /** Every live entity, in spawn order (what snapshots read). */
  values(): IterableIterator<Entity> {
    return this.#entities.values();
  }
}
