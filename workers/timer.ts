// Waits `ms` milliseconds on a timer, then returns `ms`: a job that is all waiting and no work.
export default function timer(ms: number): Promise<number> {
  return new Promise((resolve) => setTimeout(() => resolve(ms), ms))
}
