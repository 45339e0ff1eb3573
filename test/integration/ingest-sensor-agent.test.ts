import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createTestContext, type TestContext } from '../helpers/context.js';
import { newOrg } from '../helpers/factories.js';

const SENSOR_DIR = fileURLToPath(new URL('../../sensor/', import.meta.url));
const AGENT = join(SENSOR_DIR, 'passby-sensor.sh');
const SAMPLE = readFileSync(join(SENSOR_DIR, 'test-data/fryza-probes.tcpdump.txt'), 'utf8');
const TSHARK = readFileSync(join(SENSOR_DIR, 'test-data/fryza-probes.tshark.tsv'), 'utf8').trim().split('\n');
/** The first 300 probe requests of the Brno lab capture of 2024-03-14 (MIT, Tomas Fryza; see test/fixtures/probes/README.md). */
const FRYZA_PCAP = fileURLToPath(new URL('../fixtures/probes/fryza-sc6-61/position_1_2024-03-14-first300.pcap', import.meta.url));

const onPath = (bin: string): boolean => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
const HAS_BUSYBOX = onPath('busybox');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs agent functions in `sh` (the agent sourced), asynchronously so the app in this process can answer. */
function agent(script: string, env: Record<string, string>, input = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', `PASSBY_SOURCED=1 . "${AGENT}"; passby_defaults; ${script}`], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PASSBY_AWK: join(SENSOR_DIR, 'probes.awk'), ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** A PATH whose `awk` is busybox's, as on OpenWRT. */
function busyboxPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'passby-busybox-'));
  symlinkSync(spawnSync('sh', ['-c', 'command -v busybox']).stdout.toString().trim(), join(dir, 'awk'));
  return `${dir}:${process.env.PATH ?? '/usr/bin:/bin'}`;
}

/** The sample with its packets moved to just before now, keeping their spacing (the server refuses 2024). */
function sampleNow(): string {
  const first = Number(/^(\d+\.\d+) /.exec(SAMPLE)?.[1]);
  const shift = Math.floor(Date.now() / 1000 - 120 - first);
  return SAMPLE.replace(/^(\d+)\.(\d+) /gm, (_, s: string, frac: string) => `${Number(s) + shift}.${frac} `);
}

