/**
 * A CPU random generator whose streams reproduce PyTorch 1.13.1's `torch.Generator` (CPU,
 * `at::CPUGeneratorImpl`) bit for bit: after `manualSeed(s)` the same sequence of calls gives
 * the same numbers as `torch.manual_seed(s)` followed by the matching torch calls.
 *
 * How PyTorch 1.13.1 draws (aten/src/ATen/CPUGeneratorImpl.cpp, core/DistributionsHelper.h,
 * core/TransformationHelper.h, native/cpu/DistributionTemplates.h, native/TensorFactories.cpp),
 * and what this file does for each call:
 *
 * - Engine: mt19937 (see ./mt19937.ts). `random()` is one 32-bit draw; `random64()` is two
 *   draws `a, b` combined as `(a << 32) | b` (first draw is the high word).
 * - Seeds are uint64. `manualSeed` also accepts negatives down to -2^63 (two's complement, like
 *   `torch.manual_seed(-1)` which reports `initial_seed() == 2^64 - 1`). Only the low 32 bits
 *   reach the engine. Seeding clears the cached Box–Muller sample.
 * - `uniform` (torch.rand / Tensor.uniform_): float32 uses `random() & (2^24 - 1)` times 2^-24,
 *   float64 uses `random64() & (2^53 - 1)` times 2^-53; the result is `x * (to - from) + from`
 *   evaluated in the tensor's dtype (with `from`, `to` first cast to it). PyTorch's CPU kernels
 *   are compiled with FMA contraction, so that expression is one fused multiply-add; it is
 *   emulated exactly here (a no-op for the default [0, 1)).
 * - `normal` (torch.randn / Tensor.normal_), three paths chosen like `normal_kernel`:
 *   * float32, numel >= 16, contiguous: `normal_fill_AVX2`. Fill every element with a 24-bit
 *     uniform, then transform blocks of 16 in place with Box–Muller (u1 = 1 - d[j],
 *     u2 = d[j + 8]; d[j] = r cos θ, d[j + 8] = r sin θ), using float32 `log256_ps` /
 *     `sincos256_ps` from avx_mathfun.h (Cephes polynomials). When numel % 16 != 0 the last 16
 *     elements are refilled with 16 fresh uniforms and transformed again (so numel + 16 draws).
 *     The float32 polynomials are emulated operation by operation, including the fused
 *     multiply-adds GCC forms from them.
 *   * float64, numel >= 16, contiguous: `normal_fill<double>`, the same blocking with 53-bit
 *     uniforms and glibc's double `log` and `sincos`.
 *   * otherwise (numel < 16, or a non-contiguous tensor: pass `contiguous = false`): the scalar
 *     `normal_distribution<double>` for every element, in element (TensorIterator) order: if the
 *     generator holds a cached sample, use it and clear it; else draw u1, u2 (53-bit),
 *     r = sqrt(-2 log(1 - u2)), θ = 2π u1, cache r sin θ and use r cos θ. The value is then
 *     `v * std + mean` (fused) rounded to the output dtype. The cache survives across calls
 *     and is shared by float32 and float64 outputs; only the scalar path touches it.
 *   Bit-exact doubles here need glibc's exact `log`/`sin`/`cos` (V8's `Math.log`/`Math.sin`
 *   differ from glibc in the last bit for a few percent of arguments), so this file carries a
 *   port of glibc 2.36's x86-64 FMA variants (`__log_fma`, `__sincos_fma`: the ARM
 *   optimized-routines log and IBM's table-driven sin/cos), with the compiler's FMA contractions
 *   reproduced through an exact software fused multiply-add.
 * - `uniform`, `bernoulli` and the scalar `normal` path fill in element order, which is
 *   PyTorch's TensorIterator order for a contiguous tensor (for a strided one the caller maps).
 * - `randint(low, high)` (torch.randint, int64): range = high - low; `random() % range + low`
 *   when range < 2^32, else `random64() % range + low`. Float32Array / Float64Array outputs
 *   receive those int64 values converted (equal to torch.randint(..., dtype=float64) for safe
 *   integers; torch's dtype=float32 kernel differs once range >= 2^32 and is not modelled).
 * - `randperm(n)`: identity then, for i = 0..n-2, swap a[i] with a[i + random() % (n - i)].
 * - `bernoulli(p)` (Tensor.bernoulli_(p) with a float p, the CPU kernel used by dropout on a
 *   build without MKL): per element a 53-bit uniform u, value = u < p.
 * - `randomInt64()` (int64 `random_()`): `random64() % 2^63`.
 *
 * Parity limits (documented rather than hidden):
 * - The reference is an x86-64 CPU with AVX2 + FMA (PyTorch's AVX2 kernels, glibc's FMA
 *   ifuncs). PyTorch itself gives different float32 randn (numel >= 16) and, in rare last-bit
 *   cases, different doubles on CPUs without AVX2/FMA, or with another libm; this file follows
 *   the AVX2 + FMA machine everywhere.
 * - `randperm` accepts n < 2^32 / 20 = 214748364 only (newer PyTorch sources switch to a
 *   random64-based shuffle from that size on; a permutation that large is out of scope here).
 * - `normal` with extreme `mean`/`std` (products beyond ~1e300 or below ~1e-290) falls back to a
 *   non-fused multiply-add and may differ in the last bit.
 *
 * Also here: `defaultGenerator` (like `torch.default_generator`, nondeterministically seeded at
 * load) and `manualSeed`; `getTorchState` / `setTorchState` for the 5056-byte
 * `torch.get_rng_state()` layout; raw `random32` / `random64`; and the exact helpers the
 * samplers are built on (`fma`, `fmaf`, `glibcLog`, `glibcSin`, `glibcCos`).
 *
 * The fills use flat typed arrays and 32-bit integer arithmetic; BigInt appears only for seeds,
 * int64 results and randint ranges >= 2^32. Nothing here depends on Node.
 */
import { MT19937, MT_STATE_SIZE } from "./mt19937.js";

/** PyTorch's `default_rng_seed_val`: the seed of a fresh `torch.Generator()`. */
export const DEFAULT_SEED = 67280421310721n;

const TWO_POW_M24 = 1 / 16777216;
const TWO_POW_M53 = 1 / 9007199254740992;
const TWO_POW_32 = 4294967296;
const UINT64_MOD = 1n << 64n;
const INT64_MIN = -(1n << 63n);

// ---------------------------------------------------------------------------------------------
// Bit views and exact fused multiply-add emulation.
// ---------------------------------------------------------------------------------------------

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = LITTLE_ENDIAN ? 1 : 0;
const F32 = new Float32Array(1);
const I32 = new Int32Array(F32.buffer);

/** 2^27 + 1, Veltkamp's splitting constant for binary64. */
const SPLIT = 134217729;
/** Beyond this magnitude the Veltkamp split overflows; fall back to an unfused a*b + c. */
const SPLIT_LIMIT = 6.69692879491417e299;

/**
 * x + y rounded to odd: the exact sum if representable, else whichever neighbour of the
 * round-to-nearest result has an odd last mantissa bit. Rounding a round-to-odd double to a
 * narrower format (or adding a much larger term) then rounds correctly (Boldo & Melquiond).
 */
function addRoundToOdd(x: number, y: number): number {
  const s = x + y;
  const bv = s - x;
  const err = x - (s - bv) + (y - bv);
  if (err === 0) return s;
  F64[0] = s;
  if ((U32[LO] & 1) !== 0) return s;
  if (err > 0 === s > 0) {
    // Exact value is further from zero than s: step away from zero (low word is even).
    U32[LO] = U32[LO] + 1;
  } else if (U32[LO] === 0) {
    U32[LO] = 0xffffffff;
    U32[HI] = U32[HI] - 1;
  } else {
    U32[LO] = U32[LO] - 1;
  }
  return F64[0];
}

/**
 * Correctly rounded binary64 fused multiply-add a * b + c (C's `fma`).
 *
 * a*b = p + e exactly (Dekker), c + p = uh + ul exactly (TwoSum), so the exact result is
 * uh + ul + e. Usually |ul + e| is far below ulp(uh): then t = RN(ul + e) and RN(uh + t) are
 * already right unless uh + t sits exactly on a rounding midpoint with a nonzero error left in
 * t, which is detected and settled by that error's sign. Otherwise (heavy cancellation) the
 * general round-to-odd construction is used.
 */
