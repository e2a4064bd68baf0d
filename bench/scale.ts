/**
 * `scale`: the classifier of the fault suite (a density flow, class probabilities, delayed labels,
 * every default detector) on a `--partitions`-partition events topic, filled before any consumer
 * starts (`--events` events, shifted in some windows so alerts fire, and a label for each). In one
 * run, each on a fresh consumer group and its own output topics:
 *
 * 1. raw kafkajs consume (JSON.parse only, the service's fetch size) of what the service reads: the
 *    events and their labels, in events per second, just before and just after run 2, the ratio
 *    taking their mean (the events topic alone is reported too);
 * 2. after a warm-up run that is not reported, one `shiftwatch serve` process reading everything,
 *    with `kafka.replicas: shared` (`--replicas active-standby` measures that mode instead): events
 *    per second end to end, from its metrics: the events of 90% of the windows over the time from
 *    the first event accepted to those windows scored (the last windows wait for their partitions
 *    to go quiet); the accepted rate beside it;
 * 3. two processes in one group;
 * 4. two processes again, one killed with SIGKILL a third of the way in: seconds until the group
 *    accepts events again;
 * 5. one process with `kafka.replicas: active-standby` (when measuring shared replicas);
 * 6. whether all these runs published the same alert ids;
 * 7. the flow fit of `flow-fit` on 50,000 × 32 rows (`--fit-rows 0` leaves it out).
 *
 * Beside them, CPU microseconds per event (`cpuMicrosPerEvent`): the raw reader's process, and per
 * thread of the one-replica runs (Linux /proc): the main thread (reading, checking, cutting
 * windows), the busiest other one (a shared replica's aggregator) and the rest (mostly V8's
 * garbage-collector helpers), over the span that gives `e2eEventsPerSecond`.
 *
 *   {"scenario":"scale","rawConsumeEventsPerSecond","e2eEventsPerSecond","e2eOverRawConsume","replicas2EventsPerSecond","replicas2OverReplicas1","rebalanceResumeSeconds","alertIdsIdentical","fitSeconds50kx32"}
 */
import { intFlag, labelOrderFlag, parseFlags, replicasFlag, UsageError } from './args.js';
import { machineInfo } from './machine.js';
import { rawConsume } from './kafka-io.js';
import { round } from './stats.js';
import { measureFlowFit } from './flow-fit.js';
import { waitFor } from '../src/demo/wait.js';
import type { Alert } from '../src/core/alerts/alert.js';
import { ChaosRig, metricSum, scrape, type Topics } from './chaos/rig.js';
import { classifierSettings, classifierWindow, fitClassifier } from './chaos/classifier.js';
import { waitUntilRead } from './chaos/crashloop.js';
import type { SpawnedService } from '../tools/picture/service-child.js';
import { cpuPerEvent, threadTicks, type ThreadCpu } from './thread-cpu.js';

export const SCALE_FLAGS = ['events', 'partitions', 'window', 'fit-rows', 'replicas', 'floor', 'label-order'] as const;

const log = (line: string) => process.stderr.write(`[scale] ${line}\n`);
/** A killed replica leaves the group after this (the broker's smallest session by default). */
const SESSION_TIMEOUT_MS = 6000;
const SAMPLE_MS = 100;
const TIMEOUT_MS = 600_000;

interface ServiceRun {
  /** End to end: the events of 90% of the windows over the time from the first event accepted to those windows scored. */
  eventsPerSecond: number;
  /** Events accepted per second (read, checked and put in a window), from the first to the last. */
  acceptedEventsPerSecond: number;
  alertIds: string[];
  alerts: Alert[];
  /** Windows released before the other partitions caught up (too many waiting): their order, and so alerts, then depend on timing. */
  outOfOrder: number;
  resumeSeconds?: number;
  /** One replica: CPU microseconds per event of its threads over the same span as `eventsPerSecond`. */
  cpu?: ThreadCpu;
}

