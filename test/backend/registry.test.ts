/**
 * Backend selection: WASM when the engine has WebAssembly SIMD, else the CPU backend with a
 * one-line notice; DESCENT_BACKEND and setBackend override; setNumThreads validates its argument.
 */
import { afterEach, describe, expect, test, vi } from "vitest";

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  vi.resetModules();
});

/** A fresh copy of the package (new registry state) with stderr captured. */
async function freshPackage(): Promise<{ pkg: typeof import("../../src/index.js"); stderr: string[] }> {
  vi.resetModules();
  const stderr: string[] = [];
  vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => {
    stderr.push(String(s));
    return true;
  });
  const pkg = await import("../../src/index.js");
  return { pkg, stderr };
}

describe("automatic choice", () => {
  test("an engine without WebAssembly SIMD falls back to the CPU backend with one notice line, and computes", async () => {
    vi.stubEnv("DESCENT_BACKEND", "");
    vi.spyOn(WebAssembly, "validate").mockReturnValue(false); // the SIMD probe fails
    const { pkg, stderr } = await freshPackage();
    const a = pkg.tensor([[1, 2], [3, 4]]);
    const y = a.matmul(a).add(pkg.tensor([0.5, -0.5]));
    expect(pkg.backend().name).toBe("cpu");
    // [[1,2],[3,4]]² = [[7,10],[15,22]], plus the broadcast row [0.5, -0.5]
    expect(y.tolist()).toEqual([[7.5, 9.5], [15.5, 21.5]]);
    expect(stderr.length).toBe(1);
    expect(stderr[0]).toBe(
      "descent: WebAssembly SIMD backend unavailable (WebAssembly SIMD (simd128) is not supported by this engine); using the CPU backend\n",
    );
    expect(() => pkg.setBackend("wasm")).toThrow(/the WASM backend is unavailable: WebAssembly SIMD \(simd128\) is not supported/);
  });

  test("an engine with SIMD gets the WASM backend silently", async () => {
    vi.stubEnv("DESCENT_BACKEND", "");
    const { pkg, stderr } = await freshPackage();
    expect(pkg.backend().name).toBe("wasm");
    expect(stderr).toEqual([]);
  });

  test("DESCENT_BACKEND=cpu and =wasm force a backend; an unknown value is reported", async () => {
    vi.stubEnv("DESCENT_BACKEND", "cpu");
    let { pkg, stderr } = await freshPackage();
    expect(pkg.backend().name).toBe("cpu");
    vi.stubEnv("DESCENT_BACKEND", "WASM");
    ({ pkg, stderr } = await freshPackage());
    expect(pkg.backend().name).toBe("wasm");
    vi.stubEnv("DESCENT_BACKEND", "gpu");
    ({ pkg, stderr } = await freshPackage());
    expect(pkg.backend().name).toBe("wasm");
    expect(stderr).toEqual(['descent: unknown DESCENT_BACKEND "gpu" (expected cpu or wasm); using the WASM backend\n']);
  });

  test("DESCENT_BACKEND=wasm on an engine without SIMD still falls back with the notice", async () => {
    vi.stubEnv("DESCENT_BACKEND", "wasm");
    vi.spyOn(WebAssembly, "validate").mockReturnValue(false);
    const { pkg, stderr } = await freshPackage();
    expect(pkg.backend().name).toBe("cpu");
    expect(stderr.length).toBe(1);
    expect(stderr[0]!.split("\n").length).toBe(2); // one line
  });
});

describe("setBackend and setNumThreads", () => {
  test("setBackend switches by name or object; tensors stay valid across the switch", async () => {
    const { pkg } = await freshPackage();
    const x = pkg.tensor([1, 2, 3]);
    pkg.setBackend("cpu");
    expect(pkg.backend().name).toBe("cpu");
    const y = x.mul(2);
    pkg.setBackend("wasm");
    expect(pkg.backend().name).toBe("wasm");
    expect(y.add(x).tolist()).toEqual([3, 6, 9]); // 2x + x
    const cpu = (await import("../../src/backend/registry.js")).cpuBackend();
    pkg.setBackend(cpu);
    expect(pkg.backend()).toBe(cpu);
    expect(() => pkg.setBackend("metal" as never)).toThrow(TypeError);
  });

  test("setNumThreads validates its argument", async () => {
    const { pkg } = await freshPackage();
    expect(() => pkg.setNumThreads(0)).toThrow(RangeError);
    expect(() => pkg.setNumThreads(1.5)).toThrow(TypeError);
    expect(() => pkg.setNumThreads("2" as never)).toThrow(TypeError);
    expect(pkg.getNumThreads()).toBe(1);
    pkg.setNumThreads(2);
    expect(pkg.getNumThreads()).toBe(2);
    pkg.setNumThreads(1);
  });
});

describe("DESCENT_NUM_THREADS", () => {
  test("sets the initial thread count; invalid values leave the default of 1", async () => {
    vi.stubEnv("DESCENT_NUM_THREADS", "2");
    let { pkg } = await freshPackage();
    expect(pkg.getNumThreads()).toBe(2);
    pkg.setNumThreads(1);
    for (const bad of ["0", "1.5", "two", ""]) {
      vi.stubEnv("DESCENT_NUM_THREADS", bad);
      ({ pkg } = await freshPackage());
      expect(pkg.getNumThreads()).toBe(1);
    }
  });
});

describe("initBackend", () => {
  test("compiles asynchronously and activates WASM unless a backend was set explicitly", async () => {
    vi.stubEnv("DESCENT_BACKEND", "");
    let { pkg } = await freshPackage();
    expect(await pkg.initBackend()).toBe("wasm");
    expect(pkg.backend().name).toBe("wasm");
    ({ pkg } = await freshPackage());
    pkg.setBackend("cpu");
    expect(await pkg.initBackend()).toBe("cpu");
    vi.stubEnv("DESCENT_BACKEND", "cpu");
    ({ pkg } = await freshPackage());
    expect(await pkg.initBackend()).toBe("cpu");
  });
});
