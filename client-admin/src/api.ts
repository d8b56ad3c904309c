/**
 * The console's calls to the lobby's admin API: same origin, with the session cookie; changes carry
 * the session's CSRF token. An answer that is not 2xx becomes an ApiError with the problem's detail.
 */

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

let csrf = '';

/** Remember the session's CSRF token (from GET /v1/admin/session). */
export function useCsrf(token: string): void {
  csrf = token;
}

export async function api<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (method !== 'GET') headers['x-tickforge-csrf'] = csrf;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  if (!response.ok) {
    let detail = `${response.status} ${response.statusText}`;
    try {
      const problem = JSON.parse(text) as { detail?: string; title?: string };
      detail = problem.detail ?? problem.title ?? detail;
    } catch {
      // not a problem+json answer: keep the status line
    }
    throw new ApiError(response.status, detail);
  }
  return JSON.parse(text) as T;
}
