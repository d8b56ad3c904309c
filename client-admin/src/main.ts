/**
 * The Tickforge admin console: a page per view (nodes, rooms, a room, queues, leaderboards,
 * players), routed by the URL hash, each rendered from the lobby's admin API. Signed in with the
 * session cookie the sign-in form set; changes go through the same API with the CSRF token.
 */
import { ApiError, api, useCsrf } from './api.ts';
import { age, h, table } from './dom.ts';

interface AdminNode {
  nodeId: string;
  url: string;
  state: 'live' | 'draining' | 'silent';
  players: number;
  rooms: number;
  maxRooms: number;
  connections?: number;
  tick?: { count: number; p50Ms: number; p99Ms: number; maxMs: number };
  slippedTicks?: number;
  uptimeSeconds?: number;
}
interface AdminRoom {
  roomId: string;
  nodeId: string;
  mode: string;
  players: number;
  maxPlayers: number;
  tick: number;
  ended: boolean;
  ageSeconds: number;
}
interface RoomDetail {
  roomId: string;
  nodeId: string;
  mode: string;
  tick: number;
  createdAt: number;
  maxPlayers: number;
  ended: boolean;
  visibility?: string;
  players: { playerId: string; name: string; connected: boolean; rttMs?: number; seatId: string }[];
  entityCount: number;
  entities: Record<string, unknown>[];
}
interface Queue {
  mode: string;
  region: string;
  tickets: number;
  players: number;
  oldestWaitSeconds: number;
}
interface BoardRecord {
  rank: number;
  playerId: string;
  name: string;
  score: number;
  updatedAt: number;
}

const root = document.getElementById('app') as HTMLElement;
let flash: { text: string; error: boolean } | undefined;

const VIEWS: readonly (readonly [string, string])[] = [
  ['#/nodes', 'Nodes'],
  ['#/rooms', 'Rooms'],
  ['#/queues', 'Matchmaking'],
  ['#/leaderboards', 'Leaderboards'],
  ['#/players', 'Players'],
];

function layout(operator: string, active: string, ...content: Node[]): void {
  const notice =
    flash && h('div', { class: flash.error ? 'flash error' : 'flash', role: 'status' }, flash.text);
  flash = undefined;
  root.replaceChildren(
    h(
      'header',
      {},
      h('h1', {}, 'Tickforge admin'),
      h(
        'nav',
        {},
        ...VIEWS.map(([href, label]) =>
          h('a', { href, class: active.startsWith(href) ? 'active' : undefined }, label),
        ),
      ),
      h('span', { class: 'hint' }, `signed in as ${operator}`),
      h('button', { class: 'quiet', type: 'button', onclick: () => void signOut() }, 'Sign out'),
    ),
    h('section', {}, notice || '', ...content),
  );
}

async function signOut(): Promise<void> {
  await api('POST', '/admin/logout');
  location.assign('/admin');
}

/** Run an action, then show what it did and re-render the view. */
async function act(label: string, run: () => Promise<unknown>, then?: string): Promise<void> {
  try {
    await run();
    flash = { text: label, error: false };
  } catch (error) {
    flash = {
      text: `${label} failed: ${error instanceof Error ? error.message : String(error)}`,
      error: true,
    };
  }
  if (then && location.hash !== then) location.hash = then;
  else await render();
}

