/**
 * How much one fetch of the input topics brings. Windows are released in event-time order across
 * partitions, so partitions should advance together: each fetch carries a moderate share of every
 * assigned partition (1 MiB, a few thousand events) rather than a large share of the first few,
 * which let some partitions run ahead, get paused mid-batch and be fetched and decoded again.
 * The total leaves room for 48 partitions at their full share (the broker caps a fetch at
 * `fetch.max.bytes`, 55 MiB by default).
 */
export const INPUT_FETCH = { maxBytesPerPartition: 1024 * 1024, maxBytes: 50 * 1024 * 1024 } as const;
