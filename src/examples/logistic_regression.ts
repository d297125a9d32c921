/**
 * A small end-to-end example: logistic regression on sklearn's breast-cancer data (committed
 * in the repo), fitted by full-batch gradient descent with autograd. The loss is binary
 * cross-entropy on a sigmoid output, written out by hand: −mean(y·log p + (1−y)·log(1−p)).
 *
 * Run: npm start
 */
import { fromTypedArray, noGrad, zeros, type Tensor } from "../index.js";
import { loadBreastCancer } from "../data/datasets/sklearn.js";

const ds = loadBreastCancer();
const X = fromTypedArray(ds.data, [ds.nSamples, ds.nFeatures]).float();
const y = fromTypedArray(Float64Array.from(ds.target), [ds.nSamples, 1]).float();

// standardise the features (z-scores), as any linear model wants
const mu = X.mean(0, true);
const sd = X.std(0, { keepdim: true });
const Xs = X.sub(mu).div(sd);

const w = zeros([ds.nFeatures, 1], { requiresGrad: true });
const b = zeros([1], { requiresGrad: true });
const lr = 0.5;

function bce(p: Tensor, t: Tensor): Tensor {
  const eps = 1e-7;
  const pc = p.clamp(eps, 1 - eps);
  return t.mul(pc.log()).add(t.neg().add(1).mul(pc.neg().add(1).log())).mean().neg();
}

console.log(`logistic regression on ${ds.name}: ${ds.nSamples} samples × ${ds.nFeatures} features, lr ${lr}`);
for (let epoch = 0; epoch <= 200; epoch++) {
  const p = Xs.matmul(w).add(b).sigmoid();
  const loss = bce(p, y);
  w.grad = null;
  b.grad = null;
  loss.backward();
  noGrad(() => {
    w.sub_(w.grad!.mul(lr));
    b.sub_(b.grad!.mul(lr));
  });
  if (epoch % 20 === 0) {
    const acc = p.gt(0.5).float().eq(y).float().mean().item();
    console.log(`epoch ${String(epoch).padStart(3)}  loss ${loss.item().toFixed(4)}  accuracy ${(acc * 100).toFixed(1)}%`);
  }
}
