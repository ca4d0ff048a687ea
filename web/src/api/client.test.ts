// @vitest-environment node
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, ApiError } from './client';

// A real HTTP server answering the way ours (or a proxy in front of it) can.
let server: Server;
let base: string;
const seen: { auth?: string; body?: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ auth: req.headers.authorization, body });
      const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
        res.end(JSON.stringify(value));
      };
      switch (req.url) {
        case '/api/auth/login':
          return json(401, { error: { code: 'unauthorized', message: 'wrong e-mail or password' } });
        case '/api/auth/me':
          return json(401, { error: { code: 'unauthorized', message: 'token expired' } });
        case '/api/sessions?limit=50&offset=0':
          return json(200, { items: [], total: 0, limit: 50, offset: 0 });
        case '/api/sessions':
          return json(422, { error: { code: 'invalid', message: 'candidateEmail is not an e-mail address' } });
        case '/api/sessions/x/runs':
          return json(429, { error: { code: 'rate_limited', message: 'too many runs' } }, { 'Retry-After': '7' });
        case '/api/sessions/x':
          res.writeHead(502, { 'Content-Type': 'text/html' });
          return res.end('<html>Bad Gateway</html>');
        default:
          return json(404, { error: { code: 'not_found', message: 'no API route' } });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected a failure');
}

describe('ApiClient', () => {
  it('sends the token and JSON body, and parses a success', async () => {
    const client = new ApiClient(base, () => 'tok-1');
    const page = await client.listSessions();
    expect(page.total).toBe(0);
    expect(seen.at(-1)?.auth).toBe('Bearer tok-1');
  });

  it("turns the server's error into code and message", async () => {
    const client = new ApiClient(base, () => 't');
    const e = await failure(client.createSession({ candidateName: 'A', candidateEmail: 'nope', language: 'python' }));
    expect([e.status, e.code, e.message]).toEqual([422, 'invalid', 'candidateEmail is not an e-mail address']);
    expect(JSON.parse(seen.at(-1)!.body!)).toEqual({ candidateName: 'A', candidateEmail: 'nope', language: 'python' });
  });

  it('reports an expired token once to the owner of the login, but not a failed login', async () => {
    const ended: string[] = [];
    const loggedIn = new ApiClient(base, () => 'old', (e) => ended.push(e.message));
    const e = await failure(loggedIn.me());
    expect(e.isAuth).toBe(true);
    expect(ended).toEqual(['token expired']);
    const anonymous = new ApiClient(base, () => null, (err) => ended.push(err.message));
    const wrong = await failure(anonymous.login('a@b.c', 'x'));
    expect(wrong.message).toBe('wrong e-mail or password');
    expect(ended).toHaveLength(1);
  });

  it('adds Retry-After to a throttled answer', async () => {
    const e = await failure(new ApiClient(base, () => 't').runOnServer('x', { language: 'python', code: '', stdin: '' }));
    expect(e.code).toBe('rate_limited');
    expect(e.message).toBe('too many runs. Try again in 7 s.');
  });

  it("explains a proxy's non-JSON error page by its status", async () => {
    const e = await failure(new ApiClient(base, () => 't').getSession('x'));
    expect([e.status, e.code]).toEqual([502, 'http_502']);
    expect(e.message).toMatch(/could not answer \(HTTP 502\)/);
  });

  it('says the server cannot be reached when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const e = await failure(new ApiClient(`http://127.0.0.1:${port}`, () => null).me());
    expect([e.status, e.code]).toEqual([0, 'network']);
  });
});
