import { FieldKind } from '../../../shared/protocol/codes.ts';
import type { EntityRecord, Snapshot } from '../../../shared/protocol/snapshot.ts';
import type { CompiledEntityType } from '../../../shared/protocol/state-shape.ts';

/** What one player sees: everything within `radius` of (`x`, `y`), in the room's units. */
export interface ViewArea {
  readonly x: number;
  readonly y: number;
  readonly radius: number;
}

/** Where an entity type keeps its position in a record, or null for types without one. */
interface Placement {
  readonly xi: number;
  readonly yi: number;
  readonly xs: number;
  readonly ys: number;
}

const placements = new WeakMap<CompiledEntityType, Placement | null>();

/** Numeric `x` and `y` fields place a type on the map; a quantized one is `wire * step`. */
function placementOf(type: CompiledEntityType): Placement | null {
  let placement = placements.get(type);
  if (placement !== undefined) return placement;
  const xi = type.fields.indexOf('x');
  const yi = type.fields.indexOf('y');
  const numeric = (i: number) =>
    i >= 0 && (type.kinds[i] === FieldKind.NUMBER || type.kinds[i] === FieldKind.INT);
  placement =
    numeric(xi) && numeric(yi) ? { xi, yi, xs: type.steps[xi]! || 1, ys: type.steps[yi]! || 1 } : null;
  placements.set(type, placement);
  return placement;
}

/** Cell coordinates fit in 16 bits each: beyond that, cells are clamped to the edge ones. */
const CELL_LIMIT = 32_767;
const cellIndex = (v: number, size: number): number => {
  const c = Math.floor(v / size);
  return Math.max(-CELL_LIMIT, Math.min(CELL_LIMIT, c));
};
const cellKey = (cx: number, cy: number): number => (cx + CELL_LIMIT) * 65_536 + (cy + CELL_LIMIT);

/**
 * A room's entities on a uniform grid, rebuilt once per tick from the snapshot, so each player's
 * view is read from the few cells around it: the work per player grows with what it sees, not with
 * the world. Entities without numeric `x` and `y` (a match clock, a scoreboard) are seen by all.
 */
/** The entities of one cell and their positions (x, y pairs), read without a lookup per entity. */
interface Cell {
  readonly records: EntityRecord[];
  readonly xy: number[];
}

export class InterestGrid {
  #cellSize = 0;
  readonly #cells = new Map<number, Cell>();
  /** Cells filled this tick, so the next rebuild empties only those. */
  readonly #used: Cell[] = [];
  readonly #everywhere: EntityRecord[] = [];
  #tick = -1;

  /** Place every entity of `snapshot`, once per tick; cells are sized by the first view radius. */
  index(snapshot: Snapshot, cellSize: number): void {
    if (snapshot.tick === this.#tick && cellSize === this.#cellSize) return;
    this.#tick = snapshot.tick;
    if (cellSize !== this.#cellSize) {
      this.#cells.clear();
      this.#used.length = 0;
      this.#cellSize = cellSize;
    }
    for (const cell of this.#used) {
      cell.records.length = 0;
      cell.xy.length = 0;
    }
    this.#used.length = 0;
    this.#everywhere.length = 0;
    for (const record of snapshot.records) {
      const at = placementOf(record.type);
      if (at === null) {
        this.#everywhere.push(record);
        continue;
      }
      const x = (record.values[at.xi] as number) * at.xs;
      const y = (record.values[at.yi] as number) * at.ys;
      const key = cellKey(cellIndex(x, cellSize), cellIndex(y, cellSize));
      let cell = this.#cells.get(key);
      if (cell === undefined) {
        cell = { records: [], xy: [] };
        this.#cells.set(key, cell);
      }
      if (cell.records.length === 0) this.#used.push(cell);
      cell.records.push(record);
      cell.xy.push(x, y);
    }
  }

  /** The grid's cell size (the radius it was indexed for). */
  get cellSize(): number {
    return this.#cellSize;
  }

  /**
   * Fill `out` with the entities within the area (and every unplaced one); `out` is cleared first.
   * Reads only the cells the area's bounding square touches.
   */
  query(area: ViewArea, out: EntityRecord[]): void {
    out.length = 0;
    for (const record of this.#everywhere) out.push(record);
    const { x, y, radius } = area;
    if (!(radius >= 0)) return;
    const size = this.#cellSize;
    const r2 = radius * radius;
    const x0 = cellIndex(x - radius, size);
    const x1 = cellIndex(x + radius, size);
    const y0 = cellIndex(y - radius, size);
    const y1 = cellIndex(y + radius, size);
    for (let cx = x0; cx <= x1; cx++) {
      for (let cy = y0; cy <= y1; cy++) {
        const cell = this.#cells.get(cellKey(cx, cy));
        if (cell === undefined) continue;
        const { records, xy } = cell;
        for (let i = 0; i < records.length; i++) {
          const dx = xy[2 * i]! - x;
          const dy = xy[2 * i + 1]! - y;
          if (dx * dx + dy * dy <= r2) out.push(records[i]!);
        }
      }
    }
  }
}
