/**
 * `nn.Embedding`: a lookup table of `numEmbeddings` vectors of size `embeddingDim`; the input is
 * an int32 tensor of indices of any shape, the output has one more dim of size embeddingDim.
 *
 * Initialisation (PyTorch's `reset_parameters`): weight ~ N(0, 1) from the default generator,
 * then the `paddingIdx` row is zeroed. That row never receives a gradient.
 *
 * PyTorch parity: a negative paddingIdx counts from the end and is stored normalised; `maxNorm`
 * renormalises looked-up rows in place at each forward; the repr lists the non-default options.
 */
import type { Tensor } from "../../tensor/tensor.js";
import type { FloatDType } from "../../tensor/dtype.js";
import { fmtShape } from "../../tensor/shape.js";
import { zeros } from "../../tensor/creation.js";
import { noGrad } from "../../autograd/grad_mode.js";
import { Module } from "../module.js";
import { Parameter } from "../parameter.js";
import { normal_ } from "../init.js";
import { embedding, normalizePaddingIdx } from "../functional/layers.js";
import { pyBool, pyFloat } from "./repr.js";

export interface EmbeddingModuleOptions {
  paddingIdx?: number | null;
  maxNorm?: number | null;
  /** Default 2. */
  normType?: number;
  /** Default false. */
  scaleGradByFreq?: boolean;
  /** Sparse gradients are not supported; must be false. */
  sparse?: boolean;
  /** Use this (numEmbeddings, embeddingDim) tensor as the weight instead of initialising one. */
  weight?: Tensor;
  /** Parameter dtype (default float32). */
  dtype?: FloatDType;
}

export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  /** Normalised to [0, numEmbeddings), or null. */
  readonly paddingIdx: number | null;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly scaleGradByFreq: boolean;
  readonly sparse: boolean;
  weight: Parameter;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingModuleOptions = {}) {
    super();
    const p = options.paddingIdx ?? null;
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = p === null ? null : normalizePaddingIdx(p, numEmbeddings);
    this.maxNorm = options.maxNorm ?? null;
    this.normType = options.normType ?? 2;
    this.scaleGradByFreq = options.scaleGradByFreq ?? false;
    this.sparse = options.sparse ?? false;
    if (this.sparse) throw new RangeError("Embedding: sparse gradients are not supported by descent (use sparse: false)");
    if (options.weight !== undefined) {
      const w = options.weight;
      if (w.ndim !== 2 || w.shape[0] !== numEmbeddings || w.shape[1] !== embeddingDim)
        throw new RangeError(
          `Shape of weight does not match num_embeddings and embedding_dim: expected [${numEmbeddings}, ${embeddingDim}], but got ${fmtShape(w.shape)}`,
        );
      this.weight = new Parameter(w);
    } else {
      this.weight = new Parameter(zeros([numEmbeddings, embeddingDim], { dtype: options.dtype ?? "float32" }));
      this.resetParameters();
    }
  }

  /** weight ~ N(0, 1), padding row zeroed. */
  resetParameters(): void {
    normal_(this.weight);
    this.fillPaddingIdxWithZero();
  }

  private fillPaddingIdxWithZero(): void {
    if (this.paddingIdx !== null) noGrad(() => this.weight.select(0, this.paddingIdx!).fill_(0));
  }

  forward(input: Tensor): Tensor {
    return embedding(input, this.weight, {
      paddingIdx: this.paddingIdx,
      maxNorm: this.maxNorm,
      normType: this.normType,
      scaleGradByFreq: this.scaleGradByFreq,
    });
  }

  override extraRepr(): string {
    let s = `${this.numEmbeddings}, ${this.embeddingDim}`;
    if (this.paddingIdx !== null) s += `, padding_idx=${this.paddingIdx}`;
    if (this.maxNorm !== null) s += `, max_norm=${pyFloat(this.maxNorm)}`;
    if (this.normType !== 2) s += `, norm_type=${pyFloat(this.normType)}`;
    if (this.scaleGradByFreq) s += `, scale_grad_by_freq=${pyBool(true)}`;
    return s;
  }
}
