import type { ValidateFunction } from 'ajv/dist/2020.js';
import {
  type CompiledShape,
  compileShape,
  shapeToWire,
  type WireShape,
} from '../../shared/protocol/state-shape.ts';
import { ajv, MODE_NAME } from '../validation.ts';
import type { AnyRoomDefinition } from './room.ts';

/** A room definition resolved once per node: compiled state shape and input validator. */
export interface RoomType {
  readonly definition: AnyRoomDefinition;
  readonly shape: CompiledShape;
  readonly wireShape: WireShape;
  readonly validateInput: ValidateFunction;
  readonly tickRate: number;
}

/** A room definition the framework cannot run. */
export class RoomDefinitionError extends Error {
  override readonly name = 'RoomDefinitionError';
}

const modeName = new RegExp(MODE_NAME);

/** Compile a definition, rejecting input schemas that would let unknown fields through. */
export function compileRoomType(definition: AnyRoomDefinition, defaultTickRate: number): RoomType {
  const { mode, input, maxPlayers } = definition;
  if (!modeName.test(mode)) throw new RoomDefinitionError(`bad mode name "${mode}"`);
  if (!(Number.isInteger(maxPlayers) && maxPlayers >= 1)) {
    throw new RoomDefinitionError(`${mode}: maxPlayers must be a positive integer`);
  }
  const schema = input as { type?: unknown; additionalProperties?: unknown };
  if (schema.type === 'object' && schema.additionalProperties !== false) {
    throw new RoomDefinitionError(`${mode}: the input schema must set additionalProperties: false`);
  }
  const tickRate = definition.tickRate ?? defaultTickRate;
  if (!(tickRate > 0 && tickRate <= 240))
    throw new RoomDefinitionError(`${mode}: tickRate must be in (0, 240]`);
  const shape = compileShape(definition.state);
  return { definition, shape, wireShape: shapeToWire(shape), validateInput: ajv.compile(input), tickRate };
}
