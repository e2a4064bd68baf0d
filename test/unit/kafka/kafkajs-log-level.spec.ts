import { logLevel } from 'kafkajs';
import { kafkajsLineIsError } from '../../../src/kafka/client.js';

describe('kafkajsLineIsError: which kafkajs lines the service logs as errors', () => {
  it('keeps errors kafkajs does not handle itself as errors', () => {
    expect(kafkajsLineIsError(logLevel.ERROR, { message: 'Crash: KafkaJSNonRetriableError: Topic authorization failed' })).toBe(true);
    expect(kafkajsLineIsError(logLevel.ERROR, { message: 'Error when calling eachBatch' })).toBe(true);
  });

  it('makes a broker\'s error answer, and a failure kafkajs retries, a warning', () => {
    expect(kafkajsLineIsError(logLevel.ERROR, { message: 'Response AddOffsetsToTxn(key: 25, version: 1)' })).toBe(false);
    expect(kafkajsLineIsError(logLevel.ERROR, { message: 'Restarting the consumer in 1234ms' })).toBe(false);
    expect(kafkajsLineIsError(logLevel.ERROR, { message: 'Failed to send messages: Closed connection', retryCount: 2 })).toBe(false);
    // Each failed connection while a broker is down (the broker probe logs one error per outage):
    expect(kafkajsLineIsError(logLevel.ERROR, { message: 'Connection error: connect ECONNREFUSED 127.0.0.1:9092' })).toBe(false);
  });

  it('never turns a warning into an error', () => {
    expect(kafkajsLineIsError(logLevel.WARN, { message: 'Crash: something' })).toBe(false);
  });
});
