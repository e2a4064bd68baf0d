/**
 * The Kafka consumer as a Nest microservice transport, making the app a hybrid (HTTP + Kafka).
 * Nest's built-in Kafka transport commits per message; shiftwatch needs to commit only what its
 * windows no longer hold, so it brings its own strategy around the ingest engine.
 */
import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import type { IngestEngine } from '../kafka/ingest-engine.js';

export class ShiftwatchKafkaTransport extends Server implements CustomTransportStrategy {
  constructor(private readonly engine: IngestEngine) {
    super();
  }

  listen(callback: (...optionalParams: unknown[]) => unknown): void {
    this.engine.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  async close(): Promise<void> {
    await this.engine.stop();
  }

  on(): void {
    // No event subscriptions: the engine handles every message itself.
  }

  unwrap<T>(): T {
    return this.engine as T;
  }
}
