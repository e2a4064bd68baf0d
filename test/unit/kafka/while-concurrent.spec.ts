import { KafkaJSProtocolError } from 'kafkajs';
import { whileConcurrent } from '../../../src/kafka/transactional-producer.js';

/** A broker answer as kafkajs raises it (the type names the protocol error). */
const protocolError = (type: string) => new KafkaJSProtocolError({ type, code: 51, retriable: true, message: `the broker answered ${type}` } as never);

describe('whileConcurrent: a step asked again while the coordinator still ends the previous transaction', () => {
  it('asks again after CONCURRENT_TRANSACTIONS, with growing pauses, and returns the answer that came', async () => {
    const pauses: number[] = [];
    let calls = 0;
    const result = await whileConcurrent(async () => {
      calls += 1;
      if (calls < 4) throw protocolError('CONCURRENT_TRANSACTIONS');
      return 'added';
    }, { pause: async (ms) => void pauses.push(ms) });
    expect(result).toBe('added');
    expect(calls).toBe(4);
    expect(pauses).toEqual([20, 40, 80]);
  });

  it('throws any other failure at once, without asking again', async () => {
    let calls = 0;
    await expect(whileConcurrent(async () => {
      calls += 1;
      throw protocolError('COORDINATOR_NOT_AVAILABLE');
    }, { pause: async () => undefined })).rejects.toThrow('COORDINATOR_NOT_AVAILABLE');
    expect(calls).toBe(1);
  });

  it('gives up with the CONCURRENT_TRANSACTIONS error once its budget is spent', async () => {
    let calls = 0;
    let clock = 0;
    await expect(whileConcurrent(async () => {
      calls += 1;
      throw protocolError('CONCURRENT_TRANSACTIONS');
    }, { budgetMs: 100, pause: async (ms) => void (clock += ms), now: () => clock })).rejects.toThrow('CONCURRENT_TRANSACTIONS');
    // 20 + 40 ms of pauses fit in 100 ms; the next (80 ms) would not.
    expect(calls).toBe(3);
  });
});
