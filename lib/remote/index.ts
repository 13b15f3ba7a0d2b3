// forkpool/redis: the Redis backend (producer side) and the agent.
export { redisBackend, type RedisBackendOptions } from './redis-backend.js'
export { startAgent, type Agent, type AgentOptions } from './agent.js'
