/**
 * The real openNDS 9.10 gateway between a client netns and the root namespace, which plays the internet
 * (so the test process serves the FAS/portal itself): client <net>.10 <-> gateway <net>.1 | 198.51.100.1
 * <-> root 198.51.100.2. <net> is 192.0.2 unless the root namespace routes it already (this machine's uplink
 * is 192.0.2.0/24), then 203.0.113: use lab.clientIp / lab.gatewayLanIp. Labs are serialised host-wide by a
 * flock, as each puts 198.51.100.2 and a route to <net> into the root namespace. openNDS runs in private
 * mount and pid namespaces: its scripts rewrite /etc/hosts and /etc/dnsmasq.conf, keep state and the ndsctl
 * socket in /tmp, and kill every authmon.sh on the host by name. CI (root, packages installed) must not skip.
 */
import { execFile, spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const INTERNET_IP = '198.51.100.2';
export const INTERNET_BODY = '<h1>passby-lab internet: you are online</h1>';
const WAN = { gateway: '198.51.100.1', net: '198.51.100.0/24' };
const CLIENT_NETS = ['192.0.2', '203.0.113'];
const RUN_DIR_PREFIX = join(tmpdir(), 'passby-opennds-lab-');
const LOCK_FILE = join(tmpdir(), 'passby-opennds-lab.lock');
const PATH = `${process.env.PATH ?? ''}:/usr/local/sbin:/usr/sbin:/sbin`;
/** In the gateway's mount namespace: iptables-nft fails on these kernels, so openNDS gets the -legacy tools. */
const GATEWAY_BIN = '/run/passby-lab/bin';

export interface OpenndsLabOptions {
  fasLevel: 0 | 1 | 2 | 3; // fas_secure_enabled; without fasPort openNDS serves its own click-to-continue splash
  fasPort?: number;
  fasPath?: string; // default '/'
  faskey?: string; // default: random when a FAS is configured (lab.faskey)
  fasRemoteIp?: string; // default 198.51.100.2
  fasRemoteFqdn?: string; // level 3 builds https://<fqdn>:<fasPort><fasPath> from it: put it in `hosts`
  gatewayName?: string;
  extraConfig?: string[]; // more opennds.conf lines
  hosts?: Record<string, string>; // name -> ip, added to /etc/hosts of the gateway and the client
  trustedCaPem?: string; // CA the gateway trusts besides the system bundle (authmon's https, level 3)
  debugLevel?: 0 | 1 | 2 | 3; // opennds -d, default 2
}
export interface ExecResult { code: number; stdout: string; stderr: string }
export interface CurlResult { status: number; headers: Record<string, string>; body: string; effectiveUrl: string }
export interface NdsctlJson { client_list_length?: string; clients?: Record<string, { mac: string; ip: string; state: string; token: string }> }
export interface InternetHost { url: string; requests: () => number; close: () => Promise<void> }

/** Never rejects: callers look at the exit code. */
export function execCommand(cmd: string[], extraPath = ''): Promise<ExecResult> {
  const [file = '', ...args] = cmd;
  const options = { timeout: 60_000, maxBuffer: 64 << 20, env: { ...process.env, PATH: `${extraPath}${PATH}` } };
  return new Promise((resolve) => execFile(file, args, options, (error, stdout, stderr) => {
    resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr: stderr || (error?.message ?? '') });
  }));
}

