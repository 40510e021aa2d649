import { db } from './db/client'; // allowed: the composition root builds the core
import { worker } from './sync/worker'; // allowed
import { server } from '../emulator/server'; // core-not-to-emulator
export const core = [db, worker, server];
