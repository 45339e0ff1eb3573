/**
 * How fast the real openNDS 9.10 serves its own built-in splash page (no FAS): the baseline a
 * splash page of ours is compared with. wrk (Debian package) runs in the client netns of an
 * openNDS lab against the page openNDS redirects an intercepted client to; a Lua hook counts
 * status codes and checks every body really is the splash HTML, since openNDS answers a
 * client it does not recognise with redirects and errors that are much cheaper to serve.
 * Needs root and the lab's packages (test/e2e/support/opennds-lab.ts).
 *   node --import tsx bench/opennds-splash.ts   (BENCH_SECONDS, BENCH_CONNECTIONS as for bench/run.ts)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execCommand, startOpenndsLab, INTERNET_IP } from '../test/e2e/support/opennds-lab.js';

export interface WrkOptions {
  durationSeconds: number;
  /** openNDS's web server accepts at most 100 connections: stay below for it. */
  connections: number;
  threads?: number;
  /** Network namespace to run wrk in (e.g. lab.namespaces.client); the caller's namespace when absent. */
  ns?: string;
  /** Text every response body must contain; responses without it are counted in `unmarked`. */
  marker?: string;
  /**
   * Request paths (with query) cycled through, each thread from its own offset, e.g. one landing per
   * client MAC; `url` then only names the server. Without them every request is `url` itself.
   */
  paths?: string[];
}

export interface WrkResult {
  url: string;
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Responses outside 200-299, from our own count (wrk's own line also excludes 3xx). */
  non2xx: number;
  statuses: Record<string, number>;
  unmarked: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
}

/** Per-thread counters, summed in done() because each wrk thread has its own Lua state. */
const COUNTING_SCRIPT = `
local threads = {}
function setup(thread) thread:set("offset", #threads); table.insert(threads, thread) end
function init(args)
  marker = args[1] or ""; statuses = {}; unmarked = 0; paths = {}
  if args[2] ~= nil and args[2] ~= "" then for line in io.lines(args[2]) do paths[#paths + 1] = line end end
  cursor = (offset * 7919) % math.max(#paths, 1)
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if marker ~= "" and (body == nil or not string.find(body, marker, 1, true)) then unmarked = unmarked + 1 end
end
function done(summary, latency, requests)
  local total, missing = {}, 0
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do total[status] = (total[status] or 0) + count end
    missing = missing + thread:get("unmarked")
  end
  for status, count in pairs(total) do io.write(string.format("passby-status %d %d\\n", status, count)) end
  io.write(string.format("passby-unmarked %d\\n", missing))
end
`;

/** Only added with `paths`: a script with request() makes wrk build every request in Lua, a cost a static URL is spared. */
const PATHS_SCRIPT = `
function request()
  cursor = cursor % #paths + 1
  return wrk.format(nil, paths[cursor])
end
`;

const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) passby-bench/wrk';
const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function latencyMs(output: string, percentile: number): number {
  const match = new RegExp(`^\\s*${percentile}%\\s+([\\d.]+)(us|ms|s|m|h)\\s*$`, 'm').exec(output);
  if (match === null) throw new Error(`wrk printed no ${percentile}% latency:\n${output}`);
  return Number(match[1]) * (UNIT_MS[match[2] ?? 'ms'] ?? 1);
}

/** Parses `wrk --latency` output plus the lines COUNTING_SCRIPT prints. */
export function parseWrkOutput(url: string, output: string): WrkResult {
  const statuses = Object.fromEntries([...output.matchAll(/^passby-status (\d+) (\d+)$/gm)].map((m) => [m[1] ?? '', Number(m[2])]));
  const requests = Number(/^\s*(\d+) requests in/m.exec(output)?.[1] ?? NaN);
  const rate = /^Requests\/sec:\s+([\d.]+)/m.exec(output);
  if (rate === null || Number.isNaN(requests)) throw new Error(`unexpected wrk output:\n${output}`);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const [connect, read, write, timeout] = [1, 2, 3, 4].map((i) => Number(errors?.[i] ?? 0));
  return {
    url,
    requests,
    requestsPerSecond: Number(rate[1]),
    p50Ms: latencyMs(output, 50),
    p99Ms: latencyMs(output, 99),
    non2xx: Object.entries(statuses).reduce((sum, [status, count]) => (status.startsWith('2') ? sum : sum + count), 0),
    statuses,
    unmarked: Number(/^passby-unmarked (\d+)$/m.exec(output)?.[1] ?? 0),
    socketErrors: { connect: connect ?? 0, read: read ?? 0, write: write ?? 0, timeout: timeout ?? 0 },
  };
}

/** wrk against any URL, e.g. our own portal from the root namespace. */
export async function runWrk(url: string, options: WrkOptions): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'passby-wrk-'));
  try {
    const script = join(dir, 'count.lua');
    const paths = options.paths ?? [];
    writeFileSync(script, paths.length > 0 ? COUNTING_SCRIPT + PATHS_SCRIPT : COUNTING_SCRIPT);
    const pathsFile = join(dir, 'paths.txt');
    writeFileSync(pathsFile, paths.map((path) => `${path}\n`).join(''));
    const threads = String(options.threads ?? Math.min(options.connections, 2));
    const wrk = ['wrk', '--latency', '--timeout', '10s', '-t', threads, '-c', String(options.connections), '-d', `${options.durationSeconds}s`];
    // wrk sends no User-Agent by default, and openNDS 9.10 segfaults on a preauth request without one.
    const cmd = [...wrk, '-H', `User-Agent: ${USER_AGENT}`, '-s', script, url, '--', options.marker ?? '', paths.length > 0 ? pathsFile : ''];
    const result = await execCommand(options.ns === undefined ? cmd : ['ip', 'netns', 'exec', options.ns, ...cmd]);
    if (result.code !== 0) throw new Error(`wrk failed (${result.code}): ${result.stderr}${result.stdout}`);
    return parseWrkOutput(url, result.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The built-in splash page under load, measured from the lab's client (the only place openNDS serves it). */
export async function measureOpenndsSplash(options: { durationSeconds: number; connections: number; threads?: number }): Promise<WrkResult> {
  // Debug level 1 is openNDS's own default: the lab's usual level 2 logs every request, a cost a real gateway is spared.
  const lab = await startOpenndsLab({ fasLevel: 0, debugLevel: 1 });
  try {
    // The intercepted request answers 307 to the splash page; measure that page, not the redirect.
    const intercepted = await lab.curl([`http://${INTERNET_IP}/`]);
    const splashUrl = intercepted.headers.location ?? '';
    const marker = 'Accept the Terms of Service';
    const splash = await lab.curl([splashUrl]);
    if (intercepted.status !== 307 || splash.status !== 200 || !splash.body.includes(marker)) {
      throw new Error(`openNDS did not serve its splash page (${intercepted.status} -> ${splash.status}):\n${splash.body}\n${lab.logs().slice(-3000)}`);
    }
    return await runWrk(splashUrl, { ...options, ns: lab.namespaces.client, marker });
  } finally {
    await lab.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const durationSeconds = Number(process.env.BENCH_SECONDS ?? 5);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
  const result = await measureOpenndsSplash({ durationSeconds, connections });
  console.log(`openNDS built-in splash, ${durationSeconds} s, ${connections} connections`);
  console.log(JSON.stringify(result, null, 2));
}
