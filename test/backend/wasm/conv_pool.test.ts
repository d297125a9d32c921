/**
 * conv2d forward / backward-input / backward-weight (+ bias grad) against naive float64 loops,
 * over strides, padding, dilation, groups and 1×1 convolutions; max/avg pooling forward and
 * backward against naive loops with PyTorch's window rules (bit-exact: same float operations).
 */
import { afterEach, describe, expect, it } from "vitest";
import { convOutputSize, type Conv2dShape } from "../../../src/backend/wasm/module.js";
import { checkAndFreeAll, expectBitExact, expectClose, guarded, guardedI32, kernels, XorShift32 } from "./helpers.js";

afterEach(() => checkAndFreeAll());

interface Geometry { sh: number; sw: number; ph: number; pw: number; dh: number; dw: number; G: number; OH: number; OW: number }

function geometry(s: Conv2dShape): Geometry {
  const [sh, sw] = s.stride ?? [1, 1], [ph, pw] = s.padding ?? [0, 0], [dh, dw] = s.dilation ?? [1, 1];
  return { sh, sw, ph, pw, dh, dw, G: s.groups ?? 1, OH: convOutputSize(s.H, s.KH, sh, ph, dh), OW: convOutputSize(s.W, s.KW, sw, pw, dw) };
}

/** Visit every (n, oc, oh, ow, c, kh, kw) term of the convolution with valid input coordinates. */
function forEachTerm(s: Conv2dShape, fn: (yi: number, xi: number, wi: number) => void): void {
  const g = geometry(s);
  const Cg = s.C / g.G, OCg = s.OC / g.G;
  for (let n = 0; n < s.N; n++) for (let oc = 0; oc < s.OC; oc++) {
    const grp = Math.floor(oc / OCg);
    for (let oh = 0; oh < g.OH; oh++) for (let ow = 0; ow < g.OW; ow++) {
      const yi = ((n * s.OC + oc) * g.OH + oh) * g.OW + ow;
      for (let c = 0; c < Cg; c++) for (let kh = 0; kh < s.KH; kh++) for (let kw = 0; kw < s.KW; kw++) {
        const ih = oh * g.sh - g.ph + kh * g.dh, iw = ow * g.sw - g.pw + kw * g.dw;
        if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;
        fn(yi, ((n * s.C + grp * Cg + c) * s.H + ih) * s.W + iw, ((oc * Cg + c) * s.KH + kh) * s.KW + kw);
      }
    }
  }
}

const SHAPES: Conv2dShape[] = [
  { N: 2, C: 3, H: 7, W: 6, OC: 4, KH: 3, KW: 3 },
  { N: 1, C: 2, H: 9, W: 8, OC: 5, KH: 3, KW: 2, stride: [2, 3], padding: [1, 2] },
  { N: 2, C: 4, H: 10, W: 11, OC: 6, KH: 3, KW: 3, padding: [2, 2], dilation: [2, 3], groups: 2 },
  { N: 3, C: 5, H: 4, W: 6, OC: 7, KH: 1, KW: 1 },
  { N: 2, C: 6, H: 5, W: 5, OC: 6, KH: 3, KW: 3, padding: [1, 1], groups: 6 },
  { N: 1, C: 3, H: 5, W: 5, OC: 2, KH: 5, KW: 5, padding: [4, 1], stride: [1, 2] },
  { N: 1, C: 1, H: 1, W: 1, OC: 1, KH: 1, KW: 1, padding: [1, 0], stride: [2, 1] },
];

