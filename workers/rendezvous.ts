// Waits until `size` jobs have arrived in this process, then returns its pid: a job can only
// return if that many run in the process at once. For the tests of processes shared by jobs.
export interface RendezvousOrder {
  size: number
}

let arrived = 0
let everyone: () => void
const together = new Promise<void>((resolve) => (everyone = resolve))

export default async function rendezvous({ size }: RendezvousOrder): Promise<number> {
  if (++arrived === size) everyone()
  await together
  return process.pid
}
