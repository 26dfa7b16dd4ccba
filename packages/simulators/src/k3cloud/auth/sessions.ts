import { randomBytes, randomUUID } from 'node:crypto';

export interface Session {
  /** `KDSVCSessionId` / cookie `kdservice-sessionid` (a GUID, docs/apis/k3cloud.md §2.1). */
  id: string;
  /** Cookie `ASP.NET_SessionId` (24 chars, docs/apis/k3cloud.md §2.1). */
  aspId: string;
  username: string;
  expiresAt: number;
}

/** Server-side contexts with the 20-minute sliding lifetime of docs/apis/k3cloud.md §2.1. */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  create(username: string): Session {
    const aspId = randomBytes(18)
      .toString('base64')
      .replace(/[^a-z0-9]/gi, '')
      .toLowerCase()
      .padEnd(24, '0')
      .slice(0, 24);
    const session = { id: randomUUID(), aspId, username, expiresAt: this.now() + this.ttlMs };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session for this id, its expiry pushed out (sliding); undefined when gone. */
  touch(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    session.expiresAt = this.now() + this.ttlMs;
    return session;
  }

  expire(id: string): void {
    this.sessions.delete(id);
  }

  expireAll(): void {
    this.sessions.clear();
  }
}

export function sessionCookies(session: Session): string[] {
  return [`kdservice-sessionid=${session.id}; path=/`, `ASP.NET_SessionId=${session.aspId}; path=/; HttpOnly`];
}

/** Session id from cookie `kdservice-sessionid` or header `kdservice-sessionid` (docs/apis/k3cloud.md §2.1). */
export function sessionIdOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  const header = headers['kdservice-sessionid'];
  if (typeof header === 'string' && header) return header.trim();
  const cookie = headers.cookie;
  const text = Array.isArray(cookie) ? cookie.join(';') : (cookie ?? '');
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim().toLowerCase() === 'kdservice-sessionid') return part.slice(eq + 1).trim();
  }
  return undefined;
}
