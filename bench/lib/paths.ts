// Fixed places: the repository, the bench folder and its git-ignored scratch space.

import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const REPO_DIR = dirname(BENCH_DIR);
export const WORK_DIR = join(BENCH_DIR, '.work');
export const TOOLS_DIR = join(WORK_DIR, 'tools');
export const SETS_DIR = join(BENCH_DIR, 'sets');
/** The project's shared requirement sets (trio, boto3, airflow: the sets uv publishes numbers for). */
export const SHARED_SETS_DIR = join(REPO_DIR, '..', 'shared', 'bench');
