import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
import { SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";
import { LambdaClient, InvokeCommand } from "@aws-sdk/client-lambda";
import * as sns from "@aws-sdk/client-sns";

const TABLE = "synthcoreai-users";
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "eu-west-1" }));
const sqs = new SQSClient({});
const ses = new SESv2Client({ region: "us-east-1" });
const lambda = new LambdaClient({ region: "us-east-1" });

export async function getUser(id: string) {
  return ddb.send(new GetCommand({ TableName: TABLE, Key: { id } }));
}

export async function saveUser(user: Record<string, unknown>) {
  await ddb.send(new PutCommand({ TableName: TABLE, Item: user }));
  await ddb.send(new QueryCommand({ TableName: TABLE, IndexName: "by-email", KeyConditionExpression: "email = :e" }));
}

export async function enqueue(job: object) {
  await sqs.send(new SendMessageCommand({
    QueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/synthcoreai-jobs",
    MessageBody: JSON.stringify(job),
  }));
}

export async function welcome(to: string) {
  await ses.send(new SendEmailCommand({
    FromEmailAddress: "noreply@synthcoreai.com",
    Destination: { ToAddresses: [to] },
    Content: { Simple: { Subject: { Data: "Welcome" }, Body: { Text: { Data: "Hi" } } } },
  }));
}

export async function rag(payload: string) {
  await lambda.send(new InvokeCommand({ FunctionName: "synthcoreai-rag", Payload: Buffer.from(payload) }));
}

export async function notify(message: string) {
  const client = new sns.SNSClient({ region: "us-east-1" });
  await client.send(new sns.PublishCommand({ TopicArn: "arn:aws:sns:us-east-1:123456789012:synthcoreai-alerts", Message: message }));
}
