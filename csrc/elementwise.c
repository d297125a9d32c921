/*
 * elementwise.c — float32 element-wise kernels.
 *
 *   f32_binary(op, a, b, out, n)              out[i]   = a[i] op b[i]
 *   f32_binary_scalar(op, a, s, out, n, rev)  out[i]   = a[i] op s     (rev: s op a[i])
 *   f32_binary_row(op, a, b, out, m, n, rev)  out[i,j] = a[i,j] op b[j] (rev: b[j] op a[i,j])
 *   f32_binary_col(op, a, b, out, m, n, rev)  out[i,j] = a[i,j] op b[i] (rev: b[i] op a[i,j])
 *   op: 0 add, 1 sub, 2 mul, 3 div — each one correctly rounded f32 operation, like PyTorch.
 *   f32_scale(x, s, out, n)                   out = x * s
 *   f32_axpy(n, alpha, x, y, fused)           y = y + alpha * x; fused = 1 rounds once (fmaf),
 *                                             which is what PyTorch's add(y, x, alpha=) does on
 *                                             AVX2 CPUs; fused = 0 rounds the product first.
 *   f32_relu(x, out, n)                       out = x < 0 ? 0 : x   (keeps -0 and NaN, like torch.relu)
 *   f32_relu_backward(gy, y, gx, n)           gx = y <= 0 ? 0 : gy  (threshold_backward; NaN passes)
 *   f32_fill(out, value, n)                   out = value
 *   f32_repeat_rows(row, out, m, n)           out[i,j] = row[j]   (a bias broadcast over m rows)
 *
 * In-place use (out == a or out == b) is allowed; partially overlapping ranges are not.
 */
#include "kernels.h"

enum { OP_ADD = 0, OP_SUB = 1, OP_MUL = 2, OP_DIV = 3 };

#define VADD wasm_f32x4_add
#define VSUB wasm_f32x4_sub
#define VMUL wasm_f32x4_mul
#define VDIV wasm_f32x4_div
#define SADD(x, y) ((x) + (y))
#define SSUB(x, y) ((x) - (y))
#define SMUL(x, y) ((x) * (y))
#define SDIV(x, y) ((x) / (y))

/* Dispatch an op code to a loop body macro instantiated with the matching vector/scalar op. */
#define DISPATCH(op, BODY)                 \
  switch (op) {                            \
    case OP_ADD: BODY(VADD, SADD); break;  \
    case OP_SUB: BODY(VSUB, SSUB); break;  \
    case OP_MUL: BODY(VMUL, SMUL); break;  \
    case OP_DIV: BODY(VDIV, SDIV); break;  \
    default: break;                        \
  }

#define LOOP_VV(V, S)                                                                   \
  for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, V(wasm_v128_load(a + i), wasm_v128_load(b + i))); \
  for (; i < n; i++) out[i] = S(a[i], b[i]);

EXPORT(f32_binary)
void f32_binary(int op, const float *a, const float *b, float *out, int n) {
  int i = 0;
  DISPATCH(op, LOOP_VV)
}

#define LOOP_VS(V, S)                                                                          \
  for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, V(wasm_v128_load(a + i), sv));           \
  for (; i < n; i++) out[i] = S(a[i], s);
#define LOOP_SV(V, S)                                                                          \
  for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, V(sv, wasm_v128_load(a + i)));           \
  for (; i < n; i++) out[i] = S(s, a[i]);

EXPORT(f32_binary_scalar)
void f32_binary_scalar(int op, const float *a, float s, float *out, int n, int reverse) {
  int i = 0;
  v128_t sv = wasm_f32x4_splat(s);
  if (reverse) {
    DISPATCH(op, LOOP_SV)
  } else {
    DISPATCH(op, LOOP_VS)
  }
}

/* row broadcast: a is [m, n], b is [n] */
#define LOOP_ROW(V, S)                                                                        \
  for (int r = 0; r < m; r++) {                                                               \
    const float *ar = a + (size_t)r * n;                                                      \
    float *o = out + (size_t)r * n;                                                           \
    int j = 0;                                                                                \
    if (reverse) {                                                                            \
      for (; j + 4 <= n; j += 4) wasm_v128_store(o + j, V(wasm_v128_load(b + j), wasm_v128_load(ar + j))); \
      for (; j < n; j++) o[j] = S(b[j], ar[j]);                                               \
    } else {                                                                                  \
      for (; j + 4 <= n; j += 4) wasm_v128_store(o + j, V(wasm_v128_load(ar + j), wasm_v128_load(b + j))); \
      for (; j < n; j++) o[j] = S(ar[j], b[j]);                                               \
    }                                                                                         \
  }

