// Adds one: the tiny task of the map benchmarks.
export default function addOne(n: number): number {
  return n + 1
}