export function fma(a: number, b: number, c: number): number {
  const p = a * b;
  if (!(Math.abs(a) < SPLIT_LIMIT && Math.abs(b) < SPLIT_LIMIT) || !Number.isFinite(c)) return p + c;
  let s = SPLIT * a;
  const ah = s - (s - a);
  const al = a - ah;
  s = SPLIT * b;
  const bh = s - (s - b);
  const bl = b - bh;
  const e = ah * bh - p + ah * bl + al * bh + al * bl;
  if (e === 0) return p + c;
  const uh = c + p;
  const bv = uh - c;
  const ul = c - (uh - bv) + (p - bv);
  const t = ul + e;
  const bt = t - ul;
  const terr = ul - (t - bt) + (e - bt);
  const r = uh + t;
  if (terr === 0) return r; // uh + t is the exact result: one rounding
  if (Math.abs(t) <= Math.abs(uh) * 0.125 && Number.isFinite(r)) {
    // Every rounding midpoint near uh lies on t's grid and |terr| < ulp(t) / 2, so only an
    // exact midpoint uh + t can round the wrong way.
    const rr = t - (r - uh); // uh + t = r + rr exactly
    const twice = rr + rr;
    if (rr === 0 || r + twice - r !== twice) return r;
    return terr > 0 === rr > 0 ? r + twice : r;
  }
  return uh + addRoundToOdd(ul, e);
}

/** Correctly rounded binary32 fused multiply-add of float32 values (C's `fmaf`). */
export function fmaf(a: number, b: number, c: number): number {
  // a*b of two float32 values is exact in binary64, so only the sum is rounded: first to
  // binary64 (s, with exact error err), then to binary32. That double rounding can only go
  // wrong when s lands exactly on a binary32 midpoint while err != 0.
  const p = a * b;
  const sum = p + c;
  const bv = sum - p;
  const err = p - (sum - bv) + (c - bv);
  const r = Math.fround(sum);
  if (err === 0) return r;
  const d = sum - r;
  const twice = d + d;
  if (d === 0 || Math.fround(r + twice) !== r + twice) return r;
  return err > 0 === d > 0 ? Math.fround(r + twice) : r;
}

// ---------------------------------------------------------------------------------------------
// glibc 2.36 x86-64 `__log_fma` (sysdeps/ieee754/dbl-64/e_log.c compiled with -mfma -mavx2):
// log(x) = k ln2 + log(c) + log1p(z/c - 1) with a 128-entry table, and a separate polynomial
// near 1. The multiply-adds that GCC contracts into FMA instructions are written as fma().
// Tables: ARM optimized-routines log data as shipped in glibc (`__log_data`).
// ---------------------------------------------------------------------------------------------

