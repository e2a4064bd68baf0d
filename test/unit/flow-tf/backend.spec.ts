import * as tf from '@tensorflow/tfjs';
import { chooseBackend, selectBackend, type BackendEnvironment } from '../../../src/flow/tf/backend.js';
import { createLogger } from '../../../src/logging.js';

describe('selectBackend', () => {
  it('picks the WASM backend here (no tfjs-node installed) and selects only once', async () => {
    const lines: string[] = [];
    const logger = createLogger('info', 'test', (line) => lines.push(line));
    const first = await selectBackend(logger);
    expect(first).toEqual({ name: 'wasm', package: '@tensorflow/tfjs-backend-wasm' });
    expect(tf.getBackend()).toBe('wasm');
    expect(await selectBackend(logger)).toBe(first);
    expect(lines.filter((l) => l.includes('tfjs backend selected'))).toHaveLength(1);
    expect(tf.sum(tf.tensor1d([1, 2, 3.5])).dataSync()[0]).toBe(6.5);
  });
});

/** A scripted environment: which packages import, which backends activate, and a call log. */
function fakeEnvironment(options: { installed: string[]; activates: string[]; gpu: boolean }): BackendEnvironment & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async importModule(specifier) {
      calls.push(`import ${specifier}`);
      if (!options.installed.includes(specifier)) throw new Error(`Cannot find package '${specifier}'`);
      return { setWasmPaths: (prefix: string) => calls.push(`wasm paths ${prefix}`) };
    },
    gpuVisible: () => {
      calls.push('gpu?');
      return options.gpu;
    },
    async activate(name) {
      calls.push(`activate ${name}`);
      return options.activates.includes(name);
    },
    wasmDirectory: () => '/pkg/dist/',
  };
}

describe('chooseBackend fallback chain', () => {
  it('falls back to cpu when the WASM backend fails to initialise', async () => {
    const env = fakeEnvironment({ installed: ['@tensorflow/tfjs-backend-wasm'], activates: ['cpu'], gpu: false });
    expect(await chooseBackend(env)).toEqual({ name: 'cpu', package: '@tensorflow/tfjs' });
    expect(env.calls).toEqual([
      'gpu?',
      'import @tensorflow/tfjs-node',
      'import @tensorflow/tfjs-backend-wasm',
      'wasm paths /pkg/dist/',
      'activate wasm',
      'activate cpu',
    ]);
  });

  it('falls back to cpu when the WASM package cannot be imported', async () => {
    const env = fakeEnvironment({ installed: [], activates: ['cpu', 'wasm'], gpu: false });
    expect((await chooseBackend(env)).name).toBe('cpu');
  });

  it('uses tfjs-node-gpu only when a GPU is visible', async () => {
    const both = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];
    const withGpu = fakeEnvironment({ installed: both, activates: ['tensorflow'], gpu: true });
    expect(await chooseBackend(withGpu)).toEqual({ name: 'tensorflow-gpu', package: '@tensorflow/tfjs-node-gpu' });
    const noGpu = fakeEnvironment({ installed: both, activates: ['tensorflow'], gpu: false });
    expect(await chooseBackend(noGpu)).toEqual({ name: 'tensorflow', package: '@tensorflow/tfjs-node' });
    expect(noGpu.calls).not.toContain('import @tensorflow/tfjs-node-gpu');
  });

  it('falls back from a GPU package that fails to load to tfjs-node', async () => {
    const env = fakeEnvironment({ installed: ['@tensorflow/tfjs-node'], activates: ['tensorflow', 'wasm', 'cpu'], gpu: true });
    expect((await chooseBackend(env)).name).toBe('tensorflow');
  });

  it('throws when nothing activates', async () => {
    await expect(chooseBackend(fakeEnvironment({ installed: [], activates: [], gpu: false }))).rejects.toThrow(/no TensorFlow.js backend/);
  });
});
