import { Readiness } from '../../../src/service/readiness.js';

function clocked(stallAfterMs = 3000) {
  let now = 1_000_000;
  const r = new Readiness({ stallAfterMs, now: () => now });
  return { r, advance: (ms: number) => (now += ms) };
}

describe('readiness', () => {
  it('is not ready until the consumer joins its group, then ready', () => {
    const { r } = clocked();
    expect(r.report()).toMatchObject({ ready: false, live: true, reason: expect.stringMatching(/^consumer: starting/) });
    r.consumer(true, 'member of group g');
    expect(r.report()).toMatchObject({ ready: true, live: true });
    expect(r.report().reason).toBeUndefined();
  });

  it('turns false when the broker stops answering and true when it answers again', () => {
    const { r } = clocked();
    r.consumer(true, 'joined');
    r.broker(false, 'the broker does not answer: ECONNREFUSED');
    expect(r.report()).toMatchObject({ ready: false, reason: 'broker: the broker does not answer: ECONNREFUSED' });
    r.broker(true, 'answering');
    expect(r.report().ready).toBe(true);
  });

  it('calls a pipeline stalled only when input waits and nothing was handled for stallAfterMs', () => {
    const { r, advance } = clocked(3000);
    r.consumer(true, 'joined');
    advance(10_000);
    expect(r.report().ready).toBe(true); // idle, but nothing waits
    r.setLag(42);
    expect(r.report()).toMatchObject({ ready: false, reason: expect.stringMatching(/^progress: stalled: 42 message\(s\) waiting/) });
    r.progressed();
    expect(r.report().ready).toBe(true);
    advance(2999);
    expect(r.report().ready).toBe(true);
    advance(1);
    expect(r.report().ready).toBe(false);
  });

  it('reports a failing sink until a send to it succeeds, and a send pending too long', () => {
    const { r, advance } = clocked(3000);
    r.consumer(true, 'joined');
    r.sendStarted('alerts');
    r.sendFinished('alerts', 'KafkaJSConnectionError: connect ECONNREFUSED');
    expect(r.report().reason).toBe('sinks: publishing to alerts fails: KafkaJSConnectionError: connect ECONNREFUSED');
    r.sendStarted('alerts');
    r.sendFinished('alerts', undefined);
    expect(r.report().ready).toBe(true);
    r.sendStarted('state');
    advance(3500);
    expect(r.report().reason).toBe('sinks: publishing to state has not finished for 3.5 s');
  });

  it('a halt is final: not ready, not live, and the first reason stays', () => {
    const { r } = clocked();
    r.consumer(true, 'joined');
    r.halt('publishing to dlq failed: MESSAGE_TOO_LARGE');
    r.halt('something later');
    r.consumer(true, 'joined again');
    const report = r.report();
    expect(report).toMatchObject({ ready: false, live: false, reason: 'pipeline: halted: publishing to dlq failed: MESSAGE_TOO_LARGE' });
    expect(report.checks.map((c) => c.check)).toEqual(['consumer', 'broker', 'progress', 'sinks', 'pipeline']);
  });
});
