/**
 * The lobby's calls to game nodes' operator routes (/admin/* on each node, with the admin key).
 * A node is reached at the internal URL it announces (TICKFORGE_INTERNAL_URL, by default the
 * address it listens on), or, from a node that announces none, at the HTTP origin of its WebSocket
 * URL (ws -> http, wss -> https). A node that does not answer in time is an error the admin API
 * answers 502.
 */
import type { LiveNode } from '../../store/rooms.ts';
import { ConflictError, LobbyError, NotFoundError } from '../errors.ts';
import { requestContext } from './request-context.ts';

/** How long an operator waits for a node (room detail waits up to 1 s for pongs itself). */
const TIMEOUT_MS = 3000;

/** The node did not answer, or answered something that is not its word. */
export class NodeUnavailableError extends LobbyError {
  override readonly name = 'NodeUnavailableError';
  constructor(nodeId: string, why: string) {
    super(502, 'node-unavailable', 'Bad gateway', `Game node ${nodeId} did not answer: ${why}.`);
  }
}

/** Where the lobby reaches a node's operator routes: its announced internal URL, else its WebSocket URL's origin. */
export function nodeAdminBase(node: Pick<LiveNode, 'url' | 'adminUrl'>): string {
  return node.adminUrl?.replace(/\/+$/, '') ?? nodeOrigin(node.url);
}

/** The HTTP origin of a node's WebSocket URL. */
export function nodeOrigin(wsUrl: string): string {
  const url = new URL(wsUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  return url.origin;
}

export interface NodeClient {
  /** GET or POST `path` (with `query`) on the node; the JSON answer, 404 as NotFoundError. */
  call<T>(
    node: LiveNode,
    method: 'GET' | 'POST',
    path: string,
    query?: Record<string, string>,
    operator?: string,
  ): Promise<T>;
}

export function createNodeClient(adminKey: string): NodeClient {
  return {
    async call<T>(
      node: LiveNode,
      method: 'GET' | 'POST',
      path: string,
      query: Record<string, string> = {},
      operator = 'unknown',
    ): Promise<T> {
      const url = `${nodeAdminBase(node)}${path}?${new URLSearchParams(query)}`;
      const { reqId } = requestContext();
      let response: Response;
      try {
        response = await fetch(url, {
          method,
          headers: {
            authorization: `Bearer ${adminKey}`,
            'x-tickforge-operator': operator,
            // The node logs the lobby request its action came from: one id across both logs.
            ...(reqId === undefined ? {} : { 'x-request-id': reqId }),
          },
          redirect: 'error',
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (error) {
        throw new NodeUnavailableError(node.nodeId, error instanceof Error ? error.name : 'network error');
      }
      if (response.status === 404 || response.status === 409) {
        const body = (await response.json().catch(() => ({}))) as { type?: string; detail?: string };
        const kind = body.type?.split('/').at(-1);
        if (response.status === 409)
          throw new ConflictError(kind ?? 'conflict', body.detail ?? 'Refused by the node.');
        throw new NotFoundError(kind ?? 'not-found', body.detail ?? 'Not on this node.');
      }
      if (!response.ok) throw new NodeUnavailableError(node.nodeId, `HTTP ${response.status}`);
      return (await response.json()) as T;
    },
  };
}
