import { describe, expect, it } from 'vitest';
import { type ArenaInput, move, PLAYER_SPEED } from '../../server/games/arena/rules.ts';
import { Predictor } from './prediction.ts';

type Position = { x: number; y: number };
const TICK_RATE = 20;
const STEP = PLAYER_SPEED / TICK_RATE; // 12 units per tick at full speed
const RIGHT: ArenaInput = { dx: 1, dy: 0 };
const DOWN: ArenaInput = { dx: 0, dy: 1 };
const START: Position = { x: 300, y: 300 };

const predictor = (options: Partial<ConstructorParameters<typeof Predictor<Position, ArenaInput>>[0]> = {}) =>
  new Predictor<Position, ArenaInput>({ step: move, tickRate: TICK_RATE, initial: START, ...options });

/** Positions travel as tenths of a unit (arena's `quantize: 0.1`). */
const quantize = (p: Position): Position => ({ x: Math.round(p.x * 10) / 10, y: Math.round(p.y * 10) / 10 });

/**
 * The server's model, as room-runtime + input-queue + arena run it: each tick, hand at most
 * `perTick` queued inputs to onInput (arena keeps the latest direction), move once, send the state
 * with the highest applied seq. Inputs and states spend `latency(tick)` ticks in flight.
 */
function simulate(options: {
  ticks: number;
  input: (tick: number) => ArenaInput;
  latency?: (tick: number) => number;
  /** Something only the server knows, e.g. a shove. */
  serverEvent?: (tick: number, p: Position) => Position;
  predictor?: Predictor<Position, ArenaInput>;
}) {
  const latency = options.latency ?? (() => 3);
  const p = options.predictor ?? predictor();
  let server = START;
  let direction: ArenaInput = { dx: 0, dy: 0 };
  let ackSeq = 0;
  const toServer: { at: number; seq: number; input: ArenaInput }[] = [];
  const toClient: { at: number; state: Position; ackSeq: number }[] = [];
  const queue: { seq: number; input: ArenaInput }[] = [];
  /** Server position after the tick that applied each seq; the client's prediction for it. */
  const serverAfter = new Map<number, Position>();
  const predictedAfter = new Map<number, Position>();
  let seq = 0;
  for (let tick = 1; tick <= options.ticks; tick++) {
    // Server tick.
    while (toServer.length > 0 && toServer[0]!.at <= tick) queue.push(toServer.shift()!);
    for (const { seq: s, input } of queue.splice(0, 4)) {
      direction = input;
      ackSeq = s;
    }
    server = move(server, direction, 1 / TICK_RATE);
    if (options.serverEvent) server = options.serverEvent(tick, server);
    serverAfter.set(ackSeq, server);
    toClient.push({ at: tick + latency(tick), state: quantize(server), ackSeq });
    toClient.sort((a, b) => a.at - b.at);
    // Client tick: states that arrived, then this tick's input, predicted.
    while (toClient.length > 0 && toClient[0]!.at <= tick) {
      const { state, ackSeq: ack } = toClient.shift()!;
      p.reconcile(state, ack);
    }
    const input = options.input(tick);
    seq++;
    toServer.push({ at: tick + latency(tick), seq, input });
    toServer.sort((a, b) => a.at - b.at);
    predictedAfter.set(seq, p.apply(seq, input));
  }
  return { p, serverAfter, predictedAfter };
}