async function nodesView(): Promise<Node[]> {
  const { nodes } = await api<{ nodes: AdminNode[] }>('GET', '/v1/admin/nodes');
  return [
    h('h2', {}, `Game nodes (${nodes.length})`),
    table(
      ['Node', 'State', 'Players', 'Rooms', 'Connections', 'Tick p50 / p99 / max', 'Slipped', 'Up', ''],
      nodes.map((node) => [
        h('a', { href: `#/rooms?node=${encodeURIComponent(node.nodeId)}` }, node.nodeId),
        h('span', { class: `state-${node.state}` }, node.state),
        node.players,
        `${node.rooms} / ${node.maxRooms}`,
        node.connections ?? '-',
        node.tick ? `${node.tick.p50Ms} / ${node.tick.p99Ms} / ${node.tick.maxMs} ms` : '-',
        node.slippedTicks ?? '-',
        node.uptimeSeconds === undefined ? '-' : age(node.uptimeSeconds),
        node.state === 'live'
          ? h(
              'button',
              {
                class: 'danger',
                type: 'button',
                onclick: () => {
                  if (confirm(`Drain ${node.nodeId}? It takes no new rooms.`))
                    void act(`Drained ${node.nodeId}`, () =>
                      api('POST', `/v1/admin/nodes/${encodeURIComponent(node.nodeId)}/drain`),
                    );
                },
              },
              'Drain',
            )
          : node.state === 'draining'
            ? h(
                'button',
                {
                  type: 'button',
                  onclick: () =>
                    void act(`Undrained ${node.nodeId}`, () =>
                      api('POST', `/v1/admin/nodes/${encodeURIComponent(node.nodeId)}/undrain`),
                    ),
                },
                'Undrain',
              )
            : '',
      ]),
      'nodes',
    ),
  ];
}

async function roomsView(query: URLSearchParams): Promise<Node[]> {
  const node = query.get('node');
  const { rooms } = await api<{ rooms: AdminRoom[] }>(
    'GET',
    `/v1/admin/rooms${node ? `?nodeId=${encodeURIComponent(node)}` : ''}`,
  );
  return [
    h('h2', {}, node ? `Rooms on ${node} (${rooms.length})` : `Rooms (${rooms.length})`),
    table(
      ['Room', 'Node', 'Mode', 'Players', 'Tick', 'Age', 'State'],
      rooms.map((room) => [
        h('a', { href: `#/rooms/${encodeURIComponent(room.roomId)}`, 'data-room': room.roomId }, room.roomId),
        room.nodeId,
        room.mode,
        `${room.players} / ${room.maxPlayers}`,
        room.tick,
        age(room.ageSeconds),
        room.ended ? 'ended' : 'playing',
      ]),
      'rooms',
    ),
  ];
}

async function roomView(roomId: string): Promise<Node[]> {
  const room = await api<RoomDetail>('GET', `/v1/admin/rooms/${encodeURIComponent(roomId)}`);
  const path = `/v1/admin/rooms/${encodeURIComponent(roomId)}`;
  return [
    h('h2', {}, `Room ${room.roomId}`),
    h(
      'p',
      {},
      `${room.mode} on ${room.nodeId}, ${room.visibility ?? 'unlisted'}, tick ${room.tick}, `,
      `${room.players.length} / ${room.maxPlayers} players, up ${age(Math.round((Date.now() - room.createdAt) / 1000))}`,
      room.ended ? ', match over' : '',
    ),
    h(
      'div',
      { class: 'toolbar' },
      h('button', { type: 'button', onclick: () => void render() }, 'Refresh'),
      h(
        'button',
        {
          class: 'danger',
          type: 'button',
          onclick: () => {
            if (confirm(`Dispose room ${room.roomId}? Every player is disconnected (4011).`))
              void act(`Disposed room ${room.roomId}`, () => api('POST', `${path}/dispose`), '#/rooms');
          },
        },
        'Dispose room',
      ),
    ),
    h('h2', {}, 'Players'),
    table(
      ['Player', 'Name', 'Connected', 'RTT', 'Seat', ''],
      room.players.map((player) => [
        h('a', { href: `#/players/${encodeURIComponent(player.playerId)}` }, player.playerId),
        player.name,
        player.connected ? 'yes' : 'in grace',
        player.rttMs === undefined ? '-' : `${player.rttMs} ms`,
        player.seatId,
        h(
          'button',
          {
            class: 'danger',
            type: 'button',
            'data-kick': player.playerId,
            onclick: () =>
              void act(`Kicked ${player.name}`, () =>
                api('POST', `${path}/kick`, { playerId: player.playerId }),
              ),
          },
          'Kick',
        ),
      ]),
      'players',
    ),
    h(
      'h2',
      {},
      `Entities (${room.entityCount}${room.entityCount > room.entities.length ? `, first ${room.entities.length}` : ''})`,
    ),
    table(
      ['Id', 'Type', 'Fields'],
      room.entities.map((entity) => {
        const { id, type, ...fields } = entity;
        return [String(id), String(type), JSON.stringify(fields)];
      }),
      'entities',
    ),
  ];
}

