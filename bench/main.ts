/**
 * `npm run bench -- <scenario> [flags]`: runs one benchmark scenario. Progress goes to stderr; the
 * very last line on stdout is one JSON object with the scenario's figures (see docs/benchmarks.md).
 */
import { UsageError } from './args.js';
import { runE2e } from './e2e.js';
import { runFalseAlarms } from './false-alarms.js';

const SCENARIOS: Record<string, { run: (argv: readonly string[]) => Promise<Record<string, unknown>>; help: string }> = {
  e2e: {
    run: runE2e,
    help: 'events/s through Kafka + the whole service vs raw kafkajs consume [--events 200000] [--repeats 3] [--partitions 1] [--window 1000]',
  },
  'false-alarms': {
    run: runFalseAlarms,
    help: 'false alarm rate on long clean streams vs the target [--windows 4000] [--window-size 500] [--targets 100,1000] [--streams iid,seasonal] [--seed N] [--replicates 1000]',
  },
  'label-shift': { run: async (argv) => (await import('./label-shift.js')).runLabelShift(argv), help: 'class-proportion MAE of BBSE, RLLS, MLLS, MLLS+BCTS under Dirichlet label shift [--windows 200] [--alphas 10,1,0.1] [--window-size 2000] [--validation 10000] [--seed N]' },
  accuracy: { run: async (argv) => (await import('./accuracy.js')).runAccuracy(argv), help: 'accuracy-without-labels MAE (points) and interval coverage, label shift and covariate noise [--windows 300] [--alpha 1] [--noises 0,0.5,1,2] [--seed N]' },
  flow: { run: async (argv) => (await import('./flow-speed.js')).runFlowSpeed(argv), help: 'rows/s per core of the benchmark flow (d = 32, 6 affine couplings, hidden 128): ONNX Runtime vs tfjs vs PyTorch, log p and log p + score [--dim 32] [--batch 4096] [--seconds 3] [--activation tanh|relu] [--python path]' },
  'flow-fit': { run: async (argv) => (await import('./flow-fit.js')).runFlowFit(argv), help: 'the whole flow fit (fitFlow, fit defaults) on N rows × D features per trainer: seconds, validation NLL, speed ratio [--rows 50000] [--dim 32] [--epochs 40] [--batch 1024] [--lr 0.004] [--trainers onnx,tfjs]' },
  'flow-window': { run: async (argv) => (await import('./flow-window.js')).runFlowWindow(argv), help: 'per-window cost of the flow detector (log p + conditional test): two ONNX passes vs one [--dim 32] [--window 1000] [--windows 200] [--reference 20000] [--epochs 5] [--replicates 200] [--seed N]' },
  localize: { run: async (argv) => (await import('./localize.js')).runLocalize(argv), help: 'feature-shift detection and localisation, conditional score test vs marginal KS [--windows 50] [--clean 400] [--replicates 2000] [--epochs 40] [--hidden 64] [--layers 4] [--alpha 0.05] [--methods flow,flow-all,flow-base,gaussian,ks,flow+ks,gaussian+ks] [--attacks clean,permute,mean,scale] [--categorical-windows 100] [--seed N]' },
  trust: { run: async (argv) => (await import('./trust.js')).runTrust(argv), help: 'replay on seasonal synthetic streams: false alarms with nothing changed, label shift, slow accuracy drift, a feature shift that starts and ends; goal.* fields [--window-size 500] [--windows-per-day 12] [--reference-days 10] [--seasonal-windows 1000] [--flow-epochs 12] [--seed N]' },
  'label-join': { run: async (argv) => (await import('./label-join.js')).runLabelJoinMemory(argv), help: 'heap bytes per label-join entry (predictions and waiting labels, ids of 8 to 64 characters), the figures behind labels.maxBytes [--entries 1000000]' },
  memory: { run: async (argv) => (await import('./memory.js')).runMemory(argv), help: 'RSS of real serve processes per model, per feature and per 1k waiting labels [--models 20] [--base-features 10] [--features 200] [--events 5000] [--waiting 200000] [--samples 7] [--replicas active-standby|shared]' },
  scale: { run: async (argv) => (await import('./scale.js')).runScale(argv), help: 'classifier with a flow and delayed labels on a P-partition topic: raw consume vs 1 and 2 serve replicas, takeover after SIGKILL, alert ids compared, flow fit 50k x 32 [--events 200000] [--partitions 4] [--window 1000] [--fit-rows 50000] [--replicas shared|active-standby] [--floor 0.8] [--label-order arrival|event-time]' },
  client: { run: async (argv) => (await import('./client.js')).runClient(argv), help: 'raw consume events/s of kafkajs vs @confluentinc/kafka-javascript (its KafkaJS API and its own), on the scale events; needs scripts/build-confluent-client [--events 200000] [--partitions 4] [--repeats 2] [--batch 1000] [--confluent-dir DIR]' },
  scrape: { run: async (argv) => (await import('./scrape.js')).runScrape(argv), help: 'cost of one /metrics scrape: registry.metrics() median/p95 and series for N models × F features, series per model [--models 50] [--features 100] [--kind classifier|plain|regressor] [--classes 10] [--repeats 50] [--series-features 32]' },
};

function usage(): string {
  const lines = Object.entries(SCENARIOS).map(([name, s]) => `  ${name.padEnd(13)} ${s.help}`);
  return `usage: npm run bench -- <scenario> [flags]\nscenarios:\n${lines.join('\n')}\n`;
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  const scenario = name === undefined ? undefined : SCENARIOS[name];
  if (scenario === undefined) {
    process.stderr.write(`${name === undefined ? 'no scenario given' : `unknown scenario "${name}"`}\n${usage()}`);
    return 2;
  }
  try {
    const figures = await scenario.run(rest);
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n${usage()}`);
      return 2;
    }
    process.stderr.write(`bench ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
// Exit explicitly once stdout is flushed: a client library's leftover timer must not keep a finished
// benchmark alive (the broker, if any, was stopped by the scenario's own finally block).
process.stdout.write('', () => process.exit(code));
