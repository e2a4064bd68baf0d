/**
 * On the real broker, a replica is killed (SIGKILL) after it scored some windows, then the labels of
 * one of those windows arrive, then the replica comes back. It rebuilds the label join from the
 * records its commit held (a shared replica's aggregator from the summaries topic, an active-standby
 * replica from the input topics), so every label finds its prediction, and the window's realized
 * accuracy is the truth, as if nothing had happened.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHarness, WINDOW, type Harness } from '../support/service-harness.js';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.js';
import { featureRow, fitClassifierBundle } from '../support/classifier-bundle.js';
import { createTask, sample, uniform } from '../../src/demo/classification.js';
import { waitFor } from '../../src/demo/wait.js';
import type { RealizedReport } from '../../src/core/pipeline/label-tracker.js';
import type { ShiftwatchConfig } from '../../src/config/index.js';

const K = 3;
const BASE_TS = 1_764_331_200_000;
const task = createTask({ classes: K, dims: 4, seed: 8 });

describe.each(['shared', 'active-standby'] as const)('the label join across a restart of a %s replica, on a real Kafka broker', (replicas) => {
  let h: Harness;
  let dir: string;
  const running: ServiceProcess[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shiftwatch-join-rebuild-'));
    const ref = sample(task, 4000, uniform(K), 0, 1);
    h = await createHarness({ bundle: await fitClassifierBundle(dir, ref, WINDOW), config: { labels: { minLabeled: 100 } } });
  });
  afterAll(async () => {
    for (const p of running) await p.kill('SIGKILL').catch(() => undefined);
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('joins the labels of a window scored before a SIGKILL, sent after it, to every prediction', async () => {
    const windows = [0, 1, 2, 3].map((w) => sample(task, WINDOW, uniform(K), 0, 300 + w));
    const tsOf = (w: number, i: number) => BASE_TS + (w * WINDOW + i) * 100;
    const events = windows.flatMap((s, w) => s.probs.map((probs, i) => ({ key: `w${w}-${i}`, value: JSON.stringify({ model: 'm1', id: `w${w}-${i}`, ts: tsOf(w, i), features: featureRow(s, i), prediction: { probs } }) })));
    const labels = windows[1]!.labels.map((label, i) => ({ key: `w1-${i}`, value: JSON.stringify({ model: 'm1', id: `w1-${i}`, label }) }));
    const t = h.config.kafka.topics;
    const config: ShiftwatchConfig = {
      ...h.config,
      kafka: {
        ...h.config.kafka, sessionTimeoutMs: 6000, rebalanceTimeoutMs: 6000,
        ...(replicas === 'shared' ? { replicas, replicaId: 'a', summaryPartitions: 1, topics: { ...t, summaries: `${t.events}-summaries` } } : { replicas }),
      },
    };
    const start = async (name: string) => {
      const p = await startServiceProcess(config, join(dir, `${name}.yaml`));
      running.push(p);
      return p;
    };
    const status = async (p: ServiceProcess) => ((await (await fetch(`${p.url}/status`)).json()) as { models: { windowsClosed?: number; realized?: RealizedReport[] }[] }).models[0];
    const labelsTotal = async (p: ServiceProcess, outcome: string) => Number(new RegExp(`^shiftwatch_labels_total\\{model="m1",outcome="${outcome}"\\} (\\S+)$`, 'm').exec(await (await fetch(`${p.url}/metrics`)).text())?.[1] ?? 0);

    const first = await start('first');
    await h.sendEvents(events);
    // Scored and delivered, with the checkpoint and the commit: the last window once its partition went quiet.
    await waitFor(async () => ((await status(first))?.windowsClosed ?? 0) >= windows.length, 90_000, 'the four windows to be scored').catch((e: Error) => {
      throw new Error(`${e.message}\n${first.output().slice(-3000)}`);
    });
    expect(await first.kill('SIGKILL')).toBe('SIGKILL');

    // A shared replica reads its aggregator's summaries in log order, so the labels may come while it is down.
    // An active-standby replica reads the labels and events partitions side by side: labels read before their
    // events are read again wait (and count as waiting) until the replay joins them, so they come once the
    // replayed events are read (the labels-first order is unit-tested in monitor-label-rebuild.spec.ts).
    if (replicas === 'shared') await h.producer.send({ topic: t.labels, messages: labels });
    const second = await start('second');
    if (replicas === 'active-standby') {
      const pattern = new RegExp(`^shiftwatch_ingest_messages_total\\{topic="${t.events}",outcome="replay_skipped"\\} (\\S+)$`, 'm');
      const replayed = async () => Number(pattern.exec(await (await fetch(`${second.url}/metrics`)).text())?.[1] ?? 0);
      await waitFor(async () => (await replayed()) >= windows.length * WINDOW, 90_000, 'the restarted replica to read its windows\' events again');
      await h.producer.send({ topic: t.labels, messages: labels });
    }
    let report: RealizedReport | undefined;
    await waitFor(async () => {
      report = (await status(second))?.realized?.find((r) => r.windowId === `c-${t.events}/0@${WINDOW}` && r.labeled === WINDOW);
      return report !== undefined;
    }, 90_000, 'window 1 to be fully labelled').catch(async (e: Error) => {
      throw new Error(`${e.message}: ${await labelsTotal(second, 'waiting')} labels waiting\n${second.output().slice(-3000)}`);
    });
    const s = windows[1]!;
    const truth = s.labels.filter((y, i) => s.probs[i]!.indexOf(Math.max(...s.probs[i]!)) === y).length / WINDOW;
    expect(report).toMatchObject({ serial: 2, predictions: WINDOW, labeled: WINDOW, accuracy: truth });
    expect(await labelsTotal(second, 'joined')).toBe(WINDOW);
    expect(await labelsTotal(second, 'waiting')).toBe(0);
  });
});
