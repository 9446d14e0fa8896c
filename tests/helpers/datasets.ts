// The shared sample datasets (../shared/datasets, next to the repository) are for the opt-in dataset suite only
// (`npm run test:datasets`, files named *.dataset.ts): a user's clone has no ../shared, and `npm test` never reads
// outside the repository. scripts/require-datasets.js checks the folder before that suite starts; this helper names
// the missing file in one line if a dataset test is run some other way.
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from './stack-file';

/** Where the dataset suite reads its data: ../shared/datasets next to the repository, or TJ_DATASETS_DIR. */
export const DATASETS_DIR = path.resolve(
  process.env.TJ_DATASETS_DIR || path.join(REPO_ROOT, '..', 'shared', 'datasets'),
);

/** The path of one dataset file; throws one line saying what is missing and that `npm test` does not need it. */
export function datasetFile(name: string): string {
  const file = path.join(DATASETS_DIR, name);
  if (!fs.existsSync(file)) {
    throw new Error(
      `dataset ${file} not found: the dataset suite (npm run test:datasets) needs the shared sample datasets in ../shared/datasets next to this repository (or TJ_DATASETS_DIR); npm test does not use them`,
    );
  }
  return file;
}
