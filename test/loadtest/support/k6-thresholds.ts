/**
 * k6's threshold evaluation, for checking a script's `options.thresholds` against the metrics an
 * emulated run recorded (or against no data at all). Written from grafana/k6 metrics/
 * thresholds_parser.go (the syntax), metrics/thresholds.go and metrics/sink.go (the values), and
 * metrics/engine/engine.go (the end-of-test evaluation):
 * - an expression is `method operator number`; methods are `count`/`rate` (Counter), `value`
 *   (Gauge), `rate` (Rate), `avg`/`min`/`max`/`med`/`p(N)` (Trend); operators `<`, `<=`, `>`, `>=`,
 *   `==`, `===`, `!=`. A method the metric's type lacks, or an unknown metric, is a configuration
 *   error that stops k6 before the test starts;
 * - `metric{tag:value,...}` is a sub-metric: the samples carrying those tags;
 * - at the end every threshold is evaluated, empty sinks included: a Counter without samples has
 *   count 0, a Trend without samples has 0 for every statistic, and a Rate without samples has no
 *   `rate` at all: the threshold errors (logged) and is neither passed nor breached.
 */
import type { MetricRecord, MetricType } from './k6-runtime.ts';

/** A threshold as options give it: the expression, or an object with abortOnFail. */
export type ThresholdSpec = string | { readonly threshold: string };

export interface ParsedThreshold {
  readonly method: string;
  /** The percentile of `p(N)`. */
  readonly percentile?: number;
  readonly operator: string;
  readonly value: number;
}

/** One expression's result: passed, breached, or skipped by k6 with an error (no value). */
export interface Verdict {
  readonly metric: string;
  readonly expression: string;
  readonly outcome: 'pass' | 'fail' | 'error';
  readonly observed?: number;
}

const OPERATORS = ['<=', '<', '>=', '>', '===', '==', '!='] as const;
const METHODS: Record<MetricType, readonly string[]> = {
  counter: ['count', 'rate'],
  gauge: ['value'],
  rate: ['rate'],
  trend: ['avg', 'min', 'max', 'med', 'p'],
};

/** Parse one expression as k6 does (scanThresholdExpression, parseThresholdAggregationMethod). */
export function parseThreshold(expression: string): ParsedThreshold {
  for (const operator of OPERATORS) {
    const at = expression.indexOf(operator);
    if (at < 0) continue;
    const method = expression.slice(0, at).trim();
    const text = expression.slice(at + operator.length).trim();
    if (!/^\d+(\.\d+)?$/.test(text) && Number.isNaN(Number.parseFloat(text))) {
      throw new Error(`failed parsing threshold expression "${expression}": bad value`);
    }
    const value = Number.parseFloat(text);
    const percentile = /^p\(([^)]*)\)$/.exec(method);
    if (percentile) {
      const n = Number.parseFloat(percentile[1]!);
      if (Number.isNaN(n))
        throw new Error(`failed parsing threshold expression "${expression}": bad percentile`);
      return { method: 'p', percentile: n, operator, value };
    }
    if (!['value', 'count', 'rate', 'avg', 'min', 'med', 'max'].includes(method)) {
      throw new Error(`failed parsing threshold expression "${expression}": unknown method "${method}"`);
    }
    return { method, operator, value };
  }
  throw new Error(`failed parsing threshold expression "${expression}": malformed threshold expression`);
}

