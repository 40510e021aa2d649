import { DataDirNotWritableError } from './redis/errors'; // allowed: named exception
export const dataDir = [DataDirNotWritableError];