async function run(cmd: string[]): Promise<string> {
  const result = await execCommand(cmd);
  if (result.code !== 0) throw new Error(`${cmd.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
  return result.stdout;
}

/** Why the lab cannot run here, or undefined. Tests may skip on it locally; CI must never get a reason. */
export function skipReason(): string | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'the openNDS lab needs root on Linux (netns, iptables, mounts)';
  const tools = ['opennds', 'ndsctl', 'ip', 'iptables-legacy', 'unshare', 'nsenter', 'flock', 'curl', 'bash'];
  const missing = tools.filter((bin) => !PATH.split(':').some((dir) => dir !== '' && existsSync(join(dir, bin))));
  if (missing.length > 0) return `the openNDS lab needs ${missing.join(', ')} (apt-get install opennds iptables curl)`;
  if (!readFileSync('/proc/filesystems', 'utf8').includes('overlay')) return 'the openNDS lab needs overlayfs';
  const namespaces = spawnSync('unshare', ['--net', '--mount', '--pid', '--fork', 'true'], { stdio: 'ignore', env: { PATH } });
  return namespaces.status === 0 ? undefined : 'network/mount/pid namespaces are not available here';
}

/** A plain web page on 198.51.100.2 (start the lab first: the address lives on its veth). */
export async function startInternetHost(port = 80): Promise<InternetHost> {
  let requests = 0;
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(INTERNET_BODY, () => (requests += 1)));
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, INTERNET_IP, resolve));
  const close = (): Promise<void> => new Promise((resolve) => server.close(() => resolve()).closeAllConnections());
  return { url: `http://${INTERNET_IP}${port === 80 ? '' : `:${port}`}/`, requests: () => requests, close };
}

/** Holds the host-wide lock until its stdin closes, so a crashed test process releases it too. */
async function acquireLock(): Promise<ChildProcessWithoutNullStreams> {
  const holder = spawn('flock', ['-w', '600', LOCK_FILE, 'sh', '-c', 'echo locked; exec cat >/dev/null'], { env: { PATH } });
  await new Promise<void>((resolve, reject) => {
    holder.stdout.once('data', () => resolve());
    holder.once('exit', (code) => reject(new Error(`could not take ${LOCK_FILE} (flock exited ${code})`)));
  });
  holder.unref();
  return holder;
}

/** Removes what a SIGKILLed run left ($1: our own run dir); its processes died with it (GATEWAY_INIT). */
const SWEEP = String.raw`for ns in $(ip netns list | grep -o '^pbl[0-9a-f]\{4\}-[cg]\b'); do
  kill -KILL $(ip netns pids $ns) 2>/dev/null || true; ip netns del $ns; rm -rf /etc/netns/$ns; done
for link in $(ip -o link show | grep -o 'pbl[0-9a-f]\{4\}-i0'); do ip link del $link; done
for dir in ${RUN_DIR_PREFIX}*; do [ "$dir" = "$1" ] || rm -rf "$dir"; done`;

/** A subnet is taken when a route other than the default covers it or lies inside it. */
async function isRouted(net: string): Promise<boolean> {
  const [inside, covering] = await Promise.all(['root', 'match'].map((how) => run(['ip', '-4', 'route', 'show', 'table', 'all', how, net])));
  return `${inside}${covering}`.split('\n').some((line) => line.trim() !== '' && !line.startsWith('default'));
}

async function pickClientNet(): Promise<string> {
  if (await isRouted(WAN.net)) throw new Error(`${WAN.net} is already routed in the root namespace`);
  for (const net of CLIENT_NETS) if (!(await isRouted(`${net}.0/24`))) return net;
  throw new Error(`all of ${CLIENT_NETS.join(', ')} are routed in the root namespace`);
}

/** $1 client ns, $2 gateway ns, $3 client veth, $4 gateway LAN veth, $5 gateway WAN veth, $6 root veth,
 * $7 client MAC, $8 client net (a.b.c), $9 extra /etc/hosts lines for the client. */
const NETWORK = String.raw`set -e
ip netns add $1; ip netns add $2
ip link add $3 netns $1 address $7 type veth peer name $4 netns $2
ip link add $6 type veth peer name $5 netns $2
ip -n $1 addr add $8.10/24 dev $3; ip -n $2 addr add $8.1/24 dev $4; ip -n $2 addr add ${WAN.gateway}/24 dev $5
ip addr add ${INTERNET_IP}/24 dev $6
for l in lo $3; do ip -n $1 link set $l up; done; for l in lo $4 $5; do ip -n $2 link set $l up; done; ip link set $6 up
ip route add $8.0/24 via ${WAN.gateway} dev $6
ip -n $1 route add default via $8.1; ip -n $2 route add default via ${INTERNET_IP}
ip netns exec $2 sysctl -qw net.ipv4.ip_forward=1
# openNDS exits unless its default gateway's ARP entry is REACHABLE, STALE or DELAY (libopennds.sh gatewayroute),
# and it checks again while running: make one now, and keep it REACHABLE a day, never in PROBE (seen under load).
ip netns exec $2 sysctl -qw net.ipv4.neigh.$5.base_reachable_time_ms=86400000
ip netns exec $2 curl -s -o /dev/null -m 2 http://${INTERNET_IP}:9/ || true
# ip netns exec bind-mounts /etc/netns/<ns>/hosts over /etc/hosts: the client resolves the gateway's extra names.
if [ -n "$9" ]; then mkdir -p /etc/netns/$1; { cat /etc/hosts; printf '%s' "$9"; } > /etc/netns/$1/hosts; fi`;

/**
 * pid 1 of the gateway's pid namespace ($1 = run dir): /etc is an overlay holding our opennds.conf, hosts and
 * CA bundle, /tmp and /run are private. It stops openNDS when our stdin closes (the test process ended, even by
 * a crash); when it exits the kernel kills everything left in the namespace (authmon, scripts).
 */
const GATEWAY_INIT = String.raw`set -e
up="$1/mnt/upper"; mkdir -p "$1/mnt"; mount -t tmpfs passby-lab "$1/mnt"; mkdir -p "$up/opennds" "$1/mnt/work"
printf '%s' "$OPENNDS_CONF" > "$up/opennds/opennds.conf"; { cat /etc/hosts; printf '%s' "$EXTRA_HOSTS"; } > "$up/hosts"
# authmon POSTs with PHP's https stream, which verifies against the system bundle.
bundle=ssl/certs/ca-certificates.crt; if [ -n "$TRUSTED_CA" ]; then mkdir -p "$up/ssl/certs"; { cat /etc/$bundle; printf '\n%s\n' "$TRUSTED_CA"; } > "$up/$bundle"; fi
mount -t overlay passby-lab-etc -o "lowerdir=/etc,upperdir=$up,workdir=$1/mnt/work" /etc
mount -t tmpfs passby-lab-tmp /tmp; mount -t tmpfs passby-lab-run /run; mkdir -p /run/tmpfiles.d ${GATEWAY_BIN}
for t in "" -save -restore; do ln -s "$(command -v iptables-legacy$t)" ${GATEWAY_BIN}/iptables$t; done
# The watchdog checks its chains with nft, blind to legacy ones: it would retry 4 s, then "systemctl restart opennds".
printf '#!/bin/sh\ncase "$*" in *"list chain ip filter nds"*) echo "chain nds {}";; *) exec %s "$@";; esac\n' "$(command -v nft || command -v false)" > ${GATEWAY_BIN}/nft
chmod +x ${GATEWAY_BIN}/nft; ln -s "$(command -v true)" ${GATEWAY_BIN}/systemctl # dnsconfig.sh restarts dnsmasq with it too
printf '%s\n' "$LEASE" > /tmp/dhcp.leases; export PATH=${GATEWAY_BIN}:$PATH
opennds -f -d "$DEBUG_LEVEL" -c /etc/opennds/opennds.conf </dev/null & nds=$!
exec 3<&0; cat <&3 >/dev/null &
wait -n || true
kill -TERM $nds 2>/dev/null && wait $nds || true`;

function openndsConfig(options: OpenndsLabOptions, lanIf: string, gatewayName: string, faskey: string | undefined): string {
  // No serial-number suffix, so the gateway name (and level 3's gatewayhash) is exactly what the test chose.
  const lines = [`GatewayInterface ${lanIf}`, `GatewayName ${gatewayName}`, 'GatewayPort 2050', 'enable_serial_number_suffix 0'];
  if (options.fasPort === undefined) lines.push('login_option_enabled 1');
  else lines.push('login_option_enabled 0', `fas_secure_enabled ${options.fasLevel}`, `fasport ${options.fasPort}`);
  if (options.fasPort !== undefined) lines.push(`fasremoteip ${options.fasRemoteIp ?? INTERNET_IP}`, `faspath ${options.fasPath ?? '/'}`);
  if (options.fasRemoteFqdn !== undefined) lines.push(`fasremotefqdn ${options.fasRemoteFqdn}`);
  if (faskey !== undefined) lines.push(`faskey ${faskey}`);
  const rules = ['udp port 53', 'tcp port 53', 'udp port 67', 'tcp port 80'].map((rule) => `    FirewallRule allow ${rule}`);
  return [...lines, ...(options.extraConfig ?? []), 'FirewallRuleSet users-to-router {', ...rules, '}', ''].join('\n');
}

const hostLines = (hosts: Record<string, string> = {}): string => Object.entries(hosts).map(([name, ip]) => `${ip} ${name}\n`).join('');

async function waitUntil<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; ; ) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** Labs a test forgot to stop are torn down when the process exits. */
const unstopped = new Set<OpenndsLab>();
process.once('exit', () => unstopped.forEach((lab) => lab.teardown()));

