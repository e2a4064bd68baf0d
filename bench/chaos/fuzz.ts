/**
 * `fuzz`: at least 10,000 malformed messages of more than 40 kinds (fuzz-kinds.ts) mixed with valid
 * events and labels, including a burst of 5,000 bad messages sent as one batch and messages of
 * 900 KB and more, through the broker's default size limits into a running `shiftwatch serve`.
 * Every message must end up accepted or dead-lettered (unaccounted 0), the service must keep
 * handling input (stalled false) and never exit.
 *
 *   {"scenario":"fuzz","sent","accepted","deadLettered","unaccounted","stalled","kinds"}
 *
 * sent: messages produced (events and labels); accepted: events accepted plus labels joined,
 * waiting or duplicate, from the service's metrics; deadLettered: distinct input coordinates in
 * the dead-letter topic; unaccounted = sent − accepted − deadLettered; kinds: malformed kinds sent.
 */
import { intFlag, type Flags } from '../args.js';
import { waitFor } from '../../src/demo/wait.js';
import type { DeadLetter } from '../../src/core/contract/dead-letter.js';
import type { OutgoingRecord } from '../../src/kafka/send-chunks.js';
import { classifierSettings, classifierWindow, fitClassifier } from './classifier.js';
import { FUZZ_KINDS, type FuzzKind } from './fuzz-kinds.js';
import { ChaosRig, handled, scrape, type Log } from './rig.js';
import { brokersFlag, type ChaosScenario, type ScenarioResult } from './scenario.js';

const WINDOW = 500;

interface Planned {
  topic: 'events' | 'labels';
  kind: string;
  record: OutgoingRecord;
}

export interface FuzzLine extends Record<string, unknown> {
  scenario: 'fuzz';
  sent: number;
  accepted: number;
  deadLettered: number;
  unaccounted: number;
  stalled: boolean;
  kinds: number;
}

