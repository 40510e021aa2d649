import { config } from '../main/config'; // shared-is-a-leaf
export const contract = [config];
