import type { ProblemDoc, TestCase } from '../../api/problems';

/** A new problem's starting point. */
export function emptyProblem(): ProblemDoc {
  return {
    title: '',
    statement: '',
    difficulty: 'easy',
    tags: [],
    starterCode: { python: '', javascript: '' },
    limits: {},
    outputComparison: 'ignoreTrailingWhitespace',
    tests: [newTest('stdio')],
  };
}

export function newTest(kind: TestCase['kind']): TestCase {
  return kind === 'stdio'
    ? { kind: 'stdio', stdin: '', expectedStdout: '', hidden: false, weight: 1 }
    : { kind: 'function', function: 'solve', args: [], expected: null, hidden: false, weight: 1 };
}

/**
 * The document to send: empty starter code dropped, tags trimmed. Function
 * arguments and expected values are edited as JSON text; a text that does not
 * parse is reported with the test it belongs to.
 */
export function toDocument(
  draft: ProblemDoc,
  json: Record<number, { args: string; expected: string }>,
): { doc: ProblemDoc } | { error: string } {
  const tests: TestCase[] = [];
  for (const [i, t] of draft.tests.entries()) {
    if (t.kind === 'function' && json[i]) {
      try {
        const args = JSON.parse(json[i].args || '[]');
        if (!Array.isArray(args)) return { error: `Test ${i + 1}: arguments must be a JSON array, e.g. [2, 3].` };
        tests.push({ ...t, args, expected: JSON.parse(json[i].expected || 'null') });
      } catch {
        return { error: `Test ${i + 1}: arguments and expected result must be valid JSON.` };
      }
    } else {
      tests.push(t);
    }
  }
  const starterCode = Object.fromEntries(Object.entries(draft.starterCode).filter(([, code]) => code.trim() !== ''));
  const tags = draft.tags.map((t) => t.trim()).filter(Boolean);
  return { doc: { ...draft, title: draft.title.trim(), tags, starterCode, tests } };
}
