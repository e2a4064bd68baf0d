/**
 * A real single-node Apache Kafka broker (KRaft, broker+controller in one JVM) on 127.0.0.1,
 * for the demo, the integration tests and CI. Nothing is mocked: the broker jars come from
 * Maven Central through deploy/kafka/pom.xml and run under the local `java` (17+).
 *
 *   const kafka = await startLocalKafka();
 *   // ... kafka.brokers is ['127.0.0.1:NNNNN']
 *   await kafka.stop();
 *
 * The pieces: kafka-paths.ts (checkout, pinned version, cache dir), kafka-jar-cache.ts (the jars),
 * kafka-storage.ts (server.properties, storage format), kafka-broker-process.ts (the JVM: start,
 * readiness in kafka-readiness.ts, stop), parent-death-watcher.ts (no JVM outlives a killed parent).
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startBroker, type LocalKafka } from './kafka-broker-process.js';
import { ensureKafkaJars } from './kafka-jar-cache.js';
import { PortTakenError } from './kafka-readiness.js';

export { ensureKafkaJars } from './kafka-jar-cache.js';
export type { LocalKafka } from './kafka-broker-process.js';
export { defaultCacheDir, kafkaVersion, repoRoot } from './kafka-paths.js';

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
  /**
   * The broker's port; default a free one. With a kept `dataDir`, a broker stopped (or killed) and
   * started again with the same port comes back at the same address with its topics and offsets.
   */
  brokerPort?: number;
}

const DEFAULT_HEAP_MB = 512;
const DEFAULT_READY_TIMEOUT_MS = 90_000;
/** Tries, each on new random ports, when another process takes a port between the probe and the broker's bind. */
const START_ATTEMPTS = 3;

/**
 * Starts a single-node KRaft broker on 127.0.0.1 (random free ports) and resolves once an admin
 * client gets answers from it. Fetches the jars first if the cache does not have them.
 */
export async function startLocalKafka(options: LocalKafkaOptions = {}): Promise<LocalKafka> {
  const log = options.log ?? ((): void => {});
  const heapMb = options.heapMb ?? DEFAULT_HEAP_MB;
  if (!Number.isInteger(heapMb) || heapMb < 128) throw new Error(`heapMb must be an integer >= 128, got ${heapMb}`);

  const libs = await ensureKafkaJars({ cacheDir: options.cacheDir, log });
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir === undefined ? await mkdtemp(join(tmpdir(), 'shiftwatch-kafka-')) : resolve(options.dataDir);
  await mkdir(join(dataDir, 'logs'), { recursive: true });
  const deadline = Date.now() + (options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startBroker({ libs, dataDir, ownsDataDir, heapMb, deadline, log, ...(options.brokerPort === undefined ? {} : { brokerPort: options.brokerPort }) });
    } catch (error) {
      // A fixed port may still be held by the broker that just stopped: wait for it until the deadline.
      const retry = options.brokerPort === undefined ? attempt < START_ATTEMPTS : Date.now() + 1000 < deadline;
      if (error instanceof PortTakenError && retry) {
        log(options.brokerPort === undefined ? 'port taken before the broker could bind it; retrying with new ports' : `port ${options.brokerPort} (or the controller's) is taken; retrying`);
        if (options.brokerPort !== undefined) await new Promise((resolve) => setTimeout(resolve, 1000));
        continue;
      }
      if (ownsDataDir && error instanceof Error) error.message += `\n(broker data dir kept for inspection: ${dataDir})`;
      throw error;
    }
  }
}