async function queuesView(): Promise<Node[]> {
  const { queues } = await api<{ queues: Queue[] }>('GET', '/v1/admin/matchmaking/queues');
  return [
    h('h2', {}, 'Matchmaking queues'),
    queues.length === 0
      ? h('p', {}, 'No ticket is searching.')
      : table(
          ['Mode', 'Region', 'Tickets', 'Players', 'Oldest wait'],
          queues.map((q) => [q.mode, q.region, q.tickets, q.players, `${q.oldestWaitSeconds.toFixed(1)} s`]),
          'queues',
        ),
  ];
}

async function boardsView(boardId: string | undefined, query: URLSearchParams): Promise<Node[]> {
  const { boards } = await api<{
    boards: { boardId: string; mode: string; sort: string; operator: string; reset: string }[];
  }>('GET', '/v1/admin/leaderboards');
  const list = table(
    ['Board', 'Mode', 'Sort', 'Operator', 'Resets'],
    boards.map((b) => [
      h('a', { href: `#/leaderboards/${encodeURIComponent(b.boardId)}` }, b.boardId),
      b.mode,
      b.sort,
      b.operator,
      b.reset,
    ]),
    'boards',
  );
  if (!boardId) return [h('h2', {}, 'Leaderboards'), list];
  const cursor = query.get('cursor');
  const page = await api<{ period: string; records: BoardRecord[]; nextCursor?: string }>(
    'GET',
    `/v1/admin/leaderboards/${encodeURIComponent(boardId)}?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
  );
  return [
    h('h2', {}, 'Leaderboards'),
    list,
    h('h2', {}, `${boardId}, period ${page.period}`),
    h(
      'div',
      { class: 'toolbar' },
      h(
        'button',
        {
          class: 'danger',
          type: 'button',
          onclick: () => {
            if (confirm(`Delete every record of ${boardId}'s current period (${page.period})?`))
              void act(`Reset ${boardId} (${page.period})`, () =>
                api('POST', `/v1/admin/leaderboards/${encodeURIComponent(boardId)}/reset`),
              );
          },
        },
        'Reset current period',
      ),
    ),
    table(
      ['Rank', 'Player', 'Name', 'Score', 'Updated', ''],
      page.records.map((r) => [
        r.rank,
        h('a', { href: `#/players/${encodeURIComponent(r.playerId)}` }, r.playerId),
        r.name,
        r.score,
        new Date(r.updatedAt).toISOString(),
        h(
          'button',
          {
            class: 'danger',
            type: 'button',
            onclick: () => {
              if (confirm(`Delete ${r.name}'s record on ${boardId}?`))
                void act(`Deleted ${r.name}'s record`, () =>
                  api(
                    'DELETE',
                    `/v1/admin/leaderboards/${encodeURIComponent(boardId)}/records/${encodeURIComponent(r.playerId)}`,
                  ),
                );
            },
          },
          'Delete',
        ),
      ]),
      'records',
    ),
    h(
      'div',
      { class: 'toolbar' },
      cursor ? h('a', { href: `#/leaderboards/${encodeURIComponent(boardId)}` }, 'First page') : '',
      page.nextCursor
        ? h(
            'a',
            {
              href: `#/leaderboards/${encodeURIComponent(boardId)}?cursor=${encodeURIComponent(page.nextCursor)}`,
            },
            'Next page',
          )
        : '',
    ),
  ];
}

