/**
 * Picks the fastest TensorFlow.js backend this process can load, once per process:
 *   1. `@tensorflow/tfjs-node-gpu` ('tensorflow-gpu'), only when a GPU is visible: `nvidia-smi -L`
 *      runs and lists at least one "GPU n:" line, and CUDA_VISIBLE_DEVICES does not hide them all;
 *   2. `@tensorflow/tfjs-node` ('tensorflow'), libtensorflow on the CPU;
 *   3. `@tensorflow/tfjs-backend-wasm` ('wasm'), its .wasm binaries loaded from the package's dist
 *      folder on disk (SIMD is used when available; threads are not, in Node);
 *   4. the pure-JS 'cpu' backend bundled with `@tensorflow/tfjs`.
 * The native packages are optional and usually absent (they download libtensorflow at install), so
 * they are imported through a specifier held in a variable, which TypeScript does not resolve.
 * A native package must share the `@tensorflow/tfjs-core` copy of `@tensorflow/tfjs` (npm dedupes
 * them when the versions match); otherwise it registers its backend on another engine.
 */
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Logger } from '../../logging.js';

export type TfBackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

export interface SelectedBackend {
  name: TfBackendName;
  /** The npm package that provides it. */
  package: string;
}

/** What backend selection touches outside this module; injectable so the fallback chain is testable. */
export interface BackendEnvironment {
  /** Dynamic import of a package by name (rejects when it is not installed). */
  importModule(specifier: string): Promise<unknown>;
  /** Whether a CUDA GPU is visible to this process. */
  gpuVisible(): boolean;
  /** `tf.setBackend` then `tf.ready`; false when the backend failed to initialise. */
  activate(name: string): Promise<boolean>;
  /** Folder holding the WASM backend's .wasm files, with a trailing slash. */
  wasmDirectory(): string;
}

const CPU_PACKAGE = '@tensorflow/tfjs';
const WASM_PACKAGE = '@tensorflow/tfjs-backend-wasm';
const NODE_PACKAGE = '@tensorflow/tfjs-node';
const NODE_GPU_PACKAGE = '@tensorflow/tfjs-node-gpu';

/** True when `nvidia-smi -L` lists a GPU and CUDA_VISIBLE_DEVICES does not hide every device. */
export function nvidiaGpuVisible(): boolean {
  const visible = process.env.CUDA_VISIBLE_DEVICES;
  if (visible !== undefined && (visible.trim() === '' || visible.trim() === '-1')) return false;
  try {
    const listing = execFileSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
    return /^GPU \d+:/m.test(listing);
  } catch {
    return false;
  }
}

export const nodeEnvironment: BackendEnvironment = {
  importModule: (specifier) => import(specifier),
  gpuVisible: nvidiaGpuVisible,
  async activate(name) {
    try {
      const ok = await tf.setBackend(name);
      if (ok) await tf.ready();
      return ok && tf.getBackend() === name;
    } catch {
      return false;
    }
  },
  wasmDirectory: () => `${dirname(createRequire(import.meta.url).resolve(WASM_PACKAGE))}/`,
};

const reason = (error: unknown) => (error instanceof Error ? error.message.split('\n')[0] : String(error));

/**
 * Walks the fallback chain once, without caching (the tested core of `selectBackend`). Throws only
 * when even the pure-JS backend cannot be activated.
 */
export async function chooseBackend(env: BackendEnvironment, logger?: Logger): Promise<SelectedBackend> {
  const attempt = async (name: TfBackendName, pkg: string, load: () => Promise<boolean>): Promise<SelectedBackend | undefined> => {
    try {
      if (await load()) return { name, package: pkg };
      logger?.debug('tfjs backend unavailable', { backend: name, package: pkg });
    } catch (error) {
      logger?.debug('tfjs backend unavailable', { backend: name, package: pkg, reason: reason(error) });
    }
    return undefined;
  };
  // Both native packages register their kernels under the backend name 'tensorflow'.
  const native = (pkg: string) => async () => {
    await env.importModule(pkg);
    return env.activate('tensorflow');
  };
  const candidates: [TfBackendName, string, () => Promise<boolean>][] = [
    ['tensorflow-gpu', NODE_GPU_PACKAGE, async () => env.gpuVisible() && native(NODE_GPU_PACKAGE)()],
    ['tensorflow', NODE_PACKAGE, native(NODE_PACKAGE)],
    [
      'wasm',
      WASM_PACKAGE,
      async () => {
        const wasm = (await env.importModule(WASM_PACKAGE)) as { setWasmPaths(prefix: string): void };
        wasm.setWasmPaths(env.wasmDirectory());
        return env.activate('wasm');
      },
    ],
    ['cpu', CPU_PACKAGE, () => env.activate('cpu')],
  ];
  for (const [name, pkg, load] of candidates) {
    const chosen = await attempt(name, pkg, load);
    if (chosen) {
      logger?.info('tfjs backend selected', { backend: chosen.name, package: chosen.package });
      return chosen;
    }
  }
  throw new Error('no TensorFlow.js backend could be initialised (not even the pure-JS cpu backend)');
}

let selection: Promise<SelectedBackend> | undefined;

/** Selects and activates the backend on first call; later calls return the same answer. */
export function selectBackend(logger?: Logger): Promise<SelectedBackend> {
  selection ??= chooseBackend(nodeEnvironment, logger).catch((error: unknown) => {
    selection = undefined; // let a later call retry
    throw error;
  });
  return selection;
}
