// Filled in by the issue that owns this namespace.
export {};
