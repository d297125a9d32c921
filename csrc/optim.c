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

/* One Adam element, scalar: the exact op sequence (also the fallback of the SIMD loops). */
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

#define ADAM_PARAMS                                                                                        \
  float *param, const float *grad, float *exp_avg, float *exp_avg_sq, float *max_sq, int n, float beta1,   \
      float one_minus_beta1, float beta2, float one_minus_beta2, float neg_step_size, float bc2_sqrt, float eps, \
      float weight_decay, float param_decay
#define ADAM_ARGS                                                                                          \
  param, grad, exp_avg, exp_avg_sq, max_sq, n, beta1, one_minus_beta1, beta2, one_minus_beta2, neg_step_size, \
      bc2_sqrt, eps, weight_decay, param_decay

/* Unfused (fused = 0): every product rounded, no checks. */
INLINE void adam_unfused(ADAM_PARAMS, const int maximize, const int wd, const int decay) {
  const v128_t vb1 = wasm_f32x4_splat(beta1), vomb1 = wasm_f32x4_splat(one_minus_beta1);
  const v128_t vb2 = wasm_f32x4_splat(beta2), vomb2 = wasm_f32x4_splat(one_minus_beta2);
  const v128_t vss = wasm_f32x4_splat(neg_step_size), vbc2 = wasm_f32x4_splat(bc2_sqrt);
  const v128_t veps = wasm_f32x4_splat(eps), vwd = wasm_f32x4_splat(weight_decay);
  const v128_t vdecay = wasm_f32x4_splat(param_decay);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    v128_t p = wasm_v128_load(param + i);
    v128_t g = wasm_v128_load(grad + i);
    if (maximize) g = wasm_f32x4_neg(g);
    if (decay) p = wasm_f32x4_mul(p, vdecay);
    if (wd) g = wasm_f32x4_add(g, wasm_f32x4_mul(vwd, p));
    v128_t m = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(exp_avg + i), vb1), wasm_f32x4_mul(vomb1, g));
    v128_t v = wasm_f32x4_mul(wasm_v128_load(exp_avg_sq + i), vb2);
    v = wasm_f32x4_add(v, wasm_f32x4_mul(wasm_f32x4_mul(vomb2, g), g));
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
              neg_step_size, bc2_sqrt, eps, weight_decay, param_decay, maximize, wd, decay, 0);
}

/*
 * Fused (exact FMAs), blocks of 4 from element i: returns the index of the first block in which
 * some lane of some FMA may be a double-rounding case (nothing of that block has been stored; the
 * caller redoes it with adam_elem), or the end of the last whole block.
 *
 * The two moment FMAs are evaluated in f64x2 lanes and checked together (tie_pair, one exponent
 * test), which is why this loop does not use fma4_fast. The exit in the middle of the loop keeps
 * V8's register allocation simple (a scalar fallback inside the loop made it spill); the loop is
 * its own (non-inlined) function per flag combination.
 *
 * m_sub = 0 skips the float-subnormal test of the first moment. That is exact when
 * one_minus_beta1 >= 2^-7: x = g·(1 - β₁) + c with floats g, c is a multiple of
 * 2^-149·ulp(1 - β₁) >= 2^-149·2^-30 = 2^-179, so |x| < 2^-126 needs at most 53 bits and
 * a*b + c evaluates exactly in double — one rounding, to float. (The second moment
 * (1 - β₂)g·g + c has no such bound: its product can be far smaller than 2^-149·ulp.)
 */
