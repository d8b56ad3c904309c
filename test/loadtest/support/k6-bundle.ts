/**
 * Loading a built k6 bundle into an emulated VU: evaluate it as an ES module in the VU's realm (the
 * init context), its `k6...` imports linked to the emulated modules.
 */
import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import type { K6Emulation } from './k6-runtime.ts';

/** Evaluate `bundle` in `emulation`'s realm; the module's exports. */
export async function loadBundle(emulation: K6Emulation, bundle: string): Promise<Record<string, unknown>> {
  const module = new vm.SourceTextModule(readFileSync(bundle, 'utf8'), {
    context: emulation.context,
    identifier: bundle,
  });
  await module.link((specifier) => {
    const synthetic = emulation.module(specifier);
    // k6 resolves nothing else: a bundle importing anything more would fail there too.
    if (!synthetic) throw new Error(`the bundle imports "${specifier}", which k6 does not provide`);
    return synthetic;
  });
  await module.evaluate();
  emulation.startIterations();
  return module.namespace as Record<string, unknown>;
}
