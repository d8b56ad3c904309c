import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

const path = process.argv[2] ?? '/v1/leaderboards/arena/top?limit=10';
const child = spawn(
  'taskset',
  [
    '-c',
    '0',
    process.execPath,
    '--cpu-prof',
    '--cpu-prof-dir=/tmp/prof',
    'bench/lobby-server.ts',
    'lobby',
    process.argv[3] ?? '1000',
    '0',
  ],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
const line = await new Promise<string>((r) => createInterface({ input: child.stdout! }).once('line', r));
const { url, playerIds } = JSON.parse(line);
let n = 0;
const res = await autocannon({
  url,
  connections: 50,
  duration: 6,
  requests: [
    {
      method: path.includes('guest') ? 'POST' : 'GET',
      ...(path.includes('guest')
        ? { body: '{"name":"x"}', headers: { 'content-type': 'application/json' } }
        : {}),
      setupRequest: (r) => ({ ...r, path: path.replace('PID', playerIds[n++ % playerIds.length]) }),
    },
  ],
});
console.log('rps', res.requests.average);
child.stdin!.end();
await new Promise((r) => child.once('exit', r));
