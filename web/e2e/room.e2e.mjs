// End to end in a real browser: Debian's chromium (driven by playwright-core)
// against the real server binary on SQLite, with an interviewer and a candidate
// in two browser contexts. Screenshots land in web/test-results/.
//
// usage: node e2e/room.e2e.mjs   (DEVINTERVIEW_BIN overrides the server binary)
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from './server.mjs';

const CHROMIUM = '/usr/bin/chromium';
const root = path.resolve(import.meta.dirname, '..', '..');
const binary = process.env.DEVINTERVIEW_BIN ?? path.join(root, 'target', 'debug', 'devinterview');
const artefacts = path.join(root, 'web', 'test-results');

if (!existsSync(CHROMIUM)) {
  const message = `end-to-end browser tests SKIPPED: ${CHROMIUM} is missing (install it with: apt-get install chromium)`;
  if (process.env.CI || process.env.DEVINTERVIEW_REQUIRE_BROWSER) {
    console.error(`${message}; CI must run them`);
    process.exit(1);
  }
  console.log(message);
  process.exit(0);
}
if (!existsSync(path.join(root, 'web', 'dist', 'index.html'))) {
  console.error('web/dist is not built; run `make web` first');
  process.exit(1);
}
if (!existsSync(binary)) {
  console.error(`server binary ${binary} not found; run \`cargo build --bin devinterview\` first`);
  process.exit(1);
}

mkdirSync(artefacts, { recursive: true });
const STEP_TIMEOUT = 30_000;
const PYODIDE_TIMEOUT = 120_000;
let stepNo = 0;
async function step(name, fn) {
  stepNo += 1;
  const began = Date.now();
  process.stdout.write(`  ${stepNo}. ${name} … `);
  await fn();
  console.log(`ok (${Date.now() - began} ms)`);
}

/** The editor's text as Monaco shows it (lines in screen order). */
async function editorText(page) {
  return page.evaluate(() => {
    const lines = [...document.querySelectorAll('[data-testid="code-editor"] .view-line')];
    lines.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
    return lines.map((l) => l.textContent.replace(/\u00a0/g, ' ')).join('\n');
  });
}

/** Waits until the editor shows every one of `parts` (Monaco renders spaces as NBSP). */
async function editorShows(page, ...parts) {
  await page.waitForFunction(
    (wanted) => {
      const t = (document.querySelector('[data-testid="code-editor"]')?.textContent ?? '').replace(/\u00a0/g, ' ');
      return wanted.every((w) => t.includes(w));
    },
    parts,
    { timeout: STEP_TIMEOUT },
  );
}

async function waitForText(page, locator, text, timeout = STEP_TIMEOUT) {
  await page.locator(locator).filter({ hasText: text }).first().waitFor({ timeout });
}

const server = await startServer({ binary, echo: Boolean(process.env.E2E_SERVER_LOG) });
const origin = new URL(server.base).origin;
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
const foreign = [];
const problems = [];

function watch(context, who) {
  context.on('request', (req) => {
    const url = req.url();
    if (url.startsWith('data:') || url.startsWith('blob:')) return;
    if (new URL(url).origin !== origin) foreign.push(`${who}: ${url}`);
  });
  // Anything else leaving is refused outright, so a CDN fallback cannot hide.
  return context.route(
    (url) => url.origin !== origin && url.protocol.startsWith('http'),
    (route) => route.abort('blockedbyclient'),
  );
}

