import { MessageType } from '../codes.ts';

/**
 * JSON Schemas (2020-12) of every message a client may send, as decoded msgpack arrays. The game
 * node validates each inbound message against the schema of its type with ajv before acting on it;
 * INPUT's third element is then validated against the room's own input schema.
 */
export const clientMessageSchemas = {
  [MessageType.INPUT]: {
    $id: 'tickforge:client/input',
    type: 'array',
    prefixItems: [
      { const: MessageType.INPUT },
      { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
      true,
    ],
    minItems: 3,
    items: false,
  },
  [MessageType.PING]: {
    $id: 'tickforge:client/ping',
    type: 'array',
    prefixItems: [{ const: MessageType.PING }, { type: 'number' }],
    minItems: 2,
    items: false,
  },
  [MessageType.LEAVE]: {
    $id: 'tickforge:client/leave',
    type: 'array',
    prefixItems: [{ const: MessageType.LEAVE }],
    minItems: 1,
    items: false,
  },
} as const;
