/**
 * Thresholds that can fail. k6 evaluates a Trend that got no samples as 0 in every statistic, so
 * `p(95)<150` passes a run that measured nothing, and it skips a Rate that got none (an error in
 * the log, not a failed run): every threshold meant to prove traffic comes with a companion,
 * `count>0`, on a Counter the same traffic feeds (its "data guard").
 */
import type { Threshold } from 'k6/options';

/** The Counter each traffic metric's data also feeds. */
const DATA_GUARDS: Readonly<Record<string, string>> = {
  http_req_duration: 'http_reqs',
  http_req_failed: 'http_reqs',
  checks: 'http_reqs',
  ws_connecting: 'ws_sessions',
  tickforge_session_failed: 'ws_sessions',
  tickforge_ticket_to_snapshot: 'tickforge_snapshots',
  tickforge_states_per_second: 'tickforge_state_messages',
  tickforge_bytes_per_second: 'tickforge_received_bytes',
  tickforge_input_ack: 'tickforge_acked_inputs',
  tickforge_rtt: 'tickforge_pongs',
  tickforge_match_wait: 'tickforge_matches',
  tickforge_match_failed: 'tickforge_matches',
};

/** The guard Counter of a threshold's metric (a sub-metric keeps its tags: `http_reqs{endpoint:x}`). */
export function dataGuardOf(metric: string): string | undefined {
  const brace = metric.indexOf('{');
  const name = brace < 0 ? metric : metric.slice(0, brace);
  const guard = DATA_GUARDS[name];
  return guard === undefined ? undefined : guard + (brace < 0 ? '' : metric.slice(brace));
}

/** Set the thresholds of a traffic metric, and `count>0` on its guard. */
export function needingData(
  thresholds: Record<string, Threshold[]>,
  metric: string,
  expressions: Threshold[],
): void {
  const guard = dataGuardOf(metric);
  if (guard === undefined) throw new Error(`no data guard for ${metric}`);
  thresholds[metric] = expressions;
  thresholds[guard] = ['count>0'];
}
