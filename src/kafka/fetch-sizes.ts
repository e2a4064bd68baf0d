/**
 * How much one fetch of the input topics brings: about 4 MiB of events in all, shared evenly by
 * the events topic's partitions (4 MiB for one, 1 MiB each from four on). Windows are released in
 * event-time order across partitions, so partitions must advance together: a large share per
 * partition let one partition run many windows ahead, be paused mid-batch, and be fetched and
 * decoded again (`npm run bench -- scale`, 4 partitions: 6 to 9k events/s at 4 MiB each, 25k at
 * 1 MiB), while one partition is fastest with the large share (fewer transactions).
 * The total leaves room for 48 partitions (the broker caps a fetch at `fetch.max.bytes`, 55 MiB by default).
 */
const MIB = 1024 * 1024;

export function inputFetchSizes(eventPartitions: number): { maxBytesPerPartition: number; maxBytes: number } {
  const share = Math.floor((4 * MIB) / Math.max(1, eventPartitions));
  return { maxBytesPerPartition: Math.min(4 * MIB, Math.max(MIB, share)), maxBytes: 50 * MIB };
}
