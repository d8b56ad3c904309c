/**
 * DESIGN.md's lobby targets, judged on one run of `npm run bench:lobby`: every figure against the
 * floor measured right before it (req/s and p99), guest sign-ups also against a fixed rate.
 */

/** One measured route; `floor` says which floor it is compared with. */
export interface Measured {
  readonly name: string;
  readonly floor: 'get' | 'post';
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  /** The server's CPU time per answered request (µs): less sensitive to other load than req/s. */
  readonly serverCpuUs: number | undefined;
}

/** A lobby route and the floor measured just before it. */
export interface Pair {
  readonly floor: Measured;
  readonly route: Measured;
}

/** One of DESIGN.md's lobby targets, judged on this run. */
export interface Verdict {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

/** `value` over `floor` (0 without a floor). */
export const ratio = (value: number, floor: number) => (floor > 0 ? value / floor : 0);
/** A ratio as the tables print it. */
export const times = (value: number) => `${value.toFixed(2)}x`;

/** The verdicts, in DESIGN.md's order, of the four pairs (top-10, around-player, sign-up, ticket). */
export function judge(pairs: readonly Pair[], matchMs: number): Verdict[] {
  const [top, around, guest, ticket] = pairs as [Pair, Pair, Pair, Pair];
  const throughput = ({ floor, route }: Pair, atLeast: number): Verdict => {
    const r = ratio(route.requestsPerSecond, floor.requestsPerSecond);
    return {
      target: `${route.name} >= ${atLeast}x the ${route.floor.toUpperCase()} floor`,
      measured: `${route.requestsPerSecond.toLocaleString('en-US')} vs ${floor.requestsPerSecond.toLocaleString('en-US')} req/s (${times(r)})`,
      met: r >= atLeast,
    };
  };
  const tail = ({ floor, route }: Pair): Verdict => ({
    target: `${route.name} p99 within 1.5x the floor's`,
    measured: `${route.p99Ms} ms vs ${floor.p99Ms} ms (${times(ratio(route.p99Ms, floor.p99Ms))})`,
    met: route.p99Ms <= 1.5 * floor.p99Ms,
  });
  return [
    throughput(top, 0.6),
    tail(top),
    throughput(around, 0.5),
    tail(around),
    {
      target: `${guest.route.name} >= 10,000 req/s`,
      measured: `${guest.route.requestsPerSecond.toLocaleString('en-US')} req/s`,
      met: guest.route.requestsPerSecond >= 10_000,
    },
    throughput(guest, 0.5),
    throughput(ticket, 0.5),
    {
      target: '10,000 queued tickets matched in under 1 s',
      measured: `${matchMs.toFixed(0)} ms`,
      met: matchMs < 1000,
    },
  ];
}
