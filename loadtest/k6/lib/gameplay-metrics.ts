/**
 * The gameplay script's custom metrics (k6 creates metrics in the init context only). Names start
 * with `tickforge_` so they sort together in the end-of-test summary; profiles.ts puts thresholds
 * on each of them. Each Trend that proves traffic has a Counter the same traffic feeds, whose
 * `count>0` threshold fails a run that never measured it (k6 evaluates an empty Trend as 0).
 */
import { Counter, Rate, Trend } from 'k6/metrics';

/** Seat request (ticket created, room listed, dev seat asked for) -> first SNAPSHOT, ms. */
export const ticketToSnapshot = new Trend('tickforge_ticket_to_snapshot', true);
/** SNAPSHOT and DELTA messages one client received in one second (a sample per client-second). */
export const statesPerSecond = new Trend('tickforge_states_per_second');
/** WebSocket payload bytes one client received in one second (a sample per client-second). */
export const bytesPerSecond = new Trend('tickforge_bytes_per_second');
/** Sessions that received their first SNAPSHOT (each adds a ticketToSnapshot sample). */
export const snapshots = new Counter('tickforge_snapshots');
/** Input sent -> first state message acknowledging its seq, ms. */
export const inputAck = new Trend('tickforge_input_ack', true);
/** Inputs whose acknowledgement was timed (each adds an inputAck sample). */
export const ackedInputs = new Counter('tickforge_acked_inputs');
/** PING -> PONG round trip, ms. */
export const rtt = new Trend('tickforge_rtt', true);
/** PONGs received (each adds an rtt sample). */
export const pongs = new Counter('tickforge_pongs');
/** All state messages received (its rate is per second over every client). */
export const stateMessages = new Counter('tickforge_state_messages');
/** All payload bytes received. */
export const receivedBytes = new Counter('tickforge_received_bytes');
/** Sockets closed by the server or the network while playing (tagged with `code`). */
export const disconnects = new Counter('tickforge_disconnects');
/** Sockets that never opened (refused upgrade, unreachable node), tagged with the `error`. */
export const connectFailures = new Counter('tickforge_connect_failures');
/** Server frames the client could not decode or apply (a protocol bug on one side). */
export const protocolErrors = new Counter('tickforge_protocol_errors');
/** ERROR messages from the server (tagged with their `code`, e.g. input_rate). */
export const serverErrors = new Counter('tickforge_server_errors');
/** Sessions that did not go as a player's should: no seat, no snapshot, dropped, or undecodable. */
export const sessionFailed = new Rate('tickforge_session_failed');
