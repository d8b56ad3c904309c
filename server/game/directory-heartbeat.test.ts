import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import { NodeIdTakenError } from '../store/errors.ts';
import type { NodeStatus } from '../store/rooms.ts';
import { DirectoryHeartbeat, type NodeDirectory } from './directory-heartbeat.ts';

const status: NodeStatus = { nodeId: 'node-a', url: 'ws://b/ws', players: 0, rooms: 0, maxRooms: 9 };

function heartbeat(directory: NodeDirectory): DirectoryHeartbeat {
  return new DirectoryHeartbeat({
    directory,
    intervalMs: 60_000,
    log: pino({ level: 'silent' }),
    status: () => status,
    rooms: () => [],
  });
}

describe('DirectoryHeartbeat', () => {
  test('start refuses a node id another live node holds, naming it', async () => {
    const taken = new NodeIdTakenError('node-a', 'ws://a/ws');
    const beat = heartbeat({ heartbeat: () => Promise.reject(taken) });
    await expect(beat.start()).rejects.toBe(taken);
    await beat.stop(); // the farewell of a node that never registered: refused, logged, not thrown
  });

  test('start goes on through an outage: the node re-registers once the directory answers', async () => {
    const beat = heartbeat({ heartbeat: () => Promise.reject(new Error('connection is closed')) });
    await beat.start();
    await beat.stop();
  });
});
