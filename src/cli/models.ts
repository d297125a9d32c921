/**
 * The CLI's models, built from `nn` layers with PyTorch's default initialisation:
 *
 * - `mlp`: Linear → ReLU (→ Dropout) → Linear → ReLU (→ Dropout) → Linear; hidden sizes 256, 128
 *   for 28×28 images (784-256-128-10), and for tabular data h₁ = the power of two nearest above
 *   2 × features, clamped to [16, 256], and h₂ = h₁ / 2 (iris 16-8, wine 32-16, digits 128-64);
 * - `lenet`: LeNet-5 for 1×28×28 images (Unflatten → Conv 6@5×5 pad 2 → ReLU → MaxPool 2 →
 *   Conv 16@5×5 → ReLU → MaxPool 2 → Flatten → 400-120-84-10 with ReLUs);
 * - `logreg`: one Linear layer (multinomial logistic regression with the cross-entropy loss).
 *
 * Without dropout the `mlp`'s keys are those of `torch.nn.Sequential(Linear, ReLU, Linear, ReLU,
 * Linear)`: `0.weight`, `0.bias`, `2.weight`, … — so its weights load straight into PyTorch.
 */
import * as nn from "../nn/index.js";
import type { FitModel } from "../train/fit.js";
import { CliError } from "./args.js";

export const MODELS = ["mlp", "lenet", "logreg"] as const;
export type ModelName = (typeof MODELS)[number];

export interface ModelSpec {
  nFeatures: number;
  nClasses: number;
  /** Channels, height, width for image data. */
  image: [number, number, number] | null;
  /** Hidden sizes of the mlp (default: see above). */
  hidden?: number[];
  /** Dropout probability after each hidden layer of the mlp (default 0: no Dropout layers). */
  dropout?: number;
}

/** The mlp's default hidden sizes for `nFeatures` inputs. */
export function defaultHidden(nFeatures: number, image: boolean): number[] {
  if (image) return [256, 128];
  let h = 16;
  while (h < 2 * nFeatures && h < 256) h *= 2;
  return [h, h / 2];
}

/** Build a model (it draws its initial weights from the default generator). */
export function buildModel(name: ModelName, spec: ModelSpec): FitModel {
  switch (name) {
    case "mlp": {
      const hidden = spec.hidden ?? defaultHidden(spec.nFeatures, spec.image !== null);
      const layers: nn.Module[] = [];
      let width = spec.nFeatures;
      for (const h of hidden) {
        layers.push(new nn.Linear(width, h), new nn.ReLU());
        if (spec.dropout !== undefined && spec.dropout > 0) layers.push(new nn.Dropout(spec.dropout));
        width = h;
      }
      layers.push(new nn.Linear(width, spec.nClasses));
      return new nn.Sequential(...layers);
    }
    case "lenet": {
      const img = spec.image;
      if (img === null || img[0] !== 1 || img[1] !== 28 || img[2] !== 28) {
        throw new CliError("--model lenet needs 1×28×28 images: use --dataset mnist or fashion-mnist");
      }
      return new nn.Sequential(
        new nn.Unflatten(1, [1, 28, 28]),
        new nn.Conv2d(1, 6, 5, { padding: 2 }),
        new nn.ReLU(),
        new nn.MaxPool2d(2),
        new nn.Conv2d(6, 16, 5),
        new nn.ReLU(),
        new nn.MaxPool2d(2),
        new nn.Flatten(),
        new nn.Linear(16 * 5 * 5, 120),
        new nn.ReLU(),
        new nn.Linear(120, 84),
        new nn.ReLU(),
        new nn.Linear(84, spec.nClasses),
      );
    }
    case "logreg":
      return new nn.Sequential(new nn.Linear(spec.nFeatures, spec.nClasses));
    default: {
      const never: never = name;
      throw new CliError(`unknown model ${String(never)}`);
    }
  }
}

/** Parameter count, for the run's header line. */
export function countParameters(model: FitModel): number {
  return model.parameters().reduce((n, p) => n + p.numel(), 0);
}
