// This machine's name, as results and the in-flight view report it: asked of the OS once, since
// every job's JobResult carries it.

import { hostname } from 'node:os'

export const thisHost: string = hostname()