const LOG_LN2HI = 0.6931471805598903;
const LOG_LN2LO = 5.497923018708371e-14;
/** glibc `__log_data.poly` (A[0..4]). */
const LOG_A0 = -0.5000000000000001;
const LOG_A1 = 0.33333333331825593;
const LOG_A2 = -0.2499999999622955;
const LOG_A3 = 0.20000304511814496;
const LOG_A4 = -0.16667054827627667;
/** glibc `__log_data.poly1` (B[0..10]), used for |x - 1| small. */
const LOG_B = new Float64Array([
  -0.5, 0.3333333333333352, -0.24999999999998432, 0.19999999999320328,
  -0.16666666669929706, 0.14285715076560868, -0.12499997863982555, 0.11110712032936046,
  -0.10000486757818193, 0.09181994006195467, -0.08328363062289341,
]);
/** glibc `__log_data.tab`: 128 pairs {invc, logc}. */
const LOG_TAB = new Float64Array([
  1.4504249240398293, -0.3718565645633589,
  1.442253508327276, -0.36620682668944937,
  1.4341736174350004, -0.3605888069791945,
  1.426183816329995, -0.3550022171419869,
  1.4182825527052965, -0.34944666968829097,
  1.4104682921759335, -0.3439217713603284,
  1.4027396147468003, -0.3384271921261188,
  1.3950954438932313, -0.332962831494342,
  1.3875338232485754, -0.32752794345742586,
  1.3800539211058593, -0.32212257167088865,
  1.3726542695419708, -0.3167462884799761,
  1.3653332798446802, -0.3113985598928366,
  1.358090204587874, -0.3060794515165526,
  1.3509234892132138, -0.300788424667644,
  1.3438320840699889, -0.2955252968476998,
  1.3368146974742003, -0.29028969275850613,
  1.329870114677736, -0.2850812793277555,
  1.322997339161106, -0.27989987391470095,
  1.316195352741367, -0.27474526621870154,
  1.3094628125672239, -0.2696169863701243,
  1.3027990455471041, -0.26451506180308115,
  1.2962024229438942, -0.2594387762767383,
  1.2896726275815547, -0.2543884090981692,
  1.2832080305745537, -0.24936321635129843,
  1.276807885983376, -0.24436312405975968,
  1.2704714060687552, -0.23938801747897287,
  1.2641976054949482, -0.23443761696705678,
  1.257985357514882, -0.22951151871518505,
  1.2518337750655457, -0.2246094963439873,
  1.2457421919097305, -0.21973149037705753,
  1.2397094966625508, -0.2148770752847895,
  1.2337348463589233, -0.210046029103637,
  1.2278176973028803, -0.20523836373934046,
  1.2219570190618474, -0.20045368751368642,
  1.2161519732977757, -0.1956917537758045,
  1.2104018095009725, -0.19095237845203883,
  1.204705805718973, -0.18623539250290833,
  1.1990631185441964, -0.18154051731551135,
  1.1934733004462308, -0.1768677957431919,
  1.1879350812847385, -0.17221657406412305,
  1.1824481322833125, -0.16758697765942543,
  1.1770114976921955, -0.16297859687290384,
  1.1716248121809465, -0.15839151377804228,
  1.1662869231674715, -0.15382513241456763,
  1.1609977486762766, -0.14927976358922024,
  1.1557563220795803, -0.14475495398119165,
  1.1505619105480347, -0.14025044090817573,
  1.1454138888505974, -0.1357660466685502,
  1.140311877374656, -0.1313018016355727,
  1.1352550225747513, -0.12685731518763532,
  1.1302429094831266, -0.1224325737671279,
  1.1252747693068048, -0.11802724521862729,
  1.1203501571039876, -0.11364127671663482,
  1.1154683327680124, -0.10927434611278386,
  1.1106291463292157, -0.10492665324943573,
  1.1058315813301596, -0.10059761422644442,
  1.1010752177696026, -0.09628717309055901,
  1.0963597137952512, -0.09199534069557558,
  1.0916844827550398, -0.08772190036688698,
  1.0870487291277784, -0.08346643613867855,
  1.082452357388312, -0.07922916827544668,
  1.0778948225025884, -0.0750099004750382,
  1.0733751731601076, -0.07080805133352897,
  1.068893585073351, -0.06662408085151128,
  1.0644491706655506, -0.06245745471915143,
  1.0600414846328305, -0.0583080438042316,
  1.0556701316181605, -0.05417576112313327,
  1.051334750556926, -0.050060547896805474,
  1.0470347288442157, -0.045962101199052086,
  1.0427699229652954, -0.04188056008865715,
  1.0385395013738175, -0.03781540056183985,
  1.034343418940345, -0.03376684757915882,
  1.0301811073173315, -0.029734619131772888,
  1.026052043621297, -0.025718470239212365,
  1.0219561082336197, -0.021718543925430822,
  1.0178926505784922, -0.01773446126981071,
  1.0138614436244586, -0.013766252464051831,
  1.0098620186501341, -0.009813706322574944,
  1.0058938559734134, -0.005876555150052809,
  1.00195696235014, -0.0019550499938532084,
  0.9961089923088509, 0.0038985973556009412,
  0.9884170338185201, 0.011650571286395461,
  0.9808429191005297, 0.019342955478919066,
  0.9733840169987446, 0.0269766014846482,
  0.9660377568876556, 0.034552359728422744,
  0.9588014945307369, 0.04207121767183253,
  0.9516728569073111, 0.049533940950141186,
  0.9446494635965822, 0.056941358295944156,
  0.9377288993026223, 0.06429439168346107,
  0.9309091073790681, 0.0715936354946507,
  0.924187681612722, 0.07884010933776153,
  0.9175626765599192, 0.08603438905970506,
  0.9110320403624034, 0.09317721180013905,
  0.9045935839762024, 0.10026951462748457,
  0.8982456375922825, 0.10731170956330516,
  0.8919860966782501, 0.11430473320717738,
  0.8858131121185129, 0.12124928503033061,
  0.879725075760676, 0.12814583422959913,
  0.8737201372634685, 0.1349951636851756,
  0.8677966405782273, 0.1417978768189414,
  0.8619528050060739, 0.14855476039031146,
  0.8561872354420692, 0.1552661937658968,
  0.8504983927816893, 0.16193275688146969,
  0.8448844572790304, 0.16855539792220497,
  0.8393442741575965, 0.1751343179947753,
  0.8338762249349438, 0.1816702989864325,
  0.8284789320557778, 0.18816387146023317,
  0.8231510800065832, 0.1946155228479256,
  0.8178913903778707, 0.20102572579389744,
  0.8126984007245374, 0.2073952090795501,
  0.8075710029460227, 0.21372429840596396,
  0.8025078881160415, 0.2200135945981856,
  0.7975077379364331, 0.22626374162859975,
  0.792569604966373, 0.23247494747693054,
  0.7876923641254114, 0.23864766620658884,
  0.7828746724940998, 0.24478265647405806,
  0.7781155388790811, 0.25088025827324145,
  0.7734139557869777, 0.2569408552510595,
  0.7687687179914933, 0.26296511155101143,
  0.7641790698041854, 0.2689531327189343,
  0.7596438763692399, 0.27490553924610595,
  0.7551621951078668, 0.2808227248478943,
  0.7507331780216866, 0.286704979267256,
  0.7463557196361751, 0.29255295645509705,
  0.7420289364869653, 0.2983670386142876,
  0.7377521537065876, 0.30414734587282055,
  0.7335242966002608, 0.30989455774829366,
  0.729344777457841, 0.31560871301871884,
]);
/** glibc `__sincostab`: for k = 0..109, {sin(k/128) hi, lo, cos(k/128) hi, lo}. */
const SINCOS_TAB = new Float64Array([
  0.0, 0.0, 1.0, 0.0,
  0.0078124205273828315, -4.102755709382617e-19, 0.9999694825770951, 5.427791428371788e-17,
  0.015624364224883372, -1.265093755275982e-19, 0.9998779321710066, 3.216122229972341e-17,
  0.02343535429172257, 1.0500785515068913e-19, 0.9997253543694995, 4.666714544113391e-17,
  0.03124491398532608, -1.562781562225433e-18, 0.9995117584851364, -3.418806487972947e-17,
  0.03905256665042215, 1.1342467037138512e-18, 0.999237157554709, 1.1089280858439994e-17,
  0.04685783574813424, -2.3419368365610254e-18, 0.9989015683384429, -2.1425557800399754e-17,
  0.05466024488506646, 3.373831935351774e-19, 0.9985050113189741, 1.779930870620664e-17,
  0.0624593178423802, -2.040259504585711e-18, 0.9980475107000991, 3.3232291674141346e-17,
  0.07025457860486005, -6.773890900301373e-18, 0.9975290944052978, 5.112086057887235e-18,
  0.07804555138996731, -5.4494437820057936e-18, 0.9969497940760287, -1.2467075728553626e-17,
  0.08583176067687935, -3.490037167231825e-18, 0.996309645069798, -1.1743657041590172e-18,
  0.09361273123551289, 1.4628632005878733e-18, 0.9956086864580017, 3.312922430932991e-17,
  0.10138798815552964, 3.99242856835807e-18, 0.9948469610235406, -8.198278333258706e-18,
  0.10915705687532236, 6.6284699502736666e-18, 0.9940245152582091, 1.3287985046260087e-17,
  0.11691946321097965, -2.283412536970096e-18, 0.9931413993598577, 2.8553964189785565e-17,
  0.12467473338522769, -2.925947496057858e-18, 0.992197667229329, 4.754870575189364e-17,
  0.13242239405634718, 1.2801053067990684e-17, 0.9911933764671682, 3.1426138811726996e-17,
  0.1401619723470637, -9.946847113883478e-18, 0.9901285883701071, -4.589906353553811e-18,
  0.14789299587340962, -1.3140968557128452e-17, 0.9890033679273229, 1.7676104005868335e-18,
  0.15561499277355603, 8.886053372342288e-18, 0.9878177838164719, 4.91917302237681e-17,
  0.16332749173661285, 5.483569430347159e-18, 0.9865719083994976, -1.0327444588275446e-17,
  0.17103002203139503, -9.954774726452923e-18, 0.9852658177182139, -4.925721262944555e-17,
  0.17872211353515366, -1.6240405901074e-20, 0.983899591489664, -2.1647988531644275e-17,
  0.18640329676226988, 2.3493796901281573e-18, 0.9824733131012553, -3.919920375420088e-17,
  0.1940731028929098, -7.832741210198615e-18, 0.9809870696056692, 1.967841180870303e-17,
  0.2017310638016388, 5.587232815460113e-18, 0.9794409517155483, 1.310876952152676e-17,
  0.20937671208599365, -5.536403693172164e-18, 0.9778350537979598, 2.9910028492769484e-17,
  0.21700958109501015, 1.1170071073364376e-17, 0.9761694738686353, -7.850690609285027e-18,
  0.2246292049577053, -1.058590416432903e-17, 0.9744443135859889, 4.990128834921396e-17,
  0.23223511861151147, -8.318080852687206e-18, 0.9726596782449127, 2.3920264546490165e-17,
  0.23982685783066157, -7.260810660979712e-18, 0.9708156767703494, 5.1285792532153653e-17,
  0.24740395925452294, -7.53102495590706e-18, 0.9689124217106447, 5.071436662403936e-17,
  0.2549659604158785, -2.2310035435425957e-17, 0.9669500292306779, -3.237770297707692e-17,
  0.2625123997691533, -2.2534597527902128e-17, 0.964928619104771, -3.0345542681018625e-18,
  0.27004281671858504, -1.2103265097887777e-17, 0.9628483147093797, -4.646009771724241e-18,
  0.2775567516463363, 1.7674070262791825e-17, 0.9607092430155619, -2.807827063516729e-17,
  0.28505374594054744, -1.8162083107618118e-17, 0.9585115345812286, 8.134621492946255e-18,
  0.29253334202332754, 7.516944930327352e-18, 0.9562553235431753, -3.148450868841629e-17,
  0.299995083378683, 2.606392777930734e-17, 0.9539407476088947, 4.3757589471734985e-17,
  0.30743851458038085, 1.1004366442765292e-19, 0.9515679480481722, -3.8614834675674123e-17,
  0.3148631813197453, -2.6921345305772252e-17, 0.949137069684463, 4.149148046099445e-17,
  0.3222686304333866, 2.093773358126606e-17, 0.9466482608860534, -3.911683334934152e-17,
  0.32965440993086015, 2.35998378957031e-17, 0.9441016735570044, -1.6017653284545848e-17,
  0.33702006902225307, 1.0312279860787216e-17, 0.9414974631278811, -4.85238302367971e-18,
  0.3443651581456984, 5.881664587517989e-18, 0.9388357885462655, 6.919329459921788e-18,
  0.3516892289948141, -2.5616208736069942e-17, 0.9361168122670553, -5.2350302039683216e-17,
  0.35899183454606504, 1.7495482840158848e-17, 0.9333407002425484, -1.322859547778088e-17,
  0.36627252908604757, -9.938814562106524e-18, 0.9305076219123143, 4.488760003328074e-18,
  0.37353086823869297, -2.375669144106189e-17, 0.9276177501928519, 4.5350942573591974e-17,
  0.38076640899239017, 2.1372528646211374e-17, 0.924671261467036, 5.5444125388034563e-17,
  0.38797870972702503, 1.759799510335953e-17, 0.9216683355733519, -8.550693097867243e-18,
  0.39516733024093426, -1.9613487871414228e-17, 0.9186091557949183, -4.0564150104514996e-17,
  0.4023318317777731, 1.4413875452702007e-17, 0.9154939088483012, 5.413375566838042e-17,
  0.40947177705329507, -5.679403000091266e-18, 0.9123227848721178, 2.6349040211413332e-17,
  0.41658673028204113, -9.610850682533715e-18, 0.909095977415431, 2.920006113841211e-17,
  0.42367625720393803, -2.331800700068871e-17, 0.9058136834259364, 4.2864666490805214e-17,
  0.4307399251108032, -2.6212879607476533e-17, 0.9024761032379415, 3.112490674651326e-17,
  0.4377773028727551, 7.64345629962023e-18, 0.8990834405601384, 9.076951775075616e-18,
  0.4447879609645272, -6.655392977344925e-18, 0.8956359024631707, -8.854043885762716e-18,
  0.4517714714916838, -8.234073942098903e-18, 0.8921336993669944, 2.3160655211380166e-17,
  0.4587274082167366, 1.6080982096218356e-17, 0.8885770450280356, -4.034491998357167e-17,
  0.46565534658516017, 1.459870391051426e-17, 0.8849661565261433, -7.690557775987357e-18,
  0.47255486375130445, -3.608790703790546e-18, 0.8813012542513406, -4.973073189306066e-17,
  0.479425538604203, -5.103969860556013e-18, 0.8775825618903728, -4.2623149864279997e-17,
  0.48626695179327556, 1.5131647652857083e-17, 0.8738103064130545, 4.767670756525657e-17,
  0.49307868575392305, 5.605083973871755e-18, 0.8699847180584174, 1.657385110740923e-17,
  0.49986032473301345, 1.3570481487732128e-17, 0.8661060303206567, 2.0097792543831333e-17,
  0.5066114548142574, -3.269413423618168e-17, 0.8621744799348805, 4.4132427578105805e-18,
  0.5133316639434712, 3.462454351928195e-17, 0.8581903068626604, -5.4374664844403745e-17,
  0.520020541953727, -3.983266745698455e-17, 0.8541537542773854, 5.420565102675287e-18,
  0.5266776805903868, -4.570502275386202e-17, 0.8500650685494202, 5.317093455811416e-17,
  0.5333026735360201, 5.129318115032044e-17, 0.8459244992310679, 1.549506647350329e-17,
  0.5398951164352044, 2.4263515104613218e-17, 0.8417322990413384, -2.7333362440269662e-17,
  0.5464546069192036, 8.399754840929507e-18, 0.8374887238505236, 4.3337026043948396e-17,
  0.5529807446305274, -6.743270455611733e-18, 0.8331940326645814, -1.8644878796734315e-19,
  0.5594731312473669, 1.575565514488728e-17, 0.8288484876093257, 1.1163935406617444e-17,
  0.565931370507906, 6.582459440388572e-18, 0.8244523539144292, 3.731817754380378e-17,
  0.5723550682345072, 2.6575872357215316e-17, 0.820005899897234, -3.912431748209128e-17,
  0.5787438323577704, -2.7958488978746924e-17, 0.8155093969463755, 1.3751889684983784e-18,
  0.5850972729404622, -5.4883972461161805e-17, 0.8109631195052179, -3.091333486122179e-17,
  0.5914150022013163, 5.0668448898504805e-17, 0.8063673450551039, 3.4650875715584734e-17,
  0.5976966345387015, 5.450323593054385e-17, 0.8017223540984184, 4.0134533311087014e-17,
  0.6039417865541566, 1.1794923733511837e-17, 0.7970284301414683, 5.0523609948487484e-17,
  0.6101500770757914, -1.479826990758988e-17, 0.7922858596771786, -2.9049779312834576e-17,
  0.616321127181551, -2.20849501729641e-17, 0.7874949321676061, -4.8080555050456574e-17,
  0.6224545602223437, -6.049035765709707e-18, 0.7826559400262728, -1.474071641211487e-17,
  0.6285500018450296, 3.5348797769901485e-17, 0.7777691786003179, -8.842419849333787e-18,
  0.6346070800152693, -3.4568582392624965e-17, 0.7728349461524715, 4.231014921891023e-17,
  0.6406254250402305, -4.700891123899386e-17, 0.7678535438428503, 4.9065912521116424e-17,
  0.6466046695911524, 4.567647714393287e-19, 0.7628252757105762, 1.6672995021546628e-17,
  0.652544448725766, -4.5598735935930497e-17, 0.7577504486552193, -1.878215121154204e-18,
  0.6584443999105676, -3.7736386700306717e-17, 0.7526293724180665, -1.2970993013150526e-17,
  0.6643041630429463, 1.5784492324431575e-17, 0.7474623595632162, 5.6627515613726676e-18,
  0.6701233804731629, 6.18353672557496e-18, 0.7422497254585013, -1.2339303604869521e-17,
  0.6759016970261789, -5.119389624609889e-17, 0.7369917882562408, -4.631213290368497e-17,
  0.6816387600233341, 4.410467313197903e-17, 0.7316888688738209, -1.0475824306512768e-17,
  0.6873342193038735, 2.8994333996809586e-17, 0.7263412909741086, -9.465899179857832e-18,
  0.692987727246318, -5.3543290798909455e-17, 0.7209493809456964, 3.494986701478816e-17,
  0.6985989387896817, 2.975439919188114e-17, 0.7155134678829815, 3.8181038992157035e-17,
  0.7041675114545337, -3.94095700584825e-17, 0.7100338835660797, 1.505272211891291e-17,
  0.7096931053638997, -9.468276958542117e-18, 0.7045109624405747, -4.451398614976226e-17,
  0.7151753832640076, -1.466099578328228e-17, 0.6989450415971057, -5.5261332036460915e-18,
  0.7206140105448711, 1.105694456137362e-17, 0.6933364607507934, 1.2822831674529969e-17,
  0.7260086552607126, -1.573621815339587e-17, 0.6876855622205048, 3.5430696752823923e-17,
  0.7313589881502236, 2.6553630314845697e-17, 0.6819926909079606, 2.8089333561212785e-17,
  0.7366646826566614, -4.639723374875429e-17, 0.6762581942766833, 3.497002399394248e-17,
  0.7419254149477796, 2.907482756987512e-18, 0.6704824223307908, 5.425808997571648e-17,
  0.7471408639355942, 2.937498788028212e-17, 0.6646657275936333, -5.2874573286772266e-17,
  0.7523107112959804, -4.07866182575664e-17, 0.6588084650862769, 1.7760805237087262e-17,
]);

