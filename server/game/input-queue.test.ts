/**
 * InputQueue on its own: what it refuses (and counts), what a tick applies, and that a throwing
 * onInput is contained, counted and still acknowledged.
 */
import { Ajv } from 'ajv';
import { pino } from 'pino';
import { beforeEach, describe, expect, test } from 'vitest';
import { ErrorCode } from '../../shared/protocol/codes.ts';
import { testGameConfig } from '../../test/support/game.ts';
import { HookGuard } from './hook-guard.ts';
import { InputQueue } from './input-queue.ts';
import { InputRate } from './input-rate.ts';
import { GameMetrics } from './metrics.ts';
import type { Player, Room } from './room.ts';
import { Seat } from './seat.ts';

const NOW = 1.7e12;
const validate = new Ajv().compile({
  type: 'object',
  properties: { dx: { type: 'integer' } },
  required: ['dx'],
  additionalProperties: false,
});

/** A room that records what it was handed and throws for dx < 0. */
function recordingRoom() {
  const applied: string[] = [];
  const room = {
    onInput(player: Player, input: { dx: number }) {
      if (input.dx < 0) throw new Error('bad input handler');
      applied.push(`${player.id}:${input.dx}`);
    },
  } as unknown as Room;
  return { room, applied };
}

async function counter(metrics: GameMetrics, name: string, labels: Record<string, string>): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  const value = metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return value?.value ?? 0;
}

describe('InputQueue', () => {
  let metrics: GameMetrics;
  let applied: string[];
  let queue: InputQueue;
  let a: Seat;
  let b: Seat;

  beforeEach(() => {
    metrics = new GameMetrics();
    const recording = recordingRoom();
    applied = recording.applied;
    const hooks = new HookGuard(metrics, pino({ level: 'silent' }), 'room-1', 'dots');
    queue = new InputQueue(validate, testGameConfig({ maxInputsPerTick: 2 }), metrics, hooks, recording.room);
    a = new Seat('a', 'a', 's-a', new InputRate(100, 10, NOW), NOW, 0);
    b = new Seat('b', 'b', 's-b', new InputRate(100, 10, NOW), NOW, 1);
  });

  test('refuses a seq not after the last accepted one, and counts it as stale', async () => {
    expect(queue.push(a, 1, { dx: 1 })).toBeUndefined();
    // The same seq again (a resend) must not be applied twice.
    expect(queue.push(a, 1, { dx: 1 })).toEqual({
      code: ErrorCode.STALE_INPUT,
      message: 'input seq 1 is not after 1',
    });
    expect(queue.push(a, 0, { dx: 1 })?.code).toBe(ErrorCode.STALE_INPUT);
    expect(await counter(metrics, 'tickforge_rejected_total', { reason: 'stale_input' })).toBe(2);
    queue.apply([a]);
    expect(applied).toEqual(['a:1']);
  });

  test('refuses an input its schema rejects, naming the field, and counts it', async () => {
    expect(queue.push(a, 1, { dx: 'x' })).toEqual({
      code: ErrorCode.INVALID_INPUT,
      message: 'input /dx must be integer',
    });
    expect(queue.push(a, 2, {})?.message).toBe("input / must have required property 'dx'");
    expect(queue.push(a, 3, { dx: 1, dy: 2 })?.message).toBe(
      'input / must NOT have additional properties (dy)',
    );
    expect(await counter(metrics, 'tickforge_rejected_total', { reason: 'invalid_input' })).toBe(3);
    // A refused input does not move the seat's seq: seq 1 is still free.
    expect(a.lastSeq).toBe(0);
    expect(queue.push(a, 1, { dx: 1 })).toBeUndefined();
  });

  test('a validator without errors still gets a message', () => {
    const bare = Object.assign(() => false, { errors: null }) as unknown as typeof validate;
    const hooks = new HookGuard(metrics, pino({ level: 'silent' }), 'room-1', 'dots');
    const q = new InputQueue(bare, testGameConfig(), metrics, hooks, recordingRoom().room);
    expect(q.push(a, 1, {})).toEqual({ code: ErrorCode.INVALID_INPUT, message: 'input / is invalid' });
  });

  test('holds 4 ticks of inputs; the next is refused and counted, and does not advance the seq', async () => {
    for (let seq = 1; seq <= 8; seq++) expect(queue.push(a, seq, { dx: seq })).toBeUndefined();
    expect(queue.push(a, 9, { dx: 9 })).toEqual({
      code: ErrorCode.INPUT_RATE,
      message: 'more than 8 inputs waiting; input dropped',
    });
    expect(a.lastSeq).toBe(8);
    expect(await counter(metrics, 'tickforge_rejected_total', { reason: 'input_queue_full' })).toBe(1);
    // One tick frees 2 places.
    queue.apply([a]);
    expect(queue.push(a, 9, { dx: 9 })).toBeUndefined();
    expect(queue.push(a, 10, { dx: 10 })).toBeUndefined();
    expect(queue.push(a, 11, { dx: 11 })?.code).toBe(ErrorCode.INPUT_RATE);
  });

  test('a tick applies each seat its oldest maxInputsPerTick inputs, in order, acknowledging each', () => {
    for (let seq = 1; seq <= 5; seq++) queue.push(a, seq, { dx: seq });
    queue.push(b, 7, { dx: 70 });
    queue.apply([a, b]);
    expect(applied).toEqual(['a:1', 'a:2', 'b:70']);
    expect([a.ackSeq, b.ackSeq]).toEqual([2, 7]);
    expect(a.inputs.map((i) => i.seq)).toEqual([3, 4, 5]);
    expect(b.inputs).toEqual([]);
    queue.apply([a, b]);
    expect(applied).toEqual(['a:1', 'a:2', 'b:70', 'a:3', 'a:4']);
    expect(a.inputs.map((i) => i.seq)).toEqual([5]);
    queue.apply([a, b]);
    expect(a.inputs).toEqual([]);
    expect(a.ackSeq).toBe(5);
    // Nothing queued: nothing applied, acks unchanged.
    queue.apply([a, b]);
    expect(applied).toHaveLength(6);
    expect([a.ackSeq, b.ackSeq]).toEqual([5, 7]);
  });

  test('a throwing onInput is contained and counted; the input is still acknowledged', async () => {
    queue.push(a, 1, { dx: -1 });
    queue.push(a, 2, { dx: 2 });
    expect(() => queue.apply([a])).not.toThrow();
    expect(applied).toEqual(['a:2']);
    expect(a.ackSeq).toBe(2);
    expect(a.inputs).toEqual([]);
    expect(await counter(metrics, 'tickforge_room_hook_errors_total', { hook: 'onInput' })).toBe(1);
  });
});
