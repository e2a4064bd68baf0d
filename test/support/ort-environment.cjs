/**
 * The Jest environment of every test file (jest.config.js), because tests run onnxruntime-node.
 *
 * Jest runs each test file in its own vm context, with its own typed-array constructors. The ORT
 * addon builds its output arrays in Node's main context and hands them to onnxruntime-common's
 * Tensor constructor, whose `data instanceof Float32Array` check then fails ("A float32 tensor's
 * data must be type of function Float32Array()"). Giving the test context the main context's
 * typed arrays makes both sides agree. Plain Node (production) has one context and needs nothing.
 */
const { TestEnvironment } = require('jest-environment-node');

const TYPED_ARRAYS = [
  'ArrayBuffer',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
];

class OrtEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of TYPED_ARRAYS) this.global[name] = globalThis[name];
  }
}

module.exports = OrtEnvironment;
