/** The broker's data directory: its server.properties and its KRaft storage, formatted once. */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { javaBinary, jvmBaseArgs, JAVA_HINT } from './kafka-jvm.js';
import { runCommand, withOutput } from './run-command.js';

/** Writes <dataDir>/server.properties for a single node that is broker and controller on 127.0.0.1, and returns its path. */
export async function writeServerProperties(dataDir: string, brokerPort: number, controllerPort: number): Promise<string> {
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
  const path = join(dataDir, 'server.properties');
  const lines = Object.entries(props).map(([key, value]) => `${key}=${String(value)}`);
  await writeFile(path, `# written by shiftwatch src/infra/kafka-storage.ts\n${lines.join('\n')}\n`);
  return path;
}

/**
 * Formats the KRaft storage under <dataDir>/kraft-data with a new cluster id, unless a kept data
 * dir already has it. Returns whether it formatted.
 */
export async function formatStorageIfNeeded(libs: string, dataDir: string, propsFile: string, timeoutMs: number): Promise<boolean> {
  if (existsSync(join(dataDir, 'kraft-data', 'meta.properties'))) return false;
  const format = await runCommand(
    javaBinary(),
    // A short-lived tool: C1 only and the serial collector start it ~40% faster.
    ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', ...jvmBaseArgs(libs, dataDir), 'kafka.tools.StorageTool', 'format', '--cluster-id', clusterId(), '--config', propsFile, '--ignore-formatted'],
    { cwd: dataDir, timeoutMs },
  );
  if (format.error || format.code !== 0) {
    const why = format.error ? `could not run ${javaBinary()}: ${format.error.message} (${JAVA_HINT})` : `exit code ${format.code}`;
    throw new Error(`formatting Kafka storage in ${dataDir} failed: ${why}${withOutput(format.output)}`);
  }
  return true;
}

/** A Kafka cluster id: 16 random bytes, base64url without padding, not starting with '-' (as Uuid.randomUuid does). */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
