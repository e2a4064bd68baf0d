/**
 * A real single-node Apache Kafka broker (KRaft, broker+controller in one JVM) on 127.0.0.1,
 * for the demo, the integration tests and CI. Nothing is mocked: the broker jars come from
 * Maven Central through deploy/kafka/pom.xml and run under the local `java` (17+).
 *
 *   const kafka = await startLocalKafka();
 *   // ... kafka.brokers is ['127.0.0.1:NNNNN']
 *   await kafka.stop();
 *
 * Jars are cached per Kafka version under
 *   ${SHIFTWATCH_CACHE_DIR ?? $XDG_CACHE_HOME/shiftwatch ?? ~/.cache/shiftwatch}/kafka-<version>/libs
 * and the cache is only trusted when its marker file matches the current pom.xml.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, closeSync, openSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';

export interface LocalKafkaOptions {
  /** Root of the jar cache; default `$SHIFTWATCH_CACHE_DIR`, else `$XDG_CACHE_HOME/shiftwatch`, else `~/.cache/shiftwatch`. */
  cacheDir?: string;
  /** Where the broker keeps server.properties, its logs and its data. Kept on stop() when given; a fresh temp dir (removed on stop()) otherwise. */
  dataDir?: string;
  /** JVM heap (-Xms and -Xmx) in MiB; default 512. */
  heapMb?: number;
  /** Progress lines (jar download, broker ready, ...); default: silent. */
  log?: (line: string) => void;
  /** How long storage format + broker start may take before giving up; default 90 000 ms. Does not include the one-time jar download. */
  readyTimeoutMs?: number;
}

export interface LocalKafka {
  /** Bootstrap addresses, e.g. ['127.0.0.1:40123']. */
  readonly brokers: string[];
  readonly dataDir: string;
  /** PID of the broker JVM. */
  readonly pid: number;
  /** Settles when the broker JVM exits, whether through stop() or on its own (a crash). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, wait up to 15 s, then SIGKILL; removes the data dir unless the caller chose it. Idempotent. */
  stop(): Promise<void>;
}

const POM_RELATIVE = join('deploy', 'kafka', 'pom.xml');
const LOG4J_RELATIVE = join('deploy', 'kafka', 'log4j2.yaml');
const MARKER = '.complete';
const DEFAULT_HEAP_MB = 512;
const DEFAULT_READY_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 15_000;
const START_ATTEMPTS = 3;
const noop = (): void => {};

/** The repository root: the nearest directory holding deploy/kafka/pom.xml, searched upwards from this module, the working directory and the running script. */
export function repoRoot(): string {
  const starts: string[] = [];
  try {
    starts.push(dirname(fileURLToPath(import.meta.url)));
  } catch {
    // not loaded from a file: URL
  }
  starts.push(process.cwd());
  if (process.argv[1]) {
    try {
      starts.push(dirname(realpathSync(process.argv[1])));
    } catch {
      // script path gone or not a file
    }
  }
  for (const start of starts) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      if (existsSync(join(dir, POM_RELATIVE))) return dir;
      if (dirname(dir) === dir) break;
    }
  }
  throw new Error(`cannot find ${POM_RELATIVE} above ${starts.join(', ')}; run from inside the shiftwatch checkout`);
}

/** The Kafka version pinned in deploy/kafka/pom.xml (the `kafka.version` property). */
export function kafkaVersion(root: string = repoRoot()): string {
  const pom = readFileSync(join(root, POM_RELATIVE), 'utf8');
  const match = /<kafka\.version>\s*([^<\s]+)\s*<\/kafka\.version>/.exec(pom);
  if (!match) throw new Error(`${join(root, POM_RELATIVE)} has no <kafka.version> property`);
  return match[1]!;
}

/** Root of the shiftwatch cache: $SHIFTWATCH_CACHE_DIR, else $XDG_CACHE_HOME/shiftwatch, else ~/.cache/shiftwatch. */
export function defaultCacheDir(): string {
  const env = process.env;
  if (env.SHIFTWATCH_CACHE_DIR) return resolve(env.SHIFTWATCH_CACHE_DIR);
  if (env.XDG_CACHE_HOME) return resolve(env.XDG_CACHE_HOME, 'shiftwatch');
  return join(homedir(), '.cache', 'shiftwatch');
}

interface Marker {
  version: string;
  pomSha256: string;
  jars: string[];
  fetchedAt: string;
}

