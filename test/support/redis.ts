import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

/** The private test Redis URL, or '' when none is available (only outside CI). */
export function testRedisUrl(): string {
  return inject('redisUrl');
}

/** A unique key prefix so test files never see each other's keys. */
export function testPrefix(label: string): string {
  return `wwtest:${label}:${randomUUID().slice(0, 8)}:`;
}

/** A client on the test Redis; the caller quits it. */
export function testRedis(): Redis {
  return new Redis(testRedisUrl(), { maxRetriesPerRequest: 2 });
}
