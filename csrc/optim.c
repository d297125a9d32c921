/*
 * optim.c — fused, in-place optimizer steps on float32 buffers, bit-identical to PyTorch 1.13.1's
 * single-tensor (foreach=False) SGD / Adam / AdamW on the CPU.
 *
 * Each PyTorch tensor op is one correctly rounded float32 operation per element, so doing the
 * same operations in the same order in f32x4 lanes gives the same bits. Scalars are the float32
 * roundings of the Python doubles PyTorch uses (the caller computes e.g. 1 - beta1 in double and
 * rounds once). Two ops are fused multiply-adds in PyTorch's AVX2/AVX512 CPU kernels:
 *   add(self, other, alpha)         = fma(other, alpha, self)   (vec::fmadd; GCC contracts the tail)
 *   addcmul(self, t1, t2, value)    = fma(value * t1, t2, self)
 * while addcdiv(self, t1, t2, value) = self + (value * t1) / t2 is not fused. With fused = 1 the
 * kernels reproduce that (exact fmaf emulation, see kernels.h); fused = 0 rounds every product
 * (PyTorch builds without FMA, e.g. CPU capability DEFAULT).
 *
 * sgd_step(param, grad, buf, n, neg_lr, momentum, one_minus_dampening, weight_decay,
 *          nesterov, maximize, first_step, fused)
 *   g = maximize ? -grad : grad
 *   if weight_decay != 0: g = g + weight_decay*param                      (add alpha)
 *   if momentum != 0:
 *       buf = first_step ? g : buf*momentum + one_minus_dampening*g      (mul_, add_ alpha)
 *       g = nesterov ? g + momentum*buf : buf                            (add alpha)
 *   param = param + neg_lr*g                                              (add_ alpha = -lr)
 *   buf may be 0 when momentum == 0.
 *
 * adam_step(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, n, beta1, one_minus_beta1,
 *           beta2, one_minus_beta2, neg_step_size, bias_correction2_sqrt, eps, weight_decay,
 *           param_decay, maximize, fused)
 *   g = maximize ? -grad : grad
 *   if param_decay != 1: param = param * param_decay                      (AdamW: 1 - lr*wd)
 *   if weight_decay != 0: g = g + weight_decay*param                      (Adam L2; add alpha)
 *   exp_avg    = exp_avg*beta1 + one_minus_beta1*g                        (mul_, add_ alpha)
 *   exp_avg_sq = exp_avg_sq*beta2 + (one_minus_beta2*g)*g                 (mul_, addcmul_)
 *   v = exp_avg_sq; if max_exp_avg_sq: max_exp_avg_sq = max(max_exp_avg_sq, v), v = that (amsgrad)
 *   denom = sqrt(v) / bias_correction2_sqrt + eps
 *   param = param + (neg_step_size*exp_avg) / denom                       (addcdiv_)
 *   with neg_step_size = -(lr / (1 - beta1^step)), bias_correction2_sqrt = sqrt(1 - beta2^step).
 */
#include "kernels.h"

/* a + alpha*b, rounded once (fused) or twice */
INLINE float madd1(float b, float alpha, float a, int fused) {
  return fused ? fmaf_exact(b, alpha, a) : a + alpha * b;
}
INLINE v128_t madd4(v128_t b, v128_t alpha, v128_t a, int fused) {
  return fused ? fma4_exact(b, alpha, a) : wasm_f32x4_add(a, wasm_f32x4_mul(alpha, b));
}

/* One SGD element, scalar: the exact op sequence (also the fallback of the SIMD loop). */
INLINE void sgd_elem(float *param, const float *grad, float *buf, int i, float neg_lr, float momentum,
                     float one_minus_dampening, float weight_decay, int nesterov, int maximize,
                     int first_step, int wd, int mom, const int fused) {
  float p = param[i];
  float g = maximize ? -grad[i] : grad[i];
  if (wd) g = madd1(p, weight_decay, g, fused);
  if (mom) {
    float b = first_step ? g : madd1(g, one_minus_dampening, buf[i] * momentum, fused);
    buf[i] = b;
    g = nesterov ? madd1(b, momentum, g, fused) : b;
  }
  param[i] = madd1(g, neg_lr, p, fused);
}

