import { accounts } from '../db/accounts'; // allowed
import { gmail } from '../gmail/client'; // allowed
import { router } from '../ipc/router'; // sync-no-upward
export const worker = [accounts, gmail, router];
