// An overall deadline for a run of a command over PostgreSQL sessions (validate's --deadline), and the bookkeeping
// that lets it end the run cleanly and say who did not answer.
//
// Every session the run opens is registered here with its side ("source", "target") and endpoint, and every query
// on it is tracked while it is pending. When the deadline passes, the sessions that have a query (or the connection
// attempt) outstanding are named, then every registered socket is destroyed: pending queries fail at once, the
// servers see the connection close (a frozen server, once it runs again), and the run's promise rejects with a
// DeadlineError (exit 2). Nothing waits on a server that does not answer.
import type { Client } from 'pg';
import type { Socket } from 'net';
import { ConnectionError, SessionDeadline } from './connection';

/** The deadline passed: `message` names the sides and hosts that had not answered. */
export class DeadlineError extends ConnectionError {
  constructor(
    message: string,
    endpoint: string,
    readonly unanswered: { side: string; endpoint: string; seconds: number; what: string }[],
  ) {
    super(message, 'timeout', endpoint);
    this.name = 'DeadlineError';
  }
}

interface Tracked {
  side: string;
  endpoint: string;
  socket: Socket;
  /** What is outstanding on it and since when (connecting, or a query's first words). */
  pending: Map<number, { since: number; what: string }>;
}

/** Seconds as "5 s", "90 s", "1 h 5 min". */
export function formatSeconds(s: number): string {
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  const h = Math.floor(s / 3600);
  const m = Math.round((s - h * 3600) / 60);
  return m ? `${h} h ${m} min` : `${h} h`;
}

export class Deadline implements SessionDeadline {
  readonly expiresAt: number;
  private readonly sessions = new Set<Tracked>();
  private nextId = 0;
  private expired?: DeadlineError;

  /** `seconds` from now; `flag` is how the user sets it, named in the message (e.g. "--deadline"). */
  constructor(
    readonly seconds: number,
    readonly flag = '--deadline',
  ) {
    this.expiresAt = Date.now() + seconds * 1000;
  }

  /** Milliseconds left (at least 1). */
  remainingMs(): number {
    return Math.max(1, this.expiresAt - Date.now());
  }

  /** Throws the DeadlineError once the deadline has passed (before starting anything new). */
  check(): void {
    if (this.expired) throw this.expired;
  }

  /**
   * Registers a client right after it is created (before connect), so that the connection attempt and every query
   * are bounded. Returns a function to mark the connection attempt done.
   */
  register(client: Client, side: string, endpoint: string): () => void {
    this.check();
    const socket = (client as unknown as { connection: { stream: Socket } }).connection.stream;
    const t: Tracked = { side, endpoint, socket, pending: new Map() };
    this.sessions.add(t);
    const id = this.nextId++;
    t.pending.set(id, { since: Date.now(), what: 'connecting' });
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      if (this.expired) return Promise.reject(this.expired);
      const p = query(...args);
      if (!p || typeof (p as Promise<unknown>).then !== 'function') return p;
      const qid = this.nextId++;
      const text = typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string })?.text ?? 'a query');
      t.pending.set(qid, { since: Date.now(), what: text.replace(/\s+/g, ' ').trim().slice(0, 60) });
      const done = (): void => void t.pending.delete(qid);
      (p as Promise<unknown>).then(done, done);
      return p;
    };
    client.once('end', () => this.sessions.delete(t));
    return () => void t.pending.delete(id);
  }

  /**
   * Runs `work` until it settles or the deadline passes. On the deadline: names who had not answered, destroys
   * every registered socket and rejects with a DeadlineError without waiting for `work` (its later rejection is
   * swallowed).
   */
  async run<T>(work: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const expiry = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(this.expire()), this.remainingMs());
    });
    const running = work();
    running.catch(() => undefined);
    try {
      return await Promise.race([running, expiry]);
    } finally {
      clearTimeout(timer);
    }
  }

  private expire(): DeadlineError {
    const now = Date.now();
    const unanswered: DeadlineError['unanswered'] = [];
    for (const t of this.sessions) {
      let oldest: { since: number; what: string } | undefined;
      for (const p of t.pending.values()) if (!oldest || p.since < oldest.since) oldest = p;
      if (oldest)
        unanswered.push({
          side: t.side,
          endpoint: t.endpoint,
          seconds: (now - oldest.since) / 1000,
          what: oldest.what,
        });
    }
    // One line per side and host: the longest wait.
    const bySide = new Map<string, (typeof unanswered)[number]>();
    for (const u of unanswered.sort((a, b) => b.seconds - a.seconds)) {
      const k = `${u.side} ${u.endpoint}`;
      if (!bySide.has(k)) bySide.set(k, u);
    }
    const who = [...bySide.values()]
      .map(
        (u) =>
          `the ${u.side} ${u.endpoint} has not answered for ${formatSeconds(u.seconds)} (${u.what === 'connecting' ? 'connecting' : `query: ${u.what}`})`,
      )
      .join('; ');
    const message = `deadline of ${formatSeconds(this.seconds)} reached (${this.flag}): ${who || 'no query was outstanding'}; every session was closed`;
    this.expired = new DeadlineError(message, [...bySide.values()][0]?.endpoint ?? '', [...bySide.values()]);
    for (const t of this.sessions) t.socket.destroy();
    this.sessions.clear();
    return this.expired;
  }
}
