/** The server's JSON shapes (see the README's API section). */

export type Role = 'interviewer' | 'candidate';

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  createdAt: string;
}

export interface AuthResponse {
  user: User;
  token: string;
  expiresAt: string;
}

export type SessionStatus = 'scheduled' | 'active' | 'completed';

export interface Session {
  id: string;
  title: string;
  candidateName: string;
  candidateEmail?: string | null;
  language: string;
  status: SessionStatus;
  inviteToken?: string | null;
  inviteUrl?: string | null;
  notes?: string | null;
  score?: number | null;
  code: string;
  createdAt: string;
  updatedAt: string;
  startedAt?: string | null;
  endedAt?: string | null;
  durationMs: number;
  durationSeconds: number;
  neverStarted: boolean;
  problemId?: string | null;
}

export interface SessionPage {
  items: Session[];
  total: number;
  limit: number;
  offset: number;
}

export interface InvitePreview {
  sessionId: string;
  title: string;
  candidateName: string;
  status: SessionStatus;
}

export interface JoinResponse {
  token: string;
  expiresAt: string;
  session: Session;
}

export interface Participant {
  id: string;
  name: string;
  role: Role;
  colour: string;
}

/** How a run ended, on the server or in the browser. */
export type RunStatus =
  | 'ok'
  | 'runtime_error'
  | 'time_limit'
  | 'memory_limit'
  | 'output_limit'
  | 'internal_error'
  | 'not_run'
  | 'stopped';

export interface RunResult {
  runId: string;
  source: 'server' | 'local';
  language: string;
  status: RunStatus;
  exitCode?: number | null;
  stdout: string;
  stderr: string;
  stdoutTruncated?: boolean;
  stderrTruncated?: boolean;
  timeLimitKind?: 'fuel' | 'wall' | null;
  fuelUsed?: number | null;
  wallTimeMs?: number | null;
  memoryPeakBytes?: number | null;
  message?: string;
  by?: Participant;
  at?: string;
}

/** The room timer as the server sends it; times are epoch milliseconds. */
export interface TimerState {
  running: boolean;
  elapsedMs: number;
  startedAt?: number | null;
  serverNow: number;
}