const parseLines = (text: string): Record<string, unknown>[] =>
  text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe('OpenWRT sensor agent', () => {
  let ctx: TestContext;
  let server: Server;
  let url: string;
  let token: string;
  let sensorId: string;
  let spool: string;

  before(async () => {
    ctx = await createTestContext();
    server = createServer(ctx.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const org = await newOrg(ctx.services);
    const created = await ctx.services.sensors.create(org.orgId, { venueId: org.venueId, name: 'AP sensor' });
    token = created.token;
    sensorId = created.sensor.id;
    spool = mkdtempSync(join(tmpdir(), 'passby-spool-'));
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await ctx.close();
    rmSync(spool, { recursive: true, force: true });
  });

  it('is plain POSIX sh, as busybox ash runs it', (t) => {
    for (const file of ['passby-sensor.sh', 'passby-sensor.init']) {
      const posix = spawnSync('sh', ['-n', join(SENSOR_DIR, file)]);
      assert.equal(posix.status, 0, posix.stderr.toString());
      if (!HAS_BUSYBOX) continue;
      const ash = spawnSync('busybox', ['ash', '-n', join(SENSOR_DIR, file)]);
      assert.equal(ash.status, 0, ash.stderr.toString());
    }
    if (!HAS_BUSYBOX) t.diagnostic('busybox is not installed: checked with sh -n only');
    if (onPath('checkbashisms')) {
      const bashisms = spawnSync('checkbashisms', [AGENT]);
      assert.equal(bashisms.status, 0, bashisms.stderr.toString());
    }
  });

  it("reads tcpdump's probe lines as Wireshark decodes the same packets (time, MAC, signal, sequence, channel)", async () => {
    const paths = [process.env.PATH ?? '', ...(HAS_BUSYBOX ? [busyboxPath()] : [])];
    const outputs: string[] = [];
    for (const PATH of paths) {
      const run = await agent('passby_parse', { PATH }, SAMPLE);
      assert.equal(run.code, 0, run.stderr);
      outputs.push(run.stdout);
    }
    if (outputs.length === 2) assert.equal(outputs[1], outputs[0], 'busybox awk and the system awk agree');
    const probes = parseLines(outputs[0] ?? '');
    assert.equal(probes.length, TSHARK.length);
    probes.forEach((probe, i) => {
      const [ts, mac, rssi, seq, channel] = (TSHARK[i] ?? '').split('\t');
      assert.deepEqual([probe.ts, probe.mac, probe.rssi, probe.seq, probe.channel], [Number(Number(ts).toFixed(6)), mac, Number(rssi), Number(seq), Number(channel)], `packet ${i + 1}`);
      assert.match(String(probe.ies), /^00[0-9a-f]{2}/, 'the tagged elements, starting with the SSID element');
    });
    assert.ok(probes.some((p) => p.ssid === 'SSID_56211587'));
  });

  it('parses every probe request of a whole capture with the real tcpdump', async (t) => {
    if (!onPath('tcpdump')) {
      t.skip('tcpdump is not installed');
      return;
    }
    const text = spawnSync('tcpdump', ['-r', FRYZA_PCAP, '-e', '-tt', '-n', '-xx', 'type mgt subtype probe-req'], { maxBuffer: 1 << 28 }).stdout.toString();
    const run = await agent('passby_parse', HAS_BUSYBOX ? { PATH: busyboxPath() } : {}, text);
    assert.equal(parseLines(run.stdout).length, 300, 'tshark counts 300 probe requests in this excerpt');
  });

  it('batches, spools while the server is away, then delivers each batch once', async () => {
    const env = { PASSBY_SPOOL: spool, PASSBY_TOKEN: token, PASSBY_BATCH_MAX: '15', PASSBY_NAME: 'ap1' };
    const batched = await agent('passby_parse | passby_batch', env, sampleNow());
    assert.equal(batched.code, 0, batched.stderr);
    assert.equal(readdirSync(spool).filter((f) => /^batch-ap1-\d{10}-\d+-\d{6}\.ndjson$/.test(f)).length, 3, '40 probes in batches of 15');

    const away = await agent('passby_prepare; passby_send_spool', { ...env, PASSBY_URL: 'http://127.0.0.1:9' });
    assert.equal(away.code, 1, 'nothing sent: try again later');
    const spooled = readdirSync(spool).sort();
    assert.equal(spooled.filter((f) => f.endsWith('.ndjson.gz')).length, 3);

    // Keep a copy of the first batch, to send it again as if its answer had been lost.
    const first = join(spool, spooled[0] ?? '');
    const copy = readFileSync(first);
    const sent = await agent('passby_prepare; passby_send_spool', { ...env, PASSBY_URL: url });
    assert.equal(sent.code, 0, sent.stderr);
    assert.deepEqual(readdirSync(spool), []);
    const rows = await ctx.database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM probes WHERE sensor_id = $1', [sensorId]);
    assert.equal(rows.rows[0]?.n, 40);

    writeFileSync(first, copy);
    const resent = await agent('passby_send_spool', { ...env, PASSBY_URL: url });
    assert.equal(resent.code, 0);
    const again = await ctx.database.pool.query<{ n: number; batches: number }>(
      'SELECT (SELECT count(*)::int FROM probes WHERE sensor_id = $1) AS n, (SELECT count(*)::int FROM ingest_batches WHERE sensor_id = $1) AS batches',
      [sensorId],
    );
    assert.deepEqual(again.rows[0], { n: 40, batches: 3 });
    const seen = await ctx.database.pool.query<{ seen: Date | null }>('SELECT last_seen_at AS seen FROM sensors WHERE id = $1', [sensorId]);
    assert.ok(seen.rows[0]?.seen instanceof Date);
  });

  it('keeps batches for a refused token and drops the oldest batches beyond the spool cap', async () => {
    const env = { PASSBY_SPOOL: spool, PASSBY_BATCH_MAX: '20', PASSBY_NAME: 'ap2' };
    await agent('passby_parse | passby_batch', env, sampleNow());
    const refused = await agent('passby_prepare; passby_send_spool', { ...env, PASSBY_URL: url, PASSBY_TOKEN: 'pbs_wrongwrongwr_wrong' });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /refused the sensor token \(HTTP 401\)/);
    assert.equal(readdirSync(spool).length, 2);
    const capped = await agent('passby_prepare', { ...env, PASSBY_SPOOL_MAX_KB: '0' });
    assert.match(capped.stderr, /spool over 0 KB: dropping batch-ap2-/);
    assert.deepEqual(readdirSync(spool), []);
  });
});
