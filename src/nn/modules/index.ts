/**
 * Module classes: the base `Module`, `Parameter`, layers and loss modules.
 */
export { Module } from "../module.js";
export type { StateDict, LoadStateDictResult } from "../module.js";
export { Parameter } from "../parameter.js";
export * from "./loss.js";
export * from "./layers.js";
