/**
 * Where the CLI writes: the process's stdout and stderr, or in-memory sinks in tests.
 */
import type { ProgressStream } from "../train/progress.js";

export interface Io {
  stdout: ProgressStream;
  stderr: ProgressStream;
}
