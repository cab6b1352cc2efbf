// Test plugin written against the public API of the Extism AssemblyScript PDK, the way its README
// shows. The integration tests run it unmodified to prove that PDK plugins work in MCP-ZERO.
import { Config, Host, LogLevel, Memory, Var } from "@extism/as-pdk";
// The PDK 1.0.0 wraps no error setter, so the plugin calls the host import that the PDK declares.
import { error_set } from "@extism/as-pdk/lib/env";

// The PDK's README passes this no-op to `asc --use abort=...` so that the module imports no `env.abort`.
function myAbort(
  message: string | null,
  fileName: string | null,
  lineNumber: u32,
  columnNumber: u32,
): void {}

const DEFAULT_VOWELS = "aeiou";
const TOTAL_KEY = "total";

/**
 * Counts the vowels in the input, case-insensitively, and adds them to the variable `total`.
 * The config key `vowels` replaces the vowel set. Outputs `{"count":N,"total":T,"vowels":"..."}`.
 */
export function count_vowels(): i32 {
  const input = Host.inputString().toLowerCase();
  const configured = Config.get("vowels");
  const vowels = configured == null ? DEFAULT_VOWELS : configured.toLowerCase();

  let count = 0;
  for (let i = 0; i < input.length; i++) {
    if (vowels.includes(input.charAt(i))) {
      count += 1;
    }
  }

  const previous = Var.getString(TOTAL_KEY);
  const total = (previous == null ? 0 : I32.parseInt(previous)) + count;
  Var.set(TOTAL_KEY, Uint8Array.wrap(String.UTF8.encode(total.toString())));

  Host.log(LogLevel.Info, "count_vowels: " + count.toString() + " vowels, total " + total.toString());
  Host.outputString(
    '{"count":' + count.toString() + ',"total":' + total.toString() + ',"vowels":"' + vowels + '"}',
  );
  return 0;
}

/** Fails the call through the Extism error path: sets the error text and returns 1. */
export function fail_with_error(): i32 {
  const message = Memory.allocateString("as_pdk: fail_with_error was called");
  error_set(message.offset);
  return 1;
}
