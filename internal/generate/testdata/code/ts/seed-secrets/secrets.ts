// Seed 001, "Secrets Management": the correct way to read a secret.
import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';

const client = new SecretsManagerClient({ region: 'us-east-1' });
const response = await client.send(
  new GetSecretValueCommand({ SecretId: 'synthcoreai/ses-credentials' })
);
const secrets = JSON.parse(response.SecretString);
