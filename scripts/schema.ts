// npm run schema: writes schema/scenario.schema.json from the zod scenario schema.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { scenarioJsonSchemaText } from '../src/contract/scenario-json-schema.ts';

const file = join(import.meta.dirname, '../schema/scenario.schema.json');
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, scenarioJsonSchemaText());
console.log(`wrote ${file}`);
