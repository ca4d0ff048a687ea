import { describe, expect, it } from 'vitest';
import { emptyProblem, newTest, toDocument } from './draft';

describe('problem draft to document', () => {
  it('parses function arguments and expected values from their JSON text', () => {
    const draft = { ...emptyProblem(), title: '  Add  ', tests: [newTest('function')] };
    const built = toDocument(draft, { 0: { args: '[2, 3]', expected: '5' } });
    expect(built).toEqual({
      doc: expect.objectContaining({
        title: 'Add',
        tests: [expect.objectContaining({ kind: 'function', args: [2, 3], expected: 5 })],
      }),
    });
  });

  it('names the test whose JSON does not parse, or whose arguments are not an array', () => {
    const draft = { ...emptyProblem(), tests: [newTest('stdio'), newTest('function')] };
    expect(toDocument(draft, { 1: { args: '[2,', expected: '5' } })).toEqual({
      error: 'Test 2: arguments and expected result must be valid JSON.',
    });
    expect(toDocument(draft, { 1: { args: '{"a": 1}', expected: '5' } })).toEqual({
      error: 'Test 2: arguments must be a JSON array, e.g. [2, 3].',
    });
  });

  it('drops empty starter code and blank tags', () => {
    const draft = { ...emptyProblem(), tags: [' math ', ' '], starterCode: { python: 'def f(): pass', javascript: '  ' } };
    const built = toDocument(draft, {});
    expect('doc' in built && built.doc.starterCode).toEqual({ python: 'def f(): pass' });
    expect('doc' in built && built.doc.tags).toEqual(['math']);
  });
});
