/**
 * Picks the transport at start-up. uWebSockets.js ships native binaries that some hosts cannot
 * load (glibc too old even for a patched copy, an unsupported Node ABI); `auto` then falls back to
 * `ws` and says why in one line, while `uws` refuses to start.
 */
import type { TransportFactory } from './types.ts';
import { loadUwsAddon } from './uws-addon.ts';

/** Thrown when uWebSockets.js was asked for explicitly and cannot load on this host. */
export class TransportUnavailableError extends Error {
  readonly code = 'transport_unavailable';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TransportUnavailableError';
  }
}

/** The chosen transport; `fallbackReason` is set when `auto` had to settle for `ws`. */
export interface LoadedTransport {
  readonly factory: TransportFactory;
  readonly kind: 'uws' | 'ws';
  readonly fallbackReason?: string;
  /** The patched copy of uWebSockets.js's addon in use, when the installed one cannot load here. */
  readonly patchedAddon?: string;
}

/** Why uWebSockets.js cannot load here, or undefined when it loads. Tried once per process. */
export async function uwsLoadError(): Promise<string | undefined> {
  const addon = await loadUwsAddon();
  return addon.ok ? undefined : addon.reason;
}

/** The transport for `preference` (TICKFORGE_TRANSPORT); `auto` prefers uWebSockets.js. */
export async function loadTransport(preference: 'auto' | 'uws' | 'ws'): Promise<LoadedTransport> {
  if (preference === 'ws') return { factory: await wsFactory(), kind: 'ws' };
  const addon = await loadUwsAddon();
  if (addon.ok) {
    const { createUwsTransport } = await import('./uws.ts');
    return { factory: createUwsTransport, kind: 'uws', patchedAddon: addon.patchedCopy };
  }
  if (preference === 'uws') {
    throw new TransportUnavailableError(`transport uws is unavailable: ${addon.reason}`);
  }
  return { factory: await wsFactory(), kind: 'ws', fallbackReason: addon.reason };
}

/** The ws transport, loaded only when it is used so a uWS.js node does not carry it. */
async function wsFactory(): Promise<TransportFactory> {
  return (await import('./ws.ts')).createWsTransport;
}