export async function runScale(argv: readonly string[]): Promise<Record<string, unknown>> {
  const flags = parseFlags(argv, SCALE_FLAGS);
  const partitions = intFlag(flags, 'partitions', 4, 1);
  const windowSize = intFlag(flags, 'window', 1000, 100);
  const perRound = windowSize * partitions;
  const rounds = Math.max(2, Math.round(intFlag(flags, 'events', 200_000, 1) / perRound));
  const events = rounds * perRound;
  const fitRows = intFlag(flags, 'fit-rows', 50_000, 0);
  const mode = replicasFlag(flags, 'shared');
  // An accuracy floor (the one detector that learns from labels) and when labels count: `--floor 0.8 --label-order event-time`.
  const floor = flags.has('floor') ? Number(flags.get('floor')) : undefined;
  if (floor !== undefined && !(floor > 0 && floor <= 1)) throw new UsageError(`--floor must be an accuracy in (0, 1], got "${flags.get('floor')}"`);
  const labelOrder = labelOrderFlag(flags);

  const rig = await ChaosRig.create({ log });
  let figures: Omit<Record<string, unknown>, 'fitSeconds50kx32'>;
  try {
    const topics = rig.topics();
    await rig.createTopics(topics, partitions);
    const bundle = await fitClassifier(rig.dir, windowSize, { flow: true });
    const settingsOf = (replicas: string) => classifierSettings(bundle, windowSize, {
      labels: { minLabeled: 50, order: labelOrder }, alerts: { cooldownWindows: 0 }, kafka: { sessionTimeoutMs: SESSION_TIMEOUT_MS, replicas }, ...(floor === undefined ? {} : { accuracy: { floor } }),
    });
    const settings = settingsOf(mode);
    await fill(rig, topics, rounds, windowSize, partitions);
    log(`${events} events on ${partitions} partitions and their labels written`);

    const rawEventsOnly = await rawConsume(rig.brokers, topics.events, events, `${rig.id}-raw-events`, TIMEOUT_MS, partitions);
    // The first service run of a fresh broker is slower than the ones after it (about a fifth,
    // measured at 09:20 UTC on 2026-12-07): a warm-up run, not reported, comes first.
    await serviceRun(rig, topics, settings, 'warmup', 1, events, windowSize);
    // The service reads the events and their labels: so does the baseline, and both count events per
    // second. The host's speed drifts (on 2026-12-07 the raw rate was 115,001 events/s in one run and
    // 39,361 in another), so the raw reader runs just before and just after the one-replica run, and
    // the ratio takes their mean.
    const rawBefore = await rawRound(rig, topics, events, partitions, 'raw');
    const one = await serviceRun(rig, topics, settings, 'r1', 1, events, windowSize);
    const rawAfter = await rawRound(rig, topics, events, partitions, 'raw-after');
    const raw = { eventsPerS: (rawBefore.eventsPerS + rawAfter.eventsPerS) / 2, cpuMicrosPerEvent: round((rawBefore.cpuMicrosPerEvent + rawAfter.cpuMicrosPerEvent) / 2, 1) };
    log(`raw kafkajs consume: ${rawBefore.eventsPerS.toFixed(0)} and ${rawAfter.eventsPerS.toFixed(0)} events/s with their labels, ${rawEventsOnly.eventsPerS.toFixed(0)} events/s of the events topic alone`);
    const two = await serviceRun(rig, topics, settings, 'r2', 2, events, windowSize);
    const killed = await serviceRun(rig, topics, settings, 'r2kill', 2, events, windowSize, 1 / 3, partitions);
    const runs = [one, two, killed];
    if (mode === 'shared') runs.push(await serviceRun(rig, topics, settingsOf('active-standby'), 'r1single', 1, events, windowSize));
    const ids = runs.map((r) => JSON.stringify([...r.alertIds].sort()));
    for (const [i, r] of runs.entries()) {
      const missing = one.alerts.filter((a) => !r.alertIds.includes(a.alertId));
      const extra = r.alerts.filter((a) => !one.alertIds.includes(a.alertId));
      if (missing.length + extra.length > 0) log(`run ${i + 1} against the one-replica run: ${missing.length} alerts missing (${describe(missing)}), ${extra.length} extra (${describe(extra)})`);
    }
    figures = {
      scenario: 'scale',
      rawConsumeEventsPerSecond: Math.round(raw.eventsPerS),
      e2eEventsPerSecond: Math.round(one.eventsPerSecond),
      e2eOverRawConsume: round(one.eventsPerSecond / raw.eventsPerS, 3),
      replicas2EventsPerSecond: Math.round(two.eventsPerSecond),
      replicas2OverReplicas1: round(two.eventsPerSecond / one.eventsPerSecond, 3),
      rebalanceResumeSeconds: round(killed.resumeSeconds ?? Number.NaN, 1),
      e2eAcceptedEventsPerSecond: Math.round(one.acceptedEventsPerSecond),
      replicas2AcceptedEventsPerSecond: Math.round(two.acceptedEventsPerSecond),
      alertIdsIdentical: one.alertIds.length > 0 && ids.every((x) => x === ids[0]),
      replicas: mode,
      ...(floor === undefined ? {} : { accuracyFloor: floor }),
      labelOrder,
      rawConsumeRoundsEventsPerSecond: [Math.round(rawBefore.eventsPerS), Math.round(rawAfter.eventsPerS)],
      rawConsumeEventsTopicAloneEventsPerSecond: Math.round(rawEventsOnly.eventsPerS),
      events,
      partitions,
      windowSize,
      ...(runs[3] ? { replicas1ActiveStandbyEventsPerSecond: Math.round(runs[3].eventsPerSecond), replicas1ActiveStandbyAcceptedEventsPerSecond: Math.round(runs[3].acceptedEventsPerSecond) } : {}),
      // CPU per event (events and their labels): the raw reader's process, and the threads of one replica.
      cpuMicrosPerEvent: { rawConsume: raw.cpuMicrosPerEvent, ...(one.cpu ? { replicas1: one.cpu } : {}), ...(runs[3]?.cpu ? { replicas1ActiveStandby: runs[3].cpu } : {}) },
      alerts: { replicas1: one.alertIds.length, replicas2: two.alertIds.length, replicas2Killed: killed.alertIds.length, ...(runs[3] ? { replicas1ActiveStandby: runs[3].alertIds.length } : {}) },
      // Counted by the replicas alive at the end (a killed one's count is lost).
      windowsReleasedOutOfOrder: runs.map((r) => r.outOfOrder),
    };
  } finally {
    await rig.close();
  }
  let fitSeconds50kx32: number | null = null;
  if (fitRows > 0) {
    log(`fitting the flow on ${fitRows} x 32 rows (ONNX trainer, the fit defaults)...`);
    const fit = await measureFlowFit('onnx', { rows: fitRows, dim: 32 });
    fitSeconds50kx32 = round(fit.seconds, 1);
    log(`fit: ${fit.seconds.toFixed(1)} s, best validation NLL ${fit.bestValidationNll.toFixed(4)}`);
  }
  return { ...figures, fitSeconds50kx32, machine: machineInfo() };
}

