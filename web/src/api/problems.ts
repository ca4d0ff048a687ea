/** The problem bank and grading shapes (see the README's API section). */

export type TestCase =
  | { kind: 'stdio'; stdin: string; expectedStdout: string; hidden: boolean; weight: number }
  | {
      kind: 'function';
      function: string;
      args: unknown[];
      expected: unknown;
      tolerance?: number;
      hidden: boolean;
      weight: number;
    };

export interface ProblemDoc {
  title: string;
  statement: string;
  difficulty: 'easy' | 'medium' | 'hard';
  tags: string[];
  starterCode: Record<string, string>;
  limits: { fuel?: number; memoryBytes?: number; wallTimeMs?: number };
  outputComparison?: 'exact' | 'ignoreTrailingWhitespace';
  tests: TestCase[];
}

export interface Problem extends ProblemDoc {
  id: string;
  createdAt: string;
  updatedAt: string;
}

export interface ProblemSummary {
  id: string;
  title: string;
  difficulty: string;
  tags: string[];
  testCount: number;
  languages: string[];
  updatedAt: string;
}

export type Verdict =
  | 'accepted'
  | 'wrong_answer'
  | 'time_limit'
  | 'memory_limit'
  | 'output_limit'
  | 'runtime_error'
  | 'internal_error';

export interface TestReport {
  index: number;
  kind: string;
  verdict: Verdict;
  hidden: boolean;
  weight: number;
  fuelUsed: number;
  wallTimeMs: number;
  diff?: string;
  stdout?: string;
  stderr?: string;
  actual?: unknown;
}

export interface GradeReport {
  score: number;
  totalFuel: number;
  passed: number;
  total: number;
  language: string;
  runtime: string;
  codeSha256: string;
  tests: TestReport[];
}

export interface Submission extends GradeReport {
  id: string;
  createdAt: string;
  problemId: string;
  code: string;
}

export interface RoomProblem {
  id: string;
  title: string;
  statement: string;
  difficulty: string;
  tags: string[];
  starterCode: Record<string, string>;
  samples: (TestCase & { index: number })[];
  hiddenCount: number;
}
