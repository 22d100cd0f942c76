import { fileURLToPath } from 'node:url';
import { writeEditorSchema } from './editor-schema.js';

/**
 * Part of `npm run build`: writes schema/config.schema.json for editors, in the tree being built
 * (dist/ once scripts/build.mjs swaps it in), beside the src/ this file was compiled into.
 */
writeEditorSchema(fileURLToPath(new URL('../../schema/config.schema.json', import.meta.url)));
