import { jobs } from '../queues/jobs'; // redis-is-a-leaf
export const supervisor = [jobs];