export class OpenndsLab {
  private readonly id = randomBytes(2).toString('hex'); // names are pbl<id>-*: unique per run, <= 15 chars
  readonly internetIp = INTERNET_IP;
  readonly namespaces = { client: `pbl${this.id}-c`, gateway: `pbl${this.id}-g` };
  readonly clientMac = `02:00:5e:${this.id.slice(0, 2)}:${this.id.slice(2)}:10`;
  readonly gatewayName: string;
  readonly faskey: string | undefined;
  clientIp = '';
  gatewayLanIp = '';
  private readonly links = { client: `pbl${this.id}-c0`, lan: `pbl${this.id}-g0`, wan: `pbl${this.id}-g1`, root: `pbl${this.id}-i0` };
  private readonly runDir = mkdtempSync(RUN_DIR_PREFIX);
  private readonly output: string[] = [];
  private gateway: ChildProcessWithoutNullStreams | undefined;
  private initPid = 0;
  private createdNetnsDir = false;

  constructor(private readonly options: OpenndsLabOptions, private readonly lock: ChildProcessWithoutNullStreams) {
    this.gatewayName = options.gatewayName ?? `passby-lab-${this.id}`;
    this.faskey = options.faskey ?? (options.fasPort === undefined ? undefined : randomBytes(16).toString('hex'));
    unstopped.add(this);
  }

