/** Pipelines: the DAG executor (`runPipeline`), its templates and result shapes. */
export * from './types.js';
export { runPipeline } from './run-pipeline.js';
export { planSteps } from './plan.js';
export { renderTemplate, referencedSteps, type TemplateScope } from './template.js';
