/**
 * The game benchmark's results as one SVG: server CPU ms per client-second, RSS and states per
 * client-second against the client count, Tickforge beside the floor of the same run. Drawn from
 * the results JSON alone (`node --experimental-strip-types bench/chart.ts results.json out.svg`
 * redraws a saved run); bench/game.ts draws it after every run.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** What the chart reads from one measurement (a subset of bench/game.ts's RunResult). */
export interface ChartPoint {
  readonly system: string;
  readonly clients: number;
  readonly serverCpuMsPerClientSecond: number;
  readonly serverRssMiB: number;
  readonly bots: { readonly statesPerClientSecond: number };
}

interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly value: (p: ChartPoint) => number;
  /** A horizontal line worth drawing (the tick rate on the states panel). */
  readonly target?: { readonly value: number; readonly label: string };
}

const PANELS: readonly Panel[] = [
  { title: 'Server CPU per client-second', unit: 'ms', value: (p) => p.serverCpuMsPerClientSecond },
  { title: 'Server RSS', unit: 'MiB', value: (p) => p.serverRssMiB },
  {
    title: 'States per client-second',
    unit: 'states/s',
    value: (p) => p.bots.statesPerClientSecond,
    target: { value: 20, label: 'tick rate' },
  },
];

const SERIES: Record<string, { readonly label: string; readonly color: string; readonly dash?: string }> = {
  uws: { label: 'Tickforge (uWS.js)', color: '#d9480f' },
  ws: { label: 'Tickforge (ws)', color: '#7048e8' },
  floor: { label: 'raw uWS.js floor', color: '#495057', dash: '6 4' },
};

const W = 300;
const H = 220;
const M = { top: 34, right: 14, bottom: 42, left: 52 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (n: number) =>
  Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2);

/** A "nice" upper bound for an axis (four gridlines of round steps), at least `max`. */
function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 1.2, 1.6, 2, 2.4, 3.2, 4, 6, 8, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

function panel(points: readonly ChartPoint[], spec: Panel, x0: number, clients: readonly number[]): string {
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const values = points.map(spec.value).filter(Number.isFinite);
  const top = niceMax(Math.max(...values, spec.target?.value ?? 0) * 1.05);
  const xAt = (c: number) =>
    clients.length === 1 ? plotW / 2 : (clients.indexOf(c) / (clients.length - 1)) * plotW;
  const yAt = (v: number) => plotH - (v / top) * plotH;
  const out: string[] = [`<g transform="translate(${x0 + M.left},${M.top})">`];
  out.push(`<text x="${plotW / 2}" y="-16" text-anchor="middle" class="title">${esc(spec.title)}</text>`);
  for (let i = 0; i <= 4; i++) {
    const v = (top * i) / 4;
    out.push(`<line x1="0" x2="${plotW}" y1="${yAt(v)}" y2="${yAt(v)}" class="grid"/>`);
    out.push(`<text x="-6" y="${yAt(v) + 4}" text-anchor="end">${num(v)}</text>`);
  }
  out.push(
    `<text transform="translate(-40,${plotH / 2}) rotate(-90)" text-anchor="middle">${esc(spec.unit)}</text>`,
  );
  for (const c of clients) {
    out.push(`<text x="${xAt(c)}" y="${plotH + 16}" text-anchor="middle">${c}</text>`);
  }
  out.push(`<text x="${plotW / 2}" y="${plotH + 34}" text-anchor="middle">clients</text>`);
  if (spec.target) {
    const y = yAt(spec.target.value);
    out.push(`<line x1="0" x2="${plotW}" y1="${y}" y2="${y}" class="target"/>`);
    out.push(
      `<text x="${plotW}" y="${y - 4}" text-anchor="end" class="note">${esc(spec.target.label)}</text>`,
    );
  }
  for (const [system, style] of Object.entries(SERIES)) {
    const series = points
      .filter((p) => p.system === system && Number.isFinite(spec.value(p)))
      .sort((a, b) => a.clients - b.clients);
    if (series.length === 0) continue;
    const dash = style.dash ? ` stroke-dasharray="${style.dash}"` : '';
    const path = series.map((p) => `${xAt(p.clients).toFixed(1)},${yAt(spec.value(p)).toFixed(1)}`).join(' ');
    out.push(`<polyline points="${path}" fill="none" stroke="${style.color}" stroke-width="2"${dash}/>`);
    for (const p of series) {
      const [x, y] = [xAt(p.clients), yAt(spec.value(p))];
      out.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3.5" fill="${style.color}">`);
      out.push(
        `<title>${esc(style.label)}, ${p.clients} clients: ${num(spec.value(p))} ${esc(spec.unit)}</title></circle>`,
      );
    }
  }
  out.push('</g>');
  return out.join('\n');
}

/** The whole chart: three panels side by side and a legend; `caption` says what run it is. */
export function renderChart(points: readonly ChartPoint[], caption: string): string {
  const clients = [...new Set(points.map((p) => p.clients))].sort((a, b) => a - b);
  const systems = Object.keys(SERIES).filter((s) => points.some((p) => p.system === s));
  const width = W * PANELS.length;
  const height = H + 58;
  const legend = systems.map((s, i) => {
    const style = SERIES[s]!;
    const x = 20 + i * 190;
    const dash = style.dash ? ` stroke-dasharray="${style.dash}"` : '';
    return (
      `<line x1="${x}" x2="${x + 24}" y1="${H + 14}" y2="${H + 14}" stroke="${style.color}" stroke-width="2"${dash}/>` +
      `<text x="${x + 30}" y="${H + 18}">${esc(style.label)}</text>`
    );
  });
  // The floor below the tick rate means the machine, not the node, limited the run: say so on the chart.
  const starved = points
    .filter((p) => p.system === 'floor' && p.bots.statesPerClientSecond < 19)
    .map((p) => p.clients.toLocaleString('en-US'));
  const warning = starved.length
    ? `<text x="10" y="${H + 52}" style="fill:#c92a2a;font-weight:bold">The floor itself missed its tick rate at ${esc(starved.join(', '))} clients (a busy machine, or more than one core carries): those points do not measure the node.</text>`
    : '';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    '<style>.title{font-weight:bold;font-size:12px}.grid{stroke:#dee2e6}.target{stroke:#2b8a3e;stroke-dasharray:2 3}.note{fill:#2b8a3e}text{fill:#212529}</style>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    ...PANELS.map((spec, i) => panel(points, spec, i * W, clients)),
    ...legend,
    warning,
    `<text x="${width - 10}" y="${H + 34}" text-anchor="end" class="note" style="fill:#868e96">${esc(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}

if (import.meta.main) {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    console.error('usage: bench/chart.ts <results.json> <out.svg>');
    process.exit(2);
  }
  const json = JSON.parse(readFileSync(input, 'utf8')) as {
    results: ChartPoint[];
    facts: Record<string, string>;
    args: { generator?: string };
  };
  const { date, machine } = json.facts;
  // The same caption bench/game.ts writes.
  writeFileSync(
    output,
    renderChart(json.results, `${date}, ${machine}, generator ${json.args.generator ?? 'sdk'}`),
  );
}
