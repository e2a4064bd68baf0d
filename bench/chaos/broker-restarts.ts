/**
 * `broker`: the broker is stopped (SIGTERM, a clean shutdown, or SIGKILL, a crash) and started again
 * on the same port and data dir, three times, while events stream into a running `shiftwatch serve`.
 *
 *   {"scenario":"broker","restarts","lost","duplicates","readyFalseWithinSeconds","readyTrueWithinSeconds"}
 *
 * lost: events in the input topic that the service neither accepted nor dead-lettered by the end.
 * duplicates: events counted more than once (accepted plus dead-lettered beyond the records in the
 * input topic) plus alert records whose alertId was already on the alerts topic.
 * readyFalseWithinSeconds: the longest time, over the restarts, from the signal to the first 503
 * of /ready; readyTrueWithinSeconds: the longest time from the restarted broker answering until
 * /ready answered 200 for good (the start of the run of 200s that lasts until the next signal or
 * the end of the stream). /ready is polled every 100 ms.
 */
import { intFlag, UsageError, type Flags } from '../args.js';
import { waitFor } from '../../src/demo/wait.js';
import { classifierSettings, fitClassifier } from './classifier.js';
import { ChaosRig, metricSum, scrape, type Log } from './rig.js';
import { ReadinessWatch } from './readiness-watch.js';
import { PacedStream } from './stream.js';
import type { ChaosScenario, ScenarioResult } from './scenario.js';

const WINDOW = 500;
const SIGNALS = ['SIGTERM', 'SIGKILL'] as const;
type Signal = (typeof SIGNALS)[number];

export interface BrokerLine extends Record<string, unknown> {
  scenario: 'broker';
  restarts: number;
  lost: number;
  duplicates: number;
  readyFalseWithinSeconds: number | null;
  readyTrueWithinSeconds: number | null;
}

function signalsFlag(flags: Flags): Signal[] {
  const raw = flags.get('signals') ?? 'SIGTERM,SIGKILL,SIGKILL';
  const list = raw.split(',').map((s) => s.trim().toUpperCase());
  if (list.length === 0 || list.some((s) => !(SIGNALS as readonly string[]).includes(s))) throw new UsageError(`--signals must list SIGTERM or SIGKILL, got "${raw}"`);
  return list as Signal[];
}

