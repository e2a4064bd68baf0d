/**
 * Replicas in one consumer group over a 3-partition input topic: one active replica holds every
 * partition, the other stands by; when the active one is killed (SIGKILL), the standby takes over
 * from the committed positions and checkpoints. The alerts must be exactly those of one replica
 * running uninterrupted over the same topic (a fresh group): same ids, none lost, none duplicated.
 */
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createHarness, eventMessages, WINDOW, CLEAN, AMOUNT_SHIFT, COUNTRY_SHIFT, type Harness } from '../support/service-harness.js';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.js';
import { waitFor } from '../../src/demo/wait.js';
import type { ShiftwatchConfig } from '../../src/config/index.js';
import type { Alert } from '../../src/core/alerts/alert.js';
import { readTopicToEnd } from '../../src/kafka/topic-reader.js';
import { PIECE_HEADER } from '../../src/core/pipeline/summary-pieces.js';
import { encodePosition } from '../../src/core/window/partition-clocks.js';

const PARTITIONS = 3;
/** The summaries topic's max.message.bytes in the shared-replicas test: smaller than a window's record. */
const SMALL_RECORDS = 2048;
/** The transaction timeout of the dead replica in the fencing test: far longer than the test waits. */
const GHOST_TIMEOUT_MS = 180_000;
const STREAM = [CLEAN, CLEAN, CLEAN, AMOUNT_SHIFT, AMOUNT_SHIFT, AMOUNT_SHIFT, CLEAN, CLEAN, CLEAN, CLEAN, COUNTRY_SHIFT, COUNTRY_SHIFT, COUNTRY_SHIFT, CLEAN, CLEAN, CLEAN, CLEAN, CLEAN];

