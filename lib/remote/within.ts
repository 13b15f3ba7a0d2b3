// Waits on Redis and BullMQ that are bounded in time: a Redis that is away must not hang a poll,
// nor a close.

/** `answer`, or a rejection after `ms` saying Redis did not answer. */
export function answerWithin<T>(answer: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  answer.catch(() => {})
  return Promise.race([answer, late]).finally(() => clearTimeout(timer))
}

/** Resolves once `closing` have settled, or after `ms`, whichever is first. */
export async function closeWithin(closing: Promise<unknown>[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([Promise.allSettled(closing), new Promise((resolve) => (timer = setTimeout(resolve, ms)))])
  clearTimeout(timer)
}
