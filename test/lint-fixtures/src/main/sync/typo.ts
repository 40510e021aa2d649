import { nothing } from './no-such-file'; // not-to-unresolvable
export const typo = [nothing];
