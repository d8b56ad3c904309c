import { ReplyError } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { isRedisUnavailable } from './unavailable.ts';

const named = (name: string, message = 'x') => Object.assign(new Error(message), { name });
const coded = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

describe('isRedisUnavailable', () => {
  it.each([
    ['no connection', new Error('Connection is closed.')],
    ['not writeable', new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    ['no answer in time', new Error('Command timed out')],
    ['retries exhausted', named('MaxRetriesPerRequestError')],
    ['no cluster node', named('ClusterAllFailedError')],
    ['refused', coded('ECONNREFUSED')],
    ['reset', coded('ECONNRESET')],
    ['timed out connecting', coded('ETIMEDOUT')],
    ['broken pipe', coded('EPIPE')],
    ['no route', coded('EHOSTUNREACH')],
    ['no such host', coded('ENOTFOUND')],
    ['loading', new ReplyError('LOADING Redis is loading the dataset in memory')],
    ['busy', new ReplyError('BUSY Redis is busy running a script.')],
    ['no master', new ReplyError('MASTERDOWN Link with MASTER is down')],
    ['cluster down', new ReplyError('CLUSTERDOWN The cluster is down')],
    ['resharding', new ReplyError('TRYAGAIN Multiple keys request during rehashing of slot')],
    ['failover', new ReplyError('READONLY You can not write against a read only replica.')],
  ])('%s: out of reach', (_, error) => expect(isRedisUnavailable(error)).toBe(true));

  it.each([
    ['a script error', new ReplyError('ERR user_script:1: bad argument')],
    ['a wrong type', new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value')],
    ['a bug', new TypeError('x is undefined')],
    ['a reply naming an outage later on', new ReplyError('ERR unknown command LOADING')],
    ['a word that only starts like one', new ReplyError('BUSYKEY Target key name already exists.')],
    ['a message naming a closed connection later on', new Error('oops: Connection is closed.')],
    ['another error code', coded('EACCES')],
    ['another name', named('ReplyParseError')],
    ['an error without a code', new Error('connect')],
    ['not an error', 'Connection is closed.'],
    ['an object dressed as one', { name: 'MaxRetriesPerRequestError', code: 'ECONNRESET', message: 'x' }],
  ])('%s: not an outage', (_, error) => expect(isRedisUnavailable(error)).toBe(false));
});
