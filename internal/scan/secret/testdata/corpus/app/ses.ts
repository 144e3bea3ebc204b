import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';

// WRONG - Hardcoded (seed 001):
const AWS_ACCESS_KEY_ID = 'AKIA§RZPUZDIKFHJZDEGX'; // Never do this!
const AWS_SECRET_ACCESS_KEY = 'El2hpChYgCfrL1sp§NxnyVmihA+2O76UMFxFkM+R5';

// The documented example pair is not reported:
const docs = { id: 'AKIA§IOSFODNN7EXAMPLE', secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCY§EXAMPLEKEY' };

// CORRECT:
const client = new SecretsManagerClient({ region: 'us-east-1' });
const response = await client.send(new GetSecretValueCommand({ SecretId: 'synthcoreai/ses-credentials' }));
const secrets = JSON.parse(response.SecretString);
const password = secrets.password;
// iamguard:ignore GENERIC_SECRET rotated 2025-10-01, value kept for the migration test
const legacyToken = "Ze2qpUWnoVPD§F2yeE6RsXcNO";
// iamguard:ignore GENERIC_SECRET
const otherToken = "PmeMjvqPVStNKia§EdFrRgSnRFsTHsDDD9";
