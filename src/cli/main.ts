#!/usr/bin/env node
/**
 * The `descent` executable (package.json "bin"): runs the CLI on the process's arguments.
 */
import { runCli } from "./run.js";

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
