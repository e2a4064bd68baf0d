import { logProb } from '../../../src/core/flow/flow-math.js';
import { checkFlowModel, countParameters, modelFromJson, modelToJson } from '../../../src/core/flow/flow-weights.js';
import type { FlowModel } from '../../../src/core/flow/flow-spec.js';
import { DEFAULT_ARCHITECTURE, initFlow } from '../../../src/core/flow/init-flow.js';
import { randomFlow } from './random-flow.js';

const clone = (m: FlowModel): FlowModel => JSON.parse(JSON.stringify(m)) as FlowModel;

describe('flow weights', () => {
  it('counts conditioner weights and biases', () => {
    const st = { features: ['a', 'b', 'c', 'd', 'e'], mean: [0, 0, 0, 0, 0], scale: [1, 1, 1, 1, 1] };
    const affine = initFlow(st, { ...DEFAULT_ARCHITECTURE, layers: 2, hidden: 16, depth: 2 }, { kind: 'normal' }, 1);
    // layer 0: identity {0,2,4} → 3·16+16, 16·16+16, 16·(2·2)+4 ; layer 1: identity {1,3} → 2·16+16, 16·16+16, 16·(2·3)+6
    const expected = 3 * 16 + 16 + 16 * 16 + 16 + 16 * 4 + 4 + (2 * 16 + 16 + 16 * 16 + 16 + 16 * 6 + 6);
    expect(countParameters(affine)).toBe(expected);
    const spline = initFlow(st, { ...DEFAULT_ARCHITECTURE, kind: 'spline', layers: 1, hidden: 4, depth: 1, bins: 8 }, { kind: 'normal' }, 1);
    expect(countParameters(spline)).toBe(3 * 4 + 4 + 4 * 2 * 23 + 2 * 23);
  });

  it('finds no problems in valid models', () => {
    expect(checkFlowModel(randomFlow({ kind: 'affine', activation: 'tanh', dim: 3, seed: 1 }))).toEqual([]);
    expect(checkFlowModel(randomFlow({ kind: 'spline', activation: 'relu', dim: 4, seed: 2, base: { kind: 'student-t', dof: [null, 3, null, 5] } }))).toEqual([]);
  });

  it('reports dimension mismatches, bad indices, non-finite weights and bad bases', () => {
    const good = randomFlow({ kind: 'spline', activation: 'tanh', dim: 3, seed: 3 });
    const expectProblem = (mutate: (m: FlowModel) => void, pattern: RegExp) => {
      const m = clone(good);
      mutate(m);
      const problems = checkFlowModel(m);
      expect(problems.some((p) => pattern.test(p))).toBe(true);
    };
    expectProblem((m) => (m.layers[0]!.conditioner.output.weights[2] = NaN), /layers\[0\]\.conditioner\.output\.weights: 1 non-finite/);
    expectProblem((m) => m.layers[1]!.conditioner.hidden[0]!.bias.pop(), /layers\[1\]\.conditioner\.hidden\[0\]\.bias: 7 values, expected 8/);
    expectProblem((m) => {
      const out = m.layers[0]!.conditioner.output;
      out.outputs -= 1;
      out.weights = out.weights.slice(0, out.inputs * out.outputs);
      out.bias.pop();
    }, /output: \d+ outputs, expected/);
    expectProblem((m) => (m.layers[0]!.transformed = [1, 5]), /transformed: indices out of range/);
    expectProblem((m) => (m.layers[0]!.identity = [0, 1]), /both identity and transformed/);
    expectProblem((m) => (m.standardization.scale[1] = 0), /standardization\.scale/);
    expectProblem((m) => m.standardization.mean.pop(), /standardization\.mean: 2 values, expected 3/);
    expectProblem((m) => (m.base = { kind: 'student-t', dof: [null, 3] }), /base\.dof: 2 values, expected 3/);
    expectProblem((m) => (m.base = { kind: 'student-t', dof: [null, -1, 2] }), /base\.dof: 1 values neither null nor finite/);
    expectProblem((m) => ((m as { activation: string }).activation = 'gelu'), /activation: unknown/);
    expect(checkFlowModel(null)).toEqual(['model: not an object']);
    expect(checkFlowModel({ dim: 0 })[0]).toMatch(/dim/);
  });

  it('round-trips through JSON with identical log densities, and refuses invalid models', () => {
    const model = randomFlow({ kind: 'affine', activation: 'relu', dim: 3, seed: 4 });
    const back = modelFromJson(modelToJson(model));
    expect(logProb(back, [0.3, -1.1, 2.4])).toBe(logProb(model, [0.3, -1.1, 2.4]));
    const broken = clone(model);
    broken.layers[0]!.conditioner.output.bias[0] = Infinity;
    expect(() => modelToJson(broken)).toThrow(/non-finite/);
    expect(() => modelFromJson('{"dim": 2}')).toThrow(/invalid flow model/);
  });
});