INLINE void sgd_impl(float *param, const float *grad, float *buf, int n, float neg_lr, float momentum,
                     float one_minus_dampening, float weight_decay, int nesterov, int maximize,
                     int first_step, const int fused) {
  const int wd = weight_decay != 0.0f, mom = momentum != 0.0f;
  /* fma(g, 1, b) == b + g exactly (the product is exact): the common dampening = 0 case takes a
   * plain add, which also avoids the exact-tie false alarms of the double-evaluated FMA */
  const int damp_is_one = one_minus_dampening == 1.0f;
  const v128_t vlr = wasm_f32x4_splat(neg_lr), vmom = wasm_f32x4_splat(momentum);
  const v128_t vdamp = wasm_f32x4_splat(one_minus_dampening), vwd = wasm_f32x4_splat(weight_decay);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t p = wasm_v128_load(param + i);
    v128_t g = wasm_v128_load(grad + i);
    v128_t b = g;
    if (maximize) g = wasm_f32x4_neg(g);
    if (fused) {
      v128_t suspect = wasm_i32x4_splat(0);
      if (wd) g = fma4_fast(p, vwd, g, &suspect);
      if (mom) {
        if (first_step) {
          b = g;
        } else {
          b = wasm_f32x4_mul(wasm_v128_load(buf + i), vmom);
          b = damp_is_one ? wasm_f32x4_add(b, g) : fma4_fast(g, vdamp, b, &suspect);
        }
        g = nesterov ? fma4_fast(b, vmom, g, &suspect) : b;
      }
      p = fma4_fast(g, vlr, p, &suspect);
      if (__builtin_expect(wasm_v128_any_true(suspect), 0)) {
        for (int j = i; j < i + 4; j++)
          sgd_elem(param, grad, buf, j, neg_lr, momentum, one_minus_dampening, weight_decay, nesterov, maximize,
                   first_step, wd, mom, fused);
        continue;
      }
    } else {
      if (wd) g = madd4(p, vwd, g, 0);
      if (mom) {
        b = first_step ? g : madd4(g, vdamp, wasm_f32x4_mul(wasm_v128_load(buf + i), vmom), 0);
        g = nesterov ? madd4(b, vmom, g, 0) : b;
      }
      p = madd4(g, vlr, p, 0);
    }
    if (mom) wasm_v128_store(buf + i, b);
    wasm_v128_store(param + i, p);
  }
  for (; i < n; i++)
    sgd_elem(param, grad, buf, i, neg_lr, momentum, one_minus_dampening, weight_decay, nesterov, maximize,
             first_step, wd, mom, fused);
}

EXPORT(sgd_step)
void sgd_step(float *param, const float *grad, float *buf, int n, float neg_lr, float momentum,
              float one_minus_dampening, float weight_decay, int nesterov, int maximize,
              int first_step, int fused) {
  if (fused)
    sgd_impl(param, grad, buf, n, neg_lr, momentum, one_minus_dampening, weight_decay, nesterov, maximize, first_step, 1);
  else
    sgd_impl(param, grad, buf, n, neg_lr, momentum, one_minus_dampening, weight_decay, nesterov, maximize, first_step, 0);
}

/* One Adam element, scalar: the exact op sequence (also the fallback of the SIMD loop). */
INLINE void adam_elem(float *param, const float *grad, float *exp_avg, float *exp_avg_sq, float *max_sq, int i,
                      float beta1, float one_minus_beta1, float beta2, float one_minus_beta2,
                      float neg_step_size, float bc2_sqrt, float eps, float weight_decay,
                      float param_decay, int maximize, int wd, int decay, const int fused) {
  float p = param[i];
  float g = maximize ? -grad[i] : grad[i];
  if (decay) p = p * param_decay;
  if (wd) g = madd1(p, weight_decay, g, fused);
  float m = madd1(g, one_minus_beta1, exp_avg[i] * beta1, fused);
  float v = exp_avg_sq[i] * beta2;
  v = fused ? fmaf_exact(one_minus_beta2 * g, g, v) : v + (one_minus_beta2 * g) * g;
  exp_avg[i] = m;
  exp_avg_sq[i] = v;
  if (max_sq) {
    v = __builtin_wasm_max_f32(max_sq[i], v);
    max_sq[i] = v;
  }
  float denom = __builtin_sqrtf(v) / bc2_sqrt + eps;
  param[i] = p + (neg_step_size * m) / denom;
}