describe("conv2d", () => {
  const rng = new XorShift32(21);
  for (const s of SHAPES) {
    it(`forward and backward ${JSON.stringify(s)}`, () => {
      const k = kernels();
      const g = geometry(s);
      const nx = s.N * s.C * s.H * s.W, nw = s.OC * (s.C / g.G) * s.KH * s.KW, ny = s.N * s.OC * g.OH * g.OW;
      const xv = rng.uniformArray(nx), wv = rng.uniformArray(nw), bv = rng.uniformArray(s.OC), gyv = rng.uniformArray(ny);
      const x = guarded(nx, xv), w = guarded(nw, wv), b = guarded(s.OC, bv), y = guarded(ny), gy = guarded(ny, gyv);
      const gx = guarded(nx, new Float32Array(nx).fill(7)), gw = guarded(nw), gb = guarded(s.OC);

      const yref = new Float64Array(ny), gxref = new Float64Array(nx), gwref = new Float64Array(nw), gbref = new Float64Array(s.OC);
      const P = g.OH * g.OW;
      for (let i = 0; i < ny; i++) {
        const oc = Math.floor(i / P) % s.OC;
        yref[i] = bv[oc]!;
        gbref[oc]! += gyv[i]!;
      }
      forEachTerm(s, (yi, xi, wi) => {
        yref[yi]! += xv[xi]! * wv[wi]!;
        gxref[xi]! += gyv[yi]! * wv[wi]!;
        gwref[wi]! += gyv[yi]! * xv[xi]!;
      });

      k.conv2dForward(s, x.ptr, w.ptr, b.ptr, y.ptr);
      expectClose(y.f32(), yref, 1e-5, 1e-5, "forward");
      k.conv2dForward(s, x.ptr, w.ptr, 0, y.ptr);
      expectClose(y.f32(), yref.map((v, i) => v - bv[Math.floor(i / P) % s.OC]!), 1e-5, 1e-5, "forward without bias");
      k.conv2dBackwardInput(s, gy.ptr, w.ptr, gx.ptr);
      expectClose(gx.f32(), gxref, 1e-5, 1e-5, "backward input");
      k.conv2dBackwardWeight(s, x.ptr, gy.ptr, gw.ptr, gb.ptr);
      expectClose(gw.f32(), gwref, 1e-5, 1e-5, "backward weight");
      expectClose(gb.f32(), gbref, 1e-5, 1e-5, "backward bias");
      k.conv2dBackwardWeight(s, x.ptr, gy.ptr, gw.ptr, 0, true);
      expectClose(gw.f32(), gwref.map((v) => 2 * v), 1e-5, 2e-5, "backward weight accumulate");
    });
  }
});

interface PoolShape { NC: number; H: number; W: number; KH: number; KW: number; sh: number; sw: number; ph: number; pw: number; dh: number; dw: number; ceil: boolean }

/** PyTorch's pooling output size (with ceil_mode and the "last window starts inside" rule). */
function poolOut(size: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const num = size + 2 * p - d * (k - 1) - 1;
  let o = Math.floor((ceil ? num + s - 1 : num) / s) + 1;
  if (ceil && (o - 1) * s >= size + p) o--;
  return o;
}

const POOLS: PoolShape[] = [
  { NC: 3, H: 6, W: 6, KH: 2, KW: 2, sh: 2, sw: 2, ph: 0, pw: 0, dh: 1, dw: 1, ceil: false },
  { NC: 2, H: 7, W: 5, KH: 3, KW: 3, sh: 2, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, ceil: true },
  { NC: 2, H: 9, W: 10, KH: 3, KW: 2, sh: 1, sw: 3, ph: 1, pw: 1, dh: 2, dw: 3, ceil: false },
  { NC: 1, H: 5, W: 5, KH: 5, KW: 5, sh: 3, sw: 3, ph: 2, pw: 2, dh: 1, dw: 1, ceil: true },
];

