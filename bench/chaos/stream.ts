/**
 * A paced stream of the classifier's events (and, optionally, their labels after a delay) that
 * rides out broker outages: a send that fails is retried, in order, until it succeeds, so every
 * message the stream counts as sent is in the topic.
 */
import type { Producer } from 'kafkajs';
import type { ScenarioEvent } from '../../tools/picture/scenario-data.js';
import { classifierWindow } from './classifier.js';
import type { ChaosRig, Topics } from './rig.js';

export interface StreamOptions {
  eventsPerSecond: number;
  windowSize: number;
  /** Labels for each event this long after it; undefined: no labels. */
  labelDelayMs?: number;
  /** Whether window `w` is shifted (to make the service alert). */
  shifted?: (w: number) => boolean;
  tickMs?: number;
  /** Events go to this many partitions of the events topic in turn (labels to the labels topic's one); default 1. */
  partitions?: number;
}

export class PacedStream {
  eventsSent = 0;
  labelsSent = 0;
  failedSends = 0;
  private running = false;
  private done: Promise<void> = Promise.resolve();
  private readonly labelQueue: Array<{ due: number; messages: ScenarioEvent[] }> = [];

  constructor(
    private readonly rig: ChaosRig,
    private readonly producer: Producer,
    private readonly topics: Topics,
    private readonly options: StreamOptions,
  ) {}

  start(): void {
    this.running = true;
    this.done = this.loop();
  }

  /** Stops producing events; labels still due are sent (now) before it resolves. */
  async stop(): Promise<void> {
    this.running = false;
    await this.done;
    const rest = this.labelQueue.splice(0).flatMap((q) => q.messages);
    await this.sendRetrying(this.topics.labels, rest);
    this.labelsSent += rest.length;
  }

  private async loop(): Promise<void> {
    const { eventsPerSecond, windowSize, labelDelayMs } = this.options;
    const tick = this.options.tickMs ?? 100;
    const started = Date.now();
    const buffer: ScenarioEvent[] = [];
    const labelOf = new Map<string, ScenarioEvent>();
    let window = 0;
    while (this.running) {
      const n = Math.floor(((Date.now() - started) / 1000) * eventsPerSecond) - this.eventsSent;
      if (n > 0) {
        while (buffer.length < n) {
          const w = classifierWindow(window, windowSize, this.options.shifted?.(window) ?? false);
          buffer.push(...w.events);
          if (labelDelayMs !== undefined) for (const l of w.labels) labelOf.set(l.key, l);
          window += 1;
        }
        const batch = buffer.splice(0, n);
        await this.sendRetrying(this.topics.events, batch, this.options.partitions ?? 1);
        this.eventsSent += batch.length;
        if (labelDelayMs !== undefined) {
          this.labelQueue.push({ due: Date.now() + labelDelayMs, messages: batch.map((e) => labelOf.get(e.key)!) });
          for (const e of batch) labelOf.delete(e.key);
        }
      }
      await this.sendDueLabels();
      await new Promise((resolve) => setTimeout(resolve, tick));
    }
  }

  private async sendDueLabels(): Promise<void> {
    const now = Date.now();
    const due: ScenarioEvent[] = [];
    while (this.labelQueue.length > 0 && this.labelQueue[0]!.due <= now) due.push(...this.labelQueue.shift()!.messages);
    if (due.length === 0) return;
    await this.sendRetrying(this.topics.labels, due);
    this.labelsSent += due.length;
  }

  private async sendRetrying(topic: string, messages: readonly ScenarioEvent[], partitions = 1): Promise<void> {
    if (messages.length === 0) return;
    for (;;) {
      try {
        if (partitions > 1) await this.rig.sendSpread(this.producer, topic, messages, partitions);
        else await this.rig.send(this.producer, topic, messages);
        return;
      } catch {
        this.failedSends += 1;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }
}