function watchPage(page, who) {
  page.on('pageerror', (e) => problems.push(`${who} page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) {
      problems.push(`${who} CSP: ${m.text()}`);
    }
  });
}

let exitCode = 0;
try {
  // The candidate gets the smallest screen the room is made for.
  const interviewerCtx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const candidateCtx = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  await watch(interviewerCtx, 'interviewer');
  await watch(candidateCtx, 'candidate');
  await interviewerCtx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  const host = await interviewerCtx.newPage();
  const guest = await candidateCtx.newPage();
  watchPage(host, 'interviewer');
  watchPage(guest, 'candidate');
  console.log(`end-to-end: ${server.base} with ${CHROMIUM}`);

  const email = `e2e-${Date.now()}@example.com`;
  await step('the interviewer signs up and lands on the dashboard', async () => {
    await host.goto(`${server.base}/signup`);
    await host.getByLabel('Name').fill('Iris Interviewer');
    await host.getByLabel('E-mail').fill(email);
    await host.getByLabel(/^Password/).fill('correct horse battery');
    await host.getByRole('button', { name: 'Sign up' }).click();
    await host.getByRole('heading', { name: 'Interviews' }).waitFor();
  });

  await step('the dashboard did not download the editor, whiteboard or Python', async () => {
    const scripts = await host.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name));
    const heavy = scripts.filter((u) => /CodeEditor|TldrawWhiteboard|pyodide|ts\.worker/.test(u));
    assert.deepEqual(heavy, [], 'heavy chunks loaded on the dashboard');
  });

  let inviteUrl;
  let sessionId;
  await step('the interviewer creates a session and copies the invite link', async () => {
    await host.getByRole('button', { name: 'New interview' }).click();
    const dialog = host.getByRole('dialog', { name: 'New interview' });
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.getByRole('alert').filter({ hasText: "candidate's name" }).waitFor();
    await dialog.getByLabel('Candidate name').fill('Cody Candidate');
    await dialog.getByLabel('Candidate e-mail').fill('cody@example.com');
    await dialog.getByLabel('Title (optional)').fill('Backend pairing');
    await dialog.getByRole('button', { name: 'Create' }).click();
    const row = host.locator('tr', { hasText: 'Cody Candidate' });
    await row.waitFor();
    sessionId = await row.getAttribute('data-session-id');
    await row.getByRole('button', { name: 'Copy invite' }).click();
    await row.getByRole('button', { name: 'Copied' }).waitFor();
    inviteUrl = await host.evaluate(() => navigator.clipboard.readText());
    assert.match(inviteUrl, /\/join\/[A-Za-z0-9_-]{20,}$/);
  });

  await step('both enter the room', async () => {
    await host.locator('tr', { hasText: 'Cody Candidate' }).getByRole('button', { name: 'Open' }).click();
    await host.getByTestId('connection').filter({ hasText: 'Connected' }).waitFor();
    await guest.goto(inviteUrl);
    await guest.getByLabel('Your name').fill('Cody');
    await guest.getByRole('button', { name: 'Join the interview' }).click();
    await guest.getByTestId('connection').filter({ hasText: 'Connected' }).waitFor();
    await host.getByRole('list', { name: 'Participants' }).filter({ hasText: 'Cody' }).waitFor();
    await guest.getByRole('list', { name: 'Participants' }).filter({ hasText: 'Iris Interviewer' }).waitFor();
    await host.locator('[data-testid="code-editor"] .view-lines').waitFor();
    await guest.locator('[data-testid="code-editor"] .view-lines').waitFor();
  });

  const expected = ['# candidate: Cody', 'x = 6', 'print(x * 7)  # answer'];
  await step('both type at once and see identical text, which the API returns', async () => {
    await host.locator('[data-testid="code-editor"] .view-lines').click();
    await host.keyboard.insertText('# candidate:\nx = 6\nprint(x * 7)');
    await editorShows(guest, 'print(x * 7)');
    await guest.locator('[data-testid="code-editor"] .view-lines').click();
    await guest.keyboard.press('Control+Home');
    await guest.keyboard.press('End');
    await host.keyboard.press('Control+End');
    // Two people typing at the same moment in different places.
    await Promise.all([host.keyboard.type('  # answer', { delay: 20 }), guest.keyboard.type(' Cody', { delay: 20 })]);
    await Promise.all([editorShows(host, 'Cody', 'answer'), editorShows(guest, 'Cody', 'answer')]);
    const [a, b] = [await editorText(host), await editorText(guest)];
    assert.equal(a, b, 'the two editors differ');
    assert.deepEqual(a.split('\n'), expected);
    const token = await host.evaluate(() => JSON.parse(localStorage.getItem('devinterview.login')).token);
    const session = await (await fetch(`${server.base}/api/sessions/${sessionId}`, { headers: { Authorization: `Bearer ${token}` } })).json();
    assert.equal(session.code, expected.join('\n'), 'the API code differs from the editors');
  });

  await step('a rectangle drawn by the interviewer appears for the candidate', async () => {
    const canvas = host.getByTestId('whiteboard').locator('.tl-canvas');
    const box = await canvas.boundingBox();
    await canvas.click({ position: { x: box.width / 2, y: box.height / 2 } });
    await host.keyboard.press('r');
    await host.mouse.move(box.x + 120, box.y + 160);
    await host.mouse.down();
    await host.mouse.move(box.x + 220, box.y + 230, { steps: 8 });
    await host.mouse.move(box.x + 300, box.y + 280, { steps: 8 });
    await host.mouse.up();
    await host.getByTestId('whiteboard').locator('.tl-shape[data-shape-type="geo"]').first().waitFor();
    await guest.getByTestId('whiteboard').locator('.tl-shape[data-shape-type="geo"]').first().waitFor({ timeout: STEP_TIMEOUT });
  });

  await step('the timer starts for both', async () => {
    await host.getByRole('button', { name: 'Start timer' }).click();
    await guest.locator('[data-testid="timer"][data-running="true"]').waitFor();
    await guest.waitForFunction(() => document.querySelector('[data-testid="timer"]')?.textContent !== '0:00', null, {
      timeout: STEP_TIMEOUT,
    });
  });

  await step('Python runs locally in Pyodide and both see the output', async () => {
    await host.getByRole('radio', { name: 'Local' }).click();
    await host.getByRole('button', { name: 'Run', exact: true }).click();
    await host.getByTestId('run-status').filter({ hasText: /Downloading|Loading|Starting|Running/ }).first().waitFor();
    await host.locator('[data-testid="run-output"] .run-result[data-status="ok"]', { hasText: '42' }).waitFor({ timeout: PYODIDE_TIMEOUT });
    await waitForText(host, '[data-testid="run-output"]', 'browser');
    await guest.locator('[data-testid="run-output"] .run-result[data-status="ok"]', { hasText: '42' }).waitFor();
    await waitForText(guest, '[data-testid="run-output"]', 'by Iris Interviewer');
  });

  await step('the Python corpus prints in Pyodide, through the run panel\'s worker, what it prints on the server', async () => {
    await server.sandboxReady();
    const corpus = path.join(root, 'tests', 'corpus', 'python');
    const programs = readdirSync(corpus)
      .filter((name) => name.endsWith('.py'))
      .sort()
      .map((name) => {
        const input = path.join(corpus, name.replace(/\.py$/, '.in'));
        return { name, code: readFileSync(path.join(corpus, name), 'utf8'), stdin: existsSync(input) ? readFileSync(input, 'utf8') : '' };
      });
    assert.ok(programs.length >= 7, 'the corpus went missing');
    const worker = readdirSync(path.join(root, 'web', 'dist', 'assets')).find((f) => /^python\.worker-.*\.js$/.test(f));
    assert.ok(worker, 'the built Python worker');
    const version = JSON.parse(readFileSync(path.join(root, 'web', 'node_modules', 'pyodide', 'package.json'), 'utf8')).version;
    // The same worker and messages the run panel uses, one program after another.
    const local = await host.evaluate(
      async ({ workerUrl, indexURL, programs }) => {
        const w = new Worker(workerUrl);
        const results = [];
        for (const p of programs) {
          results.push(
            await new Promise((resolve) => {
              let stdout = '';
              let stderr = '';
              w.onmessage = ({ data }) => {
                if (data.type === 'output' && data.stream === 'stdout') stdout += data.text;
                else if (data.type === 'output') stderr += data.text;
                else if (data.type === 'exit') resolve({ stdout, stderr, code: data.code, error: data.error });
              };
              w.postMessage({ code: p.code, stdin: p.stdin, indexURL });
            }),
          );
        }
        w.terminate();
        return results;
      },
      { workerUrl: `/assets/${worker}`, indexURL: `/pyodide/${version}/`, programs },
    );
    const token = await host.evaluate(() => JSON.parse(localStorage.getItem('devinterview.login')).token);
    for (const [i, p] of programs.entries()) {
      const reply = await fetch(`${server.base}/api/executions`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ language: 'python', code: p.code, stdin: p.stdin }),
      });
      const remote = await reply.json();
      assert.equal(remote.status, 'ok', `${p.name} on the server: ${JSON.stringify(remote)}`);
      assert.equal(local[i].code, 0, `${p.name} in Pyodide: ${local[i].error ?? local[i].stderr}`);
      assert.equal(local[i].stdout, remote.stdout, `${p.name}: Pyodide and the server differ`);
    }
    // Both run Python 3.14.
    const versions = await host.evaluate(
      async ({ workerUrl, indexURL }) =>
        new Promise((resolve) => {
          const w = new Worker(workerUrl);
          let out = '';
          w.onmessage = ({ data }) => {
            if (data.type === 'output') out += data.text;
            if (data.type === 'exit') {
              w.terminate();
              resolve(out);
            }
          };
          w.postMessage({ code: 'import sys\nprint(sys.version_info[:2])', stdin: '', indexURL });
        }),
      { workerUrl: `/assets/${worker}`, indexURL: `/pyodide/${version}/` },
    );
    assert.equal(versions, '(3, 14)\n');
  });

  await step('Python runs on the server and both see the verdict and fuel', async () => {
    await server.sandboxReady();
    await host.getByRole('radio', { name: 'Server' }).click();
    await host.getByRole('button', { name: 'Run', exact: true }).click();
    for (const page of [host, guest]) {
      const result = page.locator('[data-testid="run-output"] .run-result[data-status="ok"]', { hasText: 'fuel' });
      await result.filter({ hasText: '42' }).filter({ hasText: 'server' }).waitFor({ timeout: 60_000 });
    }
  });

  await step('JavaScript runs locally in a worker and both see the output', async () => {
    await host.getByLabel('Language').selectOption('javascript');
    await guest.waitForFunction(() => document.querySelector('select[aria-label="Language"]')?.value === 'javascript');
    await host.locator('[data-testid="code-editor"] .view-lines').click();
    await host.keyboard.press('Control+A');
    await host.keyboard.insertText('console.log([1, 2, 3].map((x) => x * 2));');
    await editorShows(guest, 'console.log');
    await host.getByRole('radio', { name: 'Local' }).click();
    await host.getByRole('button', { name: 'Run', exact: true }).click();
    for (const page of [host, guest]) {
      await page.locator('[data-testid="run-output"] .run-result[data-status="ok"]', { hasText: '[ 2, 4, 6 ]' }).waitFor();
    }
  });

  await step('an endless JavaScript loop is stopped by the Stop button', async () => {
    await host.locator('[data-testid="code-editor"] .view-lines').click();
    await host.keyboard.press('Control+A');
    await host.keyboard.insertText('while (true) {}');
    await host.getByRole('button', { name: 'Run', exact: true }).click();
    await host.getByTestId('run-status').filter({ hasText: 'Running' }).waitFor();
    await host.getByRole('button', { name: 'Stop' }).click();
    await host.locator('[data-testid="run-output"] .run-result[data-status="stopped"]').waitFor();
    await guest.locator('[data-testid="run-output"] .run-result[data-status="stopped"]').waitFor();
  });

  await step('screenshots of the room', async () => {
    await host.screenshot({ path: path.join(artefacts, 'room-interviewer.png') });
    await guest.screenshot({ path: path.join(artefacts, 'room-candidate.png') });
  });

  await step('terminating shows completed with a duration on the dashboard', async () => {
    await host.getByRole('button', { name: 'End interview' }).click();
    await host.getByRole('alertdialog', { name: 'End the interview?' }).getByRole('button', { name: 'End interview' }).click();
    await host.getByRole('heading', { name: 'Interviews' }).waitFor();
    const row = host.locator('tr', { hasText: 'Cody Candidate' });
    await row.getByTestId('status').filter({ hasText: 'completed' }).waitFor();
    const duration = await row.getByTestId('duration').textContent();
    assert.match(duration, /^\d+ (s|min)/, `duration cell says ${duration}`);
    await guest.getByText('This interview has ended. The room is read-only.').waitFor();
    await host.screenshot({ path: path.join(artefacts, 'dashboard.png') });
  });

  await step('the review shows the final code and the runs', async () => {
    await host.locator('tr', { hasText: 'Cody Candidate' }).getByRole('link', { name: 'Review' }).click();
    await host.getByRole('heading', { name: 'Runs' }).waitFor();
    await host.locator('table.runs tbody tr').nth(3).waitFor();
    await host.getByTestId('code-editor').filter({ hasText: 'while (true)' }).waitFor();
    await host.screenshot({ path: path.join(artefacts, 'review.png'), fullPage: true });
  });

  await step('deleting the interview (after a confirmation) tells the candidate and voids the invite', async () => {
    await host.getByRole('link', { name: '← All interviews' }).click();
    const row = host.locator('tr', { hasText: 'Cody Candidate' });
    await row.getByRole('button', { name: 'Delete' }).click();
    await host.getByRole('alertdialog', { name: 'Delete this interview?' }).getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
    await guest.getByText('This interview was deleted by the interviewer.').waitFor();
    const fresh = await browser.newContext();
    await watch(fresh, 'stranger');
    const stranger = await fresh.newPage();
    watchPage(stranger, 'stranger');
    await stranger.goto(inviteUrl);
    await stranger.getByRole('heading', { name: 'This invite cannot be used' }).waitFor();
    await fresh.close();
  });

  let problemId;
  await step('the interviewer writes a problem and grades a reference solution', async () => {
    await host.getByRole('link', { name: 'Problems' }).click();
    await host.getByRole('button', { name: 'New problem' }).click();
    await host.getByLabel('Title').fill('Sum of two');
    await host.getByLabel('Statement (Markdown)').fill('Read **a** and **b**; print `a + b`.');
    await host.locator('.markdown strong', { hasText: 'a' }).first().waitFor();
    await host.getByLabel('Starter code: python').fill('# read two numbers, print their sum\n');
    const first = host.getByRole('group', { name: 'Test 1' });
    await first.getByLabel('stdin').fill('1 2\n');
    await first.getByLabel('expected stdout').fill('3\n');
    await host.getByRole('button', { name: 'Add stdio test' }).click();
    const second = host.getByRole('group', { name: 'Test 2' });
    await second.getByLabel('stdin').fill('40 2\n');
    await second.getByLabel('expected stdout').fill('42\n');
    await second.getByLabel('hidden').check();
    await host.getByRole('button', { name: 'Save' }).click();
    await host.waitForURL(/\/problems\/[0-9a-f-]{36}$/);
    problemId = host.url().split('/').pop();
    await host.getByLabel('Solution code').fill('a, b = map(int, input().split())\nprint(a + b)\n');
    await server.sandboxReady();
    await host.getByRole('button', { name: 'Grade it' }).click();
    await host.getByTestId('grade-score').filter({ hasText: 'Score 100' }).waitFor({ timeout: 60_000 });
  });

  await step('with the problem attached, the candidate solves it and the interviewer grades it', async () => {
    await host.getByRole('link', { name: 'Interviews' }).click();
    await host.getByRole('button', { name: 'New interview' }).click();
    const dialog = host.getByRole('dialog', { name: 'New interview' });
    await dialog.getByLabel('Candidate name').fill('Dana Developer');
    await dialog.getByLabel('Candidate e-mail').fill('dana@example.com');
    await dialog.getByLabel('Problem (optional)').selectOption(problemId);
    await dialog.getByRole('button', { name: 'Create' }).click();
    const row = host.locator('tr', { hasText: 'Dana Developer' });
    await row.getByRole('button', { name: 'Copy invite' }).click();
    await row.getByRole('button', { name: 'Copied' }).waitFor();
    const invite = await host.evaluate(() => navigator.clipboard.readText());
    await row.getByRole('button', { name: 'Open' }).click();
    await host.getByRole('heading', { name: /Sum of two/ }).waitFor();
    await editorShows(host, '# read two numbers');
    await guest.goto(invite);
    await guest.getByLabel('Your name').fill('Dana');
    await guest.getByRole('button', { name: 'Join the interview' }).click();
    await guest.getByRole('heading', { name: /Sum of two/ }).waitFor();
    await editorShows(guest, '# read two numbers');
    await guest.locator('[data-testid="code-editor"] .view-lines').click();
    await guest.keyboard.press('Control+A');
    await guest.keyboard.insertText('a, b = map(int, input().split())\nprint(a + b)\n');
    await guest.getByRole('button', { name: 'Run sample tests' }).click();
    await guest.getByTestId('grade-report').filter({ hasText: '1 of 1 tests passed' }).waitFor({ timeout: 60_000 });
    assert.ok(!(await guest.content()).includes('40 2'), 'hidden test data reached the candidate');
    await host.getByRole('button', { name: 'Grade the code' }).click();
    await host.getByTestId('grade-score').filter({ hasText: 'Score 100' }).waitFor({ timeout: 60_000 });
    await host.getByRole('link', { name: 'DevInterview' }).click();
    const graded = host.locator('tr', { hasText: 'Dana Developer' });
    await graded.locator('td').nth(6).filter({ hasText: '100' }).waitFor();
    await host.screenshot({ path: path.join(artefacts, 'dashboard-graded.png') });
  });

  await step('no request left for another host, no CSP violation, no page error', async () => {
    assert.deepEqual(foreign, [], 'requests to other hosts');
    assert.deepEqual(problems, [], 'problems in the pages');
  });
  console.log(`end-to-end: all ${stepNo} steps passed; screenshots in ${path.relative(root, artefacts)}/`);
} catch (e) {
  exitCode = 1;
  console.log('FAILED');
  console.error(e);
  if (foreign.length) console.error('requests to other hosts:', foreign);
  if (problems.length) console.error('page problems:', problems);
  const pages = browser.contexts().flatMap((c) => c.pages());
  for (const [i, p] of pages.entries()) {
    await p.screenshot({ path: path.join(artefacts, `failure-${i}.png`) }).catch(() => {});
  }
} finally {
  await browser.close();
  await server.stop();
}
process.exit(exitCode);
