import { ReplyError } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { isRedisUnavailable } from './unavailable.ts';

const named = (name: string, message = 'x') => Object.assign(new Error(message), { name });
const coded = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

describe('isRedisUnavailable', () => {
  it.each([
    ['no connection', new Error('Connection is closed.')],
    ['retries exhausted', named('MaxRetriesPerRequestError')],
    ['refused', coded('ECONNREFUSED')],
    ['reset', coded('ECONNRESET')],
    ['loading', new ReplyError('LOADING Redis is loading the dataset in memory')],
    ['failover', new ReplyError('READONLY You can not write against a read only replica.')],
  ])('%s: out of reach', (_, error) => expect(isRedisUnavailable(error)).toBe(true));

  it.each([
    ['a script error', new ReplyError('ERR user_script:1: bad argument')],
    ['a wrong type', new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value')],
    ['a bug', new TypeError('x is undefined')],
    ['not an error', 'Connection is closed.'],
  ])('%s: not an outage', (_, error) => expect(isRedisUnavailable(error)).toBe(false));
});
