/**
 * Writes the sample state dict of ./safetensors_sample.ts as a safetensors file, for the PyTorch
 * round-trip fixture: `npx vite-node test/train/helpers/write_safetensors_sample.ts <path>`.
 */
import { writeFileSync } from "node:fs";
import { serializeSafetensors } from "../../../src/train/safetensors.js";
import { sampleStateDict } from "./safetensors_sample.js";

const path = process.argv[process.argv.length - 1]!;
if (!path.endsWith(".safetensors")) throw new Error(`expected an output path ending in .safetensors, got ${path}`);
writeFileSync(path, serializeSafetensors(sampleStateDict(), { format: "pt" }));
