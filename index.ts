// Pulumi entry point: the checked configuration (config/) -> the plan of this run (plan/) -> the resource graph of its
// strategy (programs/). Pulumi calls the exported function and turns the object it resolves to into stack outputs; the
// unit tests call the same function under pulumi.runtime.setMocks.
import { loadStackConfig } from './config';
import { buildPlan } from './plan';
import { blueGreenProgram } from './programs/blue-green';
import { cloneProgram } from './programs/clone';
import { replicationProgram } from './programs/replication';
import { programContext } from './programs/shared';

export = async () => {
  const config = loadStackConfig({ baseDir: __dirname });
  const plan = buildPlan(config);
  const ctx = programContext(__dirname);
  switch (plan.strategy) {
    case 'blue-green':
      return blueGreenProgram(config, plan, ctx);
    case 'replication':
      return replicationProgram(config, plan, ctx);
    default:
      return cloneProgram(config, plan, ctx);
  }
};