export async function runBrokerRestarts(flags: Flags, log: Log): Promise<ScenarioResult<BrokerLine>> {
  if (flags.has('brokers')) throw new UsageError('the broker scenario restarts a broker of its own: --brokers is not accepted');
  const signals = signalsFlag(flags);
  const rate = intFlag(flags, 'rate', 400);
  const betweenMs = intFlag(flags, 'between-s', 10) * 1000;
  const downMs = intFlag(flags, 'down-s', 0, 0) * 1000;
  const rig = await ChaosRig.create({ log });
  try {
    const topics = rig.topics();
    await rig.createTopics(topics);
    const bundle = await fitClassifier(rig.dir, WINDOW);
    const service = await rig.startService(topics, classifierSettings(bundle, WINDOW, { alerts: { cooldownWindows: 0 } }));
    const watch = new ReadinessWatch(service.url);
    rig.onClose(() => watch.stop());
    const stream = new PacedStream(rig, await rig.producer(), topics, { eventsPerSecond: rate, windowSize: WINDOW, shifted: (w) => w % 8 === 3 || w % 8 === 4 });
    stream.start();
    await new Promise((resolve) => setTimeout(resolve, betweenMs));
    const timings: Array<{ signal: Signal; killedAt: number; upAt: number; falseS?: number; trueS?: number; reasons: string[] }> = [];
    for (const signal of signals) {
      log(`stopping the broker with ${signal}`);
      const t = await rig.restartBroker(signal, () => log(`broker down; starting it again on the same port and data dir${downMs > 0 ? ` in ${downMs / 1000} s` : ''}`), downMs);
      log(`broker back ${((t.upAt - t.killedAt) / 1000).toFixed(1)} s after the ${signal}`);
      await waitFor(() => watch.first(t.upAt, true) !== undefined, 60_000, 'the service to be ready again', 100).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, betweenMs));
      const reasons = watch.reasons(t.killedAt, Date.now()).map((r) => `+${((r.at - t.killedAt) / 1000).toFixed(1)} s: ${r.reason}`);
      const timing = { signal, killedAt: t.killedAt, upAt: t.upAt, falseS: watch.secondsUntil(t.killedAt, false), trueS: watch.secondsUntilSteadyReady(t.upAt, Date.now()), reasons };
      timings.push(timing);
      log(`/ready: 503 ${timing.falseS ?? 'never'} s after the signal, 200 for good ${timing.trueS ?? 'never'} s after the broker answered`);
      for (const r of reasons) log(`  ${r}`);
    }
    await stream.stop();
    const inTopic = await rig.count(topics.events);
    let exposition = '';
    const counted = () => metricSum(exposition, 'shiftwatch_ingest_messages_total', { topic: topics.events, outcome: 'accepted' }) + metricSum(exposition, 'shiftwatch_ingest_messages_total', { topic: topics.events, outcome: 'dead_letter' });
    await waitFor(async () => {
      exposition = await scrape(service.url);
      return counted() >= inTopic;
    }, 120_000, `the service to account for the ${inTopic} events in the topic`, 500).catch((e: Error) => log(e.message));
    await new Promise((resolve) => setTimeout(resolve, 2000)); // anything counted twice would show now
    exposition = await scrape(service.url);
    const alerts = (await rig.readAll(topics.alerts)).map((r) => (JSON.parse(r.value!.toString('utf8')) as { alertId: string }).alertId);
    const duplicateAlerts = alerts.length - new Set(alerts).size;
    const seconds = (values: Array<number | undefined>) => (values.some((v) => v === undefined) ? null : Math.round(Math.max(...(values as number[])) * 10) / 10);
    const line: BrokerLine = {
      scenario: 'broker',
      restarts: timings.length,
      lost: Math.max(0, inTopic - counted()),
      duplicates: Math.max(0, counted() - inTopic) + duplicateAlerts,
      readyFalseWithinSeconds: seconds(timings.map((t) => t.falseS)),
      readyTrueWithinSeconds: seconds(timings.map((t) => t.trueS)),
    };
    const serviceLines = service.output().split('\n');
    const serviceErrors = serviceLines.filter((l) => / ERROR /.test(l));
    const missed: string[] = [];
    if (line.lost !== 0) missed.push(`lost ${line.lost}, target 0`);
    if (line.duplicates !== 0) missed.push(`duplicates ${line.duplicates}, target 0`);
    if (line.readyFalseWithinSeconds === null || line.readyFalseWithinSeconds > 5) missed.push(`readiness false within ${line.readyFalseWithinSeconds} s, target 5 s`);
    if (line.readyTrueWithinSeconds === null || line.readyTrueWithinSeconds > 10) {
      // Which restart it was and what /ready said meanwhile, so that a miss in CI tells why.
      const slow = timings.filter((t) => t.trueS === undefined || t.trueS > 10).map((t) => `after the ${t.signal} (broker back in ${((t.upAt - t.killedAt) / 1000).toFixed(1)} s): ${t.reasons.join('; ') || 'no 503 reasons'}`);
      missed.push(`readiness true within ${line.readyTrueWithinSeconds} s, target 10 s; ${slow.join(' | ')}`);
    }
    if (service.exitStatus() !== undefined) missed.push(`the service exited (${service.exitStatus()})`);
    return {
      line, missed,
      details: {
        eventsInTopic: inTopic, eventsSent: stream.eventsSent, failedSends: stream.failedSends, alerts: alerts.length,
        replaySkipped: metricSum(exposition, 'shiftwatch_ingest_messages_total', { outcome: 'replay_skipped' }),
        restarts: timings.map((t) => ({ signal: t.signal, brokerDownS: (t.upAt - t.killedAt) / 1000, readyFalseS: t.falseS, readyTrueS: t.trueS })),
        // The service's own error lines for the outages (one each, from its broker probe) and any other.
        outageErrorLines: serviceErrors.filter((l) => l.includes('the broker does not answer')).length,
        otherErrorLines: serviceErrors.filter((l) => !l.includes('the broker does not answer')).slice(0, 10),
        // The service's own warnings and errors, to tell why a target was missed.
        ...(missed.length > 0 ? { serviceLog: serviceLines.filter((l) => /WARN|ERROR/.test(l)).slice(-40) } : {}),
      },
    };
  } finally {
    await rig.close();
  }
}

export const brokerScenario: ChaosScenario = {
  name: 'broker',
  help: 'broker restarts (SIGTERM and SIGKILL) on the same port and data dir during a stream [--signals SIGTERM,SIGKILL,SIGKILL] [--rate 400] [--between-s 10] [--down-s 0]',
  flags: ['signals', 'rate', 'between-s', 'down-s', 'brokers'],
  run: runBrokerRestarts,
};