describe("pooling", () => {
  const rng = new XorShift32(22);
  for (const p of POOLS) {
    const OH = poolOut(p.H, p.KH, p.sh, p.ph, p.dh, p.ceil), OW = poolOut(p.W, p.KW, p.sw, p.pw, p.dw, p.ceil);
    const nx = p.NC * p.H * p.W, ny = p.NC * OH * OW;

    it(`max pool ${JSON.stringify(p)}`, () => {
      const k = kernels();
      const xv = rng.uniformArray(nx);
      xv[3] = NaN;
      xv[7] = xv[8] = 2; // ties
      const gyv = rng.uniformArray(ny);
      const x = guarded(nx, xv), y = guarded(ny), idx = guardedI32(ny), gy = guarded(ny, gyv), gx = guarded(nx, new Float32Array(nx).fill(3));
      k.exports.maxpool2d_forward(x.ptr, y.ptr, idx.ptr, p.NC, p.H, p.W, OH, OW, p.KH, p.KW, p.sh, p.sw, p.ph, p.pw, p.dh, p.dw);
      const yref = new Float32Array(ny), iref = new Int32Array(ny), gxref = new Float32Array(nx);
      for (let c = 0; c < p.NC; c++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
        let best = -Infinity, bi = -1;
        for (let kh = 0; kh < p.KH; kh++) for (let kw = 0; kw < p.KW; kw++) {
          const ih = oh * p.sh - p.ph + kh * p.dh, iw = ow * p.sw - p.pw + kw * p.dw;
          if (ih < 0 || ih >= p.H || iw < 0 || iw >= p.W) continue;
          const v = xv[(c * p.H + ih) * p.W + iw]!;
          if (bi < 0) bi = ih * p.W + iw;
          if (v > best || Number.isNaN(v)) { best = v; bi = ih * p.W + iw; }
        }
        const o = (c * OH + oh) * OW + ow;
        yref[o] = best;
        iref[o] = bi;
        gxref[c * p.H * p.W + bi]! += gyv[o]!;
      }
      expectBitExact(y.f32(), yref, "max forward");
      expect(Array.from(idx.i32())).toEqual(Array.from(iref));
      k.exports.maxpool2d_backward(gy.ptr, idx.ptr, gx.ptr, p.NC, p.H, p.W, OH, OW);
      expectBitExact(gx.f32(), gxref, "max backward");
    });

    for (const [countIncludePad, divisor] of [[1, 0], [0, 0], [1, 3]] as const) {
      if (p.dh !== 1 || p.dw !== 1) continue; // avg pool has no dilation
      it(`avg pool count_include_pad=${countIncludePad} divisor=${divisor} ${JSON.stringify(p)}`, () => {
        const k = kernels();
        const xv = rng.uniformArray(nx), gyv = rng.uniformArray(ny);
        const x = guarded(nx, xv), y = guarded(ny), gy = guarded(ny, gyv), gx = guarded(nx, new Float32Array(nx).fill(3));
        k.exports.avgpool2d_forward(x.ptr, y.ptr, p.NC, p.H, p.W, OH, OW, p.KH, p.KW, p.sh, p.sw, p.ph, p.pw, countIncludePad, divisor);
        const yref = new Float32Array(ny), gxref = new Float32Array(nx);
        const f = Math.fround;
        for (let c = 0; c < p.NC; c++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
          let h0 = oh * p.sh - p.ph, w0 = ow * p.sw - p.pw;
          let h1 = Math.min(h0 + p.KH, p.H + p.ph), w1 = Math.min(w0 + p.KW, p.W + p.pw);
          const pool = (h1 - h0) * (w1 - w0);
          h0 = Math.max(h0, 0); w0 = Math.max(w0, 0); h1 = Math.min(h1, p.H); w1 = Math.min(w1, p.W);
          const factor = divisor > 0 ? divisor : countIncludePad ? pool : (h1 - h0) * (w1 - w0);
          let sum = 0;
          for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) sum = f(sum + xv[(c * p.H + ih) * p.W + iw]!);
          const o = (c * OH + oh) * OW + ow;
          yref[o] = f(sum / factor);
          const delta = f(gyv[o]! / factor);
          for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) {
            const i = (c * p.H + ih) * p.W + iw;
            gxref[i] = f(gxref[i]! + delta);
          }
        }
        expectBitExact(y.f32(), yref, "avg forward");
        k.exports.avgpool2d_backward(gy.ptr, gx.ptr, p.NC, p.H, p.W, OH, OW, p.KH, p.KW, p.sh, p.sw, p.ph, p.pw, countIncludePad, divisor);
        expectBitExact(gx.f32(), gxref, "avg backward");
      });
    }
  }
});
