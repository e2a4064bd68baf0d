/**
 * `crashloop`: the classifier (with a density flow, class probabilities and labels `--label-delay-s`
 * after their events) streams into a `--partitions`-partition events topic while `shiftwatch serve`
 * is started and killed with SIGKILL `--kills` times, each process at a random moment up to
 * `--max-up-s` after its start (some before it is ready, most after). Then the stream stops, a last
 * process reads to the end and stops cleanly, and an uninterrupted process (a fresh consumer group
 * and transactional id, its own output topics) reads the same input topics from the beginning.
 *
 *   {"scenario":"crashloop","kills","partitions","events","accounted","lost","alerts","uniqueAlertIds","duplicates","missingVsBaseline","extraVsBaseline","stateRestored"}
 *
 * Every output is read read_committed. docs/operations.md (the fault suite) defines each field.
 */
import type { Admin } from 'kafkajs';
import { intFlag, labelOrderFlag, replicasFlag, type Flags } from '../args.js';
import { waitFor } from '../../src/demo/wait.js';
import { seededRandom } from '../../src/core/random.js';
import type { DeadLetter } from '../../src/core/contract/dead-letter.js';
import type { Alert } from '../../src/core/alerts/alert.js';
import { decodePosition } from '../../src/core/window/partition-clocks.js';
import { readCheckpoints } from '../../src/kafka/checkpoint-store.js';
import { classifierSettings, fitClassifier, MODEL } from './classifier.js';
import { ChaosRig, metricSum, scrape, type Log, type Topics } from './rig.js';
import type { ServiceChild } from '../../tools/picture/service-child.js';
import { PacedStream } from './stream.js';
import { brokersFlag, type ChaosScenario, type ScenarioResult } from './scenario.js';
import { compareCheckpoints } from './checkpoint-diff.js';

/** Events per window, per input partition (count windows are cut per partition). */
const WINDOW = 300;

/** The figures every faulted run is judged by, against an uninterrupted run over the same input. */
export interface ComparedLine {
  partitions: number;
  events: number;
  accounted: number;
  lost: number;
  alerts: number;
  uniqueAlertIds: number;
  duplicates: number;
  missingVsBaseline: number;
  extraVsBaseline: number;
  stateRestored: boolean;
}

export interface CrashloopLine extends Record<string, unknown>, ComparedLine {
  scenario: 'crashloop';
  kills: number;
}

/** What a fault phase did, for the JSON line and the log. */
export interface FaultPhase {
  kills: number;
  details: Record<string, unknown>;
}

/**
 * The frame of a faulted run: a classifier with a flow, class probabilities and delayed labels
 * streams into a `--partitions`-partition topic while `fault` does its damage; then a last process
 * reads to the end, an uninterrupted process (a fresh group, its own output topics) reads the same
 * input, and the two are compared: events accounted for, alert ids, dead letters, final state.
 */
