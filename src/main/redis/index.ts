export { RedisSupervisor, type RedisSupervisorEvents, type RedisSupervisorOptions } from './redis-supervisor';
export {
  RedisHealth, describeRedisHealth, isRedisConnectionError, redisHealthChangeLine, type RedisHealthEvents, type RedisHealthState,
} from './redis-health';
export { redisOptionsFromUrl, redactRedisUrl, roleOptions, type ConnectionRole } from './redis-options';
export {
  DataDirNotWritableError, RedisCannotRunError, RedisNotFoundError, RedisStartError, RedisTooOldError, RedisUnreachableError,
  RedisUrlError, REDIS_INSTALL_HINT,
} from './errors';
export { findRedisServer, defaultRedisServerCandidates, bundledRedisServer, defaultFallbackDirs, wellKnownRedisDirs, MIN_REDIS_MAJOR } from './find-redis-server';
