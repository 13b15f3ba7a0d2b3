/**
 * forkpool/redis: the Redis backend (the producer side) and the agent that runs its jobs.
 * @module forkpool/redis
 */
export { redisBackend, type RedisBackendOptions } from './redis-backend.js'
export { startAgent, type Agent, type AgentOptions } from './agent.js'