/** `name{k:v,k2:v2}` -> the metric name and the tags its samples must carry. */
export function parseMetricKey(key: string): { name: string; tags: Record<string, string> } {
  const brace = key.indexOf('{');
  if (brace < 0) return { name: key, tags: {} };
  if (!key.endsWith('}')) throw new Error(`missing ending bracket in "${key}"`);
  const tags: Record<string, string> = {};
  for (const pair of key.slice(brace + 1, -1).split(',')) {
    const [k, v] = pair.split(':', 2);
    if (!k?.trim() || v === undefined) throw new Error(`bad sub-metric "${key}"`);
    tags[k.trim()] = v.trim().replace(/^["'`]|["'`]$/g, '');
  }
  return { name: key.slice(0, brace), tags };
}

/** Percentile as k6's trend sink gives it (0 with no samples, the value with one). */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  if (sorted.length === 1) return sorted[0]!;
  const index = (p / 100) * (sorted.length - 1);
  const low = Math.floor(index);
  const high = Math.ceil(index);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (index - low);
}

/** The value an aggregation has on a set of samples; undefined where k6 has none (empty Rate). */
function aggregate(type: MetricType, values: readonly number[], t: ParsedThreshold, durationS: number) {
  const sum = values.reduce((a, b) => a + b, 0);
  switch (type) {
    case 'counter':
      return t.method === 'count' ? sum : sum / durationS;
    case 'gauge':
      return values.at(-1) ?? 0;
    case 'rate':
      return values.length === 0 ? undefined : values.filter((v) => v !== 0).length / values.length;
    case 'trend': {
      if (values.length === 0) return 0;
      const sorted = [...values].sort((a, b) => a - b);
      if (t.method === 'min') return sorted[0]!;
      if (t.method === 'max') return sorted.at(-1)!;
      if (t.method === 'avg') return sum / values.length;
      return percentile(sorted, t.method === 'med' ? 50 : t.percentile!);
    }
  }
}

function compare(observed: number, t: ParsedThreshold): boolean {
  switch (t.operator) {
    case '<':
      return observed < t.value;
    case '<=':
      return observed <= t.value;
    case '>':
      return observed > t.value;
    case '>=':
      return observed >= t.value;
    case '!=':
      return observed !== t.value;
    default:
      return observed === t.value;
  }
}

/** A run's outcome under k6's rules: the verdicts, and whether any threshold was breached. */
export interface ThresholdRun {
  readonly verdicts: readonly Verdict[];
  /** Metric keys with a breached threshold (k6 exits 99 when there is any). */
  readonly breached: readonly string[];
  readonly passed: boolean;
}

/**
 * Evaluate `thresholds` against `metrics` (which must hold every metric the script registered, with
 * or without samples) over a run of `durationMs`. Throws for what k6 refuses at start-up.
 */
export function evaluateThresholds(
  thresholds: Readonly<Record<string, readonly ThresholdSpec[]>>,
  metrics: Readonly<Record<string, MetricRecord>>,
  durationMs = 60_000,
): ThresholdRun {
  const verdicts: Verdict[] = [];
  for (const [key, specs] of Object.entries(thresholds)) {
    const { name, tags } = parseMetricKey(key);
    const metric = metrics[name];
    if (metric === undefined) throw new Error(`invalid metric '${key}' in threshold definitions`);
    const values = metric.samples
      .filter((s) => Object.entries(tags).every(([k, v]) => s.tags[k] === v))
      .map((s) => s.value);
    for (const spec of specs) {
      const expression = typeof spec === 'string' ? spec : spec.threshold;
      const parsed = parseThreshold(expression);
      if (!METHODS[metric.type].includes(parsed.method)) {
        throw new Error(
          `invalid threshold "${expression}" applied on metric ${key}: unsupported aggregation method ${parsed.method} on metric of type ${metric.type}`,
        );
      }
      const observed = aggregate(metric.type, values, parsed, durationMs / 1000);
      verdicts.push(
        observed === undefined
          ? { metric: key, expression, outcome: 'error' }
          : { metric: key, expression, outcome: compare(observed, parsed) ? 'pass' : 'fail', observed },
      );
    }
  }
  const breached = [...new Set(verdicts.filter((v) => v.outcome === 'fail').map((v) => v.metric))].sort();
  return { verdicts, breached, passed: breached.length === 0 };
}

/** The same metrics with no samples at all: a run that measured nothing. */
export function emptied(metrics: Readonly<Record<string, MetricRecord>>): Record<string, MetricRecord> {
  return Object.fromEntries(Object.entries(metrics).map(([name, m]) => [name, { ...m, samples: [] }]));
}
