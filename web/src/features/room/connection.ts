import { io, type Socket } from 'socket.io-client';
import * as Y from 'yjs';
import {
  applyAwarenessUpdate,
  Awareness,
  encodeAwarenessUpdate,
  removeAwarenessStates,
} from 'y-protocols/awareness';
import type { Participant, RunResult, SessionStatus, TimerState } from '../../api/types';
import { clockOffset } from './timer';

/** What the connection indicator shows. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

/** A run someone started that has not reported back yet. */
export interface PendingRun {
  runId: string;
  source: 'server' | 'local';
  language: string;
  by?: Participant;
}

/** Everything the room's UI renders, replaced (never mutated) on each change. */
export interface RoomSnapshot {
  connection: ConnectionState;
  joined: boolean;
  /** A reason the room cannot be used at all (deleted, not yours, token refused). */
  fatal: string | null;
  /** The last refused action, for a passing message. */
  notice: string | null;
  participants: Participant[];
  you: Participant | null;
  language: string;
  status: SessionStatus;
  readOnly: boolean;
  timer: TimerState | null;
  clockOffsetMs: number;
  runs: RunResult[];
  pendingRuns: PendingRun[];
  /** Edits sent and not yet acknowledged as durable. */
  unsaved: number;
}

interface Refusal {
  code: string;
  message: string;
}
type Ack = { ok: true; [k: string]: unknown } | { ok: false; error: Refusal };

/** The origin tag for changes that came from the server, so they are not echoed back. */
export const REMOTE = 'server';
const MAX_RUNS = 50;
const ACK_TIMEOUT_MS = 10_000;
/** Local edits within this window go up as one update. */
const BATCH_MS = 40;
const RETRY_MS = 1_000;
/** Refusals that pass: the same edit is sent again. */
const RETRYABLE = new Set(['rate_limited', 'timeout', 'not_saved', 'unavailable', 'not_joined']);

/**
 * One browser's link to a room: the socket, the shared Y.Doc (code text and
 * whiteboard map) and the awareness (cursors). Local edits made while offline stay
 * in the doc and are sent on reconnect by comparing state vectors with the server.
 */
