/**
 * Lean clients driven in lock step by bench/tick-wire.ts, in a process of their own so that only
 * the server is measured. Argv: port, clients, mode (`state` for Tickforge, `next-message` for the
 * floor). Prints `ready` once every client is connected; then for every `step` line on stdin sends
 * one input per client, prints `sent`, and prints `got` once every client has received one more
 * message. Seat tokens are not needed: the harness's server seats `?seat=<index>` directly.
 */
import { createInterface } from 'node:readline';
import { seededRandom } from '../../server/games/arena/rules.ts';
import { encodeMessage } from '../../shared/protocol/codec.ts';
import { SUBPROTOCOL } from '../../shared/protocol/codes.ts';
import { type AckMode, inputFrame, LeanClient, type LeanTotals } from './raw-client.ts';

const [portArg, clientsArg, modeArg] = process.argv.slice(2);
const port = Number(portArg);
const count = Number(clientsArg);
const mode = modeArg as AckMode;

const random = seededRandom(3);
const totals: LeanTotals = { states: 0, messages: 0, bytes: 0, inputs: 0, ack: () => {}, closed: () => {} };
const directions = [0, 1, 2, 3, 4, 5, 6].map((i) =>
  inputFrame(
    { dx: Math.round(Math.cos(i) * 1000) / 1000, dy: Math.round(Math.sin(i) * 1000) / 1000 },
    encodeMessage,
  ),
);
const clients: LeanClient[] = [];
for (let i = 0; i < count; i++) {
  clients.push(
    new LeanClient(
      port,
      `/ws?seat=${i}`,
      SUBPROTOCOL,
      directions.map((f) => Buffer.from(f)),
      totals,
      mode,
      random,
    ),
  );
}
await Promise.all(clients.map((c) => c.ready));
process.stdout.write('ready\n');

let clock = 0;
let waitingFor = Number.POSITIVE_INFINITY;
const poll = () => {
  if (totals.messages >= waitingFor) {
    waitingFor = Number.POSITIVE_INFINITY;
    process.stdout.write('got\n');
  } else {
    setImmediate(poll);
  }
};
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line !== 'step') {
    if (line === 'quit') process.exit(0);
    return;
  }
  clock += 50;
  waitingFor = totals.messages + count;
  for (const client of clients) client.sendInput(clock);
  process.stdout.write('sent\n');
  setImmediate(poll);
});