/** Natural log, bit-identical to glibc 2.36 `log` on x86-64 with FMA (for every double x). */
export function glibcLog(x: number): number {
  // Near 1: |x - 1| small (asuint64(1 - 2^-4) <= asuint64(x) < asuint64(1 + 0x1.09p-4)).
  if (x >= 0.9375 && x < 1.064697265625) {
    if (x === 1) return 0;
    const r = x - 1.0;
    const r2 = r * r;
    const r3 = r * r2;
    const b = LOG_B;
    const p3 = fma(r3, b[10], fma(r2, b[9], fma(r, b[8], b[7])));
    const p2 = fma(r3, p3, fma(r2, b[6], fma(r, b[5], b[4])));
    const p1 = fma(r3, p2, fma(r2, b[3], fma(r, b[2], b[1])));
    const w = r * 134217728; // r * 2^27
    const rhi = r + w - w;
    const rlo = r - rhi;
    const rr = rhi * rhi; // times B[0] = -0.5 below is exact
    const hi = fma(rr, b[0], r);
    let lo = fma(rr, b[0], r - hi);
    lo = fma(b[0] * rlo, rhi + r, lo);
    const y = fma(r3, p1, lo);
    return y + hi;
  }
  if (!(x >= 2.2250738585072014e-308 && x < Infinity)) {
    // Zero, subnormal, negative, infinite or NaN.
    if (x === 0) return -Infinity;
    if (x === Infinity) return x;
    if (!(x > 0)) return NaN;
    // Subnormal: scale into the normal range (exact) and correct k.
    return glibcLogNormal(x * 4503599627370496, -52);
  }
  return glibcLogNormal(x, 0);
}

