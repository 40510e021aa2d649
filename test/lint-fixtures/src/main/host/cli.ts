import { core } from '../app-core'; // allowed
import { router } from '../ipc/router'; // allowed
import { log } from '../log'; // allowed
import { dataDir } from '../data-dir'; // allowed
import { accounts } from '../db/accounts'; // hosts-through-core-services
import { window } from '../electron/main'; // host-is-headless
import { app } from 'electron'; // electron-only-in-main-electron
export const cli = [core, router, log, dataDir, accounts, window, app];