INLINE int adam_fused_run(ADAM_PARAMS, int i, const int maximize, const int wd, const int decay, const int m_sub) {
  const v128_t vb1 = wasm_f32x4_splat(beta1), vb2 = wasm_f32x4_splat(beta2);
  const v128_t vomb2 = wasm_f32x4_splat(one_minus_beta2);
  const v128_t vss = wasm_f32x4_splat(neg_step_size), vbc2 = wasm_f32x4_splat(bc2_sqrt);
  const v128_t veps = wasm_f32x4_splat(eps), vwd = wasm_f32x4_splat(weight_decay);
  const v128_t vdecay = wasm_f32x4_splat(param_decay);
  const v128_t domb1 = wasm_f64x2_splat((double)one_minus_beta1);
  for (; i + 4 <= n; i += 4) {
    v128_t g = wasm_v128_load(grad + i);
    v128_t p = wasm_i32x4_splat(0);
    v128_t suspect = wasm_i32x4_splat(0);
    if (maximize) g = wasm_f32x4_neg(g);
    if (decay || wd) {
      p = wasm_v128_load(param + i);
      if (decay) p = wasm_f32x4_mul(p, vdecay);
      if (wd) g = fma4_fast(p, vwd, g, &suspect);
    }
    /* exp_avg*beta1 + (1 - beta1)*g and exp_avg_sq*beta2 + ((1 - beta2)*g)*g, each rounded once */
    v128_t g_lo = promote_lo(g), g_hi = promote_hi(g);
    v128_t cm = wasm_f32x4_mul(wasm_v128_load(exp_avg + i), vb1);
    v128_t sm_lo = wasm_f64x2_add(wasm_f64x2_mul(g_lo, domb1), promote_lo(cm));
    v128_t sm_hi = wasm_f64x2_add(wasm_f64x2_mul(g_hi, domb1), promote_hi(cm));
    v128_t av = wasm_f32x4_mul(vomb2, g);
    v128_t cv = wasm_f32x4_mul(wasm_v128_load(exp_avg_sq + i), vb2);
    v128_t sv_lo = wasm_f64x2_add(wasm_f64x2_mul(promote_lo(av), g_lo), promote_lo(cv));
    v128_t sv_hi = wasm_f64x2_add(wasm_f64x2_mul(promote_hi(av), g_hi), promote_hi(cv));
    v128_t key = exponent_key(sv_lo, sv_hi);
    if (m_sub) key = wasm_i32x4_min(key, exponent_key(sm_lo, sm_hi));
    suspect = wasm_v128_or(suspect, wasm_v128_or(tie_pair(sm_lo, sm_hi, sv_lo, sv_hi), subnormal_key(key)));
    if (__builtin_expect(wasm_v128_any_true(suspect), 0)) return i;
    v128_t m = demote_pair(sm_lo, sm_hi), v = demote_pair(sv_lo, sv_hi);
    wasm_v128_store(exp_avg + i, m);
    wasm_v128_store(exp_avg_sq + i, v);
    if (max_sq) {
      v = wasm_f32x4_max(wasm_v128_load(max_sq + i), v);
      wasm_v128_store(max_sq + i, v);
    }
    v128_t denom = wasm_f32x4_add(wasm_f32x4_div(wasm_f32x4_sqrt(v), vbc2), veps);
    if (!(decay || wd)) p = wasm_v128_load(param + i);
    wasm_v128_store(param + i, wasm_f32x4_add(p, wasm_f32x4_div(wasm_f32x4_mul(vss, m), denom)));
  }
  return i;
}

/* The flags are compile-time constants of each instantiation: V8 does not unswitch loops, and a
 * loop free of untaken branches is ~1.3x faster. */
#define ADAM_RUN(NAME, MAX, WD, DECAY, MSUB) \
  NOINLINE static int NAME(ADAM_PARAMS, int i) { return adam_fused_run(ADAM_ARGS, i, MAX, WD, DECAY, MSUB); }
