import { health } from '../redis/health'; // allowed
import { worker } from '../sync/worker'; // queues-no-upward
export const jobs = [health, worker];