async function markerIsValid(versionDir: string, version: string, pomSha256: string): Promise<boolean> {
  let marker: Marker;
  try {
    marker = JSON.parse(await readFile(join(versionDir, MARKER), 'utf8')) as Marker;
  } catch {
    return false;
  }
  if (marker.version !== version || marker.pomSha256 !== pomSha256 || !Array.isArray(marker.jars) || marker.jars.length === 0) return false;
  return marker.jars.every((jar) => existsSync(join(versionDir, 'libs', jar)));
}

const jarFetches = new Map<string, Promise<string>>();

/**
 * Makes sure the broker jars for the pinned Kafka version are in the cache and returns the
 * directory holding them. The first call fetches them with Maven into a temporary directory
 * and renames it into place only once complete (marker file included), so an interrupted
 * download is never taken for a finished one; later calls only check the marker.
 */
export async function ensureKafkaJars(options: { cacheDir?: string; log?: (line: string) => void } = {}): Promise<string> {
  const cacheRoot = resolve(options.cacheDir ?? defaultCacheDir());
  const root = repoRoot();
  const version = kafkaVersion(root);
  const versionDir = join(cacheRoot, `kafka-${version}`);
  let pending = jarFetches.get(versionDir);
  if (!pending) {
    // Only in-flight fetches are shared; later calls re-check the marker (cheap) in case the cache was wiped.
    pending = fetchJars(root, version, cacheRoot, versionDir, options.log ?? noop);
    jarFetches.set(versionDir, pending);
    const forget = (): void => void jarFetches.delete(versionDir);
    pending.then(forget, forget);
  }
  return pending;
}

