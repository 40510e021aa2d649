import { app } from 'electron'; // allowed
import { core } from '../app-core'; // allowed
import { progress } from '../host/progress'; // allowed: hosts share host code
export const window = [app, core, progress];
