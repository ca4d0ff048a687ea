# DevInterview function-call harness for Python (see src/grading/harness.rs).
# The line after PROLOGUE runs before the candidate's code: it reads the call
# (function arguments and a per-test delimiter) from stdin and leaves the
# candidate an empty stdin, so nothing the candidate prints can pass for the
# result. The lines after EPILOGUE call the function and print its JSON result
# between two copies of the delimiter. {{FUNCTION}} is a validated identifier.
#@@PROLOGUE@@
import sys as _di_sys, json as _di_json, io as _di_io; _di_call = _di_json.loads(_di_sys.stdin.readline()); _di_sys.stdin = _di_io.StringIO("")
#@@EPILOGUE@@
_di_result = {{FUNCTION}}(*_di_call["args"])
_di_sys.stdout.flush()
_di_sys.stdout.write("\n" + _di_call["delimiter"] + _di_json.dumps(_di_result, allow_nan=False) + _di_call["delimiter"] + "\n")
