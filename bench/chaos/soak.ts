/**
 * `soak`: the classifier's events at 2,000 per second for `--minutes` (default 10), each labelled
 * `--label-delay-s` later on the labels topic, into a running `shiftwatch serve`; its resident
 * memory and V8 heap are read from /metrics every few seconds.
 *
 *   {"scenario":"soak","minutes","rssSlopeMbPerMinAfterWarmup","heapSlopeMbPerMin","lost"}
 *
 * The slopes are least-squares fits (MiB per minute) over the samples after the warm-up (2 min).
 * The label join is capped at `--label-bytes-mb` (16 MiB by default, so it fills within the warm-up
 * at this rate; at the service's default of 64 MiB it fills after about 3.5 minutes and then stays
 * flat). lost: input messages (events and labels) neither accepted nor dead-lettered at the end.
 */
import { readFile } from 'node:fs/promises';
import { intFlag, type Flags } from '../args.js';
import { fitLinearMap } from '../../src/core/accuracy/monotone-map.js';
import { waitFor } from '../../src/demo/wait.js';
import { classifierSettings, fitClassifier } from './classifier.js';
import { ChaosRig, handled, metricSum, scrape, type Log } from './rig.js';
import { PacedStream } from './stream.js';
import { brokersFlag, type ChaosScenario, type ScenarioResult } from './scenario.js';

const WINDOW = 1000;
const MIB = 2 ** 20;

export interface SoakLine extends Record<string, unknown> {
  scenario: 'soak';
  minutes: number;
  rssSlopeMbPerMinAfterWarmup: number;
  heapSlopeMbPerMin: number;
  lost: number;
}

interface Sample {
  minute: number;
  rssMb: number;
  heapMb: number;
  heapTotalMb: number;
  joinMb: number;
  /** Resident anonymous and file-backed memory (Linux /proc), to tell allocations from code pages touched late. */
  anonMb?: number;
  fileMb?: number;
}

/** RssAnon and RssFile of a process from /proc (Linux), in MiB; undefined elsewhere. */
async function residentParts(pid: number): Promise<{ anonMb: number; fileMb: number } | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined);
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status ?? '')?.[1] ?? Number.NaN) / 1024;
  return status === undefined ? undefined : { anonMb: kb('RssAnon'), fileMb: kb('RssFile') };
}

const slope = (xs: readonly Sample[], pick: (s: Sample) => number): number => {
  const fit = fitLinearMap(xs.map((s) => s.minute), xs.map(pick));
  return fit.kind === 'linear' ? Math.round(fit.slope * 1000) / 1000 : Number.NaN;
};