async function fetchJars(root: string, version: string, cacheRoot: string, versionDir: string, log: (line: string) => void): Promise<string> {
  const pomPath = join(root, POM_RELATIVE);
  const pomSha256 = createHash('sha256').update(readFileSync(pomPath)).digest('hex');
  const libs = join(versionDir, 'libs');
  if (await markerIsValid(versionDir, version, pomSha256)) return libs;

  await mkdir(cacheRoot, { recursive: true });
  await removeStaleTemps(cacheRoot, `.kafka-${version}.`);
  const temp = await mkdtemp(join(cacheRoot, `.kafka-${version}.tmp-`));
  try {
    log(`fetching Apache Kafka ${version} jars with Maven into ${versionDir} (first run only)`);
    const started = Date.now();
    const mvn = process.env.MVN ?? 'mvn';
    const result = await runCommand(mvn, ['-q', '-B', '-Dstyle.color=never', '-f', pomPath, 'dependency:copy-dependencies', `-DoutputDirectory=${join(temp, 'libs')}`]);
    if (result.error || result.code !== 0) {
      const why = result.error ? `could not run ${mvn}: ${result.error.message} (install Maven 3.6+ or set MVN)` : `${mvn} exited with ${result.code}`;
      throw new Error(`fetching Kafka ${version} jars failed: ${why}${withOutput(result.output)}`);
    }
    const jars = (await readdir(join(temp, 'libs'))).filter((name) => name.endsWith('.jar')).sort();
    if (!jars.some((jar) => jar.startsWith(`kafka_2.13-${version}`))) {
      throw new Error(`Maven finished but kafka_2.13-${version}.jar is not among the ${jars.length} jars in ${join(temp, 'libs')}`);
    }
    const marker: Marker = { version, pomSha256, jars, fetchedAt: new Date().toISOString() };
    await writeFile(join(temp, MARKER), JSON.stringify(marker, null, 2) + '\n');
    await chmod(temp, 0o755); // mkdtemp makes it 0700
    await moveIntoPlace(temp, versionDir, () => markerIsValid(versionDir, version, pomSha256));
    log(`fetched ${jars.length} jars in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return libs;
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/**
 * Renames a finished temp dir to its final name; if another process got there first with a valid
 * copy, keeps theirs. A stale copy is moved aside under a dot-name that removeStaleTemps sweeps up.
 */
async function moveIntoPlace(temp: string, final: string, finalIsValid: () => Promise<boolean>): Promise<void> {
  try {
    await rename(temp, final);
    return;
  } catch (error) {
    if (!isErrno(error, 'ENOTEMPTY') && !isErrno(error, 'EEXIST')) throw error;
  }
  if (await finalIsValid()) return;
  // An outdated or broken copy: move it aside first so the final name is never half-written.
  const stale = join(dirname(final), `.${basename(final)}.stale-${randomBytes(4).toString('hex')}`);
  await rename(final, stale);
  try {
    await rename(temp, final);
  } finally {
    await rm(stale, { recursive: true, force: true });
  }
}

async function removeStaleTemps(cacheRoot: string, prefix: string): Promise<void> {
  const hourAgo = Date.now() - 3_600_000;
  for (const name of await readdir(cacheRoot).catch(() => [] as string[])) {
    if (!name.startsWith(prefix)) continue;
    const path = join(cacheRoot, name);
    try {
      if ((await stat(path)).mtimeMs < hourAgo) await rm(path, { recursive: true, force: true });
    } catch {
      // raced with another cleaner
    }
  }
}

/** A port that was free on 127.0.0.1 a moment ago. */
async function freePort(): Promise<{ port: number; release: () => Promise<void> }> {
  const server = createServer();
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('could not read a free port');
  return { port: address.port, release: () => new Promise<void>((ok) => server.close(() => ok())) };
}

async function twoFreePorts(): Promise<[number, number]> {
  // Hold both at once so they differ.
  const a = await freePort();
  const b = await freePort();
  await Promise.all([a.release(), b.release()]);
  return [a.port, b.port];
}

/** A Kafka cluster id: 16 random bytes, base64url without padding, not starting with '-' (as Uuid.randomUuid does). */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function serverProperties(dataDir: string, brokerPort: number, controllerPort: number): string {
  const props: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    // Static voters (kraft.version 0): the voter endpoint is not written into the metadata log,
    // so a kept data dir can be restarted on different random ports.
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${brokerPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${brokerPort}`,
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': join(dataDir, 'kraft-data'),
    'num.partitions': 1,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'auto.create.topics.enable': true,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 10,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 4,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    'log.segment.bytes': 16 * 1024 * 1024,
    'log.retention.check.interval.ms': 60_000,
    'num.network.threads': 2,
    'num.io.threads': 4,
    'num.recovery.threads.per.data.dir': 1,
  };
  const lines = Object.entries(props).map(([key, value]) => `${key}=${String(value)}`);
  return `# written by shiftwatch src/infra/local-kafka.ts\n${lines.join('\n')}\n`;
}

function javaBinary(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

function jvmBaseArgs(libs: string, dataDir: string, root: string): string[] {
  return [
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${join(root, LOG4J_RELATIVE)}`,
    `-Dkafka.logs.dir=${join(dataDir, 'logs')}`,
    '-cp',
    join(libs, '*'),
  ];
}

/**
 * Starts a single-node KRaft broker on 127.0.0.1 (random free ports) and resolves once an admin
 * client gets answers from it. Fetches the jars first if the cache does not have them.
 */
export async function startLocalKafka(options: LocalKafkaOptions = {}): Promise<LocalKafka> {
  const log = options.log ?? noop;
  const heapMb = options.heapMb ?? DEFAULT_HEAP_MB;
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
  if (!Number.isInteger(heapMb) || heapMb < 128) throw new Error(`heapMb must be an integer >= 128, got ${heapMb}`);

  const root = repoRoot();
  const libs = await ensureKafkaJars({ cacheDir: options.cacheDir, log });
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = ownsDataDir ? await mkdtemp(join(tmpdir(), 'shiftwatch-kafka-')) : resolve(options.dataDir!);

  try {
    await mkdir(join(dataDir, 'logs'), { recursive: true });
    const deadline = Date.now() + readyTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await startOnce({ root, libs, dataDir, ownsDataDir, heapMb, deadline, log });
      } catch (error) {
        // Another process may have taken one of the ports between the probe and the bind.
        if (error instanceof PortTakenError && attempt < START_ATTEMPTS) {
          log(`port taken before the broker could bind it; retrying with new ports`);
          continue;
        }
        throw error;
      }
    }
  } catch (error) {
    if (ownsDataDir) {
      const suffix = `\n(broker data dir kept for inspection: ${dataDir})`;
      if (error instanceof Error) error.message += suffix;
    }
    throw error;
  }
}

class PortTakenError extends Error {}

interface StartContext {
  root: string;
  libs: string;
  dataDir: string;
  ownsDataDir: boolean;
  heapMb: number;
  deadline: number;
  log: (line: string) => void;
}

async function startOnce(ctx: StartContext): Promise<LocalKafka> {
  const { root, libs, dataDir, ownsDataDir, heapMb, deadline, log } = ctx;
  const started = Date.now();
  const [brokerPort, controllerPort] = await twoFreePorts();
  const propsFile = join(dataDir, 'server.properties');
  await writeFile(propsFile, serverProperties(dataDir, brokerPort, controllerPort));
  const serverLog = join(dataDir, 'logs', 'server.log');
  const consoleLog = join(dataDir, 'logs', 'broker-console.log');
  // Error tails show only what this attempt wrote (a kept data dir accumulates logs across runs).
  const serverLogStart = await fileSize(serverLog);
  const consoleLogStart = await fileSize(consoleLog);

  if (!existsSync(join(dataDir, 'kraft-data', 'meta.properties'))) {
    const formatStarted = Date.now();
    const format = await runCommand(
      javaBinary(),
      // A short-lived tool: C1 only and the serial collector start it ~40% faster.
      ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', ...jvmBaseArgs(libs, dataDir, root), 'kafka.tools.StorageTool', 'format', '--cluster-id', clusterId(), '--config', propsFile, '--ignore-formatted'],
      { cwd: dataDir, timeoutMs: Math.max(1_000, deadline - Date.now()) },
    );
    if (format.error || format.code !== 0) {
      const why = format.error ? `could not run ${javaBinary()}: ${format.error.message} (Kafka 4.1 needs Java 17+; set JAVA_HOME)` : `exit code ${format.code}`;
      throw new Error(`formatting Kafka storage in ${dataDir} failed: ${why}${withOutput(format.output)}`);
    }
    log(`formatted KRaft storage in ${((Date.now() - formatStarted) / 1000).toFixed(1)} s`);
  }

  const out = openSync(consoleLog, 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      javaBinary(),
      [`-Xms${heapMb}m`, `-Xmx${heapMb}m`, '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:InitiatingHeapOccupancyPercent=35', '-XX:+ExplicitGCInvokesConcurrent', ...jvmBaseArgs(libs, dataDir, root), 'kafka.Kafka', propsFile],
      { cwd: dataDir, stdio: ['ignore', out, out] },
    );
  } finally {
    closeSync(out);
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((done) => {
    child.once('exit', (code, signal) => done({ code, signal }));
    child.once('error', (error) => done({ code: null, signal: null, error }));
  });
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });

  // Nothing may outlive us: kill the JVM when this process exits normally, and leave a tiny
  // watchdog that does the same if this process is killed by a signal ('exit' does not run then).
  const onExit = (): void => {
    if (!hasExited) child.kill('SIGKILL');
    if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
  };
  process.on('exit', onExit);
  const watchdog = child.pid ? spawnWatchdog(child.pid, ownsDataDir ? dataDir : '') : undefined;

  const kill = async (): Promise<void> => {
    if (!hasExited) {
      child.kill('SIGTERM');
      const graceful = await Promise.race([exited.then(() => true), delay(STOP_GRACE_MS).then(() => false)]);
      if (!graceful) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    watchdog?.kill();
    process.removeListener('exit', onExit);
  };

  const brokers = [`127.0.0.1:${brokerPort}`];
  try {
    await waitUntilReady(brokers, exited, deadline, async () => {
      const serverTail = tail(await readFrom(serverLog, serverLogStart), 30);
      const consoleTail = tail(await readFrom(consoleLog, consoleLogStart), 30);
      const logs = [serverTail && `${serverLog}:\n${serverTail}`, consoleTail && `${consoleLog}:\n${consoleTail}`].filter(Boolean).join('\n');
      return logs || '(broker logs are empty)';
    });
  } catch (error) {
    await kill();
    throw error;
  }
  log(`Kafka broker ready on ${brokers.join(',')} (pid ${child.pid}) in ${((Date.now() - started) / 1000).toFixed(1)} s; logs in ${join(dataDir, 'logs')}`);

  let stopping: Promise<void> | undefined;
  return {
    brokers,
    dataDir,
    pid: child.pid!,
    exited: exited.then(({ code, signal }) => ({ code, signal })),
    stop: () => {
      stopping ??= (async () => {
        await kill();
        if (ownsDataDir) await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
      })();
      return stopping;
    },
  };
}

async function waitUntilReady(
  brokers: string[],
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>,
  deadline: number,
  logTail: () => Promise<string>,
): Promise<void> {
  const kafka = new Kafka({
    clientId: 'shiftwatch-local-kafka-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 3_000,
    retry: { retries: 0 },
  });
  let lastError = 'no answer yet';
  let exit: { code: number | null; signal: NodeJS.Signals | null; error?: Error } | undefined;
  void exited.then((value) => {
    exit = value;
  });

  while (Date.now() < deadline && !exit) {
    const admin = kafka.admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      await admin.listTopics();
      if (cluster.brokers.length === 0) {
        lastError = 'cluster has no brokers yet';
      } else {
        // Finding a group coordinator makes the broker create __consumer_offsets; doing it here
        // spares the first consumer group a round of GROUP_COORDINATOR_NOT_AVAILABLE errors.
        await admin.describeGroups(['shiftwatch-local-kafka-probe']);
        return;
      }
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    } finally {
      await admin.disconnect().catch(noop);
    }
    await Promise.race([delay(250), exited]);
  }

  const logs = await logTail();
  if (exit) {
    if (exit.error) throw new Error(`could not start ${javaBinary()}: ${exit.error.message} (Kafka 4.1 needs Java 17+; set JAVA_HOME)`);
    const message = `Kafka broker exited during startup (code ${exit.code}, signal ${exit.signal}); log tail:\n${logs}`;
    throw /BindException|Address already in use/.test(logs) ? new PortTakenError(message) : new Error(message);
  }
  throw new Error(`Kafka broker on ${brokers.join(',')} not ready in time (last probe: ${lastError}); log tail:\n${logs}`);
}

/**
 * A detached-from-our-fate helper: polls every 500 ms; if its parent (this process) is gone it
 * stops the JVM (TERM, then KILL after 10 s) and removes the owned data dir. It exits as soon as
 * the JVM is gone, and never keeps this process alive.
 */
function spawnWatchdog(javaPid: number, ownedDataDir: string): ChildProcess | undefined {
  const script = `
const javaPid = Number(process.argv[1]);
const dir = process.argv[2];
const parent = process.ppid;
const zombie = (pid) => { try { return /^\\d+ \\(.*\\) Z/s.test(require('node:fs').readFileSync('/proc/' + pid + '/stat', 'utf8')); } catch { return false; } };
const alive = (pid) => { try { process.kill(pid, 0); } catch (e) { return e.code === 'EPERM'; } return !zombie(pid); };
const timer = setInterval(() => {
  if (!alive(javaPid)) process.exit(0);
  if (process.ppid === parent) return;
  clearInterval(timer);
  try { process.kill(javaPid, 'SIGTERM'); } catch {}
  const until = Date.now() + 10000;
  setInterval(() => {
    if (alive(javaPid) && Date.now() < until) return;
    try { process.kill(javaPid, 'SIGKILL'); } catch {}
    if (dir) { try { require('node:fs').rmSync(dir, { recursive: true, force: true }); } catch {} }
    process.exit(0);
  }, 200);
}, 500);`;
  try {
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const watchdog = spawn(process.execPath, ['-e', script, String(javaPid), ownedDataDir], { stdio: 'ignore', env });
    watchdog.on('error', noop);
    watchdog.unref();
    return watchdog;
  } catch {
    return undefined;
  }
}

interface CommandResult {
  code: number | null;
  output: string;
  error?: Error;
}

function runCommand(command: string, args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
  return new Promise((done) => {
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-64_000);
    };
    const child = spawn(command, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = options.timeoutMs
      ? setTimeout(() => {
          output += `\n(killed after ${options.timeoutMs} ms)`;
          child.kill('SIGKILL');
        }, options.timeoutMs)
      : undefined;
    child.once('error', (error) => {
      if (timer) clearTimeout(timer);
      done({ code: null, output, error });
    });
    child.once('close', (code) => {
      if (timer) clearTimeout(timer);
      done({ code, output });
    });
  });
}

function tail(text: string, lines: number): string {
  // Maven -q still prints ANSI resets; drop escape sequences and blank lines.
  const clean = text.replace(/\u001b\[[0-9;]*m/g, '').split('\n').filter((line) => line.trim() !== '');
  return clean.slice(-lines).join('\n');
}

async function fileSize(path: string): Promise<number> {
  return stat(path).then((info) => info.size, () => 0);
}

async function readFrom(path: string, offset: number): Promise<string> {
  const text = await readFile(path).catch(() => Buffer.alloc(0));
  return text.subarray(offset).toString('utf8');
}

function withOutput(output: string): string {
  const lines = tail(output, 40);
  return lines ? `\n${lines}` : '';
}

function delay(ms: number): Promise<void> {
  return new Promise((ok) => setTimeout(ok, ms).unref());
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