export async function runFaulted(
  flags: Flags,
  log: Log,
  fault: (rig: ChaosRig, topics: Topics, settings: Record<string, unknown>, stream: PacedStream) => Promise<FaultPhase>,
  serviceSettings: Record<string, unknown> = {},
): Promise<{ compared: ComparedLine; phase: FaultPhase; missed: string[]; details: Record<string, unknown> }> {
  const partitions = intFlag(flags, 'partitions', 3);
  const rate = intFlag(flags, 'rate', 300);
  const labelDelayMs = intFlag(flags, 'label-delay-s', 3, 0) * 1000;
  const labelOrder = labelOrderFlag(flags);
  const rig = await ChaosRig.create({ brokers: brokersFlag(flags), log });
  try {
    const topics = rig.topics();
    await rig.createTopics(topics, partitions);
    const bundle = await fitClassifier(rig.dir, WINDOW, { flow: true });
    const settings = classifierSettings(bundle, WINDOW, { labels: { minLabeled: 50, order: labelOrder }, alerts: { cooldownWindows: 0 }, ...serviceSettings });
    // Generated windows of WINDOW × partitions events, spread in turn: each partition gets WINDOW of each, so whole partition windows are shifted or not.
    const stream = new PacedStream(rig, await rig.producer(), topics, {
      eventsPerSecond: rate, windowSize: WINDOW * partitions, partitions, labelDelayMs, shifted: (w) => w % 8 === 3 || w % 8 === 4,
    });
    stream.start();
    const phase = await fault(rig, topics, settings, stream);
    await stream.stop();
    const events = await rig.count(topics.events);
    log(`stream stopped: ${events} events on ${partitions} partition(s), ${stream.labelsSent} labels; a last process reads to the end`);
    await runToEnd(rig, topics, settings, `${rig.id}-group`, log, WINDOW);

    const base: Topics = { ...topics, alerts: `${rig.id}-baseline-alerts`, deadLetters: `${rig.id}-baseline-dlq`, state: `${rig.id}-baseline-state`, summaries: `${rig.id}-baseline-summaries` };
    log('the uninterrupted run: a fresh group over the same input topics');
    await runToEnd(rig, base, settings, `${rig.id}-baseline`, log, WINDOW);
    const read = async (t: Topics) => (await rig.readAll(t.alerts)).map((r) => JSON.parse(r.value!.toString('utf8')) as Alert);
    const [crashAlerts, baseAlerts] = [await read(topics), await read(base)];
    const alerts = crashAlerts.map((a) => a.alertId);
    const baseline = new Set(baseAlerts.map((a) => a.alertId));
    const unique = new Set(alerts);
    const letters = (await rig.readAll(topics.deadLetters)).map((r) => JSON.parse(r.value!.toString('utf8')) as DeadLetter);
    const letterOrigins = new Set(letters.map((d) => `${d.origin.topic}/${d.origin.partition}/${d.origin.offset}`));
    const eventLetters = letters.filter((d) => d.origin.topic === topics.events).length;
    const [crashed, uninterrupted] = [await readCheckpoints(rig.kafka, topics.state), await readCheckpoints(rig.kafka, base.state)];
    const final = crashed.get(MODEL);
    const ends = await partitionEnds(rig, topics.events);
    const held = [...ends].reduce((n, [p, end]) => n + end - (final?.closedThrough[`${topics.events}/${p}`] ?? 0), 0);
    const accounted = (final?.windowsClosed ?? 0) * WINDOW + eventLetters + held;
    const diff = compareCheckpoints(final, uninterrupted.get(MODEL));
    // With event-time labels, the backtests are a function of the topics' contents (a restarted process,
    // or a shared replica's aggregator, rebuilds its label join after a kill), so they must match too.
    const backtestCompared = labelOrder === 'event-time';
    const backtestsDiffer = backtestCompared ? Object.entries(diff.labelFed).filter(([, f]) => !f.equal).map(([name]) => name) : [];
    const compared: ComparedLine = {
      partitions,
      events,
      accounted,
      lost: Math.max(0, events - accounted),
      alerts: alerts.length,
      uniqueAlertIds: unique.size,
      duplicates: alerts.length - unique.size + (letters.length - letterOrigins.size) + Math.max(0, accounted - events),
      missingVsBaseline: [...baseline].filter((id) => !unique.has(id)).length,
      extraVsBaseline: [...unique].filter((id) => !baseline.has(id)).length,
      stateRestored: diff.differences.length === 0 && backtestsDiffer.length === 0,
    };
    const missed: string[] = [];
    for (const key of ['lost', 'duplicates', 'missingVsBaseline', 'extraVsBaseline'] as const) if (compared[key] !== 0) missed.push(`${key} ${compared[key]}, target 0`);
    if (!compared.stateRestored) missed.push(`the final state differs from the uninterrupted run's in ${[...diff.differences, ...backtestsDiffer].join(', ')}`);
    if (baseline.size === 0) missed.push('the uninterrupted run raised no alert: nothing was compared');
    return {
      compared, phase, missed,
      details: {
        ...phase.details,
        eventsSent: stream.eventsSent, labelsSent: stream.labelsSent, baselineAlerts: baseline.size, deadLetters: letters.length,
        windowsClosed: final?.windowsClosed, baselineWindowsClosed: uninterrupted.get(MODEL)?.windowsClosed,
        labelOrder, detectorsCompared: backtestCompared ? [...diff.compared, ...Object.keys(diff.labelFed)] : diff.compared, labelFed: diff.labelFed,
        missing: baseAlerts.filter((a) => !unique.has(a.alertId)).map(describeAlert),
        extra: crashAlerts.filter((a) => !baseline.has(a.alertId)).map(describeAlert),
      },
    };
  } finally {
    await rig.close();
  }
}

export async function runCrashloop(flags: Flags, log: Log): Promise<ScenarioResult<CrashloopLine>> {
  const kills = intFlag(flags, 'kills', 30, 0);
  const maxUpMs = intFlag(flags, 'max-up-s', 8) * 1000;
  const random = seededRandom(intFlag(flags, 'seed', 1));
  const mode = replicasFlag(flags, 'active-standby');
  const { compared, phase, missed, details } = await runFaulted(flags, log, async (rig, topics, settings, stream) => {
    const lives: Array<{ upMs: number; ready: boolean }> = [];
    for (let k = 0; k < kills; k++) {
      const service = await rig.spawnService(topics, settings);
      const upMs = Math.round(random() * maxUpMs);
      const ready = await readyWithin(service.url, upMs);
      const how = await service.kill('SIGKILL');
      lives.push({ upMs, ready });
      log(`kill ${k + 1}/${kills}: SIGKILL ${(upMs / 1000).toFixed(1)} s after start, ${ready ? 'after' : 'before'} ready (${how}); ${stream.eventsSent} events sent`);
    }
    return { kills: lives.length, details: { killedBeforeReady: lives.filter((l) => !l.ready).length, killedAfterReady: lives.filter((l) => l.ready).length } };
  }, { kafka: { replicas: mode } });
  return { line: { scenario: 'crashloop', kills: phase.kills, ...compared }, missed, details: { ...details, replicas: mode } };
}

