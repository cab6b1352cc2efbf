// count_vowels (AssemblyScript): a sample plugin on the public Extism AssemblyScript PDK.
//
// `count_vowels` counts the vowels in the input, case-insensitively, and adds them to the variable
// `total`, which the agent keeps between calls and restarts. The config key `vowels` replaces the
// vowel set "aeiou". It outputs `{"count":N,"total":T,"vowels":"..."}` and logs the counts at info
// level. count_vowels_rust is the same plugin in Rust, with the same output.
import { Config, Host, LogLevel, Var } from "@extism/as-pdk";

// The PDK's README passes this no-op to `asc --use abort=...` so that the module imports no `env.abort`.
function myAbort(
  message: string | null,
  fileName: string | null,
  lineNumber: u32,
  columnNumber: u32,
): void {}

const DEFAULT_VOWELS = "aeiou";
const TOTAL_KEY = "total";

export function count_vowels(): i32 {
  const input = Host.inputString().toLowerCase();
  const configured = Config.get("vowels");
  const vowels = configured == null ? DEFAULT_VOWELS : configured.toLowerCase();

  let count: u64 = 0;
  for (let i = 0; i < input.length; i++) {
    if (vowels.includes(input.charAt(i))) {
      count += 1;
    }
  }

  const previous = Var.getString(TOTAL_KEY);
  const total = (previous == null ? 0 : U64.parseInt(previous)) + count;
  Var.set(TOTAL_KEY, Uint8Array.wrap(String.UTF8.encode(total.toString())));

  Host.log(LogLevel.Info, "count_vowels: " + count.toString() + " vowels, total " + total.toString());
  const output = '{"count":' + count.toString() + ',"total":' + total.toString() + ',"vowels":"' + jsonEscape(vowels) + '"}';
  // Host.outputString counts UTF-16 units, not bytes, so the output is set from the UTF-8 bytes.
  Host.output(Uint8Array.wrap(String.UTF8.encode(output)));
  return 0;
}

// Escapes `text` for a JSON string: quotes, backslashes and control characters.
function jsonEscape(text: string): string {
  let escaped = "";
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code == 0x22 || code == 0x5c) {
      escaped += "\\" + text.charAt(i);
    } else if (code < 0x20) {
      escaped += "\\u" + code.toString(16).padStart(4, "0");
    } else {
      escaped += text.charAt(i);
    }
  }
  return escaped;
}
