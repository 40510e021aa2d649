import { db } from './db/client'; // utilities-are-leaves
export const config = [db];
