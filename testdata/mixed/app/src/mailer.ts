import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';

// WRONG - hardcoded (seed 001 says: never do this)
const AWS_ACCESS_KEY_ID = 'AKIAQ3EGRQKH5NWZ4TYB';
const AWS_SECRET_ACCESS_KEY = 'wJ9rXUtnFEMIK7MDENGbPxRfiCYq2Hk8sLmN4vT0b';

const client = new SESClient({
  region: 'us-east-1',
  credentials: { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY },
});

export async function send(to: string, body: string) {
  await client.send(new SendEmailCommand({
    Source: 'noreply@synthcore.ai',
    Destination: { ToAddresses: [to] },
    Message: { Subject: { Data: 'SynthCore' }, Body: { Text: { Data: body } } },
  }));
}
