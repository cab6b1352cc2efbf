// Times sequential calls of one plugin export through the public Extism JavaScript host
// (@extism/extism) in process on Node, and prints one JSON object on stdout.
//
// Usage: node bench.mjs PLUGIN.wasm METHOD INPUT_STRING ITERATIONS
// Environment: EXTISM_PEER_CONFIG, a JSON object of string values passed as the plugin's config
// (default {}).
//
// Every call goes to the same plugin instance, as an agent's calls do in MCP-ZERO. A call that
// throws ends the run: the result then records how many calls succeeded and the error message,
// and the percentiles cover the calls before the failure.

import { readFile } from 'node:fs/promises';
import process from 'node:process';
import createPlugin from '@extism/extism';

function parseArguments(argv) {
  if (argv.length !== 4) {
    throw new UsageError('usage: node bench.mjs PLUGIN.wasm METHOD INPUT_STRING ITERATIONS');
  }

  const [pluginPath, method, input, iterationsText] = argv;
  const iterations = Number(iterationsText);
  if (!Number.isInteger(iterations) || iterations <= 0) {
    throw new UsageError(`ITERATIONS '${iterationsText}' is invalid; use a positive integer`);
  }

  return { pluginPath, method, input, iterations };
}

function parseConfig(text) {
  if (text === undefined || text === '') {
    return {};
  }

  const config = JSON.parse(text);
  const valid = typeof config === 'object' && config !== null && !Array.isArray(config)
    && Object.values(config).every((value) => typeof value === 'string');
  if (!valid) {
    throw new UsageError(`EXTISM_PEER_CONFIG '${text}' is invalid; use a JSON object of string values`);
  }

  return config;
}

class UsageError extends Error {}

// Nearest-rank percentile of an ascending array.
function percentile(sorted, fraction) {
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(fraction * sorted.length)));
  return sorted[rank - 1];
}

function round3(value) {
  return Math.round(value * 1000) / 1000;
}

async function main() {
  const { pluginPath, method, input, iterations } = parseArguments(process.argv.slice(2));
  const config = parseConfig(process.env.EXTISM_PEER_CONFIG);
  const wasm = await readFile(pluginPath);

  // useWasi is required because modules built for wasm32-wasi import wasi_snapshot_preview1;
  // the host then calls a reactor's _initialize once before the first call.
  const plugin = await createPlugin(
    { wasm: [{ data: wasm }], config },
    { useWasi: true, runInWorker: false },
  );
  if (!(await plugin.functionExists(method))) {
    throw new UsageError(`plugin '${pluginPath}' has no export '${method}'`);
  }

  const latenciesNs = new Float64Array(iterations);
  const progressStep = Math.max(1, Math.floor(iterations / 10));
  let completed = 0;
  let failure = null;

  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    try {
      await plugin.call(method, input);
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
      process.stderr.write(`extism-node: call ${i + 1} failed after ${completed} successful calls: ${failure}\n`);
      break;
    }
    latenciesNs[i] = Number(process.hrtime.bigint() - start);
    completed++;

    if (completed % progressStep === 0) {
      process.stderr.write(`extism-node: ${completed} of ${iterations} calls\n`);
    }
  }

  await plugin.close();

  if (completed === 0) {
    throw new Error(`the first call of '${method}' failed: ${failure}`);
  }

  const measured = latenciesNs.subarray(0, completed).sort();
  let totalNs = 0;
  for (const value of measured) {
    totalNs += value;
  }

  // The package's exports map does not expose package.json, so it is read by path.
  const packageJson = new URL('./node_modules/@extism/extism/package.json', import.meta.url);
  const { version: extismVersion } = JSON.parse(await readFile(packageJson, 'utf8'));
  const result = {
    name: 'extism-js',
    extism_version: extismVersion,
    node_version: process.version,
    plugin: pluginPath,
    method,
    iterations,
    calls_completed: completed,
    avg_us: round3(totalNs / completed / 1000),
    p50_us: round3(percentile(measured, 0.50) / 1000),
    p99_us: round3(percentile(measured, 0.99) / 1000),
    p999_us: round3(percentile(measured, 0.999) / 1000),
    max_rss_kb: process.resourceUsage().maxRSS,
    calls_before_failure: failure === null ? null : completed,
    failure,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error) => {
  const message = error instanceof UsageError ? error.message : (error?.stack ?? String(error));
  process.stderr.write(`extism-node: ${message}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
