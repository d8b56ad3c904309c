/**
 * `k6/http` for the emulated VU (grafana/k6 js/modules/k6/http): blocking requests over a
 * synchronous transport, each recorded with k6's builtin metrics (`http_reqs`, `http_req_duration`,
 * `http_req_failed`) and their system tags (`method`, `url`, `name`, `status`, `expected_response`)
 * plus the request's own tags. Without a `responseCallback`, 200-399 is expected, as in k6.
 */
import type { HttpTransport } from './k6-runtime.ts';

/** An expectedStatuses() callback: statuses or {min, max} ranges. */
type Expected = { readonly expectedStatuses: readonly (number | { min: number; max: number })[] };
const isExpected = (expected: Expected, status: number) =>
  expected.expectedStatuses.some((e) =>
    typeof e === 'number' ? e === status : status >= e.min && status <= e.max,
  );
/** Without a responseCallback, k6 expects 200-399. */
const DEFAULT_EXPECTED: Expected = { expectedStatuses: [{ min: 200, max: 399 }] };

/** What the module needs from its VU. */
export interface HttpHost {
  readonly transport: HttpTransport;
  inInitContext(): boolean;
  now(): number;
  record(request: { method: string; url: string; headers: unknown; tags: unknown; status: number }): void;
  sample(metric: string, value: number, tags: Record<string, string>): void;
}

/** The module's exports (also its default export). */
export function httpModule(host: HttpHost) {
  const request = (method: string, url: string, body?: string | null, params?: Record<string, unknown>) => {
    if (host.inInitContext()) throw new Error('Making http requests in the init context is not supported');
    const headers = { ...((params?.headers ?? {}) as Record<string, string>) };
    const userTags = stringTags(params?.tags);
    const started = host.now();
    const answer = host.transport({ method, url, headers, body: body ?? null });
    const expected = (params?.responseCallback as Expected | undefined) ?? DEFAULT_EXPECTED;
    const ok = isExpected(expected, answer.status);
    const tags = {
      method,
      url,
      name: url,
      status: String(answer.status),
      expected_response: String(ok),
      ...userTags,
    };
    host.record({ method, url, headers, tags, status: answer.status });
    host.sample('http_reqs', 1, tags);
    host.sample('http_req_duration', host.now() - started, tags);
    host.sample('http_req_failed', ok ? 0 : 1, tags);
    const text = answer.body;
    return {
      status: answer.status,
      body: text,
      headers: answer.headers,
      url,
      json: () => JSON.parse(text) as unknown,
    };
  };
  return {
    request,
    get: (url: string, params?: Record<string, unknown>) => request('GET', url, null, params),
    post: (url: string, body?: string | null, params?: Record<string, unknown>) =>
      request('POST', url, body, params),
    del: (url: string, body?: string | null, params?: Record<string, unknown>) =>
      request('DELETE', url, body, params),
    expectedStatuses: (...statuses: (number | { min: number; max: number })[]): Expected => {
      for (const s of statuses) {
        if (typeof s !== 'number' && (typeof s !== 'object' || typeof s.min !== 'number')) {
          throw new Error('expectedStatuses takes integers or {min, max} objects');
        }
      }
      return { expectedStatuses: statuses };
    },
  };
}

/** User tags as k6 keeps them: strings (an object value is refused). */
export function stringTags(tags: unknown): Record<string, string> {
  if (tags === undefined || tags === null) return {};
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags as Record<string, unknown>)) {
    if (value !== null && typeof value === 'object')
      throw new TypeError(`invalid value for metric tag '${key}'`);
    out[key] = String(value);
  }
  return out;
}