function glibcLogNormal(x: number, kAdjust: number): number {
  F64[0] = x;
  const hiWord = U32[HI];
  const loWord = U32[LO];
  // tmp = ix - OFF with OFF = 0x3fe6000000000000 (its low word is zero).
  const tmpHi = (hiWord - 0x3fe60000) | 0;
  const i = (tmpHi >>> 13) & 127;
  const k = (tmpHi >> 20) + kAdjust;
  U32[HI] = (hiWord - (tmpHi & 0xfff00000)) >>> 0;
  U32[LO] = loWord;
  const z = F64[0];
  const invc = LOG_TAB[2 * i];
  const logc = LOG_TAB[2 * i + 1];
  const r = fma(z, invc, -1.0);
  const w = fma(k, LOG_LN2HI, logc);
  const hi = w + r;
  const lo = fma(k, LOG_LN2LO, w - hi + r);
  const r2 = r * r;
  const q = fma(r2, fma(r, LOG_A4, LOG_A3), fma(r, LOG_A2, LOG_A1));
  const y = fma(r * r2, q, fma(r2, LOG_A0, lo));
  return y + hi;
}

// ---------------------------------------------------------------------------------------------
// glibc 2.36 x86-64 `__sincos_fma` (sysdeps/ieee754/dbl-64/s_sin.c, s_sincos.c, IBM Accurate
// Mathematical Library) for |x| < 105414350, with GCC's FMA contractions written out.
// ---------------------------------------------------------------------------------------------

const SN3 = -0.16666666666666488;
const SN5 = 0.008333332142857223;
const CS2 = 0.5;
const CS4 = -0.04166666666666644;
const CS6 = 0.001388888740079376;
const TS1 = -0.16666666666666666;
const TS2 = 0.008333333333332329;
const TS3 = -0.00019841269834414642;
const TS4 = 2.755729806860771e-6;
const TS5 = -2.5022014848318398e-8;
const BIG = 52776558133248.0; // 1.5 * 2^45: adding it rounds |x| to a multiple of 1/128
const HP0 = 1.5707963267948966;
const HP1 = 6.123233995736766e-17;
const MP1 = 1.5707963407039642;
const MP2 = -1.3909067564377153e-8;
const PP3 = -4.97899623147991e-17;
const PP4 = -1.9034889620193266e-25;
const HPINV = 0.6366197723675814;
const TOINT = 6755399441055744.0;

function lowWord(v: number): number {
  F64[0] = v;
  return U32[LO];
}

function isNegative(v: number): boolean {
  return v < 0 || Object.is(v, -0);
}

/** cos(x + dx) for |x| < 0.855469 (glibc `do_cos`). */
function doCos(x: number, dx: number): number {
  if (x < 0) dx = -dx;
  const ax = Math.abs(x);
  const u = BIG + ax;
  x = ax - (u - BIG) + dx;
  const xx = x * x;
  const s = fma(x * xx, fma(xx, SN5, SN3), x);
  const c = xx * fma(xx, fma(xx, CS6, CS4), CS2);
  const k = lowWord(u) << 2;
  const sn = SINCOS_TAB[k];
  const ssn = SINCOS_TAB[k + 1];
  const cs = SINCOS_TAB[k + 2];
  const ccs = SINCOS_TAB[k + 3];
  const cor = fma(-sn, s, fma(-cs, c, fma(-s, ssn, ccs)));
  return cs + cor;
}

/** sin(x + dx) for |x| < 0.855469 (glibc `do_sin`). */
function doSin(x: number, dx: number): number {
  const xold = x;
  if (Math.abs(x) < 0.126) {
    const xx = x * x;
    const p = fma(fma(fma(fma(TS5, xx, TS4), xx, TS3), xx, TS2), xx, TS1);
    const t = fma(fma(p, x, -(0.5 * dx)), xx, dx);
    return x + t;
  }
  if (x <= 0) dx = -dx;
  const ax = Math.abs(x);
  const u = BIG + ax;
  x = ax - (u - BIG);
  const xx = x * x;
  const s = x + fma(x * xx, fma(xx, SN5, SN3), dx);
  const c = fma(x, dx, xx * fma(xx, fma(xx, CS6, CS4), CS2));
  const k = lowWord(u) << 2;
  const sn = SINCOS_TAB[k];
  const ssn = SINCOS_TAB[k + 1];
  const cs = SINCOS_TAB[k + 2];
  const ccs = SINCOS_TAB[k + 3];
  const cor = fma(cs, s, fma(-sn, c, fma(s, ccs, ssn)));
  const v = sn + cor;
  return isNegative(xold) ? -Math.abs(v) : Math.abs(v);
}

/** Outputs of {@link glibcSincos} (module-level so the hot loops allocate nothing). */
let SIN_OUT = 0;
let COS_OUT = 0;

/**
 * sin(x) and cos(x) into SIN_OUT / COS_OUT, bit-identical to glibc 2.36 `sincos` (which equals
 * its `sin` and `cos`) on x86-64 with FMA, for |x| < 105414350; other inputs fall back to Math.
 */
function glibcSincos(x: number): void {
  F64[0] = x;
  const k = U32[HI] & 0x7fffffff;
  if (k < 0x400368fd) {
    if (k < 0x3e400000) {
      // |x| < 2^-27
      SIN_OUT = x;
      COS_OUT = 1.0;
      return;
    }
    if (k < 0x3feb6000) {
      // |x| < 0.855469
      SIN_OUT = doSin(x, 0);
      COS_OUT = doCos(x, 0);
      return;
    }
    // |x| < 2.426265
    const y = HP0 - Math.abs(x);
    const a = y + HP1;
    const da = y - a + HP1;
    const c = doCos(a, da);
    SIN_OUT = isNegative(x) ? -Math.abs(c) : Math.abs(c);
    COS_OUT = doSin(a, da);
    return;
  }
  if (k >= 0x419921fb) {
    // |x| >= 105414350 (needs glibc's __branred; never reached by the samplers), inf, NaN.
    SIN_OUT = Math.sin(x);
    COS_OUT = Math.cos(x);
    return;
  }
  // reduce_sincos: x = n * pi/2 + (a + da)
  const t = fma(x, HPINV, TOINT);
  const xn = t - TOINT;
  const n = lowWord(t) & 3;
  const y = fma(-xn, MP2, fma(-xn, MP1, x));
  const t2 = fma(-xn, PP3, y);
  let db = fma(-xn, PP3, y - t2);
  const b = fma(-xn, PP4, t2);
  db += fma(-xn, PP4, t2 - b);
  let a = b;
  let da = db;
  if (n === 1 || n === 2) {
    a = -a;
    da = -da;
  }
  const sv = doSin(a, da);
  const xv = doCos(a, da);
  const cv = (n & 2) !== 0 ? -xv : xv;
  if ((n & 1) !== 0) {
    SIN_OUT = cv;
    COS_OUT = sv;
  } else {
    SIN_OUT = sv;
    COS_OUT = cv;
  }
}

/** sin(x), bit-identical to glibc 2.36 on x86-64 with FMA for |x| < 105414350. */
export function glibcSin(x: number): number {
  glibcSincos(x);
  return SIN_OUT;
}

/** cos(x), bit-identical to glibc 2.36 on x86-64 with FMA for |x| < 105414350. */
export function glibcCos(x: number): number {
  glibcSincos(x);
  return COS_OUT;
}

// ---------------------------------------------------------------------------------------------
// avx_mathfun.h `log256_ps` / `sincos256_ps` (float32 Cephes polynomials, PyTorch's AVX2
// normal_fill), one lane at a time. Every intermediate is rounded to float32; the mul+add pairs
// that GCC fuses (it compiles PyTorch's AVX2 kernels with -mfma and contraction on) use fmaf().
// Inputs are the values normal_fill produces: log of (0, 1], sincos of [0, 2π).
// ---------------------------------------------------------------------------------------------

