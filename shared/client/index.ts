/**
 * The Tickforge client SDK: game connections (plain and self-reconnecting), interpolation,
 * prediction, clock sync and the lobby client. Runs in browsers, Node 22+ and (the game side) k6.
 */
export type { ApplyResult, MirrorEntity } from '../protocol/delta-apply.ts';
export { ProtocolError, StateMirror } from '../protocol/delta-apply.ts';
export {
  ClockSync,
  type ClockSyncOptions,
  type PongSample,
  type TimingSource,
} from './clock-sync.ts';
export { Emitter } from './emitter.ts';
export {
  type ClientStats,
  ConnectError,
  GameClient,
  type GameClientEvents,
  type GameClientOptions,
  type PongInfo,
  type StateUpdate,
  type WebSocketConstructor,
} from './game-client.ts';
export {
  type InterpolatedEntity,
  Interpolator,
  type InterpolatorOptions,
  type Sample,
} from './interpolation.ts';
export {
  type FetchFunction,
  LobbyClient,
  type LobbyClientOptions,
  type WaitForMatchOptions,
} from './lobby-client.ts';
export { type FieldError, LobbyError, TicketEndedError } from './lobby-error.ts';
export * from './lobby-types.ts';
export {
  type NumericKeys,
  Predictor,
  type PredictorOptions,
  type StepFunction,
} from './prediction.ts';
export {
  type CloseReason,
  type ConnectionStatus,
  ReconnectingClient,
  type ReconnectingClientEvents,
  type ReconnectingClientOptions,
  type Timers,
} from './reconnecting-client.ts';
export { isEventStream, readTicketEvents, StreamUnavailableError } from './ticket-stream.ts';