interface PlayerMatch {
  playerId: string;
  name: string;
  createdAt: number;
}

/** Players whose name starts with `q` (any case), and the player whose id is `q`, if any. */
async function findPlayers(q: string): Promise<PlayerMatch[]> {
  const [byName, byId] = await Promise.all([
    api<{ players: PlayerMatch[] }>('GET', `/v1/admin/players?${new URLSearchParams({ name: q })}`),
    api<PlayerMatch>('GET', `/v1/admin/players/${encodeURIComponent(q)}`).catch((error: unknown) => {
      if (error instanceof ApiError && (error.status === 404 || error.status === 400)) return undefined;
      throw error;
    }),
  ]);
  return [...(byId ? [byId] : []), ...byName.players.filter((p) => p.playerId !== byId?.playerId)];
}

async function playersView(playerId: string | undefined, query: URLSearchParams): Promise<Node[]> {
  const q = query.get('q') ?? '';
  const input = h('input', {
    type: 'search',
    name: 'q',
    placeholder: 'Name (its start, any case) or player id',
    value: playerId ?? q,
  });
  const form = h(
    'form',
    {
      class: 'toolbar',
      onsubmit: (event: Event) => {
        event.preventDefault();
        location.hash = `#/players?${new URLSearchParams({ q: input.value.trim() })}`;
      },
    },
    input,
    h('button', { type: 'submit' }, 'Find'),
  );
  if (!playerId && q) {
    const matches = await findPlayers(q);
    return [
      h('h2', {}, 'Players'),
      form,
      matches.length === 0
        ? h('p', {}, `No player whose name starts with "${q}", nor with that id.`)
        : table(
            ['Player', 'Name', 'Guest since'],
            matches.map((p) => [
              h('a', { href: `#/players/${encodeURIComponent(p.playerId)}` }, p.playerId),
              p.name,
              new Date(p.createdAt).toISOString(),
            ]),
            'player-matches',
          ),
    ];
  }
  if (!playerId) return [h('h2', {}, 'Players'), form];
  const player = await api<{
    playerId: string;
    name: string;
    createdAt: number;
    records: { boardId: string; period: string; record: BoardRecord }[];
  }>('GET', `/v1/admin/players/${encodeURIComponent(playerId)}`);
  return [
    h('h2', {}, 'Players'),
    form,
    h('h2', {}, `${player.name} (${player.playerId})`),
    h('p', {}, `Guest since ${new Date(player.createdAt).toISOString()}`),
    player.records.length === 0
      ? h('p', {}, 'No record on any board this period.')
      : table(
          ['Board', 'Period', 'Rank', 'Score'],
          player.records.map((r) => [r.boardId, r.period, r.record.rank, r.record.score]),
          'player-records',
        ),
  ];
}

let operator = '';

async function render(): Promise<void> {
  const [path = '', search = ''] = (location.hash || '#/rooms').split('?');
  const query = new URLSearchParams(search);
  const [, view = 'rooms', id] = path.split('/').map(decodeURIComponent);
  try {
    const content =
      view === 'nodes'
        ? await nodesView()
        : view === 'rooms' && id
          ? await roomView(id)
          : view === 'queues'
            ? await queuesView()
            : view === 'leaderboards'
              ? await boardsView(id, query)
              : view === 'players'
                ? await playersView(id, query)
                : await roomsView(query);
    layout(operator, `#/${view}`, ...content);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      location.assign('/admin');
      return;
    }
    layout(
      operator,
      `#/${view}`,
      h('p', { class: 'error', role: 'alert' }, error instanceof Error ? error.message : String(error)),
    );
  }
}

async function start(): Promise<void> {
  const session = await api<{ operator: string; csrf: string }>('GET', '/v1/admin/session');
  operator = session.operator;
  useCsrf(session.csrf);
  window.addEventListener('hashchange', () => void render());
  await render();
}

start().catch(() => location.assign('/admin'));
