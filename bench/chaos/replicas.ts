/**
 * `replicas`: two `shiftwatch serve` replicas in one consumer group while the classifier streams
 * into a `--partitions`-partition topic (the frame of the crash loop, `crashloop.ts`). `--kills`
 * times a replica holding input partitions is killed with SIGKILL; the other one must take over
 * every partition, and a replacement joins under the killed one's replica id (as an orchestrator
 * restarts a pod). `--replicas shared` (the default) splits the partitions between the replicas;
 * `--replicas active-standby` has one replica hold them all. Then a last process reads to the end
 * and the outputs are compared with an uninterrupted run in the same mode.
 *
 *   {"scenario":"replicas","kills","partitions","events","accounted","lost","alerts","uniqueAlertIds","duplicates","missingVsBaseline","extraVsBaseline","stateRestored","rebalanceResumeSeconds"}
 *
 * `rebalanceResumeSeconds`: the longest time from a SIGKILL to the survivor holding every partition.
 */
import { intFlag, replicasFlag, type Flags } from '../args.js';
import { waitFor } from '../../src/demo/wait.js';
import type { SpawnedService } from '../../tools/picture/service-child.js';
import { runFaulted, type ComparedLine } from './crashloop.js';
import { metricSum, scrape, type Log } from './rig.js';
import type { ChaosScenario, ScenarioResult } from './scenario.js';

/** The broker's smallest session by default: a killed replica leaves the group after it. */
const SESSION_TIMEOUT_MS = 6000;
const RESUME_TARGET_S = 15;

export interface ReplicasLine extends Record<string, unknown>, ComparedLine {
  scenario: 'replicas';
  kills: number;
  rebalanceResumeSeconds: number;
}

const assigned = async (s: SpawnedService) => metricSum(await scrape(s.url).catch(() => ''), 'shiftwatch_input_partitions_assigned');

export async function runReplicas(flags: Flags, log: Log): Promise<ScenarioResult<ReplicasLine>> {
  const kills = intFlag(flags, 'kills', 3, 1);
  const betweenMs = intFlag(flags, 'between-s', 8) * 1000;
  const rate = intFlag(flags, 'rate', 300);
  const mode = replicasFlag(flags, 'shared');
  const partitions = intFlag(flags, 'partitions', 3);
  const takeovers: number[] = [];
  const { compared, missed, details } = await runFaulted(flags, log, async (rig, topics, settings, stream) => {
    const kafka = (settings as { kafka?: Record<string, unknown> }).kafka ?? {};
    const ids = new Map<SpawnedService, string>();
    const start = async (replicaId: string) => {
      const s = await rig.spawnService(topics, { ...settings, kafka: { ...kafka, replicaId } });
      ids.set(s, replicaId);
      await s.waitReady(120_000);
      return s;
    };
    let replicas = [await start('r0'), await start('r1')];
    for (let k = 0; k < kills; k++) {
      const sentBefore = stream.eventsSent;
      await waitFor(async () => stream.eventsSent >= sentBefore + (betweenMs / 1000) * rate, betweenMs * 10, 'the stream to move on', 200);
      let active: SpawnedService | undefined;
      await waitFor(async () => (active = (await Promise.all(replicas.map(async (r) => ((await assigned(r)) > 0 ? r : undefined)))).find(Boolean)) !== undefined,
        60_000, 'a replica to hold the input partitions', 200);
      const standbys = replicas.filter((r) => r !== active);
      const killedAt = Date.now();
      await active!.kill('SIGKILL');
      await waitFor(async () => (await Promise.all(standbys.map(assigned))).reduce((a, b) => a + b, 0) >= partitions, 120_000, 'the other replica to take every partition', 100);
      takeovers.push((Date.now() - killedAt) / 1000);
      log(`kill ${k + 1}/${kills}: a replica holding input partitions killed, the other one held every partition ${takeovers.at(-1)!.toFixed(1)} s later; ${stream.eventsSent} events sent`);
      replicas = [...standbys, await start(ids.get(active!)!)];
    }
    for (const r of replicas) await r.stop();
    return { kills, details: { takeoverSeconds: takeovers } };
  }, { kafka: { sessionTimeoutMs: SESSION_TIMEOUT_MS, replicas: mode } });
  const rebalanceResumeSeconds = Math.round(Math.max(...takeovers) * 10) / 10;
  if (rebalanceResumeSeconds > RESUME_TARGET_S) missed.push(`rebalanceResumeSeconds ${rebalanceResumeSeconds}, target ${RESUME_TARGET_S}`);
  return { line: { scenario: 'replicas', kills, ...compared, rebalanceResumeSeconds, replicas: mode }, missed, details };
}

export const replicasScenario: ChaosScenario = {
  name: 'replicas',
  help: 'two replicas in one group during a stream; one holding partitions killed with SIGKILL, the other takes over; against an uninterrupted run [--replicas shared|active-standby] [--kills 3] [--between-s 8] [--partitions 3] [--rate 300] [--label-delay-s 3] [--label-order arrival|event-time] [--brokers h:p]',
  flags: ['replicas', 'kills', 'between-s', 'partitions', 'rate', 'label-delay-s', 'label-order', 'brokers'],
  run: runReplicas,
};
