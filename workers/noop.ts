// Returns its input: the no-op task of the thread benchmarks (it measures the pool, not the work).
export default function noop<T>(value: T): T {
  return value
}
