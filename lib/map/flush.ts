// How often, at most, a chunk under a map() timeout reports its finished items (chunk-reporting.ts):
// one write per item would cost tens of µs; one per 5 ms costs under 1%. The parent's watch allows it.
export const FLUSH_MS = 5