describe('replicas in one consumer group', () => {
  let h: Harness;
  /** The alert ids of one uninterrupted replica over the whole stream (set by the first test). */
  let baselineAlertIds: string[] = [];
  let dir: string;
  const running: ServiceProcess[] = [];
  beforeAll(async () => {
    h = await createHarness({ partitions: PARTITIONS });
    dir = await mkdtemp(join(tmpdir(), 'shiftwatch-replicas-'));
  });
  afterAll(async () => {
    for (const p of running) await p.kill('SIGKILL').catch(() => undefined);
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  const start = async (config: ShiftwatchConfig, name: string) => {
    const p = await startServiceProcess(config, join(dir, `${name}.yaml`));
    running.push(p);
    return p;
  };
  const gauge = async (p: ServiceProcess, name: string) => {
    const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(await (await fetch(`${p.url}/metrics`)).text());
    return match ? Number(match[1]) : Number.NaN;
  };
  async function committedTotal(groupId: string): Promise<number> {
    const admin = h.kafka.admin();
    await admin.connect();
    try {
      const [topic] = await admin.fetchOffsets({ groupId, topics: [h.config.kafka.topics.events] });
      return (topic?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    } finally {
      await admin.disconnect();
    }
  }
  const accepted = async (p: ServiceProcess) => Number(/^shiftwatch_ingest_messages_total\{[^}]*outcome="accepted"[^}]*\} (\S+)$/m.exec(await (await fetch(`${p.url}/metrics`)).text())?.[1] ?? 0);
  const alertsOf = async (topic: string, atLeast: number, timeoutMs?: number) => (await h.readTopic(topic, atLeast, timeoutMs)).map((m) => JSON.parse(m.value) as Alert);

  it('one replica holds every partition; the standby takes over after a SIGKILL and the alerts match an uninterrupted run', async () => {
    const messages = eventMessages(STREAM);
    // The smallest session the broker allows, so a killed replica leaves the group within seconds.
    const config: ShiftwatchConfig = { ...h.config, kafka: { ...h.config.kafka, sessionTimeoutMs: 6000 } };
    const a = await start(config, 'a');
    await waitFor(async () => (await gauge(a, 'shiftwatch_input_partitions_assigned')) === PARTITIONS, 30_000, 'replica a to hold every partition');
    const b = await start(config, 'b');
    await waitFor(async () => (await gauge(b, 'shiftwatch_input_partitions_assigned')) === 0 && (await gauge(a, 'shiftwatch_input_partitions_assigned')) === PARTITIONS,
      30_000, 'b to stand by while a keeps every partition');

    const half = Math.floor(messages.length / 2);
    await h.sendEvents(messages.slice(0, half));
    await waitFor(async () => (await committedTotal(h.config.kafka.groupId)) > 0, 60_000, 'the active replica to commit');
    expect(await a.kill('SIGKILL')).toBe('SIGKILL');
    await h.sendEvents(messages.slice(half));
    await waitFor(async () => (await gauge(b, 'shiftwatch_input_partitions_assigned')) === PARTITIONS, 60_000, 'the standby to take over');
    // Everything is handled once the last windows of each partition are released and committed.
    const finalWindowsHeld = async () => gauge(b, 'shiftwatch_window_open_events');
    await waitFor(async () => (await committedTotal(h.config.kafka.groupId)) + (await finalWindowsHeld()) >= messages.length, 90_000, 'the standby to handle the rest').catch(async (e: Error) => {
      throw new Error(`${e.message}: committed ${await committedTotal(h.config.kafka.groupId)}, held ${await finalWindowsHeld()} of ${messages.length}\n${b.output().slice(-3000)}`);
    });

    // The same topic read by one uninterrupted replica in a fresh group, publishing to its own topics.
    const fresh = `${h.config.kafka.groupId}-baseline`;
    const t = h.config.kafka.topics;
    const baselineConfig: ShiftwatchConfig = { ...config, kafka: { ...config.kafka, groupId: fresh, topics: { ...t, alerts: `${t.alerts}-baseline`, state: `${t.state}-baseline`, deadLetters: `${t.deadLetters}-baseline` } } };
    const c = await start(baselineConfig, 'baseline');
    await waitFor(async () => (await committedTotal(fresh)) + (await gauge(c, 'shiftwatch_window_open_events')) >= messages.length, 90_000, 'the baseline to handle the stream');
    const expected = await alertsOf(baselineConfig.kafka.topics.alerts, 2);
    expect(expected.filter((x) => x.status === 'firing').length).toBeGreaterThanOrEqual(2);

    const published = await alertsOf(t.alerts, expected.length);
    expect(published.map((x) => x.alertId).sort()).toEqual(expected.map((x) => x.alertId).sort());
    expect(new Set(published.map((x) => x.alertId)).size).toBe(published.length);
    expect(b.output()).toContain('active: this replica holds');
    // The positions it took over carry shiftwatch's metadata.
    expect(b.output()).not.toContain('without shiftwatch\'s position metadata');
    baselineAlertIds = expected.map((x) => x.alertId).sort();
  });

  it('shared replicas split the partitions, send windows too large for one summaries record in pieces, and after a SIGKILL of one the alerts still match the uninterrupted run', async () => {
    // The events topic holds the whole stream now (the test above): a fresh group reads it from the start.
    expect(baselineAlertIds.length).toBeGreaterThanOrEqual(2);
    const t = h.config.kafka.topics;
    const tag = 'shared';
    const kafka = {
      ...h.config.kafka, sessionTimeoutMs: 6000, rebalanceTimeoutMs: 6000, groupId: `${h.config.kafka.groupId}-${tag}`, replicas: 'shared' as const, summaryPartitions: 2,
      topics: { ...t, alerts: `${t.alerts}-${tag}`, state: `${t.state}-${tag}`, deadLetters: `${t.deadLetters}-${tag}`, summaries: `${t.events}-${tag}-summaries` },
    };
    // A summaries topic that takes small records only: the workers send their windows in pieces.
    const admin = h.kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: kafka.topics.summaries, numPartitions: 2, configEntries: [{ name: 'max.message.bytes', value: String(SMALL_RECORDS) }] }] });
    await admin.disconnect();
    const [a, b] = [await start({ ...h.config, kafka: { ...kafka, replicaId: 'a' } }, 'shared-a'), await start({ ...h.config, kafka: { ...kafka, replicaId: 'b' } }, 'shared-b')];
    await waitFor(async () => (await accepted(a)) > 0, 60_000, 'replica a to accept events');
    expect(await a.kill('SIGKILL')).toBe('SIGKILL');
    await waitFor(async () => (await gauge(b, 'shiftwatch_input_partitions_assigned')) === PARTITIONS, 60_000, 'b to take every partition');
    const published = await alertsOf(kafka.topics.alerts, baselineAlertIds.length, 120_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${b.output().slice(-3000)}`);
    });
    expect(published.map((x) => x.alertId).sort()).toEqual(baselineAlertIds);
    const sizes = { pieces: 0, largest: 0 };
    await readTopicToEnd(h.kafka, kafka.topics.summaries, (r) => {
      if (r.headers?.[PIECE_HEADER] !== undefined) sizes.pieces += 1;
      sizes.largest = Math.max(sizes.largest, r.value?.length ?? 0);
    });
    expect(sizes.pieces).toBeGreaterThan(0);
    expect(sizes.largest).toBeLessThan(SMALL_RECORDS);
    // Its aggregator thread's load is exported beside the main thread's.
    const threadGauge = async (name: string, thread: string) => Number(new RegExp(`^${name}\\{thread="${thread}"\\} (\\S+)$`, 'm').exec(await (await fetch(`${b.url}/metrics`)).text())?.[1]);
    await waitFor(async () => (await threadGauge('shiftwatch_thread_heap_used_bytes', 'aggregator')) > 1e6, 30_000, 'the aggregator thread\'s heap to be exported');
    for (const thread of ['main', 'aggregator']) expect(await threadGauge('shiftwatch_thread_utilization_ratio', thread)).toBeLessThanOrEqual(1);
    expect(await threadGauge('shiftwatch_thread_utilization_ratio', 'aggregator')).toBeGreaterThan(0);
    // The survivor scores the model now: its /status shows the detectors' states, once its
    // aggregator holds the model's summaries partition (that group rebalances on a session of its own).
    const m1Status = async () => ((await (await fetch(`${b.url}/status`)).json()) as { models: { model: string; detectors?: object; scoredElsewhere?: boolean }[] }).models.find((m) => m.model === 'm1');
    await waitFor(async () => (await m1Status())?.detectors !== undefined, 30_000, 'the survivor\'s /status to show the detectors of m1');
    expect(await m1Status()).toEqual(expect.objectContaining({ detectors: expect.objectContaining({ 'feature-shift': expect.any(String) }) }));
  });

  it('shared replicas cut event-time windows too: after a SIGKILL of one, the alerts match one uninterrupted replica', async () => {
    // One window per phase of the stream (events are 100 ms apart), each partition's share of it cut by the replica reading that partition.
    const window = { type: 'event-time' as const, durationMs: WINDOW * 100, minEvents: 100, allowedLatenessMs: 0 };
    const t = h.config.kafka.topics;
    const configFor = (tag: string, extra: Partial<ShiftwatchConfig['kafka']>): ShiftwatchConfig => ({
      ...h.config,
      window,
      models: h.config.models.map((m) => ({ ...m, window })),
      kafka: {
        ...h.config.kafka, sessionTimeoutMs: 6000, rebalanceTimeoutMs: 6000, groupId: `${h.config.kafka.groupId}-${tag}`, ...extra,
        topics: { ...t, alerts: `${t.alerts}-${tag}`, state: `${t.state}-${tag}`, deadLetters: `${t.deadLetters}-${tag}`, summaries: `${t.events}-${tag}-summaries` },
      },
    });
    const total = eventMessages(STREAM).length;
    const baselineConfig = configFor('time-baseline', {});
    const c = await start(baselineConfig, 'time-baseline');
    await waitFor(async () => (await committedTotal(baselineConfig.kafka.groupId)) >= total && (await gauge(c, 'shiftwatch_window_open_events')) === 0, 90_000, 'the event-time baseline to release every window');
    const baselineAlerts = await alertsOf(baselineConfig.kafka.topics.alerts, 2);
    expect(baselineAlerts.every((x) => /^t\d+$/.test(x.window.id))).toBe(true);
    const expected = baselineAlerts.map((x) => x.alertId).sort();

    const shared = (replicaId: string) => configFor('time-shared', { replicas: 'shared', summaryPartitions: 2, replicaId });
    const [a, b] = [await start(shared('a'), 'time-shared-a'), await start(shared('b'), 'time-shared-b')];
    await waitFor(async () => (await accepted(a)) > 0, 60_000, 'replica a to accept events');
    expect(await a.kill('SIGKILL')).toBe('SIGKILL');
    await waitFor(async () => (await gauge(b, 'shiftwatch_input_partitions_assigned')) === PARTITIONS, 60_000, 'b to take every partition');
    const published = await alertsOf(shared('b').kafka.topics.alerts, expected.length, 120_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${b.output().slice(-3000)}`);
    });
    expect(published.map((x) => x.alertId).sort()).toEqual(expected);
  });

  it('a shared replica fences a replica that left the group in the middle of a transaction, instead of waiting for the broker to abort it', async () => {
    expect(baselineAlertIds.length).toBeGreaterThanOrEqual(2);
    const t = h.config.kafka.topics;
    const tag = 'fence';
    const kafka = {
      ...h.config.kafka, sessionTimeoutMs: 6000, rebalanceTimeoutMs: 6000, groupId: `${h.config.kafka.groupId}-${tag}`, replicas: 'shared' as const, summaryPartitions: 2, replicaId: 'a',
      topics: { ...t, alerts: `${t.alerts}-${tag}`, state: `${t.state}-${tag}`, deadLetters: `${t.deadLetters}-${tag}`, summaries: `${t.events}-${tag}-summaries` },
    };
    const admin = h.kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: kafka.topics.summaries, numPartitions: 2 }, { topic: kafka.topics.state, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
    await admin.disconnect();
    // Replica "ghost" worked in this group (its commits name it) and died with a transaction open
    // in each of its two producers: the worker's on the summaries topic, the aggregator's on the
    // state topic. Left alone, the broker would hold them open for GHOST_TIMEOUT_MS.
    const ghosts = await Promise.all([
      { transactionalId: `${kafka.groupId}-ghost`, group: kafka.groupId, commit: { topic: t.events, metadata: encodePosition({ clock: -Infinity, handled: 0, by: 'ghost' }) }, open: kafka.topics.summaries },
      { transactionalId: `${kafka.groupId}-ghost-aggregate`, group: `${kafka.groupId}.aggregate`, commit: { topic: kafka.topics.summaries, metadata: JSON.stringify({ by: 'ghost' }) }, open: kafka.topics.state },
    ].map(async (g) => {
      const producer = h.kafka.producer({ transactionalId: g.transactionalId, idempotent: true, maxInFlightRequests: 1, transactionTimeout: GHOST_TIMEOUT_MS });
      await producer.connect();
      const committed = await producer.transaction();
      await committed.sendOffsets({ consumerGroupId: g.group, topics: [{ topic: g.commit.topic, partitions: [{ partition: 0, offset: '0', metadata: g.commit.metadata } as { partition: number; offset: string }] }] });
      await committed.commit();
      const open = await producer.transaction();
      await open.send({ topic: g.open, messages: [{ key: 'ghost', value: '{}' }] });
      return { producer, open };
    }));
    try {
      const a = await start({ ...h.config, kafka }, 'fence-a');
      await waitFor(async () => /fenced its transactional id .*-ghost\b/.test(a.output()) && /fenced its transactional id .*-ghost-aggregate/.test(a.output()), 60_000, 'replica a to fence both of the ghost\'s transactional ids');
      for (const { open } of ghosts) await expect(open.commit()).rejects.toThrow();
      // Well before the ghost's transactions would have timed out, every window is scored.
      const published = await alertsOf(kafka.topics.alerts, baselineAlertIds.length, GHOST_TIMEOUT_MS / 2).catch((e: Error) => {
        throw new Error(`${e.message}\n${a.output().slice(-3000)}`);
      });
      expect(published.map((x) => x.alertId).sort()).toEqual(baselineAlertIds);
    } finally {
      for (const { producer } of ghosts) await producer.disconnect().catch(() => undefined);
    }
  });
});