INLINE void adam_impl(float *param, const float *grad, float *exp_avg, float *exp_avg_sq, float *max_sq, int n,
                      float beta1, float one_minus_beta1, float beta2, float one_minus_beta2,
                      float neg_step_size, float bc2_sqrt, float eps, float weight_decay,
                      float param_decay, const int maximize, const int fused, const int wd, const int decay) {
  const v128_t vb1 = wasm_f32x4_splat(beta1), vomb1 = wasm_f32x4_splat(one_minus_beta1);
  const v128_t vb2 = wasm_f32x4_splat(beta2), vomb2 = wasm_f32x4_splat(one_minus_beta2);
  const v128_t vss = wasm_f32x4_splat(neg_step_size), vbc2 = wasm_f32x4_splat(bc2_sqrt);
  const v128_t veps = wasm_f32x4_splat(eps), vwd = wasm_f32x4_splat(weight_decay);
  const v128_t vdecay = wasm_f32x4_splat(param_decay);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t p = wasm_v128_load(param + i);
    v128_t g = wasm_v128_load(grad + i);
    v128_t m, v;
    if (maximize) g = wasm_f32x4_neg(g);
    if (decay) p = wasm_f32x4_mul(p, vdecay);
    if (fused) {
      /* double-evaluated FMAs; if any lane of any of them is a possible double-rounding case,
       * redo these four elements with the exact scalar sequence (nothing is stored yet) */
      v128_t suspect = wasm_i32x4_splat(0);
      if (wd) g = fma4_fast(p, vwd, g, &suspect);
      m = fma4_fast(g, vomb1, wasm_f32x4_mul(wasm_v128_load(exp_avg + i), vb1), &suspect);
      v = fma4_fast(wasm_f32x4_mul(vomb2, g), g, wasm_f32x4_mul(wasm_v128_load(exp_avg_sq + i), vb2), &suspect);
      if (__builtin_expect(wasm_v128_any_true(suspect), 0)) {
        for (int j = i; j < i + 4; j++)
          adam_elem(param, grad, exp_avg, exp_avg_sq, max_sq, j, beta1, one_minus_beta1, beta2, one_minus_beta2,
                    neg_step_size, bc2_sqrt, eps, weight_decay, param_decay, maximize, wd, decay, fused);
        continue;
      }
    } else {
      if (wd) g = wasm_f32x4_add(g, wasm_f32x4_mul(vwd, p));
      m = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(exp_avg + i), vb1), wasm_f32x4_mul(vomb1, g));
      v = wasm_f32x4_mul(wasm_v128_load(exp_avg_sq + i), vb2);
      v = wasm_f32x4_add(v, wasm_f32x4_mul(wasm_f32x4_mul(vomb2, g), g));
    }
    wasm_v128_store(exp_avg + i, m);
    wasm_v128_store(exp_avg_sq + i, v);
    if (max_sq) {
      v = wasm_f32x4_max(wasm_v128_load(max_sq + i), v);
      wasm_v128_store(max_sq + i, v);
    }
    v128_t denom = wasm_f32x4_add(wasm_f32x4_div(wasm_f32x4_sqrt(v), vbc2), veps);
    p = wasm_f32x4_add(p, wasm_f32x4_div(wasm_f32x4_mul(vss, m), denom));
    wasm_v128_store(param + i, p);
  }
  for (; i < n; i++)
    adam_elem(param, grad, exp_avg, exp_avg_sq, max_sq, i, beta1, one_minus_beta1, beta2, one_minus_beta2,
              neg_step_size, bc2_sqrt, eps, weight_decay, param_decay, maximize, wd, decay, fused);
}

/* The flags are compile-time constants of each instantiation: V8 does not unswitch loops, and a
 * loop free of untaken branches is ~1.3x faster. */
#define ADAM_CALL(MAX, FUSED, WD, DECAY)                                                                   \
  adam_impl(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, n, beta1, one_minus_beta1, beta2, one_minus_beta2, \
            neg_step_size, bias_correction2_sqrt, eps, weight_decay, param_decay, MAX, FUSED, WD, DECAY)

EXPORT(adam_step)
void adam_step(float *param, const float *grad, float *exp_avg, float *exp_avg_sq, float *max_exp_avg_sq,
               int n, float beta1, float one_minus_beta1, float beta2, float one_minus_beta2,
               float neg_step_size, float bias_correction2_sqrt, float eps, float weight_decay,
               float param_decay, int maximize, int fused) {
  const int wd = weight_decay != 0.0f, decay = param_decay != 1.0f;
  const int key = (maximize ? 8 : 0) | (fused ? 4 : 0) | (wd ? 2 : 0) | (decay ? 1 : 0);
  switch (key) {
    case 0: ADAM_CALL(0, 0, 0, 0); break;
    case 1: ADAM_CALL(0, 0, 0, 1); break;
    case 2: ADAM_CALL(0, 0, 1, 0); break;
    case 3: ADAM_CALL(0, 0, 1, 1); break;
    case 4: ADAM_CALL(0, 1, 0, 0); break;
    case 5: ADAM_CALL(0, 1, 0, 1); break;
    case 6: ADAM_CALL(0, 1, 1, 0); break;
    case 7: ADAM_CALL(0, 1, 1, 1); break;
    default: ADAM_CALL(1, fused, wd, decay); break; /* maximize: rare, left generic */
  }
}
