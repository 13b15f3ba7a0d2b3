// Squares a number.
export default function square(n: number): number {
  return n * n
}
