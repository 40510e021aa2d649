import { accounts } from '../db/accounts'; // gmail-no-db
import { services } from '../ipc/services'; // gmail-no-upward (gmail → ipc)
export const gmail = [accounts, services];
