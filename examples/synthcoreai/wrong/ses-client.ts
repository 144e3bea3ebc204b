// Seed 001, "WRONG - Hardcoded". The key below is made up for this example
// (it is no real credential); iamguard reports it the way it would a real one.
import { SESClient } from '@aws-sdk/client-ses';

const AWS_ACCESS_KEY_ID = 'AKIA2OGYBAH6QNQZ7FMR';
const AWS_SECRET_ACCESS_KEY = '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';

export const ses = new SESClient({
  region: 'us-east-1',
  credentials: { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY },
});
