import type { ValidateFunction } from 'ajv/dist/2020.js';
import { ErrorCode } from '../../shared/protocol/codes.ts';
import type { GameConfig } from '../config.ts';
import type { HookGuard } from './hook-guard.ts';
import type { GameMetrics } from './metrics.ts';
import type { Room } from './room.ts';
import type { Seat } from './seat.ts';

/** Why an input was refused; sent back to the client. */
export interface InputRefusal {
  readonly code: string;
  readonly message: string;
}

/**
 * A room's inbound inputs: each is checked (sequence, schema, queue length) when it arrives and
 * queued on its seat; every tick applies up to `maxInputsPerTick` of each seat's queue, in order.
 */
export class InputQueue {
  readonly #validate: ValidateFunction;
  readonly #config: GameConfig;
  readonly #metrics: GameMetrics;
  readonly #hooks: HookGuard;
  readonly #room: Room;

  constructor(
    validate: ValidateFunction,
    config: GameConfig,
    metrics: GameMetrics,
    hooks: HookGuard,
    room: Room,
  ) {
    this.#validate = validate;
    this.#config = config;
    this.#metrics = metrics;
    this.#hooks = hooks;
    this.#room = room;
  }

  /** Queue one decoded, not yet validated input. Returns the refusal, or undefined when queued. */
  push(seat: Seat, seq: number, input: unknown): InputRefusal | undefined {
    if (seq <= seat.lastSeq) {
      this.#metrics.rejected.labels('stale_input').inc();
      return { code: ErrorCode.STALE_INPUT, message: `input seq ${seq} is not after ${seat.lastSeq}` };
    }
    const validate = this.#validate;
    if (!validate(input)) {
      this.#metrics.rejected.labels('invalid_input').inc();
      const error = validate.errors?.[0];
      const where = error?.instancePath || '/';
      const extra =
        error?.keyword === 'additionalProperties' ? ` (${String(error.params.additionalProperty)})` : '';
      return {
        code: ErrorCode.INVALID_INPUT,
        message: `input ${where} ${error?.message ?? 'is invalid'}${extra}`,
      };
    }
    const limit = this.#config.maxInputsPerTick * 4;
    if (seat.inputs.length >= limit) {
      this.#metrics.rejected.labels('input_queue_full').inc();
      return { code: ErrorCode.INPUT_RATE, message: `more than ${limit} inputs waiting; input dropped` };
    }
    seat.lastSeq = seq;
    seat.inputs.push({ seq, input });
    return undefined;
  }

  /** Hand each seat's oldest queued inputs to the room's onInput, advancing the seat's ack. */
  apply(seats: Iterable<Seat>): void {
    const perTick = this.#config.maxInputsPerTick;
    for (const seat of seats) {
      const queue = seat.inputs;
      // Stryker disable next-line ConditionalExpression: cost only, an empty queue applies nothing either way
      if (queue.length === 0) continue;
      const n = Math.min(perTick, queue.length);
      for (let i = 0; i < n; i++) {
        const { seq, input } = queue[i]!;
        // Inline containment rather than HookGuard.run: this runs once per input, so no closure per call.
        try {
          this.#room.onInput(seat.player, input);
        } catch (error) {
          this.#hooks.failed('onInput', error);
        }
        seat.ackSeq = seq;
      }
      // Drop the applied prefix in place: splice would allocate an array of them every tick.
      // Stryker disable next-line ConditionalExpression: equivalent, copyWithin of nothing then length -= n also empties it
      if (n === queue.length) queue.length = 0;
      else {
        queue.copyWithin(0, n);
        queue.length -= n;
      }
    }
  }
}
