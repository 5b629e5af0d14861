/** `{{name}}` placeholders inside strings: the IR's one grammar. */
export { placeholders } from '../ir/placeholders.js';
