// Returns its data unchanged: the remote tests check structured clones make the round trip.
export default function echoData(data: unknown): unknown {
  return data
}