const fr = Math.fround;
const C_SQRTHF = fr(0.707106781186547524);
const C_LOG_P0 = fr(7.0376836292e-2);
const C_LOG_P1 = fr(-1.151461031e-1);
const C_LOG_P2 = fr(1.167699874e-1);
const C_LOG_P3 = fr(-1.2420140846e-1);
const C_LOG_P4 = fr(1.4249322787e-1);
const C_LOG_P5 = fr(-1.6668057665e-1);
const C_LOG_P6 = fr(2.0000714765e-1);
const C_LOG_P7 = fr(-2.4999993993e-1);
const C_LOG_P8 = fr(3.3333331174e-1);
const C_LOG_Q1 = fr(-2.12194440e-4);
const C_LOG_Q2 = fr(0.693359375);
const C_MIN_NORM_POS = 1.1754943508222875e-38;
const C_DP1 = fr(-0.78515625);
const C_DP2 = fr(-2.4187564849853515625e-4);
const C_DP3 = fr(-3.77489497744594108e-8);
const C_SINCOF_P0 = fr(-1.9515295891e-4);
const C_SINCOF_P1 = fr(8.3321608736e-3);
const C_SINCOF_P2 = fr(-1.6666654611e-1);
const C_COSCOF_P0 = fr(2.443315711809948e-5);
const C_COSCOF_P1 = fr(-1.388731625493765e-3);
const C_COSCOF_P2 = fr(4.166664568298827e-2);
const C_FOPI = fr(1.27323954473516);
/** `_mm256_set1_ps(2.0f * c10::pi<double>)` */
const C_TWO_PI_F = fr(2 * Math.PI);

/** One lane of `log256_ps` for a float32 x > 0. */
function avxLogf(xIn: number): number {
  if (!(xIn > 0)) return NaN;
  F32[0] = xIn < C_MIN_NORM_POS ? C_MIN_NORM_POS : xIn;
  const bits = I32[0];
  let e = fr((bits >>> 23) - 0x7f + 1);
  I32[0] = (bits & ~0x7f800000) | 0x3f000000;
  let x = F32[0];
  const mask = x < C_SQRTHF;
  const tmp = mask ? x : 0;
  x = fr(x - 1);
  if (mask) e = fr(e - 1);
  x = fr(x + tmp);
  const z = fr(x * x);
  let y = fmaf(C_LOG_P0, x, C_LOG_P1);
  y = fmaf(y, x, C_LOG_P2);
  y = fmaf(y, x, C_LOG_P3);
  y = fmaf(y, x, C_LOG_P4);
  y = fmaf(y, x, C_LOG_P5);
  y = fmaf(y, x, C_LOG_P6);
  y = fmaf(y, x, C_LOG_P7);
  y = fmaf(y, x, C_LOG_P8);
  y = fr(y * x);
  y = fmaf(y, z, fr(e * C_LOG_Q1));
  y = fmaf(-z, 0.5, y);
  x = fr(x + y);
  return fmaf(e, C_LOG_Q2, x);
}

let SINF_OUT = 0;
let COSF_OUT = 0;

/** One lane of `sincos256_ps` into SINF_OUT / COSF_OUT, for a float32 x >= 0 below 2^24. */
function avxSincosf(xIn: number): void {
  let x = Math.abs(xIn);
  const signSin = isNegative(xIn);
  let j = Math.trunc(fr(x * C_FOPI)) | 0;
  j = (j + 1) & ~1;
  const y0 = j;
  const swapSin = (j & 4) !== 0;
  const polyMask = (j & 2) === 0;
  x = fmaf(y0, C_DP1, x);
  x = fmaf(y0, C_DP2, x);
  x = fmaf(y0, C_DP3, x);
  const signCos = (~(j - 2) & 4) !== 0;
  const z = fr(x * x);
  let y = fmaf(fmaf(C_COSCOF_P0, z, C_COSCOF_P1), z, C_COSCOF_P2);
  y = fr(y * z);
  y = fmaf(y, z, -fr(z * 0.5));
  y = fr(y + 1);
  let y2 = fmaf(fmaf(C_SINCOF_P0, z, C_SINCOF_P1), z, C_SINCOF_P2);
  y2 = fr(y2 * z);
  y2 = fmaf(y2, x, x);
  const s = polyMask ? y2 : y;
  const c = polyMask ? y : y2;
  SINF_OUT = signSin !== swapSin ? -s : s;
  COSF_OUT = signCos ? -c : c;
}

/** `normal_fill_16_AVX2` on data[off .. off + 16) (float32, in place). */
function normalFill16Avx(data: Float32Array, off: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = fr(1 - data[off + j]);
    const u2 = data[off + j + 8];
    const radius = fr(Math.sqrt(fr(-2 * avxLogf(u1))));
    avxSincosf(fr(C_TWO_PI_F * u2));
    data[off + j] = fmaf(fr(radius * COSF_OUT), std, mean);
    data[off + j + 8] = fmaf(fr(radius * SINF_OUT), std, mean);
  }
}

/** 2π in binary64 (`2.0 * c10::pi<double>`, exact doubling of the double π). */
const TWO_PI = 2 * Math.PI;

/** `normal_fill_16<double>` on data[off .. off + 16) (float64, in place). */
function normalFill16Double(data: Float64Array, off: number, mean: number, std: number): void {
  for (let j = 0; j < 8; j++) {
    const u1 = 1 - data[off + j];
    const u2 = data[off + j + 8];
    const radius = Math.sqrt(-2 * glibcLog(u1));
    glibcSincos(TWO_PI * u2);
    data[off + j] = fma(radius * COS_OUT, std, mean);
    data[off + j + 8] = fma(radius * SIN_OUT, std, mean);
  }
}

// ---------------------------------------------------------------------------------------------
// Seeds and state.
// ---------------------------------------------------------------------------------------------

/** Normalizes a seed like `torch.Generator.manual_seed`: uint64, negatives as two's complement. */
function toUint64Seed(seed: number | bigint): bigint {
  let s: bigint;
  if (typeof seed === "number") {
    if (!Number.isInteger(seed)) {
      throw new TypeError(`Generator seed must be an integer, got ${seed}`);
    }
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(
        `Generator seed ${seed} is not a safe integer (precision may already be lost); pass a bigint`,
      );
    }
    s = BigInt(seed);
  } else if (typeof seed === "bigint") {
    s = seed;
  } else {
    throw new TypeError(`Generator seed must be a number or bigint, got ${typeof seed}`);
  }
  if (s < INT64_MIN || s >= UINT64_MOD) {
    throw new RangeError(`Generator seed ${s} is outside [-2^63, 2^64) (PyTorch: "Overflow when unpacking long")`);
  }
  return s < 0n ? s + UINT64_MOD : s;
}

/** A nondeterministic uint64 (PyTorch reads /dev/urandom); Web Crypto when available. */
function nondeterministicUint64(): bigint {
  const words = new Uint32Array(2);
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint32Array) => Uint32Array } }).crypto;
  if (c !== undefined && typeof c.getRandomValues === "function") {
    c.getRandomValues(words);
  } else {
    words[0] = Math.floor(Math.random() * TWO_POW_32);
    words[1] = Math.floor(Math.random() * TWO_POW_32) ^ (Date.now() >>> 0);
  }
  return (BigInt(words[0]) << 32n) | BigInt(words[1]);
}

/**
 * A generator's complete state as plain JSON data (what `getState` returns and `setState`
 * accepts). It holds exactly what PyTorch's `torch.get_rng_state()` holds.
 */
export type GeneratorState = {
  /** Format tag. */
  kind: "mt19937";
  /** The initial seed as a decimal uint64 string (`initial_seed()`). */
  seed: string;
  /** Engine `left_`: 1..624. */
  left: number;
  /** Engine `next_`: 0..624, with left + next <= 625. */
  next: number;
  /** The 624 mt19937 state words, each an integer in [0, 2^32). */
  state: number[];
  /** Cached second Box–Muller sample of the scalar normal path (double), or null. */
  nextDoubleNormal: number | null;
  /** PyTorch's float normal cache (unused by the CPU kernels here, kept for fidelity), or null. */
  nextFloatNormal: number | null;
};

/** Byte size of PyTorch's CPU `CPUGeneratorImplState` (torch.get_rng_state().numel()). */
export const TORCH_STATE_BYTES = 5056;
const TS_LEGACY_STATE = 24;
const TS_NORMAL_X = TS_LEGACY_STATE + MT_STATE_SIZE * 8;
const TS_NORMAL_Y = TS_NORMAL_X + 8;
const TS_NORMAL_RHO = TS_NORMAL_Y + 8;
const TS_NORMAL_VALID = TS_NORMAL_RHO + 8;
const TS_FLOAT_NORMAL = 5048;
const TS_FLOAT_VALID = 5052;

function stateError(msg: string): never {
  throw new TypeError(`Generator.setState: ${msg}`);
}