export async function runFuzz(flags: Flags, log: Log): Promise<ScenarioResult<FuzzLine>> {
  const malformed = intFlag(flags, 'malformed', 10_000);
  const burst = intFlag(flags, 'burst', 5000);
  const validWindows = intFlag(flags, 'valid-windows', 8);
  const bigEach = intFlag(flags, 'big', 2);
  const timeoutMs = intFlag(flags, 'timeout-s', 180) * 1000;
  const rig = await ChaosRig.create({ brokers: brokersFlag(flags), log });
  try {
    const topics = rig.topics();
    await rig.createTopics(topics);
    const bundle = await fitClassifier(rig.dir, WINDOW);
    const service = await rig.startService(topics, classifierSettings(bundle, WINDOW, { labels: { minLabeled: 100 } }));
    const producer = await rig.producer();

    const small = FUZZ_KINDS.filter((k) => !k.big);
    const smallEvents = small.filter((k) => k.topic === 'events');
    const big = FUZZ_KINDS.filter((k) => k.big);
    const planned = (kind: FuzzKind, i: number): Planned => ({ topic: kind.topic, kind: kind.name, record: kind.make(i) });
    // The burst: small bad events only, in one produce request, so the service gets them as one batch.
    const burstRecords = Array.from({ length: burst }, (_, i) => planned(smallEvents[(i * 7) % smallEvents.length]!, i));
    // The rest: the remaining malformed messages interleaved with valid windows, then their labels
    // (half of each window's), with the big ones spread among them.
    const bigRecords = Array.from({ length: big.length * bigEach }, (_, i) => planned(big[i % big.length]!, i));
    const spread = Math.max(0, malformed - burstRecords.length - bigRecords.length);
    const validEvents = Array.from({ length: validWindows }, (_, w) => classifierWindow(w, WINDOW));
    const events = validEvents.flatMap((x) => x.events);
    const rest: Planned[] = [];
    let v = 0;
    for (let i = 0; i < spread; i++) {
      rest.push(planned(small[i % small.length]!, burst + i));
      for (const target = Math.floor(((i + 1) * events.length) / spread); v < target; v++) rest.push({ topic: 'events', kind: 'valid', record: events[v]! });
      if (bigRecords.length > 0 && i % Math.ceil(spread / bigRecords.length) === 0) rest.push(bigRecords.shift()!);
    }
    for (; v < events.length; v++) rest.push({ topic: 'events', kind: 'valid', record: events[v]! });
    rest.push(...bigRecords);
    for (const x of validEvents) for (const l of x.labels.slice(0, WINDOW / 2)) rest.push({ topic: 'labels', kind: 'valid', record: l });

    const origin = new Map<string, string>(); // "topic/offset" -> kind
    const sendAll = async (planned: Planned[]) => {
      for (const topic of ['events', 'labels'] as const) {
        const mine = planned.filter((p) => p.topic === topic);
        const offsets = await rig.send(producer, topics[topic], mine.map((p) => p.record));
        offsets.forEach((o, i) => origin.set(`${topics[topic]}/${o}`, mine[i]!.kind));
      }
    };
    const started = Date.now();
    await sendAll(burstRecords);
    log(`sent a burst of ${burstRecords.length} bad messages in one batch`);
    // In slices, so bad and valid input keeps arriving while the service works.
    for (let i = 0; i < rest.length; i += 2000) await sendAll(rest.slice(i, i + 2000));
    const sent = origin.size;
    const kinds = new Set([...origin.values()].filter((k) => k !== 'valid')).size;
    const malformedSent = [...origin.values()].filter((k) => k !== 'valid').length;
    log(`sent ${sent} messages (${malformedSent} malformed of ${kinds} kinds) in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    let counts = { accepted: 0, deadLettered: 0 };
    let stalled = false;
    try {
      await waitFor(async () => {
        if (service.exitStatus() !== undefined) throw new Error(`the service exited (${service.exitStatus()})`);
        counts = handled(await scrape(service.url));
        return counts.accepted + counts.deadLettered >= sent;
      }, timeoutMs, 'the service to handle every message', 500);
    } catch (error) {
      stalled = true;
      log(`stalled: ${error instanceof Error ? error.message : String(error)}`);
    }
    // The metrics count a dead letter when the message is handled; it is on the topic once its
    // transaction commits: wait for that (a dead letter that never arrives stays unaccounted).
    let letters: DeadLetter[] = [];
    let dlqOrigins = new Set<string>();
    await waitFor(async () => {
      letters = (await rig.readAll(topics.deadLetters)).map((r) => JSON.parse(r.value!.toString('utf8')) as DeadLetter);
      dlqOrigins = new Set(letters.map((d) => `${d.origin.topic}/${d.origin.offset}`));
      return dlqOrigins.size >= sent - counts.accepted;
    }, 60_000, 'the dead letters to be committed', 1000).catch((error: Error) => log(error.message));
    const exited = service.exitStatus();
    const ready = await fetch(`${service.url}/ready`).then(async (r) => ({ status: r.status, body: await r.text() }), (e: Error) => ({ status: 0, body: e.message }));
    const byKind: Record<string, { sent: number; deadLettered: number; reasons: Record<string, number> }> = {};
    for (const kind of origin.values()) (byKind[kind] ??= { sent: 0, deadLettered: 0, reasons: {} }).sent += 1;
    for (const d of letters) {
      const entry = byKind[origin.get(`${d.origin.topic}/${d.origin.offset}`) ?? 'unknown'] ??= { sent: 0, deadLettered: 0, reasons: {} };
      entry.deadLettered += 1;
      entry.reasons[d.reason] = (entry.reasons[d.reason] ?? 0) + 1;
    }
    const line: FuzzLine = {
      scenario: 'fuzz', sent, accepted: counts.accepted, deadLettered: dlqOrigins.size,
      unaccounted: sent - counts.accepted - dlqOrigins.size, stalled: stalled || exited !== undefined, kinds,
    };
    const missed: string[] = [];
    if (line.unaccounted !== 0) missed.push(`unaccounted ${line.unaccounted}, target 0`);
    if (line.stalled) missed.push('stalled');
    if (exited !== undefined) missed.push(`the service exited (${exited})`);
    if (malformedSent < 10_000 && malformed >= 10_000) missed.push(`only ${malformedSent} malformed messages sent`);
    return {
      line, missed,
      details: { malformedSent, burst: burstRecords.length, duplicateDeadLetters: letters.length - dlqOrigins.size, truncatedDeadLetters: letters.filter((d) => d.truncated).length, ready, byKind },
    };
  } finally {
    await rig.close();
  }
}

export const fuzzScenario: ChaosScenario = {
  name: 'fuzz',
  help: 'malformed input of many kinds mixed with valid traffic, a 5,000-message bad burst and 900 KB+ messages [--malformed 10000] [--burst 5000] [--valid-windows 8] [--big 2] [--timeout-s 180] [--brokers h:p]',
  flags: ['malformed', 'burst', 'valid-windows', 'big', 'timeout-s', 'brokers'],
  run: runFuzz,
};
