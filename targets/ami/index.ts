// The AMI (EC2) target kind (ToolJet's AMI instances from a launch template): its entry in the registry
// (targets/index.ts).
import * as path from 'path';
import type { TargetKindDefinition } from '../shared/kind';
import type { AmiOutputs, AmiTarget } from './component';
import { rehearseAmi } from './rehearse';
import { AMI_SUB_KEYS, AmiTargetConfig, parseAmiTarget } from './settings';
import { amiToolJetEnvironment } from './window';

export const ami: TargetKindDefinition<'ami', AmiTargetConfig, AmiTarget, AmiOutputs> = {
  kind: 'ami',
  subKeys: AMI_SUB_KEYS,
  parse: parseAmiTarget,
  deploy(args, opts) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on deploy, so the registry loads no Pulumi
    return (require('./component') as typeof import('./component')).deployAmi(args, opts);
  },
  window: {
    script: path.join(__dirname, 'window.sh'),
    timeoutSeconds: () => 900,
    environment: (s, base, { cli, start }) =>
      amiToolJetEnvironment({
        ...base,
        launchTemplateId: s.launchTemplateId,
        units: s.restartUnits,
        ...(start !== undefined && { userData: start }),
        cli,
      }),
    // The start runs this stack's user-data on the running instances (re-point + restart).
    startInput: (component) => component.userData,
  },
  // Minutes. Stop and start: SSM Run Command on every instance. Re-point: a new launch template version.
  estimate: { stop: [1, 3], repointStopped: [1, 2], repointLive: [1, 2], start: [2, 5] },
  rehearse: rehearseAmi,
};
