/**
 * One start of the broker JVM on fresh random ports, in a prepared data dir: spawn, wait until it
 * answers, and the stop() that ends it (SIGTERM, then SIGKILL after 15 s). The JVM is also killed
 * when this process exits, and by the parent-death watcher when this process is killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { freePorts } from './free-ports.js';
import { javaBinary, jvmBaseArgs } from './kafka-jvm.js';
import { waitUntilReady } from './kafka-readiness.js';
import { formatStorageIfNeeded, writeServerProperties } from './kafka-storage.js';
import { superviseChild } from './supervised-child.js';
import { tail } from './run-command.js';

/** A running local broker: what startLocalKafka (local-kafka.ts) hands its callers. */
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

const STOP_GRACE_MS = 15_000;

export interface BrokerStart {
  libs: string;
  dataDir: string;
  /** The data dir is ours: removed on stop() and when this process exits. */
  ownsDataDir: boolean;
  heapMb: number;
  /** Epoch ms by which storage format and broker start must be done. */
  deadline: number;
  log: (line: string) => void;
  /** A fixed broker port (the controller's stays random); default a free one. */
  brokerPort?: number;
}

export async function startBroker({ libs, dataDir, ownsDataDir, heapMb, deadline, log, ...fixed }: BrokerStart): Promise<LocalKafka> {
  const started = Date.now();
  const [brokerPort, controllerPort] = fixed.brokerPort === undefined ? await freePorts(2) : [fixed.brokerPort, ...(await freePorts(1))];
  const propsFile = await writeServerProperties(dataDir, brokerPort!, controllerPort!);
  const serverLog = join(dataDir, 'logs', 'server.log');
  const consoleLog = join(dataDir, 'logs', 'broker-console.log');
  const logTail = await logTailSinceNow([serverLog, consoleLog]);

  const formatStarted = Date.now();
  if (await formatStorageIfNeeded(libs, dataDir, propsFile, Math.max(1_000, deadline - Date.now()))) {
    log(`formatted KRaft storage in ${((Date.now() - formatStarted) / 1000).toFixed(1)} s`);
  }

  const out = openSync(consoleLog, 'a');
  let child: ChildProcess;
  try {
    child = spawn(
      javaBinary(),
      [`-Xms${heapMb}m`, `-Xmx${heapMb}m`, '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-XX:InitiatingHeapOccupancyPercent=35', '-XX:+ExplicitGCInvokesConcurrent', ...jvmBaseArgs(libs, dataDir), 'kafka.Kafka', propsFile],
      { cwd: dataDir, stdio: ['ignore', out, out] },
    );
  } finally {
    closeSync(out);
  }
  const supervised = superviseChild(child, { dataDir, ownsDataDir, graceMs: STOP_GRACE_MS });
  const { exited } = supervised;

  const brokers = [`127.0.0.1:${brokerPort}`];
  try {
    await waitUntilReady(brokers, exited, deadline, logTail);
  } catch (error) {
    await supervised.kill();
    throw error;
  }
  log(`Kafka broker ready on ${brokers.join(',')} (pid ${child.pid}) in ${((Date.now() - started) / 1000).toFixed(1)} s; logs in ${join(dataDir, 'logs')}`);

  return {
    brokers,
    dataDir,
    pid: child.pid!,
    exited: exited.then(({ code, signal }) => ({ code, signal })),
    stop: supervised.stop,
  };
}

/**
 * A function returning the last lines each log file got from now on, for error messages: a kept
 * data dir accumulates logs across runs, and only this start's lines explain this start.
 */
async function logTailSinceNow(paths: string[]): Promise<() => Promise<string>> {
  const offsets = await Promise.all(paths.map((path) => stat(path).then((info) => info.size, () => 0)));
  return async () => {
    const parts = await Promise.all(paths.map(async (path, i) => {
      const text = await readFile(path).then((data) => data.subarray(offsets[i]).toString('utf8'), () => '');
      const lines = tail(text, 30);
      return lines && `${path}:\n${lines}`;
    }));
    return parts.filter(Boolean).join('\n') || '(broker logs are empty)';
  };
}
