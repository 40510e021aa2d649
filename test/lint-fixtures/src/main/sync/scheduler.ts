import { jobs } from '../queues/jobs'; // allowed
import { progress } from '../host/progress'; // core-not-to-hosts (and sync-no-upward)
export const scheduler = [jobs, progress];
