// Seed 001, "CORRECT - Use AWS Secrets Manager": credentials are read at
// runtime, never written in the code.
import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';

const client = new SecretsManagerClient({ region: 'us-east-1' });

export async function sendWelcome(to: string): Promise<void> {
  const response = await client.send(
    new GetSecretValueCommand({ SecretId: 'synthcoreai/ses-credentials' })
  );
  const secrets = JSON.parse(response.SecretString ?? '{}');
  const ses = new SESv2Client({ region: 'us-east-1' });
  await ses.send(new SendEmailCommand({
    FromEmailAddress: secrets.from,
    Destination: { ToAddresses: [to] },
    Content: { Simple: { Subject: { Data: 'Welcome' }, Body: { Text: { Data: 'Hello from SynthCore' } } } },
  }));
}
