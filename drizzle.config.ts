// drizzle-kit reads this to generate SQL migrations into drizzle/ (committed, applied on open by
// src/main/db/client.ts). Generate with `npx drizzle-kit generate --name <what>`; never edit a
// generated migration once it has been applied anywhere, add a new one instead.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/main/db/schema.ts',
  out: './drizzle',
});
