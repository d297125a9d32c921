/**
 * The `descent` command: dispatch to `train`, `compare` or `schedule`, print usage errors as one
 * line on stderr and return the exit code (0 success, 1 a failed run, 2 bad usage).
 */
import { CliError } from "./args.js";
import type { Io } from "./io.js";
import { trainCommand } from "./train.js";
import { compareCommand } from "./compare.js";
import { scheduleCommand } from "./schedule.js";

export const MAIN_HELP = `Usage: descent <command> [options]

Deep-learning training in TypeScript that behaves like PyTorch.

Commands:
  train      train a model, report the test accuracy, write curves, history and a checkpoint
  compare    train one model from the same initial weights under several optimizers and
             learning rates, and plot their loss curves together
  schedule   plot a learning-rate schedule

Run 'descent <command> --help' for a command's options.
`;

const COMMANDS: Record<string, (argv: readonly string[], io: Io) => Promise<number>> = {
  train: trainCommand,
  compare: compareCommand,
  schedule: scheduleCommand,
};

/** Run the CLI with `argv` (without node and the script path). */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const [first, ...rest] = argv;
  try {
    if (first === undefined || first === "--help" || first === "-h" || first === "help") {
      io.stdout.write(MAIN_HELP);
      return first === undefined ? 2 : 0;
    }
    const cmd = COMMANDS[first];
    if (cmd === undefined) {
      throw new CliError(
        first.startsWith("-")
          ? `descent: expected a command (train, compare, schedule) before ${first}`
          : `descent: unknown command ${JSON.stringify(first)} (expected train, compare or schedule)`,
      );
    }
    return await cmd(rest, io);
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr.write(`${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}
