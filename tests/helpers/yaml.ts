// The YAML subset reader lives with the policy pack (policy/yaml.ts, its one home); tests read the stack files and the
// GitHub workflows with it.
export { parseYaml, YamlError } from '../../policy/yaml';
