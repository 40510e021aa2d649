import { services } from './services'; // allowed
import { accounts } from '../db/accounts'; // ipc-through-services
export const router = [services, accounts];