export async function runSoak(flags: Flags, log: Log): Promise<ScenarioResult<SoakLine>> {
  const minutes = intFlag(flags, 'minutes', 10);
  const rate = intFlag(flags, 'rate', 2000);
  const labelDelayMs = intFlag(flags, 'label-delay-s', 30) * 1000;
  const labelBytes = intFlag(flags, 'label-bytes-mb', 16) * MIB;
  const warmupMinutes = intFlag(flags, 'warmup-s', 120) / 60;
  const sampleMs = intFlag(flags, 'sample-s', 5) * 1000;
  const rig = await ChaosRig.create({ brokers: brokersFlag(flags), log });
  try {
    const topics = rig.topics();
    await rig.createTopics(topics);
    const bundle = await fitClassifier(rig.dir, WINDOW);
    const service = await rig.startService(topics, classifierSettings(bundle, WINDOW, { labels: { maxBytes: labelBytes, minLabeled: 100 } }));
    const stream = new PacedStream(rig, await rig.producer(), topics, { eventsPerSecond: rate, windowSize: WINDOW, labelDelayMs });
    const samples: Sample[] = [];
    const started = Date.now();
    stream.start();
    const end = started + minutes * 60_000;
    while (Date.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(sampleMs, Math.max(0, end - Date.now()))));
      const text = await scrape(service.url).catch(() => '');
      if (text === '') continue;
      const s: Sample = {
        minute: (Date.now() - started) / 60_000,
        rssMb: metricSum(text, 'process_resident_memory_bytes') / MIB,
        heapMb: metricSum(text, 'nodejs_heap_size_used_bytes') / MIB,
        heapTotalMb: metricSum(text, 'nodejs_heap_size_total_bytes') / MIB,
        joinMb: metricSum(text, 'shiftwatch_label_join_bytes') / MIB,
        ...(await residentParts(service.pid)),
      };
      samples.push(s);
      if (samples.length % Math.max(1, Math.round(60_000 / sampleMs)) === 0) {
        const parts = s.anonMb === undefined ? '' : ` (anonymous ${s.anonMb.toFixed(1)}, file ${s.fileMb!.toFixed(1)})`;
        log(`${s.minute.toFixed(1)} min: RSS ${s.rssMb.toFixed(1)} MiB${parts}, heap ${s.heapMb.toFixed(1)} of ${s.heapTotalMb.toFixed(1)} MiB, label join ${s.joinMb.toFixed(1)} MiB, ${stream.eventsSent} events sent`);
      }
    }
    await stream.stop();
    const elapsedS = (Date.now() - started) / 1000;
    const sent = (await rig.count(topics.events)) + (await rig.count(topics.labels));
    let counts = { accepted: 0, deadLettered: 0 };
    await waitFor(async () => {
      counts = handled(await scrape(service.url));
      return counts.accepted + counts.deadLettered >= sent;
    }, 180_000, `the service to account for the ${sent} messages`, 500).catch((e: Error) => log(e.message));
    const after = samples.filter((s) => s.minute >= warmupMinutes);
    const line: SoakLine = {
      scenario: 'soak',
      minutes,
      rssSlopeMbPerMinAfterWarmup: slope(after, (s) => s.rssMb),
      heapSlopeMbPerMin: slope(after, (s) => s.heapMb),
      lost: Math.max(0, sent - counts.accepted - counts.deadLettered),
    };
    const missed: string[] = [];
    if (!(line.rssSlopeMbPerMinAfterWarmup <= 1)) missed.push(`RSS slope ${line.rssSlopeMbPerMinAfterWarmup} MiB/min after warm-up, target at most 1`);
    if (line.lost !== 0) missed.push(`lost ${line.lost}, target 0`);
    if (service.exitStatus() !== undefined) missed.push(`the service exited (${service.exitStatus()})`);
    const achieved = stream.eventsSent / elapsedS;
    if (achieved < 0.95 * rate) missed.push(`the stream reached ${achieved.toFixed(0)} events/s, not ${rate}`);
    const at = (m: number) => samples.reduce((best, s) => (Math.abs(s.minute - m) < Math.abs(best.minute - m) ? s : best), samples[0]!);
    return {
      line, missed,
      details: {
        eventsPerSecond: Math.round(achieved), eventsSent: stream.eventsSent, labelsSent: stream.labelsSent, labelJoinCapMiB: labelBytes / MIB,
        rssMiB: { atWarmup: at(warmupMinutes)?.rssMb, atEnd: samples[samples.length - 1]?.rssMb, max: Math.max(...samples.map((s) => s.rssMb)) },
        labelJoinMiBAtEnd: samples[samples.length - 1]?.joinMb,
        slopesAfterWarmupMiBPerMin: { heapTotal: slope(after, (s) => s.heapTotalMb), anonymous: slope(after, (s) => s.anonMb ?? Number.NaN), file: slope(after, (s) => s.fileMb ?? Number.NaN) },
        samples: samples.map((s) => [Math.round(s.minute * 100) / 100, Math.round(s.rssMb * 10) / 10, Math.round(s.heapMb * 10) / 10]),
      },
    };
  } finally {
    await rig.close();
  }
}

export const soakScenario: ChaosScenario = {
  name: 'soak',
  help: 'a classifier at 2,000 events/s with delayed labels; RSS and heap slopes after warm-up [--minutes 10] [--rate 2000] [--label-delay-s 30] [--label-bytes-mb 16] [--warmup-s 120] [--sample-s 5] [--brokers h:p]',
  flags: ['minutes', 'rate', 'label-delay-s', 'label-bytes-mb', 'warmup-s', 'sample-s', 'brokers'],
  run: runSoak,
};
