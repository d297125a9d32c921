/**
 * CPU storage: a plain typed array on the JavaScript heap, reclaimed by the garbage collector.
 */
import type { Storage } from "../backend.js";
import { dtypeOfArray, type DType, type TypedArray } from "../../tensor/dtype.js";

export class CpuStorage implements Storage {
  readonly dtype: DType;
  readonly size: number;
  readonly data: TypedArray;
  version = 0;

  constructor(data: TypedArray) {
    this.data = data;
    this.dtype = dtypeOfArray(data);
    this.size = data.length;
  }
}