ADAM_RUN(adam_run_0000, 0, 0, 0, 0)
ADAM_RUN(adam_run_0001, 0, 0, 0, 1)
ADAM_RUN(adam_run_0010, 0, 0, 1, 0)
ADAM_RUN(adam_run_0011, 0, 0, 1, 1)
ADAM_RUN(adam_run_0100, 0, 1, 0, 0)
ADAM_RUN(adam_run_0101, 0, 1, 0, 1)
ADAM_RUN(adam_run_0110, 0, 1, 1, 0)
ADAM_RUN(adam_run_0111, 0, 1, 1, 1)
/* maximize: rare, one instantiation with runtime weight-decay flags */
NOINLINE static int adam_run_maximize(ADAM_PARAMS, int i) {
  return adam_fused_run(ADAM_ARGS, i, 1, weight_decay != 0.0f, param_decay != 1.0f, 1);
}

/* The fused step: SIMD runs, each suspect block redone by the scalar sequence, then the tail. */
#define ADAM_FUSED(RUN, MAX, WD, DECAY)                                                                    \
  do {                                                                                                   \
    int i = 0;                                                                                           \
    for (;;) {                                                                                           \
      i = RUN(ADAM_ARGS, i);                                                                             \
      if (i + 4 > n) break;                                                                              \
      for (int j = i; j < i + 4; j++)                                                                    \
        adam_elem(param, grad, exp_avg, exp_avg_sq, max_sq, j, beta1, one_minus_beta1, beta2, one_minus_beta2, \
                  neg_step_size, bc2_sqrt, eps, weight_decay, param_decay, MAX, WD, DECAY, 1);          \
      i += 4;                                                                                            \
    }                                                                                                    \
    for (; i < n; i++)                                                                                   \
      adam_elem(param, grad, exp_avg, exp_avg_sq, max_sq, i, beta1, one_minus_beta1, beta2, one_minus_beta2,   \
                neg_step_size, bc2_sqrt, eps, weight_decay, param_decay, MAX, WD, DECAY, 1);            \
  } while (0)

EXPORT(adam_step)
void adam_step(float *param, const float *grad, float *exp_avg, float *exp_avg_sq, float *max_exp_avg_sq,
               int n, float beta1, float one_minus_beta1, float beta2, float one_minus_beta2,
               float neg_step_size, float bias_correction2_sqrt, float eps, float weight_decay,
               float param_decay, int maximize, int fused) {
  float *max_sq = max_exp_avg_sq;
  float bc2_sqrt = bias_correction2_sqrt;
  const int wd = weight_decay != 0.0f, decay = param_decay != 1.0f;
  if (!fused) {
    const int key = (maximize ? 4 : 0) | (wd ? 2 : 0) | (decay ? 1 : 0);
    switch (key) {
      case 0: adam_unfused(ADAM_ARGS, 0, 0, 0); break;
      case 1: adam_unfused(ADAM_ARGS, 0, 0, 1); break;
      case 2: adam_unfused(ADAM_ARGS, 0, 1, 0); break;
      case 3: adam_unfused(ADAM_ARGS, 0, 1, 1); break;
      default: adam_unfused(ADAM_ARGS, 1, wd, decay); break;
    }
    return;
  }
  if (maximize) {
    ADAM_FUSED(adam_run_maximize, 1, wd, decay);
    return;
  }
  /* see adam_fused_run: the first moment needs no subnormal test when 1 - beta1 >= 2^-7 */
  const int m_sub = !(one_minus_beta1 >= 0.0078125f);
  const int key = (wd ? 4 : 0) | (decay ? 2 : 0) | m_sub;
  switch (key) {
    case 0: ADAM_FUSED(adam_run_0000, 0, 0, 0); break;
    case 1: ADAM_FUSED(adam_run_0001, 0, 0, 0); break;
    case 2: ADAM_FUSED(adam_run_0010, 0, 0, 1); break;
    case 3: ADAM_FUSED(adam_run_0011, 0, 0, 1); break;
    case 4: ADAM_FUSED(adam_run_0100, 0, 1, 0); break;
    case 5: ADAM_FUSED(adam_run_0101, 0, 1, 0); break;
    case 6: ADAM_FUSED(adam_run_0110, 0, 1, 1); break;
    default: ADAM_FUSED(adam_run_0111, 0, 1, 1); break;
  }
}
