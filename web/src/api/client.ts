import type { GradeReport, Problem, ProblemDoc, ProblemSummary, RoomProblem, Submission } from './problems';
import type {
  AuthResponse,
  InvitePreview,
  JoinResponse,
  RunResult,
  Session,
  SessionPage,
  User,
} from './types';

/** An error the server answered, or one reaching it, in words a person can act on. */
export class ApiError extends Error {
  constructor(
    /** HTTP status; 0 when the server could not be reached. */
    readonly status: number,
    /** The server's error code (`unauthorized`, `invalid`, …) or `network`. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The token is missing, wrong or expired: the caller must log in again. */
  get isAuth(): boolean {
    return this.status === 401;
  }
}

type TokenSource = () => string | null;

/** Thin typed wrapper over the REST API; every failure becomes an `ApiError`. */
export class ApiClient {
  constructor(
    private readonly base: string,
    private readonly token: TokenSource,
    private readonly onUnauthorized: (error: ApiError) => void = () => {},
  ) {}

  async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = this.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(this.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') throw e;
      throw new ApiError(0, 'network', 'Cannot reach the server. Check your connection and try again.');
    }
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: a proxy's error page, say; reported below by status.
    }
    if (!response.ok) {
      const error = toApiError(response.status, parsed, response.headers.get('Retry-After'));
      if (error.isAuth && token) this.onUnauthorized(error);
      throw error;
    }
    if (parsed === undefined) {
      throw new ApiError(response.status, 'invalid_response', 'The server sent an answer this page cannot read.');
    }
    return parsed as T;
  }

  signup(email: string, password: string, name: string) {
    return this.request<AuthResponse>('POST', '/api/auth/signup', { email, password, name });
  }
  login(email: string, password: string) {
    return this.request<AuthResponse>('POST', '/api/auth/login', { email, password });
  }
  me() {
    return this.request<{ role: string; name: string; user?: User; sessionId?: string }>('GET', '/api/auth/me');
  }
  listSessions(limit = 50, offset = 0) {
    return this.request<SessionPage>('GET', `/api/sessions?limit=${limit}&offset=${offset}`);
  }
  createSession(body: {
    candidateName: string;
    candidateEmail: string;
    language: string;
    title?: string;
    problemId?: string;
  }) {
    return this.request<Session>('POST', '/api/sessions', body);
  }
  getSession(id: string) {
    return this.request<Session>('GET', `/api/sessions/${encodeURIComponent(id)}`);
  }
  updateSession(id: string, body: Partial<Pick<Session, 'notes' | 'score' | 'title' | 'language'>>) {
    return this.request<Session>('PUT', `/api/sessions/${encodeURIComponent(id)}`, body);
  }
  deleteSession(id: string) {
    return this.request<void>('DELETE', `/api/sessions/${encodeURIComponent(id)}`);
  }
  startSession(id: string) {
    return this.request<Session>('POST', `/api/sessions/${encodeURIComponent(id)}/start`);
  }
  terminateSession(id: string) {
    return this.request<Session>('POST', `/api/sessions/${encodeURIComponent(id)}/terminate`);
  }
  listRuns(id: string) {
    return this.request<{ items: RunResult[] }>('GET', `/api/sessions/${encodeURIComponent(id)}/runs`);
  }
  runOnServer(id: string, body: { language: string; code: string; stdin: string }, signal?: AbortSignal) {
    return this.request<RunResult>('POST', `/api/sessions/${encodeURIComponent(id)}/runs`, body, signal);
  }
  listProblems() {
    return this.request<{ items: ProblemSummary[]; total: number }>('GET', '/api/problems?limit=100');
  }
  getProblem(id: string) {
    return this.request<Problem>('GET', `/api/problems/${encodeURIComponent(id)}`);
  }
  createProblem(doc: ProblemDoc) {
    return this.request<Problem>('POST', '/api/problems', doc);
  }
  replaceProblem(id: string, doc: ProblemDoc) {
    return this.request<Problem>('PUT', `/api/problems/${encodeURIComponent(id)}`, doc);
  }
  deleteProblem(id: string) {
    return this.request<void>('DELETE', `/api/problems/${encodeURIComponent(id)}`);
  }
  gradeProblem(id: string, language: string, code: string) {
    return this.request<GradeReport>('POST', `/api/problems/${encodeURIComponent(id)}/grade`, { language, code });
  }
  sessionProblem(id: string) {
    return this.request<RoomProblem>('GET', `/api/sessions/${encodeURIComponent(id)}/problem`);
  }
  gradeSession(id: string, language: string) {
    return this.request<Submission>('POST', `/api/sessions/${encodeURIComponent(id)}/grade`, { language });
  }
  testSession(id: string, language: string) {
    return this.request<GradeReport>('POST', `/api/sessions/${encodeURIComponent(id)}/test`, { language });
  }
  listSubmissions(id: string) {
    return this.request<{ items: Submission[] }>('GET', `/api/sessions/${encodeURIComponent(id)}/submissions`);
  }
  previewInvite(token: string) {
    return this.request<InvitePreview>('GET', `/api/invites/${encodeURIComponent(token)}`);
  }
  joinInvite(token: string, name: string) {
    return this.request<JoinResponse>('POST', `/api/invites/${encodeURIComponent(token)}/join`, { name });
  }
}

function toApiError(status: number, body: unknown, retryAfter: string | null): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const code = typeof error?.code === 'string' ? error.code : `http_${status}`;
  let message = typeof error?.message === 'string' && error.message ? error.message : fallbackMessage(status);
  if (status === 429 && retryAfter) message = `${message.replace(/\.?$/, '.')} Try again in ${retryAfter} s.`;
  return new ApiError(status, code, message);
}

function fallbackMessage(status: number): string {
  if (status === 401) return 'Your session has ended. Please log in again.';
  if (status === 403) return 'You are not allowed to do that.';
  if (status === 404) return 'Not found.';
  if (status === 413) return 'That is too large for the server.';
  if (status === 429) return 'Too many requests.';
  if (status >= 500) return `The server could not answer (HTTP ${status}). Try again shortly.`;
  return `The request failed (HTTP ${status}).`;
}