const describeAlert = (a: Alert) => `${a.detector} ${a.status} window ${a.window.id} (serial ${a.window.serial})`;

/** Polls /ready for `ms`; whether it answered 200 before the time was up. */
async function readyWithin(url: string, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  let ready = false;
  while (Date.now() < until) {
    ready ||= await fetch(`${url}/ready`, { signal: AbortSignal.timeout(500) }).then((r) => r.ok, () => false);
    await new Promise((resolve) => setTimeout(resolve, Math.min(100, Math.max(0, until - Date.now()))));
  }
  return ready;
}

async function partitionEnds(rig: ChaosRig, topic: string): Promise<Map<number, number>> {
  return withAdmin(rig, async (admin) => new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)])));
}

async function withAdmin<T>(rig: ChaosRig, use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = rig.kafka.admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Starts a service in `groupId` on `topics`, waits until it has handled every input message (the
 * committed positions say so up to the partitions' ends, labels too) and released every full window
 * (its open-window gauge down to the partial windows' events, `windowSize` per partition), then
 * stops it cleanly.
 */
async function runToEnd(rig: ChaosRig, topics: Topics, settings: Record<string, unknown>, groupId: string, log: Log, windowSize: number): Promise<void> {
  const service = await rig.spawnService(topics, settings, groupId);
  await service.waitReady(120_000);
  await waitUntilRead(rig, topics, groupId, [service], windowSize);
  const forced = metricSum(await scrape(service.url).catch(() => ''), 'shiftwatch_windows_released_out_of_order_total');
  log(`group ${groupId} read to the end (this process released ${forced} window(s) out of order); stopping it (${String(await service.stop())})`);
}

/**
 * Waits until group `groupId` has handled every input message (the committed positions' metadata,
 * or offsets, at the partitions' ends, labels too), `services` released every full window (their
 * open-window gauges summed down to the partial windows' events) and the model's last checkpoint
 * counts them all.
 */
export async function waitUntilRead(rig: ChaosRig, topics: Topics, groupId: string, services: readonly ServiceChild[], windowSize: number): Promise<void> {
  const ends = await partitionEnds(rig, topics.events);
  const labelsEnd = [...(await partitionEnds(rig, topics.labels)).values()].reduce((a, b) => a + b, 0);
  const partial = [...ends.values()].reduce((n, end) => n + (end % windowSize), 0);
  // Every event is the model's: each partition's full windows are scored once the last checkpoint counts them (shared replicas score after the workers read).
  const full = [...ends.values()].reduce((n, end) => n + Math.floor(end / windowSize), 0);
  let progress = '';
  await waitFor(async () => {
    const committed = await withAdmin(rig, (admin) => admin.fetchOffsets({ groupId, topics: [topics.events, topics.labels] }));
    const handled = committed.find((t) => t.topic === topics.events)?.partitions.every((p) => (decodePosition(p.metadata)?.handled ?? -1) >= ends.get(p.partition)!) ?? false;
    // A labels partition's commit may stay at labels the label join is rebuilt from; its metadata says how far it was handled.
    const labels = committed.find((t) => t.topic === topics.labels)?.partitions.reduce((n, p) => n + Math.max(0, decodePosition(p.metadata)?.handled ?? Number(p.offset)), 0) ?? 0;
    let open = 0;
    // With labels.order: event-time, labels stamped after the last window wait for a window that never comes, uncommitted.
    let queued = 0;
    for (const s of services) {
      const text = await scrape(s.url).catch(() => '');
      open += metricSum(text, 'shiftwatch_window_open_events', { model: MODEL });
      queued += metricSum(text, 'shiftwatch_labels_queued', { model: MODEL });
    }
    const scored = handled && open === partial ? ((await readCheckpoints(rig.kafka, topics.state)).get(MODEL)?.windowsClosed ?? 0) : 0;
    progress = `events handled to the end: ${handled}; labels ${labels}/${labelsEnd} (${queued} waiting for a window); events in unreleased windows ${open}, ${partial} expected; windows scored ${scored} of ${full}`;
    return handled && labels + queued >= labelsEnd && open === partial && scored >= full;
  }, 300_000, `group ${groupId} to read to the end`, 500).catch((error: Error) => {
    throw new Error(`${error.message} (${progress})`);
  });
}

export const crashloopScenario: ChaosScenario = {
  name: 'crashloop',
  help: 'serve killed with SIGKILL at random times during a stream, against an uninterrupted run [--kills 30] [--partitions 3] [--rate 300] [--max-up-s 8] [--label-delay-s 3] [--label-order arrival|event-time] [--seed 1] [--replicas active-standby|shared] [--brokers h:p]',
  flags: ['kills', 'partitions', 'rate', 'max-up-s', 'label-delay-s', 'label-order', 'seed', 'replicas', 'brokers'],
  run: runCrashloop,
};
