/**
 * Admin console sessions: signed in with the admin key (POSTed in a form, never in a URL), the
 * browser holds a cookie that is HttpOnly, SameSite=Strict and Secure on https. The cookie is a
 * signed, expiring claim (HMAC keyed by the admin key), so every lobby of a cluster accepts it and
 * changing the admin key ends every session. Mutating requests must also carry the session's CSRF
 * token in `X-Tickforge-CSRF` (read from GET /v1/admin/session, which a cross-site page cannot
 * read) and, when the browser sends one, an Origin equal to the lobby's own.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'tickforge_admin';
export const CSRF_HEADER = 'x-tickforge-csrf';
/** A console session lasts a working day. */
export const SESSION_TTL_MS = 12 * 3600 * 1000;

/** Who is signed in. */
export interface AdminSession {
  readonly sessionId: string;
  /** The name the operator gave at sign-in (logged with every action). */
  readonly operator: string;
  readonly expiresAt: number;
}

/**
 * Is a browser's `Origin` the lobby's own? The host is the request's (`Host`); the scheme is the
 * request's or, behind a proxy that ends TLS, its `X-Forwarded-Proto`: the page at
 * https://play.example.com reaches the lobby over http. A page on another site can set neither
 * header on a request it makes the browser send, so trusting the proxy's word widens nothing.
 */
export function isOwnOrigin(origin: string, requestUrl: string, forwardedProto: string | undefined): boolean {
  const own = new URL(requestUrl);
  if (origin === own.origin) return true;
  const scheme = forwardedProto?.split(',')[0]?.trim().toLowerCase();
  if (scheme !== 'https' && scheme !== 'http') return false;
  own.protocol = `${scheme}:`;
  return origin === own.origin;
}

/** Operator names: short and plain (they end up in logs). */
export function operatorName(raw: string | undefined, fallback: string): string {
  const name = (raw ?? '')
    .trim()
    .replace(/[^\w .@-]/g, '')
    .slice(0, 64);
  return name || fallback;
}

export class AdminSessions {
  readonly #key: string;
  readonly #now: () => number;
  /** Signed-out sessions until they expire (the cookie's signature alone would outlive a sign-out). */
  readonly #revoked = new Map<string, number>();

  constructor(adminKey: string, now: () => number) {
    this.#key = adminKey;
    this.#now = now;
  }

  /** A fresh session's cookie value. */
  issue(operator: string): { readonly value: string; readonly session: AdminSession } {
    const session: AdminSession = {
      sessionId: randomUUID(),
      operator,
      expiresAt: this.#now() + SESSION_TTL_MS,
    };
    const payload = Buffer.from(JSON.stringify(session)).toString('base64url');
    return { value: `${payload}.${this.#sign(`session:${payload}`)}`, session };
  }

  /** The session a cookie value names, if it is ours and not expired. */
  verify(value: string | undefined): AdminSession | undefined {
    if (!value) return undefined;
    const [payload, signature, ...rest] = value.split('.');
    if (!payload || !signature || rest.length > 0) return undefined;
    if (!same(signature, this.#sign(`session:${payload}`))) return undefined;
    try {
      const session = JSON.parse(Buffer.from(payload, 'base64url').toString()) as AdminSession;
      if (typeof session.expiresAt !== 'number' || session.expiresAt <= this.#now()) return undefined;
      if (typeof session.sessionId !== 'string' || typeof session.operator !== 'string') return undefined;
      if (this.#revoked.has(session.sessionId)) return undefined;
      return session;
    } catch {
      return undefined;
    }
  }

  /**
   * Sign a session out: its cookie (and any copy of it) is refused from now on by this lobby.
   * Remembered until it would have expired anyway, so the list holds signed-in sessions only.
   */
  revoke(session: AdminSession): void {
    const now = this.#now();
    for (const [id, expiresAt] of this.#revoked) if (expiresAt <= now) this.#revoked.delete(id);
    this.#revoked.set(session.sessionId, session.expiresAt);
  }

  /** The CSRF token of a session: the console sends it back on every mutating request. */
  csrf(session: AdminSession): string {
    return this.#sign(`csrf:${session.sessionId}`);
  }

  csrfMatches(session: AdminSession, presented: string | undefined): boolean {
    return presented !== undefined && same(presented, this.csrf(session));
  }

  #sign(data: string): string {
    return createHmac('sha256', this.#key).update(data).digest('base64url');
  }
}

function same(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