/** Alerts in short: detector, status and window serial. */
function describe(alerts: readonly Alert[]): string {
  return alerts.map((a) => `${a.detector} ${a.status} #${a.window.serial}`).join(', ');
}

/** The raw reader on the events and their labels, in a fresh group: events per second, and its process's CPU microseconds per event. */
async function rawRound(rig: ChaosRig, topics: Topics, events: number, partitions: number, label: string): Promise<{ eventsPerS: number; cpuMicrosPerEvent: number }> {
  const cpuBefore = process.cpuUsage();
  const both = await rawConsume(rig.brokers, [topics.events, topics.labels], 2 * events, `${rig.id}-${label}`, TIMEOUT_MS, partitions);
  const cpu = process.cpuUsage(cpuBefore);
  return { eventsPerS: events / (both.consumeMs / 1000), cpuMicrosPerEvent: (cpu.user + cpu.system) / events };
}

/** `rounds` windows of `windowSize` per partition, every eighth pair shifted, then every event's label. */
async function fill(rig: ChaosRig, topics: Topics, rounds: number, windowSize: number, partitions: number): Promise<void> {
  const producer = await rig.producer();
  const labels = [];
  for (let w = 0; w < rounds; w++) {
    const window = classifierWindow(w, windowSize * partitions, w % 8 === 3 || w % 8 === 4);
    await rig.sendSpread(producer, topics.events, window.events, partitions);
    labels.push(...window.labels);
  }
  await rig.send(producer, topics.labels, labels);
}

/**
 * `replicas` serve processes in a fresh group (own output topics) read the filled topics. Events/s
 * is taken from their accepted-events counters, sampled every 100 ms, from the first sample above
 * zero to the first at `events`. With `killAt`, the process holding the input partitions is killed
 * (SIGKILL) once that share of the events is accepted, and the time until another one accepts
 * events is measured. Waits until the group read everything, stops the processes, reads the alerts.
 */