  exec(cmd: string[], where: 'client' | 'gateway'): Promise<ExecResult> {
    return where === 'client'
      ? execCommand(['ip', 'netns', 'exec', this.namespaces.client, ...cmd])
      : execCommand(['nsenter', '-t', String(this.initPid), '-m', '-n', '-p', '--', ...cmd], `${GATEWAY_BIN}:`);
  }

  /** curl in the client netns with these extra args (-L follows redirects); throws when curl itself fails. */
  async curl(args: string[]): Promise<CurlResult> {
    const file = join(this.runDir, `curl-${randomBytes(4).toString('hex')}.body`);
    const result = await this.exec(['curl', '-sS', '--max-time', '15', '-o', file, '-w', '%{json}\n%{header_json}', ...args], 'client');
    if (result.code !== 0) throw new Error(`curl ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}\n${this.logs().slice(-3000)}`);
    const [summary = '{}', ...headerJson] = result.stdout.split('\n');
    const { http_code: status, url_effective: effectiveUrl } = JSON.parse(summary) as { http_code: number; url_effective: string };
    const headers = Object.entries(JSON.parse(headerJson.join('\n')) as Record<string, string[]>).map(([k, v]) => [k, v.join(', ')]);
    const body = existsSync(file) ? readFileSync(file, 'utf8') : '';
    return { status, headers: Object.fromEntries(headers) as Record<string, string>, body, effectiveUrl };
  }

  /** ndsctl prints "locked" instead of JSON while authmon or another ndsctl holds its lock: retried. */
  ndsctlJson(): Promise<NdsctlJson> {
    return waitUntil('ndsctl json', 10_000, async () => {
      const { stdout } = await this.exec(['ndsctl', 'json'], 'gateway');
      return stdout.trimStart().startsWith('{') ? (JSON.parse(stdout) as NdsctlJson) : undefined;
    });
  }

  async deauth(mac = this.clientMac): Promise<void> {
    const { code, stdout, stderr } = await this.exec(['ndsctl', 'deauth', mac], 'gateway');
    if (code !== 0) throw new Error(`ndsctl deauth ${mac} failed: ${stdout}${stderr}`);
  }

  /** Our client's state ('Preauthenticated', 'Authenticated'); undefined when openNDS does not list it. */
  async clientState(): Promise<string | undefined> {
    return (await this.ndsctlJson()).clients?.[this.clientMac]?.state;
  }

