/**
 * The detector contract's restart check through the real broker: every registered detector, on its
 * contract fixture's scripted stream (test/support/contract-streams.ts), is checkpointed with the
 * service's record encoding to a compacted state topic, read back by the startup reader
 * (`readCheckpoints`), restored into detectors built from the bundle read back from JSON, and run
 * on; twice, the second restart while the episode resolves. Its results, alerts and states from the
 * first restart on must be byte-identical to the uninterrupted run's.
 * (The same restarts through the text codec alone: test/unit/detectors/contract.spec.ts.)
 */
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { DETECTOR_REGISTRY } from '../../src/core/detectors/registry.js';
import type { DetectorName } from '../../src/core/detectors/contract.js';
import { encodeCheckpoint, ensureStateTopic, readCheckpoints } from '../../src/kafka/checkpoint-store.js';
import { allScripted, restartedRuns, RESTART_AT, scripted, type CheckpointCarrier, type Scripted } from '../support/contract-streams.js';
import { firstDifference, traceJson, type WindowTrace } from '../support/detector-runs.js';
import { randomName, testBrokers } from '../support/kafka-env.js';

const NAMES: DetectorName[] = DETECTOR_REGISTRY.map((f) => f.name);

describe('detector state through the broker', () => {
  const kafka = new Kafka({ clientId: randomName('contract'), brokers: testBrokers(), logLevel: logLevel.NOTHING });
  const topic = randomName('detector-state');
  let streams: Scripted[];
  let resumed: Map<string, WindowTrace[]>;
  let recordsRead = 0;

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureStateTopic(admin, topic);
    } finally {
      await admin.disconnect();
    }
    const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    // Each restart: every stream's checkpoint produced as the service produces it, then the whole topic read back as at startup.
    const throughKafka: CheckpointCarrier = async (written) => {
      await producer.send({ topic, messages: written.map((c) => encodeCheckpoint(c)) });
      const read = await readCheckpoints(kafka, topic);
      recordsRead = read.size;
      return [...read.values()];
    };
    try {
      streams = await allScripted();
      const traces = await restartedRuns(streams, RESTART_AT, throughKafka);
      resumed = new Map(streams.map((s, k) => [s.key, traces[k]!]));
    } finally {
      await producer.disconnect();
    }
    const admin2 = kafka.admin();
    await admin2.connect();
    await admin2.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin2.disconnect();
  }, 300_000);

  it('reads back one checkpoint per stream (the latest wins on the compacted topic)', () => {
    expect(recordsRead).toBe(streams.length);
  });

  it.each(NAMES)('%s: restarted twice from the state topic, it continues byte-identically', async (name) => {
    const stream = await scripted(name);
    const trace = resumed.get(stream.key)!;
    expect(trace.filter((w) => w[name]?.result.tested).length).toBeGreaterThan(0);
    expect(firstDifference(traceJson(trace, name), traceJson(stream.run.trace.slice(RESTART_AT[0]), name))).toBeUndefined();
  });
});
