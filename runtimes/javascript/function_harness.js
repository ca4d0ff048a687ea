// DevInterview function-call harness for JavaScript (see src/grading/harness.rs).
// The line after PROLOGUE runs before the candidate's code: it takes the call
// (function arguments and a per-test delimiter) off stdin through the prelude,
// so the candidate can neither read it nor print something that passes for the
// result. The lines after EPILOGUE call the function (awaiting a promise) and
// print its JSON result between two copies of the delimiter.
// {{FUNCTION}} is a validated identifier.
//@@PROLOGUE@@
const __diCall = JSON.parse(globalThis.__devinterviewTakeLine());
//@@EPILOGUE@@
if (typeof {{FUNCTION}} !== 'function') throw new ReferenceError('{{FUNCTION}} is not defined as a function');
Promise.resolve({{FUNCTION}}(...__diCall.args)).then(
  (r) => process.stdout.write('\n' + __diCall.delimiter + JSON.stringify(r === undefined ? null : r) + __diCall.delimiter + '\n'),
  (e) => { console.error(e && e.stack ? e.stack : String(e)); process.exit(1); },
);
