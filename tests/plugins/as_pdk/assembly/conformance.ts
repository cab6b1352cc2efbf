// conformance (AssemblyScript): the conformance method set, written against the public API of the
// Extism AssemblyScript PDK. ../../conformance/conformance.wat describes each method; the outputs and
// messages here are the same byte for byte.
import { Config, Host, LogLevel, Memory, Var } from "@extism/as-pdk";
// The PDK 1.0.0 wraps no error setter, so the plugin calls the host import that the PDK declares.
import { error_set } from "@extism/as-pdk/lib/env";

// The PDK 1.0.0 has no trace level, so the plugin declares the host function itself.
@external("extism:host/env", "log_trace")
declare function log_trace(offset: u64): void;

// Passed to `asc --use abort=...` so that the module imports no `env.abort`.
function myAbort(
  message: string | null,
  fileName: string | null,
  lineNumber: u32,
  columnNumber: u32,
): void {}

function failWith(message: string): i32 {
  error_set(Memory.allocateString(message).offset);
  return 1;
}

export function echo(): i32 {
  Host.output(Host.input());
  return 0;
}

export function empty(): i32 {
  return 0;
}

export function fail_with_error(): i32 {
  return failWith("conformance: fail_with_error was called");
}

export function error_but_zero(): i32 {
  error_set(Memory.allocateString("conformance: error_but_zero was called").offset);
  return 0;
}

export function nonzero_no_error(): i32 {
  return 5;
}

export function var_counter(): i32 {
  const stored = Var.get("counter");
  let count: u64 = 0;
  if (stored != null) {
    // Bytes that are not digits are skipped, as in the other languages.
    for (let i = 0; i < stored.length; i++) {
      const byte = stored[i];
      if (byte >= 0x30 && byte <= 0x39) {
        count = count * 10 + <u64>(byte - 0x30);
      }
    }
  }
  count += 1;

  const digits = Uint8Array.wrap(String.UTF8.encode(count.toString()));
  Var.set("counter", digits);
  Host.output(digits);
  return 0;
}

export function config_echo(): i32 {
  const key = Host.inputString();
  if (key.length == 0) {
    return failWith("conformance: config key not found");
  }

  const value = Config.getMemory(key);
  if (value == null) {
    return failWith("conformance: config key not found");
  }

  Host.outputMemory(value);
  return 0;
}

export function log_all(): i32 {
  log_trace(Memory.allocateString("conformance: log_all trace").offset);
  Host.log(LogLevel.Debug, "conformance: log_all debug");
  Host.log(LogLevel.Info, "conformance: log_all info");
  Host.log(LogLevel.Warn, "conformance: log_all warn");
  Host.log(LogLevel.Error, "conformance: log_all error");
  return 0;
}

export function trap(): i32 {
  unreachable();
  return 1;
}

export function spin(): i32 {
  while (true) {}
  return 0;
}

export function grow(): i32 {
  for (;;) {
    const previous = memory.grow(1);
    if (previous < 0) {
      break;
    }
    // Writing a byte into each new page makes sure it is really committed.
    store<u8>(<usize>previous * 65536, 1);
  }

  return failWith("conformance: memory.grow failed at " + memory.size().toString() + " pages");
}
