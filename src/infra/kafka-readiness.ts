/** Waits until a starting broker answers an admin client, or explains why it never will. */
import { Kafka, logLevel } from 'kafkajs';
import { JAVA_HINT, javaBinary } from './kafka-jvm.js';

export interface JvmExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the JVM could not be started at all. */
  error?: Error;
}

/** The broker exited during startup because a port it was given had been taken meanwhile: worth retrying with new ports. */
export class PortTakenError extends Error {}

/**
 * Resolves once the broker at `brokers` describes a cluster with itself in it, lists topics and
 * finds a group coordinator. Rejects when the JVM exits first (PortTakenError if its log shows a
 * bind failure) or at `deadline`; the error carries `logTail()`.
 */
export async function waitUntilReady(brokers: string[], exited: Promise<JvmExit>, deadline: number, logTail: () => Promise<string>): Promise<void> {
  const kafka = new Kafka({
    clientId: 'shiftwatch-local-kafka-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 3_000,
    retry: { retries: 0 },
  });
  let exit: JvmExit | undefined;
  void exited.then((value) => {
    exit = value;
  });
  let lastError = 'no answer yet';
  while (Date.now() < deadline && !exit) {
    const admin = kafka.admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      await admin.listTopics();
      if (cluster.brokers.length > 0) {
        // Finding a group coordinator makes the broker create __consumer_offsets; doing it here
        // spares the first consumer group a round of GROUP_COORDINATOR_NOT_AVAILABLE errors.
        await admin.describeGroups(['shiftwatch-local-kafka-probe']);
        return;
      }
      lastError = 'cluster has no brokers yet';
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    } finally {
      await admin.disconnect().catch(() => {});
    }
    await Promise.race([new Promise((ok) => setTimeout(ok, 250).unref()), exited]);
  }

  const logs = await logTail();
  if (exit?.error) throw new Error(`could not start ${javaBinary()}: ${exit.error.message} (${JAVA_HINT})`);
  if (exit) {
    const message = `Kafka broker exited during startup (code ${exit.code}, signal ${exit.signal}); log tail:\n${logs}`;
    throw /BindException|Address already in use/.test(logs) ? new PortTakenError(message) : new Error(message);
  }
  throw new Error(`Kafka broker on ${brokers.join(',')} not ready in time (last probe: ${lastError}); log tail:\n${logs}`);
}
