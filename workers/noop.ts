// Returns its data: the no-op job of the process-noop benchmark.
export default function noop<T>(data: T): T {
  return data
}