function isPlainNumberOrNull(v: unknown): v is number | null {
  return v === null || (typeof v === "number" && !Number.isNaN(v));
}

/** Runtime check of the output array type (the fills are also called from untyped code). */
function checkOut(out: unknown, name: string, allowInt32: boolean, allowUint8: boolean): void {
  const ok =
    out instanceof Float32Array ||
    out instanceof Float64Array ||
    (allowInt32 && out instanceof Int32Array) ||
    (allowUint8 && out instanceof Uint8Array);
  if (!ok) {
    const kinds = ["Float32Array", "Float64Array"];
    if (allowInt32) kinds.unshift("Int32Array");
    if (allowUint8) kinds.push("Uint8Array");
    throw new TypeError(`Generator.${name}: out must be a ${kinds.join(" or ")}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The generator.
// ---------------------------------------------------------------------------------------------

/** PyTorch 1.13.1's CPU generator (`torch.Generator()`), stream-compatible bit for bit. */
export class Generator {
  private readonly engine = new MT19937();
  /** `next_double_normal_sample_` */
  private nextDoubleNormal: number | null = null;
  /** `next_float_normal_sample_` */
  private nextFloatNormal: number | null = null;

  /** Like `torch.Generator().manual_seed(seed)`; the default seed is PyTorch's 67280421310721. */
  constructor(seed: number | bigint = DEFAULT_SEED) {
    this.manualSeed(seed);
  }

  /** Like `torch.Generator.manual_seed`: seed in [-2^63, 2^64); clears the normal cache. */
  manualSeed(seed: number | bigint): this {
    const s = toUint64Seed(seed);
    this.nextDoubleNormal = null;
    this.nextFloatNormal = null;
    this.engine.reseed(s);
    return this;
  }

  /** Like `torch.Generator.initial_seed()`: the uint64 seed last set. */
  initialSeed(): bigint {
    return this.engine.seed;
  }

  /** Like `torch.Generator.seed()`: reseeds from a nondeterministic uint64 and returns it. */
  seed(): bigint {
    const s = nondeterministicUint64();
    this.manualSeed(s);
    return s;
  }

  /** A deep copy of the complete state, as JSON-serializable data. */
  getState(): GeneratorState {
    return {
      kind: "mt19937",
      seed: this.engine.seed.toString(),
      left: this.engine.left,
      next: this.engine.next,
      state: Array.from(this.engine.state),
      nextDoubleNormal: this.nextDoubleNormal,
      nextFloatNormal: this.nextFloatNormal,
    };
  }

  /** Restores a state from {@link getState} (copied; the argument is not retained). */
  setState(s: GeneratorState): void {
    if (typeof s !== "object" || s === null) stateError("expected a GeneratorState object");
    const st = s as Partial<Record<keyof GeneratorState, unknown>>;
    if (st.kind !== "mt19937") stateError(`unknown state kind ${JSON.stringify(st.kind)} (expected "mt19937")`);
    if (typeof st.seed !== "string" || !/^[0-9]+$/.test(st.seed) || BigInt(st.seed) >= UINT64_MOD) {
      stateError("seed must be a decimal string of a uint64");
    }
    const left = st.left;
    const next = st.next;
    if (typeof left !== "number" || !Number.isInteger(left) || left < 1 || left > MT_STATE_SIZE) {
      stateError(`left must be an integer in [1, ${MT_STATE_SIZE}], got ${String(left)}`);
    }
    if (typeof next !== "number" || !Number.isInteger(next) || next < 0 || next > MT_STATE_SIZE) {
      stateError(`next must be an integer in [0, ${MT_STATE_SIZE}], got ${String(next)}`);
    }
    if (left + next > MT_STATE_SIZE + 1) {
      stateError(`left + next must be <= ${MT_STATE_SIZE + 1}, got ${left} + ${next}`);
    }
    const words = st.state;
    if (!Array.isArray(words) || words.length !== MT_STATE_SIZE) {
      stateError(`state must be an array of ${MT_STATE_SIZE} uint32 words`);
    }
    for (let i = 0; i < MT_STATE_SIZE; i++) {
      const w: unknown = words[i];
      if (typeof w !== "number" || !Number.isInteger(w) || w < 0 || w >= TWO_POW_32) {
        stateError(`state[${i}] must be an integer in [0, 2^32), got ${String(w)}`);
      }
    }
    if (!isPlainNumberOrNull(st.nextDoubleNormal)) stateError("nextDoubleNormal must be a number or null");
    if (!isPlainNumberOrNull(st.nextFloatNormal)) stateError("nextFloatNormal must be a number or null");
    this.engine.state.set(words as number[]);
    this.engine.left = left;
    this.engine.next = next;
    this.engine.seed = BigInt(st.seed as string);
    this.nextDoubleNormal = st.nextDoubleNormal;
    this.nextFloatNormal = st.nextFloatNormal === null ? null : Math.fround(st.nextFloatNormal);
  }

  /**
   * The state in PyTorch's binary layout: the same 5056 bytes as `torch.get_rng_state()` /
   * `torch.Generator.get_state()` on x86-64 (a checkpoint's RNG state can be moved both ways).
   */
  getTorchState(): Uint8Array {
    const bytes = new Uint8Array(TORCH_STATE_BYTES);
    const v = new DataView(bytes.buffer);
    v.setBigUint64(0, this.engine.seed, true);
    v.setInt32(8, this.engine.left, true);
    v.setInt32(12, 1, true); // seeded
    v.setBigUint64(16, BigInt(this.engine.next), true);
    for (let i = 0; i < MT_STATE_SIZE; i++) v.setUint32(TS_LEGACY_STATE + 8 * i, this.engine.state[i], true);
    if (this.nextDoubleNormal !== null) {
      v.setFloat64(TS_NORMAL_Y, this.nextDoubleNormal, true);
      v.setInt32(TS_NORMAL_VALID, 1, true);
    }
    if (this.nextFloatNormal !== null) {
      v.setFloat32(TS_FLOAT_NORMAL, this.nextFloatNormal, true);
      v.setUint8(TS_FLOAT_VALID, 1);
    }
    return bytes;
  }

  /** Loads a state in PyTorch's binary layout (`torch.get_rng_state()` bytes), validated like torch. */
  setTorchState(bytes: Uint8Array): void {
    if (!(bytes instanceof Uint8Array) || bytes.length !== TORCH_STATE_BYTES) {
      throw new TypeError(
        `Generator.setTorchState: expected a Uint8Array of ${TORCH_STATE_BYTES} bytes, got ${
          bytes instanceof Uint8Array ? `${bytes.length} bytes` : typeof bytes
        }`,
      );
    }
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const words: number[] = new Array<number>(MT_STATE_SIZE);
    for (let i = 0; i < MT_STATE_SIZE; i++) words[i] = v.getUint32(TS_LEGACY_STATE + 8 * i, true);
    const next64 = v.getBigUint64(16, true);
    const seeded = v.getInt32(12, true);
    if (seeded !== 1 || next64 > BigInt(MT_STATE_SIZE)) {
      throw new TypeError("Generator.setTorchState: Invalid mt19937 state");
    }
    this.setState({
      kind: "mt19937",
      seed: v.getBigUint64(0, true).toString(),
      left: v.getInt32(8, true),
      next: Number(next64),
      state: words,
      nextDoubleNormal: v.getInt32(TS_NORMAL_VALID, true) !== 0 ? v.getFloat64(TS_NORMAL_Y, true) : null,
      nextFloatNormal: v.getUint8(TS_FLOAT_VALID) !== 0 ? v.getFloat32(TS_FLOAT_NORMAL, true) : null,
    });
  }

  /** `CPUGeneratorImpl::random()`: one raw 32-bit draw, in [0, 2^32). */
  random32(): number {
    return this.engine.nextUint32();
  }

  /** `CPUGeneratorImpl::random64()`: two draws, the first as the high word, in [0, 2^64). */
  random64(): bigint {
    const hi = this.engine.nextUint32();
    const lo = this.engine.nextUint32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** `uniform_real_distribution<double>(0, 1)`: (random64() & (2^53 - 1)) * 2^-53. */
  private uniform53(): number {
    const hi = this.engine.nextUint32() & 0x1fffff;
    const lo = this.engine.nextUint32();
    return (hi * TWO_POW_32 + lo) * TWO_POW_M53;
  }

  /** `uniform_real_distribution<float>(0, 1)`: (random() & (2^24 - 1)) * 2^-24. */
  private uniform24(): number {
    return (this.engine.nextUint32() & 0xffffff) * TWO_POW_M24;
  }

  /** Standard normal from the scalar Box–Muller path (`normal_distribution<double>`, with cache). */
  private nextNormalScalar(): number {
    const cached = this.nextDoubleNormal;
    if (cached !== null) {
      this.nextDoubleNormal = null;
      return cached;
    }
    const u1 = this.uniform53();
    const u2 = this.uniform53();
    const r = Math.sqrt(-2.0 * glibcLog(1.0 - u2));
    glibcSincos(TWO_PI * u1);
    this.nextDoubleNormal = r * SIN_OUT;
    return r * COS_OUT;
  }

  /**
   * Fills `out` like `Tensor.uniform_(from, to)` / `torch.rand` (defaults 0, 1) for a float32
   * or float64 tensor, in element order. Bounds are validated like PyTorch.
   */
  uniform(out: Float32Array | Float64Array, from = 0, to = 1): void {
    checkOut(out, "uniform", false, false);
    const isF32 = out instanceof Float32Array;
    const max = isF32 ? 3.4028234663852886e38 : Number.MAX_VALUE;
    const dtype = isF32 ? "float32" : "float64";
    if (!(from >= -max && from <= max)) {
      throw new RangeError(`uniform_: from is out of bounds for ${dtype}, got ${from}`);
    }
    if (!(to >= -max && to <= max)) {
      throw new RangeError(`uniform_: to is out of bounds for ${dtype}, got ${to}`);
    }
    if (!(from <= to)) {
      throw new RangeError(`uniform_ expects to return a [from, to) range, but found from=${from} > to=${to}`);
    }
    if (!(to - from <= max)) {
      throw new RangeError(
        `uniform_ expects to-from <= std::numeric_limits<${dtype}>::max(), but found to=${to} and from=${from} which result in to-from to exceed the limit`,
      );
    }
    const eng = this.engine;
    const n = out.length;
    if (isF32) {
      const f = Math.fround(from);
      const range = Math.fround(Math.fround(to) - f);
      if (f === 0 && range === 1) {
        for (let i = 0; i < n; i++) out[i] = (eng.nextUint32() & 0xffffff) * TWO_POW_M24;
      } else {
        for (let i = 0; i < n; i++) out[i] = fmaf((eng.nextUint32() & 0xffffff) * TWO_POW_M24, range, f);
      }
    } else {
      const range = to - from;
      if (from === 0 && range === 1) {
        for (let i = 0; i < n; i++) out[i] = this.uniform53();
      } else {
        for (let i = 0; i < n; i++) out[i] = fma(this.uniform53(), range, from);
      }
    }
  }

  /**
   * Fills `out` like `Tensor.normal_(mean, std)` / `torch.randn` (defaults 0, 1) for a float32
   * or float64 tensor. `contiguous = false` selects PyTorch's path for a non-contiguous tensor
   * (the scalar one); values are then produced in the order PyTorch's TensorIterator visits the
   * elements, which the caller maps to its strided layout.
   */
  normal(out: Float32Array | Float64Array, mean = 0, std = 1, contiguous = true): void {
    checkOut(out, "normal", false, false);
    if (!(std >= 0)) throw new RangeError(`normal expects std >= 0.0, but found std ${std}`);
    if (typeof mean !== "number") throw new TypeError("normal: mean must be a number");
    const n = out.length;
    if (n >= 16 && contiguous) {
      if (out instanceof Float32Array) this.normalFillAvx(out, Math.fround(mean), Math.fround(std));
      else this.normalFillDouble(out, mean, std);
      return;
    }
    if (std === 1 && mean === 0) {
      for (let i = 0; i < n; i++) out[i] = this.nextNormalScalar() + 0; // fma(v, 1, 0) turns -0 into +0
    } else {
      for (let i = 0; i < n; i++) out[i] = fma(this.nextNormalScalar(), std, mean);
    }
  }

  private normalFillAvx(data: Float32Array, mean: number, std: number): void {
    const n = data.length;
    for (let i = 0; i < n; i++) data[i] = this.uniform24();
    for (let i = 0; i + 16 <= n; i += 16) normalFill16Avx(data, i, mean, std);
    if (n % 16 !== 0) {
      const base = n - 16;
      for (let i = 0; i < 16; i++) data[base + i] = this.uniform24();
      normalFill16Avx(data, base, mean, std);
    }
  }

  private normalFillDouble(data: Float64Array, mean: number, std: number): void {
    const n = data.length;
    for (let i = 0; i < n; i++) data[i] = this.uniform53();
    for (let i = 0; i + 16 <= n; i += 16) normalFill16Double(data, i, mean, std);
    if (n % 16 !== 0) {
      const base = n - 16;
      for (let i = 0; i < 16; i++) data[base + i] = this.uniform53();
      normalFill16Double(data, base, mean, std);
    }
  }

  /**
   * Fills `out` like `torch.randint(low, high, size)` (int64 in PyTorch) with integers in
   * [low, high): `random() % range + low` if range < 2^32, else `random64() % range + low`.
   * low and high must be safe integers; an Int32Array must be able to hold every value.
   */
  randint(out: Int32Array | Float32Array | Float64Array, low: number, high: number): void {
    checkOut(out, "randint", true, false);
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) {
      throw new TypeError(`randint: low and high must be safe integers, got low=${low}, high=${high}`);
    }
    if (!(low < high)) {
      throw new RangeError(`random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
    }
    if (out instanceof Int32Array && (low < -2147483648 || high > 2147483648)) {
      throw new RangeError(`randint: [${low}, ${high}) does not fit an Int32Array`);
    }
    const eng = this.engine;
    const n = out.length;
    const range = high - low;
    if (range < TWO_POW_32) {
      for (let i = 0; i < n; i++) out[i] = (eng.nextUint32() % range) + low;
    } else {
      const rangeBig = BigInt(high) - BigInt(low);
      const lowBig = BigInt(low);
      for (let i = 0; i < n; i++) out[i] = Number((this.random64() % rangeBig) + lowBig);
    }
  }

  /** Like `torch.randperm(n)` (int64 in PyTorch): a random permutation of 0..n-1. */
  randperm(n: number): Int32Array {
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new RangeError(`randperm: n must be a non-negative integer, got ${n}`);
    }
    if (n >= 214748364) {
      throw new RangeError(`randperm: n must be < 2^32 / 20 = 214748364 (PyTorch's small-n algorithm), got ${n}`);
    }
    const eng = this.engine;
    const r = new Int32Array(n);
    for (let i = 0; i < n; i++) r[i] = i;
    for (let i = 0; i < n - 1; i++) {
      const z = eng.nextUint32() % (n - i);
      const save = r[i];
      r[i] = r[z + i];
      r[z + i] = save;
    }
    return r;
  }

  /**
   * Fills `out` like `Tensor.bernoulli_(p)` with a scalar p on CPU without MKL (the kernel
   * `torch.nn.functional.dropout` uses, with p = 1 - dropout_p): 1 where a 53-bit uniform < p.
   */
  bernoulli(out: Float32Array | Float64Array | Uint8Array, p: number): void {
    checkOut(out, "bernoulli", false, true);
    if (!(p >= 0 && p <= 1)) throw new RangeError(`bernoulli_ expects p to be in [0, 1], but got p=${p}`);
    const n = out.length;
    for (let i = 0; i < n; i++) out[i] = this.uniform53() < p ? 1 : 0;
  }

  /** Like `torch.empty((), dtype=torch.int64).random_().item()`: random64() % 2^63. */
  randomInt64(): bigint {
    const hi = this.engine.nextUint32() & 0x7fffffff;
    const lo = this.engine.nextUint32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }
}

/**
 * The default generator (PyTorch's `torch.default_generator`). Like PyTorch it starts from a
 * nondeterministic seed; call {@link manualSeed} for reproducible streams.
 */
export const defaultGenerator: Generator = new Generator(nondeterministicUint64());

/** Like `torch.manual_seed(seed)`: seeds {@link defaultGenerator} and returns it. */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}