  /** openNDS's output so far, minus the noise its scripts print on every call: attach it to assertions. */
  logs(): string {
    return this.output.join('').split('\n').filter((line) => !/^(pgrep: pattern|Try `pgrep -f'|logger: socket)/.test(line)).join('\n');
  }

  async start(): Promise<void> {
    await run(['sh', '-c', SWEEP, 'sweep', this.runDir]);
    const net = await pickClientNet();
    [this.clientIp, this.gatewayLanIp] = [`${net}.10`, `${net}.1`];
    const { namespaces: ns, links, options } = this;
    this.createdNetnsDir = options.hosts !== undefined && !existsSync('/etc/netns');
    await run(['sh', '-c', NETWORK, 'network', ns.client, ns.gateway, links.client, links.lan, links.wan, links.root, this.clientMac, net, hostLines(options.hosts)]);
    await this.launchGateway();
  }

  /** Spawns openNDS in the lab's netns with fresh state (new /etc overlay, /tmp, /run); resolves once it intercepts the client. */
  async launchGateway(): Promise<void> {
    const { namespaces: ns, links, options } = this;
    const config = openndsConfig(options, links.lan, this.gatewayName, this.faskey);
    // openNDS only serves clients holding a DHCP lease; it greps /tmp/dhcp.leases (dnsmasq format).
    const lease = `${Math.floor(Date.now() / 1000) + 86_400} ${this.clientMac} ${this.clientIp} passby-client *`;
    const unshare = ['unshare', '--mount', '--pid', '--kill-child', '--mount-proc', '--propagation', 'private'];
    const child = spawn('ip', ['netns', 'exec', ns.gateway, ...unshare, 'bash', '-c', GATEWAY_INIT, 'gateway', this.runDir], {
      env: { ...process.env, PATH, LEASE: lease, DEBUG_LEVEL: String(options.debugLevel ?? 2), OPENNDS_CONF: config, EXTRA_HOSTS: hostLines(options.hosts), TRUSTED_CA: options.trustedCaPem ?? '' },
    });
    this.gateway = child;
    child.unref();
    child.stdout.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    const children = `/proc/${child.pid ?? 0}/task/${child.pid ?? 0}/children`;
    this.initPid = await waitUntil('the gateway pid namespace', 10_000, () => Number(readFileSync(children, 'utf8').split(' ')[0]) || undefined);
    // Interception is the only readiness sign we trust: ndsctl answers earlier, and `ndsctl status` runs openNDS's
    // uplink check in a second thread, racing its SIGCHLD handling: it made openNDS exit ("Unable to get routing
    // configuration") under load. Until the rules are in, the client is forwarded to nothing or gets 403; the
    // probe does not follow the redirect, so it visits nothing.
    await waitUntil('openNDS to intercept the client', 30_000, async () => {
      if (child.exitCode !== null) throw new Error('openNDS exited during start-up');
      const probe = await this.curl(['--max-time', '2', `http://${INTERNET_IP}/`]).catch(() => undefined);
      return probe !== undefined && probe.status >= 300 && probe.status < 400 ? true : undefined;
    });
  }

  async stop(): Promise<void> {
    if (!unstopped.has(this)) return;
    await this.stopGateway();
    this.teardown();
  }

  /** Stops openNDS (SIGTERM: it removes its firewall rules), else kills it; its pid and mount namespaces go with it. */
  async stopGateway(): Promise<void> {
    const gateway = this.gateway;
    const running = (): boolean => gateway !== undefined && gateway.exitCode === null && gateway.signalCode === null;
    if (gateway === undefined || !running()) return;
    const exited = once(gateway, 'exit');
    gateway.stdin.end(); // GATEWAY_INIT then stops openNDS with SIGTERM
    await Promise.race([exited, sleep(5_000, undefined, { ref: false })]);
    if (running()) gateway.kill('SIGKILL'); // unshare --kill-child takes the pid namespace with it
    await exited;
  }

  /** Synchronous, so the process 'exit' hook can run it too. */
  teardown(): void {
    unstopped.delete(this);
    this.gateway?.kill('SIGKILL'); // unshare --kill-child takes the gateway's pid namespace with it
    // Deleting the root end removes its peer at once; the namespaces take their own veths with them.
    const deletions = [['link', 'del', this.links.root], ['netns', 'del', this.namespaces.client], ['netns', 'del', this.namespaces.gateway]];
    deletions.forEach((args) => spawnSync('ip', args, { stdio: 'ignore', env: { PATH } })); // harmless when never created
    rmSync(join('/etc/netns', this.namespaces.client), { recursive: true, force: true });
    if (this.createdNetnsDir) spawnSync('rmdir', ['/etc/netns'], { stdio: 'ignore' }); // only when empty
    rmSync(this.runDir, { recursive: true, force: true });
    this.lock.stdin.end();
  }
}

export async function startOpenndsLab(options: OpenndsLabOptions): Promise<OpenndsLab> {
  const lab = new OpenndsLab(options, await acquireLock());
  try {
    await lab.start();
    return lab;
  } catch (error) {
    await lab.stop();
    throw new Error(`openNDS lab failed to start: ${(error as Error).message}\n--- openNDS output ---\n${lab.logs().slice(-6000)}`, { cause: error });
  }
}
