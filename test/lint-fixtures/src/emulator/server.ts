import { config } from '../main/config'; // emulator-independent
export const server = [config];