async function serviceRun(
  rig: ChaosRig, topics: Topics, settings: Record<string, unknown>, label: string, replicas: number, events: number, windowSize: number, killAt?: number, partitions = 1,
): Promise<ServiceRun> {
  const runTopics: Topics = { ...topics, alerts: `${rig.id}-${label}-alerts`, deadLetters: `${rig.id}-${label}-dlq`, state: `${rig.id}-${label}-state`, summaries: `${rig.id}-${label}-summaries` };
  const groupId = `${rig.id}-${label}`;
  let live: SpawnedService[] = [];
  const kafka = (settings as { kafka: Record<string, unknown> }).kafka;
  for (let r = 0; r < replicas; r++) live.push(await rig.spawnService(runTopics, { ...settings, kafka: { ...kafka, replicaId: `${label}-${r}` } }, groupId));
  const metricOf = async (s: SpawnedService, metric: string, labels?: Record<string, string>) => metricSum(await scrape(s.url).catch(() => ''), metric, labels);
  /** A metric summed over the live replicas. */
  const total = async (metric: string, labels?: Record<string, string>) => (await Promise.all(live.map((s) => metricOf(s, metric, labels)))).reduce((a, b) => a + b, 0);
  const accepted = { topic: topics.events, outcome: 'accepted' };
  const acceptedBy = (s: SpawnedService) => metricOf(s, 'shiftwatch_ingest_messages_total', accepted);
  const run: ServiceRun = { eventsPerSecond: Number.NaN, acceptedEventsPerSecond: Number.NaN, alertIds: [], alerts: [], outOfOrder: 0 };

  if (killAt === undefined) {
    let first: { at: number; n: number } | undefined;
    let ticks: { before: Map<string, number>; after?: Map<string, number> } | undefined;
    let last = { at: Number.NaN, n: 0 };
    // An event is through once its window is scored (by the aggregator, with shared replicas). The
    // last windows wait for their partitions to go quiet (kafka.partitionIdleMs): 90% of them count.
    const scored = { windows: Math.floor(0.9 * Math.floor(events / windowSize)), at: Number.NaN };
    await waitFor(async () => {
      const at = performance.now();
      if (last.n < events) {
        const n = await total('shiftwatch_ingest_messages_total', accepted);
        if (first === undefined && n > 0) {
          first = { at, n };
          if (live.length === 1) ticks = { before: threadTicks(live[0]!.pid) };
        }
        last = { at, n };
      }
      if (Number.isNaN(scored.at) && (await total('shiftwatch_windows_closed_total')) >= scored.windows) {
        scored.at = at;
        if (ticks !== undefined) ticks.after = threadTicks(live[0]!.pid);
      }
      return last.n >= events && !Number.isNaN(scored.at);
    }, TIMEOUT_MS, `${label}: the service to accept ${events} events and score 90% of the windows`, SAMPLE_MS);
    run.acceptedEventsPerSecond = (last.n - first!.n) / ((last.at - first!.at) / 1000);
    run.eventsPerSecond = (scored.windows * windowSize) / ((scored.at - first!.at) / 1000);
    const cpu = ticks?.after === undefined ? undefined : cpuPerEvent(live[0]!.pid, ticks.before, ticks.after, scored.windows * windowSize);
    if (cpu !== undefined) run.cpu = cpu;
    log(`${label}: ${replicas} replica(s), ${run.eventsPerSecond.toFixed(0)} events/s end to end (scored), ${run.acceptedEventsPerSecond.toFixed(0)} events/s accepted`);
  } else {
    let active: SpawnedService | undefined;
    await waitFor(async () => {
      const counts = await Promise.all(live.map(acceptedBy));
      active = live[counts.findIndex((n) => n >= killAt * events)];
      return active !== undefined;
    }, TIMEOUT_MS, `${label}: a replica to accept ${Math.round(killAt * events)} events`, SAMPLE_MS);
    const killedAt = performance.now();
    await active!.kill('SIGKILL');
    live = live.filter((s) => s !== active);
    // Resumed: the survivors hold every input partition again, the killed replica's among them, and
    // windows are scored again after that (shared replicas: the killed one's open transaction no longer holds the summaries back).
    await waitFor(async () => (await total('shiftwatch_input_partitions_assigned')) >= partitions, TIMEOUT_MS, `${label}: the survivors to hold every input partition`, SAMPLE_MS);
    const scored = await total('shiftwatch_windows_closed_total');
    await waitFor(async () => (await total('shiftwatch_windows_closed_total')) > scored, TIMEOUT_MS, `${label}: windows to be scored again`, SAMPLE_MS);
    run.resumeSeconds = (performance.now() - killedAt) / 1000;
    log(`${label}: a replica killed; the other one holding every input partition and scoring windows ${run.resumeSeconds.toFixed(1)} s later`);
  }
  await waitUntilRead(rig, runTopics, groupId, live, windowSize);
  run.outOfOrder = await total('shiftwatch_windows_released_out_of_order_total');
  for (const s of live) await s.stop();
  run.alerts = (await rig.readAll(runTopics.alerts)).map((r) => JSON.parse(r.value!.toString('utf8')) as Alert);
  run.alertIds = run.alerts.map((a) => a.alertId);
  return run;
}
