// Returns its input: the no-op job of the thread and process-noop benchmarks (they measure the pool, not the work).
export default function noop<T>(value: T): T {
  return value
}
