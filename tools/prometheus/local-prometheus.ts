/**
 * A real Prometheus server (Debian's `prometheus` 2.42) on 127.0.0.1, for the integration tests
 * and the dashboard picture: a free port, a fresh TSDB in a temp dir and a generated config that
 * scrapes the given targets every second. Never the system service the Debian package may run.
 *
 *   const prom = await startLocalPrometheus({ targets: ['127.0.0.1:9464'] });
 *   await prom.waitForScrape(Date.now() / 1000);
 *   const samples = await prom.api.query('shiftwatch_build_info');
 *   await prom.stop();
 *
 * Like the local Kafka broker (kafka-broker-process.ts), the server is killed when this process
 * exits and, through parent-death-watcher.ts, when this process is killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { waitFor } from '../../src/demo/wait.js';
import { freePorts } from '../../src/infra/free-ports.js';
import { superviseChild } from '../../src/infra/supervised-child.js';
import { prometheusApi, type PrometheusApi } from './prometheus-api.js';
import { findPrometheusTools, PROMETHEUS_HINT, type PrometheusTools } from './prometheus-tools.js';
import { tail } from '../../src/infra/run-command.js';

export interface LocalPrometheusOptions {
  /** `host:port` of each endpoint to scrape (path `metricsPath`). */
  targets: readonly string[];
  /** The scrape job's name, i.e. the `job` label of every scraped series; default `shiftwatch`. */
  job?: string;
  metricsPath?: string;
  /** Scrape (and rule evaluation) interval; default 1 s. The scrape timeout is the same. */
  scrapeIntervalSeconds?: number;
  /** Where the config, the TSDB and the log go. Kept on stop() when given; a fresh temp dir (removed on stop()) otherwise. */
  dataDir?: string;
  /** The binaries; default: found on PATH or in /usr/bin. */
  tools?: PrometheusTools;
  /** How long start-up may take; default 30 000 ms. */
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

export interface LocalPrometheus {
  /** e.g. http://127.0.0.1:40123 */
  readonly url: string;
  readonly api: PrometheusApi;
  readonly job: string;
  readonly pid: number;
  readonly dataDir: string;
  readonly configFile: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /**
   * Resolves once every target of the job has been scraped at or after `time` (epoch seconds),
   * i.e. once queries see what the targets exported at that time. Returns that scrape's time.
   */
  waitForScrape(time: number, timeoutMs?: number): Promise<number>;
  /** The server's log so far (last lines), for error messages. */
  logTail(lines?: number): Promise<string>;
  /** SIGTERM, wait up to 10 s, then SIGKILL; removes the data dir unless the caller chose it. Idempotent. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 10_000;
const START_ATTEMPTS = 3;

/** The generated configuration: one job scraping `targets` every `interval` seconds. */
export function prometheusConfig(job: string, targets: readonly string[], interval: number, metricsPath = '/metrics'): string {
  const every = `${interval}s`;
  return stringify({
    global: { scrape_interval: every, scrape_timeout: every, evaluation_interval: every },
    scrape_configs: [{ job_name: job, metrics_path: metricsPath, static_configs: [{ targets: [...targets] }] }],
  });
}

export async function startLocalPrometheus(options: LocalPrometheusOptions): Promise<LocalPrometheus> {
  if (options.targets.length === 0) throw new Error('startLocalPrometheus needs at least one target to scrape');
  const tools = options.tools ?? findPrometheusTools();
  if (!tools) throw new Error(`prometheus not found on PATH or in /usr/bin: ${PROMETHEUS_HINT}`);
  const interval = options.scrapeIntervalSeconds ?? 1;
  const job = options.job ?? 'shiftwatch';
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir === undefined ? await mkdtemp(join(tmpdir(), 'shiftwatch-prometheus-')) : resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const configFile = join(dataDir, 'prometheus.yml');
  await writeFile(configFile, prometheusConfig(job, options.targets, interval, options.metricsPath));
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce({ tools, dataDir, ownsDataDir, configFile, job, interval, deadline, log: options.log ?? ((): void => {}) });
    } catch (error) {
      if (error instanceof PortTakenError && attempt < START_ATTEMPTS) continue;
      if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
      throw error;
    }
  }
}

/** Prometheus exited at start-up because another process took its port after we picked it. */
class PortTakenError extends Error {}

interface StartOnce {
  tools: PrometheusTools;
  dataDir: string;
  ownsDataDir: boolean;
  configFile: string;
  job: string;
  interval: number;
  deadline: number;
  log: (line: string) => void;
}

async function startOnce({ tools, dataDir, ownsDataDir, configFile, job, interval, deadline, log }: StartOnce): Promise<LocalPrometheus> {
  const started = Date.now();
  const [port] = await freePorts(1);
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(dataDir, 'prometheus.log');
  const out = openSync(logFile, 'w');
  let child: ChildProcess;
  try {
    child = spawn(tools.prometheus, [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dataDir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1d',
      // No console templates: the Debian defaults under /etc/prometheus are not ours to depend on.
      `--web.console.templates=${join(dataDir, 'consoles')}`,
      `--web.console.libraries=${join(dataDir, 'console_libraries')}`,
      '--log.level=warn',
    ], { cwd: dataDir, stdio: ['ignore', out, out] });
  } finally {
    closeSync(out);
  }
  const supervised = superviseChild(child, { dataDir, ownsDataDir, graceMs: STOP_GRACE_MS });
  const logTail = async (lines = 30): Promise<string> => tail(await readFile(logFile, 'utf8').catch(() => ''), lines) || '(the log is empty)';

  try {
    await waitFor(async () => {
      const exitState = supervised.exit();
      if (exitState) {
        const text = await logTail();
        if (/address already in use/i.test(text)) throw new PortTakenError(`port ${port} was taken`);
        const why = exitState.error ? exitState.error.message : `exit code ${exitState.code ?? exitState.signal}`;
        throw new Error(`prometheus exited during start-up (${why}); ${logFile}:\n${text}`);
      }
      if (Date.now() > deadline) throw new Error(`prometheus was not ready on ${url} within the start-up time; ${logFile}:\n${await logTail()}`);
      return fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false);
    }, Number.MAX_SAFE_INTEGER, `prometheus on ${url} to be ready`, 100);
  } catch (error) {
    await supervised.kill();
    throw error;
  }
  log(`Prometheus ready on ${url} (pid ${child.pid}) in ${((Date.now() - started) / 1000).toFixed(1)} s, scraping every ${interval} s; data in ${dataDir}`);

  const api = prometheusApi(url);
  return {
    url,
    api,
    job,
    pid: child.pid!,
    dataDir,
    configFile,
    exited: supervised.exited.then(({ code, signal }) => ({ code, signal })),
    logTail,
    async waitForScrape(time, timeoutMs = 30_000) {
      // `up` is written in the same commit as the samples of its scrape, so once the oldest target's
      // `up` carries a timestamp at or after `time`, queries see everything exported at `time`.
      let last = NaN;
      await waitFor(async () => {
        const exitState = supervised.exit();
        if (exitState) throw new Error(`prometheus exited (${exitState.code ?? exitState.signal}); ${logFile}:\n${await logTail()}`);
        const samples = await api.query(`min(timestamp(up{job=${JSON.stringify(job)}}))`);
        last = samples[0]?.value ?? NaN;
        return last >= time;
      }, timeoutMs, `a scrape of job ${job} at or after ${new Date(time * 1000).toISOString()}`, Math.min(250, interval * 250));
      return last;
    },
    stop: supervised.stop,
  };
}