EXPORT(f32_binary_row)
void f32_binary_row(int op, const float *a, const float *b, float *out, int m, int n, int reverse) {
  DISPATCH(op, LOOP_ROW)
}

/* column broadcast: a is [m, n], b is [m] (one value per row) */
#define LOOP_COL(V, S)                                                                        \
  for (int r = 0; r < m; r++) {                                                               \
    const float *ar = a + (size_t)r * n;                                                      \
    float *o = out + (size_t)r * n;                                                           \
    float s = b[r];                                                                           \
    v128_t sv = wasm_f32x4_splat(s);                                                          \
    int j = 0;                                                                                \
    if (reverse) {                                                                            \
      for (; j + 4 <= n; j += 4) wasm_v128_store(o + j, V(sv, wasm_v128_load(ar + j)));       \
      for (; j < n; j++) o[j] = S(s, ar[j]);                                                  \
    } else {                                                                                  \
      for (; j + 4 <= n; j += 4) wasm_v128_store(o + j, V(wasm_v128_load(ar + j), sv));       \
      for (; j < n; j++) o[j] = S(ar[j], s);                                                  \
    }                                                                                         \
  }

EXPORT(f32_binary_col)
void f32_binary_col(int op, const float *a, const float *b, float *out, int m, int n, int reverse) {
  DISPATCH(op, LOOP_COL)
}

EXPORT(f32_scale)
void f32_scale(const float *x, float s, float *out, int n) {
  f32_binary_scalar(OP_MUL, x, s, out, n, 0);
}

EXPORT(f32_axpy)
void f32_axpy(int n, float alpha, const float *x, float *y, int fused) {
  int i = 0;
  v128_t av = wasm_f32x4_splat(alpha);
  if (fused && alpha != 1.0f && alpha != -1.0f) { /* alpha = +-1: the product is exact, fma == add */
    for (; i + 4 <= n; i += 4)
      wasm_v128_store(y + i, fma4_exact(wasm_v128_load(x + i), av, wasm_v128_load(y + i)));
    for (; i < n; i++) y[i] = fmaf_exact(x[i], alpha, y[i]);
  } else {
    for (; i + 4 <= n; i += 4)
      wasm_v128_store(y + i, wasm_f32x4_add(wasm_v128_load(y + i), wasm_f32x4_mul(av, wasm_v128_load(x + i))));
    for (; i < n; i++) y[i] = y[i] + alpha * x[i];
  }
}

EXPORT(f32_relu)
void f32_relu(const float *x, float *out, int n) {
  int i = 0;
  v128_t zero = wasm_f32x4_splat(0.0f);
  /* pmax(x, 0) = x < 0 ? 0 : x: keeps -0 and NaN exactly like torch.relu (clamp_min) */
  for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, wasm_f32x4_pmax(wasm_v128_load(x + i), zero));
  for (; i < n; i++) out[i] = x[i] < 0.0f ? 0.0f : x[i];
}

EXPORT(f32_relu_backward)
void f32_relu_backward(const float *gy, const float *y, float *gx, int n) {
  int i = 0;
  v128_t zero = wasm_f32x4_splat(0.0f);
  for (; i + 4 <= n; i += 4) {
    v128_t le = wasm_f32x4_le(wasm_v128_load(y + i), zero);
    wasm_v128_store(gx + i, wasm_v128_andnot(wasm_v128_load(gy + i), le));
  }
  for (; i < n; i++) gx[i] = y[i] <= 0.0f ? 0.0f : gy[i];
}

EXPORT(f32_fill)
void f32_fill(float *out, float value, int n) {
  int i = 0;
  v128_t v = wasm_f32x4_splat(value);
  for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, v);
  for (; i < n; i++) out[i] = value;
}

EXPORT(f32_repeat_rows)
void f32_repeat_rows(const float *row, float *out, int m, int n) {
  for (int r = 0; r < m; r++) {
    float *o = out + (size_t)r * n;
    int j = 0;
    for (; j + 4 <= n; j += 4) wasm_v128_store(o + j, wasm_v128_load(row + j));
    for (; j < n; j++) o[j] = row[j];
  }
}
