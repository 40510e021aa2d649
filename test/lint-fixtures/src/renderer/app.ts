import { readFileSync } from 'node:fs'; // browser-code-no-node
import { contract } from '../shared/contract'; // allowed
import { config } from '../main/config'; // renderer-only-shared
export const app = [readFileSync, contract, config];
