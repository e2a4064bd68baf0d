/**
 * `npm run bench -- flow-fit`: wall time, rows/s and peak RSS of training the default flow
 * (6 affine couplings, hidden 128) on N rows × D correlated features, as `shiftwatch fit` does.
 */
import { DEFAULT_ARCHITECTURE } from '../core/flow/init-flow.js';
import { gaussian, seededRandom } from '../core/random.js';
import { trainFlow } from '../flow/train-flow.js';
import { intFlag, parseFlags } from './args.js';
import { machineInfo, RssSampler } from './machine.js';

export async function runFlowFit(argv: readonly string[]): Promise<Record<string, unknown>> {
  const flags = parseFlags(argv, ['rows', 'dim', 'epochs', 'batch', 'lr', 'seed']);
  const rows = intFlag(flags, 'rows', 50_000);
  const dim = intFlag(flags, 'dim', 32);
  // The defaults of `shiftwatch fit`.
  const epochs = intFlag(flags, 'epochs', 40);
  const batchSize = intFlag(flags, 'batch', 1024);
  const learningRate = Number(flags.get('lr') ?? 0.004);
  const normal = gaussian(seededRandom(intFlag(flags, 'seed', 1)));
  // A chain of correlated features with some skewed ones, so training has structure to learn.
  const columns = Array.from({ length: dim }, () => new Float64Array(rows));
  for (let i = 0; i < rows; i++) {
    let prev = normal();
    for (let j = 0; j < dim; j++) {
      prev = 0.7 * prev + Math.sqrt(1 - 0.49) * normal();
      columns[j]![i] = j % 4 === 3 ? Math.exp(0.5 * prev) : prev;
    }
  }
  const rss = new RssSampler();
  rss.phase('train');
  const result = await trainFlow({ columns, features: columns.map((_, j) => `f${j}`) }, {
    maxEpochs: epochs,
    batchSize,
    learningRate,
    seed: 1,
    onEpoch: (e) => process.stderr.write(`epoch ${e.epoch}/${e.maxEpochs} train NLL ${e.trainNll.toFixed(3)} val NLL ${e.validationNll.toFixed(3)} ${Math.round(e.rowsPerSecond)} rows/s\n`),
  });
  const peak = rss.peak('train');
  rss.stop();
  const trained = result.rows.train * result.epochs.length;
  return {
    scenario: 'flow-fit',
    machine: machineInfo(),
    rows,
    dim,
    architecture: { layers: DEFAULT_ARCHITECTURE.layers, hidden: DEFAULT_ARCHITECTURE.hidden, depth: DEFAULT_ARCHITECTURE.depth },
    batchSize,
    learningRate,
    backend: result.backend,
    epochs: result.epochs.length,
    bestEpoch: result.bestEpoch,
    seconds: Math.round(result.seconds * 10) / 10,
    secondsPerEpoch: Math.round((result.seconds / result.epochs.length) * 10) / 10,
    trainRowsPerSecond: Math.round(trained / result.seconds),
    bestValidationNll: result.epochs[result.bestEpoch - 1]?.validationNll,
    peakRssMiB: peak,
  };
}
