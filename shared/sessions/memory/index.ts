/** Memory strategies: `sliding_window` and `summary`, and `applyMemory` that picks one. */
export { applyMemory, SUMMARY_HEADER, withSummary, type AppliedMemory, type MemoryStrategy } from './apply-memory.js';
export { isConversationStart, slidingWindow } from './sliding-window.js';
export { summarize, summaryPrompt, SUMMARY_SYSTEM_PROMPT, tailSize, type Summarized, type SummarizeOptions } from './summarize.js';