export class RoomConnection {
  readonly doc = new Y.Doc();
  readonly awareness = new Awareness(this.doc);
  private readonly socket: Socket;
  private snapshot: RoomSnapshot;
  private readonly listeners = new Set<() => void>();
  private outbox: Uint8Array[] = [];
  private inFlight = false;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private awarenessTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly roomId: string,
    token: string,
    private readonly onAuthRefused: (message: string) => void = () => {},
  ) {
    this.snapshot = {
      connection: 'connecting',
      joined: false,
      fatal: null,
      notice: null,
      participants: [],
      you: null,
      language: 'python',
      status: 'scheduled',
      readOnly: false,
      timer: null,
      clockOffsetMs: 0,
      runs: [],
      pendingRuns: [],
      unsaved: 0,
    };
    this.socket = io({ auth: { token }, transports: ['websocket', 'polling'] });
    this.wire();
  }

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = () => this.snapshot;

  private set(patch: Partial<RoomSnapshot>) {
    this.snapshot = { ...this.snapshot, ...patch };
    this.listeners.forEach((l) => l());
  }

  private wire() {
    const s = this.socket;
    s.on('connect', () => {
      this.set({ connection: 'connected' });
      void this.join();
    });
    s.on('disconnect', (reason) => {
      this.set({ connection: s.active ? 'reconnecting' : 'offline', joined: false });
      const others = [...this.awareness.getStates().keys()].filter((id) => id !== this.doc.clientID);
      removeAwarenessStates(this.awareness, others, 'disconnect');
      if (reason === 'io server disconnect' && !this.snapshot.fatal) {
        this.set({ fatal: 'The server closed this room.' });
      }
    });
    s.on('connect_error', (err) => {
      if (!s.active) {
        // Refused at the handshake (bad or expired token): retrying cannot help.
        this.set({ connection: 'offline', fatal: err.message });
        this.onAuthRefused(err.message);
      } else {
        this.set({ connection: navigator.onLine === false ? 'offline' : 'reconnecting' });
      }
    });
    s.on('doc_update', (update: ArrayBuffer) => {
      Y.applyUpdate(this.doc, new Uint8Array(update), REMOTE);
    });
    s.on('awareness_update', (update: ArrayBuffer) => {
      applyAwarenessUpdate(this.awareness, new Uint8Array(update), REMOTE);
    });
    s.on('participants', (participants: Participant[]) => this.set({ participants }));
    s.on('language_change', (m: { language: string }) => this.set({ language: m.language }));
    s.on('timer_state', (timer: TimerState) =>
      this.set({ timer, clockOffsetMs: clockOffset(timer.serverNow, Date.now()) }),
    );
    s.on('session_status', (m: { status: SessionStatus | 'deleted'; readOnly: boolean }) => {
      if (m.status === 'deleted') this.set({ fatal: 'This interview was deleted by the interviewer.' });
      else this.set({ status: m.status, readOnly: m.readOnly });
    });
    s.on('execution_started', (m: PendingRun) => {
      if (this.snapshot.pendingRuns.some((r) => r.runId === m.runId)) return;
      this.set({ pendingRuns: [...this.snapshot.pendingRuns, m] });
    });
    s.on('execution_result', (r: RunResult) => this.addRun(r));
    s.on('room_error', (e: Refusal) => this.set({ notice: e.message }));

    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== REMOTE && this.snapshot.joined) this.sendUpdate(update);
    });
    this.awareness.on('update', (changes: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
      if (origin !== 'local' || !this.snapshot.joined) return;
      const mine = [...changes.added, ...changes.updated, ...changes.removed].some((id) => id === this.doc.clientID);
      // Cursor moves are throttled: only the latest state matters.
      if (mine && this.awarenessTimer === null) {
        this.awarenessTimer = setTimeout(() => {
          this.awarenessTimer = null;
          if (this.snapshot.joined) {
            this.socket.emit('awareness_update', encodeAwarenessUpdate(this.awareness, [this.doc.clientID]));
          }
        }, BATCH_MS);
      }
    });
  }

  private async call(event: string, ...args: unknown[]): Promise<Ack> {
    try {
      return (await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(event, ...args)) as Ack;
    } catch {
      return { ok: false, error: { code: 'timeout', message: 'The server did not answer in time.' } };
    }
  }

  private async join() {
    const ack = await this.call('join_room', { roomId: this.roomId, stateVector: Y.encodeStateVector(this.doc) });
    if (!ack.ok) {
      const message =
        ack.error.code === 'not_found'
          ? 'This interview does not exist, or you are not part of it.'
          : ack.error.message;
      if (ack.error.code === 'timeout') {
        this.set({ notice: message });
        this.socket.disconnect().connect();
        return;
      }
      this.set({ fatal: message });
      this.socket.disconnect();
      return;
    }
    const a = ack as unknown as {
      doc: ArrayBuffer;
      stateVector: ArrayBuffer;
      participants: Participant[];
      you: Participant;
      language: string;
      status: SessionStatus;
      readOnly: boolean;
      timer: TimerState;
      serverNow: number;
    };
    Y.applyUpdate(this.doc, new Uint8Array(a.doc), REMOTE);
    this.set({
      joined: true,
      notice: null,
      participants: a.participants,
      you: a.you,
      language: a.language,
      status: a.status,
      readOnly: a.readOnly,
      timer: a.timer,
      clockOffsetMs: clockOffset(a.serverNow, Date.now()),
    });
    // Whatever was typed while offline (or never acknowledged) goes up now, as one
    // diff against the server's state vector that covers the whole outbox.
    this.outbox = [];
    this.set({ unsaved: 0 });
    const serverVector = new Uint8Array(a.stateVector);
    if (aheadOf(this.doc, serverVector) && !a.readOnly) this.sendUpdate(Y.encodeStateAsUpdate(this.doc, serverVector));
    this.awareness.setLocalStateField('user', { name: a.you.name, colour: a.you.colour, role: a.you.role });
    this.socket.emit('awareness_update', encodeAwarenessUpdate(this.awareness, [this.doc.clientID]));
  }

  /**
   * Queues a local edit. Edits made within `BATCH_MS` of each other go up as one
   * merged update, which keeps a fast typist or a drawn stroke well inside the
   * server's per-socket event budget; a refused batch for a passing reason
   * (flood limit, lost ack) is merged back in and retried, so no edit is dropped.
   */
  private sendUpdate(update: Uint8Array) {
    if (this.snapshot.readOnly) return;
    this.outbox.push(update);
    this.set({ unsaved: this.snapshot.unsaved + 1 });
    this.flushSoon(BATCH_MS);
  }

  private flushSoon(delay: number) {
    if (this.flushTimer === null) this.flushTimer = setTimeout(() => void this.flush(), delay);
  }

  private async flush() {
    this.flushTimer = null;
    if (this.inFlight || this.outbox.length === 0 || !this.snapshot.joined) return;
    const batch = this.outbox.length === 1 ? this.outbox[0] : Y.mergeUpdates(this.outbox);
    const count = this.outbox.length;
    this.outbox = [];
    this.inFlight = true;
    const ack = await this.call('doc_update', batch);
    this.inFlight = false;
    if (ack.ok || !RETRYABLE.has(ack.error.code)) {
      this.set({ unsaved: Math.max(0, this.snapshot.unsaved - count) });
      if (!ack.ok) this.set({ notice: `Edit not saved: ${ack.error.message}` });
      if (this.outbox.length > 0) this.flushSoon(BATCH_MS);
      return;
    }
    // Try again shortly; a reconnect in between resends it through the join diff anyway.
    this.outbox.unshift(batch);
    this.set({ unsaved: Math.max(0, this.snapshot.unsaved - count + 1) });
    this.flushSoon(RETRY_MS);
  }

  /**
   * Resolves once every local edit is acknowledged (so the server's copy of the
   * code is this one), or after `timeoutMs`; sends a pending batch at once.
   */
  settled(timeoutMs = 5_000): Promise<void> {
    if (this.flushTimer !== null) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
      void this.flush();
    }
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined = undefined;
      const done = () => {
        unsubscribe();
        clearTimeout(timer);
        resolve();
      };
      const unsubscribe = this.subscribe(() => {
        if (this.snapshot.unsaved === 0) done();
      });
      timer = setTimeout(done, timeoutMs);
      if (this.snapshot.unsaved === 0) done();
    });
  }

  /** Asks the server to start, pause or reset the timer (interviewer only). */
  async timer(action: 'start' | 'pause' | 'reset') {
    const ack = await this.call('timer_control', { action });
    if (!ack.ok) this.set({ notice: ack.error.message });
  }

  async setLanguage(language: string) {
    const previous = this.snapshot.language;
    this.set({ language });
    const ack = await this.call('language_change', { language });
    if (!ack.ok) this.set({ language: previous, notice: ack.error.message });
  }

  /** Shares a browser run's result with the room (the server adds who ran it). */
  async reportRun(result: RunResult) {
    this.addRun({ ...result, by: this.snapshot.you ?? undefined });
    const ack = await this.call('execution_result', result);
    if (!ack.ok) this.set({ notice: `Run result not shared: ${ack.error.message}` });
  }

  /** Records a run's result once (server runs arrive both as the HTTP answer and the broadcast). */
  addRun(result: RunResult) {
    const runs = this.snapshot.runs.filter((r) => r.runId !== result.runId);
    runs.unshift({ ...result, at: result.at ?? new Date().toISOString() });
    this.set({
      runs: runs.slice(0, MAX_RUNS),
      pendingRuns: this.snapshot.pendingRuns.filter((r) => r.runId !== result.runId),
    });
  }

  dismissNotice() {
    this.set({ notice: null });
  }

  close() {
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    if (this.awarenessTimer !== null) clearTimeout(this.awarenessTimer);
    this.socket.close();
    this.awareness.destroy();
    this.doc.destroy();
  }
}

/** True when the local doc holds something the server's state vector does not cover. */
function aheadOf(doc: Y.Doc, serverVector: Uint8Array): boolean {
  const server = Y.decodeStateVector(serverVector);
  for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(doc))) {
    if (clock > (server.get(client) ?? 0)) return true;
  }
  return false;
}