describe('Predictor', () => {
  it('predicts one step per input with the game rule', () => {
    const p = predictor();
    p.apply(1, RIGHT);
    p.apply(2, RIGHT);
    expect(p.state).toEqual({ x: START.x + 2 * STEP, y: START.y });
    expect(p.previous).toEqual({ x: START.x + STEP, y: START.y });
    expect(p.pendingCount).toBe(2);
  });

  it('replays the pending inputs on top of the authoritative state', () => {
    const p = predictor();
    for (let seq = 1; seq <= 5; seq++) p.apply(seq, seq <= 2 ? RIGHT : DOWN);
    const server = { x: 320, y: 300 }; // the server applied 1 and 2, from a slightly different place
    const state = p.reconcile(server, 2);
    expect(p.pendingCount).toBe(3);
    expect(state.x).toBeCloseTo(320);
    expect(state.y).toBeCloseTo(300 + 3 * STEP);
    expect(p.serverState).toBe(server);
    expect(p.ackSeq).toBe(2);
  });

  it('drops acknowledged inputs, and states that ack nothing new keep them', () => {
    const p = predictor();
    for (let seq = 1; seq <= 3; seq++) p.apply(seq, RIGHT);
    p.reconcile(START, 0);
    expect(p.pendingCount).toBe(3);
    p.reconcile({ x: START.x + 3 * STEP, y: START.y }, 3);
    expect(p.pendingCount).toBe(0);
    expect(p.state).toEqual({ x: START.x + 3 * STEP, y: START.y });
  });

  it('matches the server exactly under steady latency (up to the wire quantization)', () => {
    const input = (tick: number) => (Math.floor(tick / 15) % 2 === 0 ? RIGHT : DOWN);
    const { serverAfter, predictedAfter } = simulate({ ticks: 120, input });
    for (let seq = 1; seq <= 110; seq++) {
      expect(predictedAfter.get(seq)!.x).toBeCloseTo(serverAfter.get(seq)!.x, 1);
      expect(predictedAfter.get(seq)!.y).toBeCloseTo(serverAfter.get(seq)!.y, 1);
    }
  });

  it('converges after a misprediction the client could not foresee', () => {
    const shove = (tick: number, p: Position) => (tick === 40 ? { x: p.x, y: p.y + 100 } : p);
    const { serverAfter, predictedAfter, p } = simulate({
      ticks: 100,
      input: () => RIGHT,
      serverEvent: shove,
    });
    const error = (seq: number) => Math.abs(predictedAfter.get(seq)!.y - serverAfter.get(seq)!.y);
    // Inputs predicted before the shove's state arrived (3 ticks out, 3 back) were wrong...
    expect(error(38)).toBeCloseTo(100, 1);
    // ...and every input predicted after it is right again.
    for (let seq = 44; seq <= 95; seq++) expect(error(seq)).toBeLessThan(0.06);
    expect(p.pendingCount).toBe(6); // three ticks out, three back
  });

  it('stays within a step per tick of jitter, and is exact again once jitter stops', () => {
    const jitter = [0, 1, 0, 0, 2, 1, 0, 1];
    const latency = (tick: number) => 3 + (tick < 60 ? jitter[tick % jitter.length]! : 0);
    const { serverAfter, predictedAfter } = simulate({ ticks: 120, input: () => RIGHT, latency });
    let worst = 0;
    for (let seq = 1; seq <= 110; seq++) {
      const server = serverAfter.get(seq);
      if (!server) continue; // applied in the same tick as a later seq
      const error = Math.abs(predictedAfter.get(seq)!.x - server.x);
      worst = Math.max(worst, error);
      expect(error).toBeLessThanOrEqual(2 * STEP + 0.06);
      if (seq > 80) expect(error).toBeLessThan(0.06);
    }
    expect(worst).toBeGreaterThan(STEP / 2); // the jitter did show
  });

  it('smooths a correction out of view() over time, and snaps a large one', () => {
    let now = 0;
    const p = predictor({ fields: ['x', 'y'], halfLifeMs: 100, snapDistance: 50, now: () => now });
    p.apply(1, RIGHT);
    const shown = p.view();
    p.reconcile({ x: START.x + STEP - 10, y: START.y }, 1); // the server says 10 units less
    expect(p.state.x).toBeCloseTo(START.x + STEP - 10);
    expect(p.view().x).toBeCloseTo(shown.x); // no visible jump
    now = 100;
    expect(p.view().x).toBeCloseTo(p.state.x + 5); // half the correction left
    now = 2000;
    expect(p.view().x).toBeCloseTo(p.state.x, 3);
    p.reconcile({ x: 900, y: 300 }, 1); // a respawn: shown at once
    expect(p.view()).toEqual({ x: 900, y: 300 });
  });

  it('blends between the previous and the current step with alpha', () => {
    const p = predictor({ fields: ['x', 'y'] });
    p.apply(1, RIGHT);
    expect(p.view(0)).toEqual(START);
    expect(p.view(0.5)).toEqual({ x: START.x + STEP / 2, y: START.y });
    expect(predictor().view(0.5)).toEqual(START); // no fields: the state itself
  });

  it('forgets inputs the server never got when numbering restarts (a reconnect)', () => {
    const p = predictor();
    for (let seq = 1; seq <= 6; seq++) p.apply(seq, RIGHT);
    // Reconnected: WELCOME said lastSeq 4, so 5 and 6 were lost and the next input is 5 again.
    p.apply(5, DOWN);
    expect(p.pendingCount).toBe(5);
    p.discardAfter(4);
    expect(p.pendingCount).toBe(4);
    p.reconcile(START, 0);
    expect(p.state).toEqual({ x: START.x + 4 * STEP, y: START.y });
  });

  it('keeps at most maxPending inputs and reset() starts over', () => {
    const p = predictor({ maxPending: 3 });
    for (let seq = 1; seq <= 10; seq++) p.apply(seq, RIGHT);
    expect(p.pendingCount).toBe(3);
    p.reset({ x: 1, y: 2 });
    expect(p.pendingCount).toBe(0);
    expect(p.state).toEqual({ x: 1, y: 2 });
    expect(p.view()).toEqual({ x: 1, y: 2 });
  });
});
