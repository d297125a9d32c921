// Filled in by the issue that owns this file.
export {};
