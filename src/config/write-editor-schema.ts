import { writeEditorSchema } from './editor-schema.js';

/** Part of `npm run build`: writes dist/schema/config.schema.json for editors. */
writeEditorSchema();
